"""Check the rule prefilter on real code: same findings, less time.

    python bench/prefilter_check.py PATH [PATH ...] [--rules] [--show N]

Analyses every Python, JavaScript and TypeScript file under the paths twice,
with `AnalysisConfig(prefilter=False)` (every rule on every unit) and with
the prefilter (analyzers/prefilter.py), and prints the analysis CPU time of
each, how many rule runs the prefilter skipped, and every finding that
differs. Any difference means a rule's `triggers` miss a way the code can
name what it looks for; the script exits 1. `--rules` prints the skip rate
per rule. Corpora are brought in by the caller and never committed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from draftguard.analyzers import engine
from draftguard.analyzers.config import AnalysisConfig
from draftguard.analyzers.languages import parse, spec_for_path
from draftguard.analyzers.prefilter import applicable_rules

SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build"}


def source_files(paths: list[str]) -> list[tuple[Path, str]]:
    found = []
    for root in paths:
        base = Path(root)
        candidates = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file() and not (set(p.parts) & SKIP_DIRS))
        for path in candidates:
            spec = spec_for_path(str(path))
            if spec is not None:
                found.append((path, spec.id))
    return found


def key(finding) -> tuple:
    return (finding.rule_id, finding.start_byte, finding.end_byte, finding.message)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--rules", action="store_true", help="print the share of units each rule was skipped on")
    parser.add_argument("--show", type=int, default=20, help="differences to print (default 20)")
    args = parser.parse_args()

    runs: collections.Counter = collections.Counter()
    skips: collections.Counter = collections.Counter()

    def counting(rules, ctx):
        chosen = applicable_rules(rules, ctx)
        kept = {id(r) for r in chosen}
        for rule in rules:
            runs[rule.id] += 1
            if id(rule) not in kept:
                skips[rule.id] += 1
        return chosen

    files = source_files(args.paths)
    full_time = filtered_time = 0.0
    lines = 0
    differences: list[str] = []
    for path, language in files:
        try:
            source = path.read_bytes()
        except OSError as exc:
            print(f"skipped {path}: {exc}", file=sys.stderr)
            continue
        lines += source.count(b"\n")
        tree = parse(source, language)
        start = time.process_time()
        everything = engine.analyze(source, tree, language, config=AnalysisConfig(prefilter=False))
        full_time += time.process_time() - start
        start = time.process_time()
        filtered = engine.analyze(source, tree, language)
        filtered_time += time.process_time() - start
        original = engine.applicable_rules
        engine.applicable_rules = counting  # type: ignore[assignment]
        try:
            engine.analyze(source, tree, language, config=AnalysisConfig())
        finally:
            engine.applicable_rules = original  # type: ignore[assignment]
        a, b = {key(f): f for f in everything}, {key(f): f for f in filtered}
        for k in sorted(a.keys() - b.keys()):
            differences.append(f"MISSED  {path}:{a[k].start_point[0] + 1} {k[0]} {k[3]}")
        for k in sorted(b.keys() - a.keys()):
            differences.append(f"EXTRA   {path}:{b[k].start_point[0] + 1} {k[0]} {k[3]}")

    total_runs, total_skips = sum(runs.values()), sum(skips.values())
    print(f"{len(files)} files, {lines:,} lines")
    print(f"every rule everywhere: {full_time:.2f} CPU s ({lines / max(full_time, 1e-9):,.0f} lines/s)")
    print(f"prefilter:             {filtered_time:.2f} CPU s ({lines / max(filtered_time, 1e-9):,.0f} lines/s), {full_time / max(filtered_time, 1e-9):.2f}x")
    print(f"rule runs skipped: {total_skips:,} of {total_runs:,} ({100 * total_skips / max(total_runs, 1):.1f}%)")
    if args.rules:
        for rule_id in sorted(runs, key=lambda r: skips[r] / runs[r]):
            print(f"  {rule_id:18s} skipped on {100 * skips[rule_id] / runs[rule_id]:5.1f}% of {runs[rule_id]:,} units")
    print(f"differences: {len(differences)}")
    for line in differences[: args.show]:
        print("  " + line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
