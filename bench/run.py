"""draftguard's performance benchmark, side by side with its peers.

    pip install -e '.[test,bench]'      # bench adds ruff, bandit and matplotlib
    python bench/run.py                 # full run: prints the tables, writes docs/bench.png
    python bench/run.py --quick         # a smaller run for a quick look
    python bench/run.py --only latency --sizes 10000 --repeat 3
    python bench/run.py --repeat 3 --readme README.md   # what the README shows

Sections (all by default; `--only` picks some):
- latency: generated modules of 1,000 / 10,000 / 50,000 lines; AI blocks
  pasted in one change each (each opens an AI region), then 300 edits: single
  characters typed and deleted inside and outside the AI regions, and
  one-character edits that create and remove a SQL injection. Time from
  didChange to publishDiagnostics for that version; p50/p95/p99/max, first
  diagnostics after didOpen, the server's CPU time per edit. The same edits
  go to `ruff server` (lint.select = ["S"]) in the same run. draftguard runs
  with scope `all` (the worst case) and no debounce.
- batch: `draftguard check` (1 worker and --jobs N) vs `bandit -r` vs
  `ruff check --select S` on one generated corpus: lines/s, lines per
  CPU-second, peak memory of the process tree, findings.
- memory: server RSS with 200 open 1,000-line documents, then after 10,000 edits.

Without ruff or bandit installed their rows are skipped (with a note); without
matplotlib the chart is. The machine's load average is recorded around every
section: on a shared machine, compare CPU figures and repeat runs (`--repeat`,
medians are reported).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import batch  # noqa: E402
import latency  # noqa: E402
import report  # noqa: E402
from figures import load, machine, median_of_runs  # noqa: E402

SECTIONS = ("latency", "batch", "memory")
_FULL_CHART = Path(__file__).resolve().parents[1] / "docs" / "bench.png"


def find_tool(name: str) -> str | None:
    """The tool next to this Python (the bench environment), else on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000], help="file sizes for the latency section")
    parser.add_argument("--edits", type=int, default=300, help="edits per file (latency)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; medians are reported")
    parser.add_argument("--batch-files", type=int, default=120, help="modules in the batch corpus")
    parser.add_argument("--jobs", nargs="+", type=int, default=None, help="draftguard check --jobs values (default: 1 and the CPU count)")
    parser.add_argument("--documents", type=int, default=200, help="open documents (memory)")
    parser.add_argument("--memory-edits", type=int, default=10000, help="edits over the open documents (memory)")
    parser.add_argument("--slowest", type=int, default=0, metavar="N", help="print the N slowest edits of each latency run (what and where)")
    parser.add_argument("--no-peers", action="store_true", help="skip ruff and bandit")
    parser.add_argument("--quick", action="store_true", help="sizes 1,000 and 10,000, 100 edits, 40 batch files, 50 documents, 1,000 edits")
    parser.add_argument("--chart", type=Path, help="PNG to write (default: docs/bench.png for a run of every section; a run with --only writes a chart only when asked, so it never replaces the README's full chart)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--readme", type=Path, help="replace this README's benchmark section with the tables and chart")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.edits, args.batch_files, args.documents, args.memory_edits = [1000, 10000], 100, 40, 50, 1000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ruff = None if args.no_peers else find_tool("ruff")
    bandit = None if args.no_peers else find_tool("bandit")
    for name, found in (("ruff", ruff), ("bandit", bandit)):
        if found is None and not args.no_peers:
            print(f"note: {name} is not installed; its rows are skipped (pip install -e '.[bench]')")
    results: dict = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "settings": {"edits": args.edits, "repeat": args.repeat},
        "loads": [load()],
    }
    print(report.machine_line(results))
    draftguard = latency.draftguard_server()
    if "latency" in args.only:
        servers = [draftguard] + ([latency.ruff_server(ruff)] if ruff else [])
        rows = []
        for size in args.sizes:
            for server in servers:
                runs = [latency.keystrokes(server, size, args.edits, slowest=args.slowest) for _ in range(args.repeat)]
                for run in runs:
                    for line in run.pop("slowest", ()):
                        print(f"    {server.name} {size}: {line}")
                rows.append(median_of_runs(runs))
                results["loads"].append(load())
                print(f"  latency {server.name:12} {size:>6} lines: p50 {rows[-1]['p50']:.2f} ms, p99 {rows[-1]['p99']:.2f} ms (load {load():.1f})", flush=True)
        results["latency"] = rows
    if "batch" in args.only:
        jobs = args.jobs or sorted({1, os.cpu_count() or 1})
        results["batch"] = batch.throughput(args.batch_files, jobs, bandit, ruff, args.repeat)
        results["loads"].append(load())
        print("  batch done", flush=True)
    if "memory" in args.only:
        results["memory"] = latency.memory(draftguard, args.documents, 1000, args.memory_edits)
        results["loads"].append(load())
        print("  memory done", flush=True)
    results["loads"] = [min(results["loads"]), max(results["loads"])]
    text = report.markdown(results)
    print()
    print(text)
    chart_path = args.chart or (_FULL_CHART if set(args.only) == set(SECTIONS) else None)
    chart = report.chart(results, chart_path) if chart_path is not None else None
    if chart:
        print(f"chart: {chart}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.readme:
        relative = os.path.relpath(chart_path, args.readme.resolve().parent) if chart else None
        report.update_readme(args.readme, text, relative)
        print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
