"""Run only the dependency rules (PY-DEP-*, JS-DEP-*) over real projects and
print every finding, for judging false positives by hand.

    python bench/dependency_findings.py PROJECT [PROJECT ...] [--python INTERPRETER]

Each PROJECT is a folder (a checkout of a public project, never committed
here); it is its own project root. Files are discovered like `draftguard
check` does (gitignore, tool and dependency folders left out). The Python
environment is the interpreter given with --python, else the one running this
script: point it at an environment where the project is installed to see
what an editor would, or leave it to see what a bare CI runner would.
Prints per project the files scanned, the findings per rule and each
finding with its message; the totals line is what the README quotes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from draftguard.analyzers import AnalysisConfig, all_rules
from draftguard.server.discover import IgnoreRules, discover
from draftguard.server.project.environment import probe_python
from draftguard.server.project.index import ProjectIndex
from draftguard.server.scan import ScanOptions, scan_file

DEP_RULES = frozenset(r.id for r in all_rules() if "-DEP-" in r.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--python", help="interpreter whose installed packages count (default: this one)")
    args = parser.parse_args(argv)
    env = probe_python([args.python] if args.python else None)
    if env.error:
        print(f"environment: {env.error}", file=sys.stderr)
        return 2
    print(f"environment: {env.label} ({len(env.distributions)} distributions)")
    totals: Counter[str] = Counter()
    files_total = 0
    for project in args.projects:
        root = project.resolve()
        began = time.monotonic()
        index = ProjectIndex(root, env)
        options = ScanOptions(config=AnalysisConfig(only_rules=DEP_RULES), root=str(root), dependencies=index, with_fix_diffs=False)
        files = discover([root], IgnoreRules([]))
        counts: Counter[str] = Counter()
        lines: list[str] = []
        for path in files:
            result = scan_file(path, options)
            for reported in result.findings:
                counts[reported.finding.rule_id] += 1
                lines.append(f"  {Path(result.path).relative_to(root)}:{reported.line}: {reported.finding.rule_id} {reported.finding.message}")
        files_total += len(files)
        totals.update(counts)
        summary = ", ".join(f"{rule} {counts[rule]}" for rule in sorted(counts)) or "no findings"
        print(f"{root.name}: {len(files)} files, {summary} ({time.monotonic() - began:.1f} s)")
        print("\n".join(lines))
    summary = ", ".join(f"{rule} {totals[rule]}" for rule in sorted(totals)) or "no findings"
    print(f"total: {len(args.projects)} projects, {files_total} files, {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
