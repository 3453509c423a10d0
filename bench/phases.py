"""Where a whole-file analysis spends its time, per phase, on a corpus.

    python bench/phases.py CORPUS [--language python] [--rules N] [--cpu]

Parses and analyses every file of the language under CORPUS in process (what
`draftguard check --jobs 1` does per file, without start-up and reports) and
prints the wall time of each phase: tree-sitter parsing, module facts, the
rule prefilter, the rules that ran, and the rest of `analyze` (contexts,
severity overrides, fix imports, suppression comments). `--rules N` also
lists the N rules that took longest. `--cpu` measures this process's CPU
time instead of wall time (steadier on a machine shared with other work).
Corpora are brought in by the caller and never committed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from draftguard.analyzers import engine
from draftguard.analyzers.languages import get_spec, make_parser, spec_for_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--language", default="python")
    parser.add_argument("--rules", type=int, default=0, help="list the N slowest rules")
    parser.add_argument("--cpu", action="store_true", help="CPU time of this process instead of wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter

    spent: collections.Counter = collections.Counter()
    per_rule: collections.Counter = collections.Counter()

    def timed(name: str, function):
        def run(*call_args, **kwargs):
            start = clock()
            try:
                return function(*call_args, **kwargs)
            finally:
                spent[name] += clock() - start

        return run

    run_rule = engine._run_rule

    def rule(rule_, ctx, errors):
        start = clock()
        try:
            return run_rule(rule_, ctx, errors)
        finally:
            elapsed = clock() - start
            spent["rules"] += elapsed
            per_rule[rule_.id] += elapsed

    engine.compute_facts = timed("facts", engine.compute_facts)  # type: ignore[assignment]
    engine.applicable_rules = timed("prefilter", engine.applicable_rules)  # type: ignore[assignment]
    engine._run_rule = rule  # type: ignore[assignment]

    family = get_spec(args.language).id
    files = [p for p in sorted(Path(args.corpus).rglob("*")) if p.is_file() and (spec := spec_for_path(str(p))) is not None and spec.id == family]
    ts_parser = make_parser(family)
    lines = 0
    for path in files:
        source = path.read_bytes()
        lines += source.count(b"\n")
        start = clock()
        tree = ts_parser.parse(source)
        spent["parse"] += clock() - start
        start = clock()
        engine.analyze(source, tree, family)
        spent["analyze"] += clock() - start

    other = spent["analyze"] - spent["facts"] - spent["prefilter"] - spent["rules"]
    total = spent["parse"] + spent["analyze"]
    print(f"{len(files)} {family} files, {lines:,} lines, {total:.2f} s ({lines / max(total, 1e-9):,.0f} lines/s)")
    for name, seconds in (("parse", spent["parse"]), ("facts", spent["facts"]), ("prefilter", spent["prefilter"]), ("rules", spent["rules"]), ("other", other)):
        print(f"  {name:10s} {seconds:7.3f} s  {100 * seconds / max(total, 1e-9):5.1f}%")
    for rule_id, seconds in per_rule.most_common(args.rules):
        print(f"    {rule_id:18s} {seconds:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
