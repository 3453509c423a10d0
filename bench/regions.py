"""Cost of AI-region tracking per edit, and its share of keystroke latency.

In-process (default): a generated Python module gets R regions spread over
it, then single-character edits (typed and deleted again) at random places go
through `RegionTracker.apply`, exactly as the server's change listener calls
it, followed by the per-publish work of the scope filter (each region's
review state: cached content hash + ledger lookup). Prints microseconds per
edit for each region count (wall clock, and the thread's CPU time, which a
busy shared machine's preemption does not inflate), and the cost of one
bulk insert.

With `--lsp`, the real server runs over stdio in the default `aiRegions`
scope with R marker-fenced regions, and the time from `didChange` to
`publishDiagnostics` is measured.

    python bench/regions.py --lines 5000 --regions 0 10 100 1000 --edits 2000
    python bench/regions.py --lsp --lines 5000 --regions 100 --edits 200
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate  # noqa: E402

from draftguard.server.regions.model import CLIENT, Region, review_state  # noqa: E402
from draftguard.server.regions.tracking import RegionTracker  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def spread_regions(source: bytes, count: int) -> list[tuple[int, int]]:
    starts = [i + 1 for i, b in enumerate(source) if b == 10][:-1]
    if count == 0:
        return []
    step = max(1, len(starts) // count)
    spans = []
    for index in range(0, min(len(starts) - 1, step * count), step):
        start = starts[index]
        end = starts[min(index + 3, len(starts) - 1)] - 1
        spans.append((start, end))
    return spans[:count]


def measure_in_process(lines: int, regions: int, edits: int, seed: int = 1) -> dict:
    source = generate(lines).encode()
    tracker = RegionTracker()
    for start, end in spread_regions(source, regions):
        tracker.add(Region(start, end, CLIENT))
    reviewed: set[str] = set()
    rng = random.Random(seed)
    track_us: list[float] = []
    track_cpu_us: list[float] = []
    publish_us: list[float] = []
    position = 0
    for i in range(edits):
        if i % 2 == 0:
            position = rng.randrange(len(source))
            change = (position, b"", b"x")
            source = source[:position] + b"x" + source[position:]
        else:
            change = (position, b"x", b"")
            source = source[:position] + source[position + 1 :]
        started, cpu_started = time.perf_counter(), time.thread_time()
        tracker.apply([change], source)
        middle, cpu_done = time.perf_counter(), time.thread_time()
        track_cpu_us.append((cpu_done - cpu_started) * 1e6)
        for region in tracker.regions:
            review_state(region, source, reviewed.__contains__)
        done = time.perf_counter()
        track_us.append((middle - started) * 1e6)
        publish_us.append((done - middle) * 1e6)
    bulk = generate(40).encode()
    at = source.index(b"\n\n", len(source) // 2) + 1
    started = time.perf_counter()
    tracker.apply([(at, b"", bulk)], source[:at] + bulk + source[at:])
    bulk_us = (time.perf_counter() - started) * 1e6
    return {
        "lines": source.count(b"\n"),
        "regions": len(tracker.regions) - 1,
        "track_p50": statistics.median(track_us),
        "track_p99": percentile(track_us, 99),
        "track_max": max(track_us),
        "cpu_p99": percentile(track_cpu_us, 99),
        "states_p50": statistics.median(publish_us),
        "bulk_us": bulk_us,
    }


def measure_lsp(lines: int, regions: int, edits: int, seed: int = 1) -> dict:
    from lspclient import LspProcess

    rows = generate(lines).split("\n")
    top_level = [i for i, row in enumerate(rows) if row and not row[0].isspace()]
    chosen = set(top_level[:: max(1, len(top_level) // regions)][:regions]) if regions else set()
    fenced: list[str] = []
    for index, row in enumerate(rows):
        fenced.extend(["# draftguard: ai-begin", row, "# draftguard: ai-end"] if index in chosen else [row])
    text = "\n".join(fenced)
    uri = "file:///bench/regions.py"
    server = LspProcess([sys.executable, "-m", "draftguard.server"])
    try:
        server.initialize("file:///bench", {})
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
        server.wait_diagnostics(uri, 1)
        count = len(server.request("draftguard/regions", {"uri": uri})["regions"])
        samples = server.type_and_delete(uri, fenced, edits, seed)
    finally:
        server.close()
    return {"lines": len(fenced), "regions": count, "p50": statistics.median(samples), "p95": percentile(samples, 95), "p99": percentile(samples, 99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--regions", type=int, nargs="+", default=[0, 10, 100, 1000])
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--lsp", action="store_true", help="measure didChange -> publishDiagnostics over stdio instead")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if args.lsp:
        print(f"{'lines':>7} {'regions':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for count in args.regions:
            r = measure_lsp(args.lines, count, args.edits)
            print(f"{r['lines']:>7} {r['regions']:>8} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f}")
        return
    print(f"{'lines':>7} {'regions':>8} {'track p50 us':>13} {'track p99 us':>13} {'track max us':>13} {'CPU p99 us':>11} {'states p50 us':>14} {'bulk insert us':>15}")
    for count in args.regions:
        r = measure_in_process(args.lines, count, args.edits)
        print(
            f"{r['lines']:>7} {r['regions']:>8} {r['track_p50']:>13.1f} {r['track_p99']:>13.1f} {r['track_max']:>13.1f} {r['cpu_p99']:>11.1f} "
            f"{r['states_p50']:>14.1f} {r['bulk_us']:>15.1f}"
        )


if __name__ == "__main__":
    main()
