"""What tree-sitter's incremental reparse costs per keystroke, in process.

    python bench/reparse.py [--lines 50000] [--edits 300] [--slowest 8]

The keystroke benchmark (bench/latency.py) measures the whole path from
didChange to publishDiagnostics. This script isolates its first step on the
same generated module and the same edit script: `Document.apply_changes`
(byte offsets, `tree.edit`) and `Document.reparse` (`parser.parse` with the
edited old tree, changed ranges), and inside them the parse alone. It also prints a from-scratch parse and a
reparse with no edit at all, the floor of any edit. On Python files the
floor grows with the number of top-level statements, and an edit that
introduces or removes a syntax error can cost as much as parsing the whole
file again. The server no longer waits for those: it parses in slices and
publishes provisional findings meanwhile (server/documents.py, `reparse`;
analyzers/incremental.py, `provisional`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import edit_script, generate  # noqa: E402

from draftguard.analyzers.languages import make_parser  # noqa: E402
from draftguard.server.documents import Document, RangeSpec  # noqa: E402


class _TimedParser:
    """The document's parser, timing each parse (the rest of the document is untouched)."""

    def __init__(self, parser):
        self._parser = parser
        self.last = 0.0

    def parse(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self._parser.parse(*args, **kwargs)
        finally:
            self.last = time.perf_counter() - start

    def __getattr__(self, name):
        return getattr(self._parser, name)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50000)
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--slowest", type=int, default=8, help="print the slowest edits")
    args = parser.parse_args()

    text = generate(args.lines)
    source = text.encode("utf-8")
    fresh = make_parser("python")
    start = time.perf_counter()
    tree = fresh.parse(source)
    full_ms = (time.perf_counter() - start) * 1000
    noop = []
    for _ in range(5):
        start = time.perf_counter()
        tree = fresh.parse(source, tree)
        noop.append((time.perf_counter() - start) * 1000)

    doc = Document("file:///bench/reparse.py", "python", 1, text)
    doc.tree  # parsed once before the edits, as after didOpen
    timed = _TimedParser(doc.parser)
    doc.parser = timed
    rows = []
    for number, edit in enumerate(edit_script(text, args.edits)):
        start = time.perf_counter()
        doc.apply_changes(number + 2, [(RangeSpec(edit.line, edit.start, edit.line, edit.end), edit.text)])
        doc.reparse()  # the server parses in slices after the change; here to the end at once
        total = (time.perf_counter() - start) * 1000
        line = doc.source.split(b"\n", edit.line + 1)[edit.line].decode("utf-8", "replace").strip()
        rows.append((total, timed.last * 1000, number, edit.kind, edit.line + 1, line[:60], doc.tree.root_node.has_error))

    totals = [r[0] for r in rows]
    parses = [r[1] for r in rows]
    print(f"{text.count(chr(10)):,} lines, {len(source):,} bytes, {tree.root_node.child_count:,} top-level statements")
    print(f"parse from scratch: {full_ms:.1f} ms; reparse without any edit: median {statistics.median(noop):.1f} ms")
    for name, values in (("change + reparse", totals), ("  of which parse", parses)):
        print(
            f"{name:18s} p50 {percentile(values, 0.5):7.2f}  p95 {percentile(values, 0.95):7.2f}  "
            f"p99 {percentile(values, 0.99):7.2f}  max {max(values):7.2f} ms"
        )
    over = [r for r in rows if r[0] > 50]
    broken = sum(1 for r in over if r[6])
    print(f"edits over 50 ms: {len(over)} of {len(rows)}, {broken} of them leave the file with a syntax error")
    for total, parse_ms, number, kind, line, code, has_error in sorted(rows, reverse=True)[: args.slowest]:
        state = "error" if has_error else "clean"
        print(f"  {total:7.1f} ms (parse {parse_ms:6.1f})  #{number:<4d} {kind:8s} line {line:<6d} {state:5s} {code!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
