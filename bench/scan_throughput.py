"""Throughput and peak memory of `draftguard check` on a real codebase.

Runs the installed CLI on CORPUS as a child process (JSON report to a temporary
file, no progress bar), samples the resident memory of that process and all of
its worker processes from /proc every 20 ms, and prints files/s, lines/s, the
CPU time of all processes (a figure that does not depend on what else the
machine is doing), and the peak memory of the whole process tree and of its
largest single process.

    python bench/scan_throughput.py /tmp/corpus/django --jobs 2
    python bench/scan_throughput.py --synthetic 10000 --jobs 2   # generated 10,000-file repository

Linux only (reads /proc). The corpus is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return found


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Peak RSS of a process and its descendants (sum and largest single)."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_total = self.peak_single = self.peak_processes = 0
        self.ticks: dict[int, int] = {}
        self.stop = threading.Event()

    @property
    def cpu_seconds(self) -> float:
        """CPU time of every process seen (up to its last sample)."""
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.stop.is_set():
            pids, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(_children(pid))
            sizes = [_rss(p) for p in pids]
            for pid in pids:
                self.ticks[pid] = max(self.ticks.get(pid, 0), _cpu_ticks(pid))
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            self.peak_processes = max(self.peak_processes, len(pids))
            time.sleep(self.interval)


def sampled_run(command: list[str], env: dict | None = None, timeout: float = 7200) -> tuple[int, str, float, TreeSampler]:
    """Run `command` to completion while sampling its process tree; returns
    the exit code, stderr, wall seconds and the sampler (CPU, peak memory)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _out, err = proc.communicate(timeout=timeout)
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    return proc.returncode, err.decode(errors="replace"), elapsed, sampler


def make_synthetic(root: Path, files: int, lines: int) -> None:
    """A repository of `files` generated Python modules in nested packages."""
    for i in range(files):
        folder = root / f"pkg{i // 500:03d}" / f"sub{(i // 50) % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module_{i:05d}.py").write_text(generate(lines, seed=i % 97), encoding="utf-8")


def measure(corpus: Path, jobs: int | None, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "draftguard.server.launch", "check", str(corpus), "--format", "json", "--output", str(report), "--no-progress", "--quiet", *extra]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        returncode, err, elapsed, sampler = sampled_run(cmd)
        cpu = sampler.cpu_seconds
        if returncode not in (0, 1):
            raise SystemExit(f"draftguard check failed ({returncode}): {err}")
        data = json.loads(report.read_text(encoding="utf-8"))
    summary = data["summary"]
    return {
        "command": " ".join(cmd[:1] + ["-m", "draftguard.server.launch"] + cmd[3:]).replace(str(report), "REPORT.json"),
        "files": summary["files"],
        "lines": summary["lines"],
        "findings": summary["findings"],
        "skipped": summary["skipped"],
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "files_per_s": summary["files"] / elapsed,
        "lines_per_s": summary["lines"] / elapsed,
        "peak_tree_mb": sampler.peak_total / 2**20,
        "peak_single_mb": sampler.peak_single / 2**20,
        "processes": sampler.peak_processes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, help="folder to scan")
    parser.add_argument("--synthetic", type=int, metavar="FILES", help="generate a repository of FILES modules instead")
    parser.add_argument("--synthetic-lines", type=int, default=120, help="lines per generated module (default 120)")
    parser.add_argument("--jobs", type=int, help="passed to draftguard check --jobs")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    args, extra = parser.parse_known_args(argv)
    if (args.corpus is None) == (args.synthetic is None):
        parser.error("give a CORPUS folder or --synthetic FILES")
    tmp = None
    corpus = args.corpus
    if args.synthetic:
        tmp = Path(tempfile.mkdtemp(prefix="draftguard-synthetic-"))
        make_synthetic(tmp, args.synthetic, args.synthetic_lines)
        corpus = tmp
    try:
        runs = [measure(corpus, args.jobs, extra) for _ in range(args.repeat)]
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    best = min(runs, key=lambda r: r["seconds"])
    print(f"command:      {best['command']}")
    print(f"corpus:       {corpus if not args.synthetic else f'synthetic, {args.synthetic} files'}")
    print(f"files:        {best['files']:,} scanned, {best['skipped']} skipped, {best['findings']:,} findings")
    print(f"lines:        {best['lines']:,}")
    print(f"wall time:    {best['seconds']:.2f} s (best of {len(runs)}; CPUs available: {len(os.sched_getaffinity(0))})")
    print(f"throughput:   {best['files_per_s']:,.0f} files/s, {best['lines_per_s']:,.0f} lines/s")
    print(f"CPU time:     {best['cpu_seconds']:.2f} s user+sys in all processes, sampled ({best['lines'] / max(best['cpu_seconds'], 1e-9):,.0f} lines per CPU-second)")
    print(f"peak memory:  {best['peak_tree_mb']:.0f} MB for the whole process tree ({best['processes']} processes), largest single process {best['peak_single_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
