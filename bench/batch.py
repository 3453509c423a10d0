"""Batch throughput: `draftguard check` next to `bandit -r` and `ruff check
--select S` on the same generated corpus, in the same run.

Every tool scans the same folder, writes a JSON report to a temporary file
and is sampled by scan_throughput.TreeSampler (wall time, CPU time of the
whole process tree, peak resident memory of the tree). Lines are counted once
by this script, so lines/s compare like with like. draftguard runs with one
worker and with more (`--jobs N`); Bandit has no parallel mode; ruff runs
single-threaded (`RAYON_NUM_THREADS=1`) and with its default thread pool.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate  # noqa: E402
from scan_throughput import sampled_run  # noqa: E402

SIZES = (150, 300, 600, 1200, 2400)


def make_corpus(root: Path, files: int, seed: int = 11) -> int:
    """`files` generated modules of mixed sizes in a small package tree; returns the line count."""
    rng = random.Random(seed)
    lines = 0
    for i in range(files):
        folder = root / f"service{i % 6}" / ("handlers" if i % 2 else "models")
        folder.mkdir(parents=True, exist_ok=True)
        text = generate(rng.choice(SIZES), seed=seed * 1000 + i, flaw_rate=0.08)
        (folder / f"module_{i:04d}.py").write_text(text, encoding="utf-8")
        lines += text.count("\n")
    return lines


def run_tool(name: str, command: list[str], report: Path, count, env: dict | None = None) -> dict:
    """Run one scan, sampled; `count(report)` reads the number of findings."""
    returncode, err, elapsed, sampler = sampled_run(command, {**os.environ, **(env or {})})
    if returncode not in (0, 1):
        raise RuntimeError(f"{name} failed ({returncode}): {err[-2000:]}")
    return {
        "tool": name,
        "command": " ".join(Path(part).name if i == 0 else part for i, part in enumerate(command)),
        "seconds": elapsed,
        "cpu_seconds": sampler.cpu_seconds,
        "peak_mb": sampler.peak_total / 2**20,
        "findings": count(report),
    }


def _draftguard_findings(report: Path) -> int:
    return len(json.loads(report.read_text(encoding="utf-8"))["findings"])


def _bandit_findings(report: Path) -> int:
    return len(json.loads(report.read_text(encoding="utf-8"))["results"])


def _ruff_findings(report: Path) -> int:
    return len(json.loads(report.read_text(encoding="utf-8")))


def throughput(files: int, jobs: list[int], bandit: str | None, ruff: str | None, repeat: int = 1) -> dict:
    """Scan a generated corpus with every available tool, `repeat` times
    each (interleaved, so load changes hit every tool alike)."""
    with tempfile.TemporaryDirectory(prefix="draftguard-batch-") as tmp:
        corpus = Path(tmp) / "corpus"
        lines = make_corpus(corpus, files)
        report = Path(tmp) / "report.json"
        plans: list[tuple[str, list[str], object, dict | None]] = []
        for n in jobs:
            command = [sys.executable, "-m", "draftguard.server.launch", "check", str(corpus), "--scope", "all", "--format", "json",
                       "--output", str(report), "--no-progress", "--quiet", "--jobs", str(n)]
            plans.append((f"draftguard --jobs {n}", command, _draftguard_findings, None))
        if bandit:
            plans.append(("bandit -r", [bandit, "-r", str(corpus), "-f", "json", "-o", str(report), "-q"], _bandit_findings, None))
        if ruff:
            command = [ruff, "check", "--isolated", "--no-cache", "--select", "S", "--exit-zero", "--output-format", "json",
                       "--output-file", str(report), str(corpus)]
            plans.append(("ruff --select S (1 thread)", command, _ruff_findings, {"RAYON_NUM_THREADS": "1"}))
            plans.append(("ruff --select S", command, _ruff_findings, None))
        runs: dict[str, list[dict]] = {name: [] for name, *_ in plans}
        for _ in range(repeat):
            for name, command, count, env in plans:
                runs[name].append(run_tool(name, command, report, count, env))
    results = []
    for name, measured in runs.items():
        best = sorted(measured, key=lambda r: r["seconds"])[len(measured) // 2]  # the median run
        best = {**best, "files": files, "lines": lines}
        best["lines_per_s"] = lines / best["seconds"]
        best["lines_per_cpu_s"] = lines / max(best["cpu_seconds"], 1e-9)
        results.append(best)
    reference = next((r for r in results if r["tool"] == "bandit -r"), None)
    for r in results:
        r["vs_bandit"] = r["lines_per_s"] / reference["lines_per_s"] if reference else None
        r["cpu_vs_bandit"] = r["lines_per_cpu_s"] / reference["lines_per_cpu_s"] if reference else None
    return {"files": files, "lines": lines, "tools": results}
