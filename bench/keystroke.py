"""Keystroke-to-diagnostics latency of the real server over stdio.

Opens a generated Python (or, with `--language typescript`, TypeScript
Express) file, sends single-character edits at varied lines
(each one typed and then deleted, so the text stays realistic) and measures
the time from sending `didChange` to receiving `publishDiagnostics` for that
version. Prints median, p95, p99 and max.

    python bench/keystroke.py --lines 5000 --edits 100
    python bench/keystroke.py --lines 5000 --edits 100 --language typescript
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate  # noqa: E402
from js_corpus import generate as generate_typescript  # noqa: E402
from lspclient import LspProcess  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


LANGUAGES = {"python": (generate, "service.py"), "typescript": (generate_typescript, "service.ts")}


def measure(lines: int, edits: int, seed: int = 1, language: str = "python") -> dict:
    make, filename = LANGUAGES[language]
    text = make(lines)
    rows = text.split("\n")
    uri = f"file:///bench/{filename}"
    server = LspProcess([sys.executable, "-m", "draftguard.server"])
    try:
        server.initialize("file:///bench", {"scope": "all"})
        start = time.perf_counter()
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}})
        stamp, _ = server.wait_diagnostics(uri, 1)
        open_ms = (stamp - start) * 1000
        samples = server.type_and_delete(uri, rows, edits, seed)
        rss = server.rss_kb()
    finally:
        server.close()
    return {
        "lines": text.count("\n"),
        "open_ms": open_ms,
        "p50": statistics.median(samples),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples),
        "rss_mb": rss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, nargs="+", default=[5000])
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="python")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'lines':>8} {'open ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'RSS MB':>8}")
    for lines in args.lines:
        r = measure(lines, args.edits, language=args.language)
        print(f"{r['lines']:>8} {r['open_ms']:>9.1f} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} {r['max']:>8.2f} {r['rss_mb']:>8.1f}")


if __name__ == "__main__":
    main()
