"""Score draftguard's JavaScript/TypeScript rules on a public labelled corpus:
the test files of the semgrep-rules repository (javascript/ and typescript/).

    python bench/js_semgrep_corpus.py PATH_TO_semgrep-rules [--details GROUP] [--misses]

Every rule there ships a test file next to its YAML whose lines are labelled
by comments on the line before: `ruleid: <id>` (vulnerable), `ok: <id>`
(safe), and `todoruleid`/`todook` (vulnerable/safe lines that Semgrep itself
still gets wrong; the label is the truth, so they count like ruleid/ok). The
corpus is never copied into this repository: pass the path of a checkout.

A Semgrep rule is *in scope* when one of its CWEs falls into a group one of
our rules covers (SQL injection, XSS, path traversal, ...); one rule whose
YAML carries a wrong CWE is mapped by hand (`CATEGORY_OVERRIDES`). A labelled line
counts as *flagged* when one of our findings with a CWE of the same group
starts inside the statement that begins on that line. Per group we print
TP/FN (over vulnerable lines) and FP/TN (over safe lines), recall =
TP/(TP+FN) and precision = TP/(TP+FP); `--misses` lists missed and falsely
flagged lines. Findings of in-scope groups on unlabelled lines are counted
separately (the corpus only labels the lines its own rule is about).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from draftguard.analyzers import analyze, parse, spec_for_path

GROUPS: dict[str, frozenset[int]] = {
    "sql-injection": frozenset({89}),
    "nosql-injection": frozenset({943}),
    "command-injection": frozenset({78, 77}),
    "code-injection": frozenset({94, 95}),
    "xss": frozenset({79, 80}),
    "path-traversal": frozenset({22, 23, 73}),
    "unrestricted-upload": frozenset({434}),
    "missing-authorisation": frozenset({639, 284, 285, 862, 863}),
    "prototype-pollution": frozenset({1321, 915}),
    "open-redirect": frozenset({601}),
    "ssrf": frozenset({918}),
    "jwt": frozenset({347, 345}),
    "weak-randomness": frozenset({338, 330}),
    "weak-password-hash": frozenset({916, 328, 327}),
    "hard-coded-secret": frozenset({798, 321, 259, 522}),
    "tls-verification": frozenset({295}),
    "cors": frozenset({942, 346}),
}
CATEGORY_OVERRIDES = {
    # its YAML says CWE-915 (mass assignment), but every labelled line is a pg query built from input
    "node-postgres-sqli": "sql-injection",
}
_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)
_LABEL = re.compile(r"(?://|/\*|\{/\*|#)\s*(todoruleid|todook|ruleid|ok)\s*:\s*([\w.\-]+(?:\s*,\s*[\w.\-]+)*)")
_SOURCE_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")


def group_of(cwe: int) -> str | None:
    for name, cwes in GROUPS.items():
        if cwe in cwes:
            return name
    return None


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    unlabelled: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")


def rule_groups(yaml_path: Path) -> dict[str, str]:
    """Semgrep rule id -> our group, for the rules of one YAML file that are in scope."""
    try:
        data = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    out: dict[str, str] = {}
    for rule in data.get("rules", []) or []:
        if str(rule.get("id")) in CATEGORY_OVERRIDES:
            out[str(rule.get("id"))] = CATEGORY_OVERRIDES[str(rule.get("id"))]
            continue
        cwes = (rule.get("metadata") or {}).get("cwe") or []
        if isinstance(cwes, str):
            cwes = [cwes]
        for text in cwes:
            match = _CWE.search(str(text))
            group = group_of(int(match.group(1))) if match else None
            if group is not None:
                out[str(rule.get("id"))] = group
                break
    return out


def labelled_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(0-based target line, kind, rule ids) for each label comment."""
    lines = text.splitlines()
    out = []
    pending: list[tuple[str, list[str]]] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        match = _LABEL.search(line)
        if match and stripped.startswith(("//", "/*", "{/*", "#", "*")):
            pending.append((match.group(1), [i.strip() for i in match.group(2).split(",")]))
            continue
        if not stripped or not pending:
            continue
        for kind, ids in pending:
            out.append((number, kind, ids))
        pending = []
    return out


def statement_span(tree, row: int) -> tuple[int, int]:
    """Rows of the outermost node that starts on `row` (the labelled statement)."""
    node = tree.root_node.descendant_for_point_range((row, 0), (row, 10_000))
    best = (row, row)
    while node is not None and node.parent is not None:
        if node.start_point.row == row and node.type not in ("program", "statement_block"):
            best = (row, node.end_point.row)
        elif node.start_point.row < row:
            break
        node = node.parent
    return best


def score(corpus: Path) -> tuple[dict[str, Tally], Counter]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    skipped: Counter = Counter()
    for path in sorted(p for root in ("javascript", "typescript") for p in (corpus / root).rglob("*") if p.suffix in _SOURCE_SUFFIXES):
        yaml_path = path.with_suffix(".yaml")
        if not yaml_path.exists():
            skipped["no rule file"] += 1
            continue
        groups = rule_groups(yaml_path)
        if not groups:
            skipped["rule out of scope"] += 1
            continue
        spec = spec_for_path(path.name)
        source = path.read_bytes()
        tree = parse(source, spec.id)
        findings = analyze(source, tree, spec.id)
        text = source.decode("utf-8", "replace")
        labelled_rows: set[int] = set()
        for row, kind, ids in labelled_lines(text):
            for rule_id in ids:
                group = groups.get(rule_id)
                if group is None:
                    continue
                first, last = statement_span(tree, row)
                labelled_rows.update(range(first, last + 1))
                hit = [f for f in findings if first <= f.start_point[0] <= last and group_of(f.cwe) == group]
                tally = tallies[group]
                where = f"{path.relative_to(corpus)}:{row + 1} [{rule_id}]"
                if kind in ("ruleid", "todoruleid"):
                    if hit:
                        tally.tp += 1
                    else:
                        tally.fn += 1
                        tally.misses.append(where)
                else:
                    if hit:
                        tally.fp += 1
                        tally.false_alarms.append(f"{where} <- {', '.join(sorted({f.rule_id for f in hit}))}")
                    else:
                        tally.tn += 1
        in_scope = set(groups.values())
        for f in findings:
            group = group_of(f.cwe)
            if group in in_scope and f.start_point[0] not in labelled_rows:
                tallies[group].unlabelled += 1
    return tallies, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="checkout of semgrep-rules (holding javascript/ and typescript/)")
    parser.add_argument("--misses", action="store_true", help="list missed and falsely flagged lines")
    parser.add_argument("--details", metavar="GROUP", help="only list misses for this group")
    args = parser.parse_args(argv)
    if not (args.corpus / "javascript").is_dir():
        print(f"{args.corpus}: no javascript/ folder; pass a semgrep-rules checkout", file=sys.stderr)
        return 2
    tallies, skipped = score(args.corpus)
    print(f"{'group':24} {'TP':>4} {'FN':>4} {'FP':>4} {'TN':>4} {'recall':>7} {'precision':>9} {'unlabelled':>10}")
    total = Tally()
    for group in sorted(tallies):
        t = tallies[group]
        total.tp, total.fn, total.fp, total.tn, total.unlabelled = total.tp + t.tp, total.fn + t.fn, total.fp + t.fp, total.tn + t.tn, total.unlabelled + t.unlabelled
        print(f"{group:24} {t.tp:4} {t.fn:4} {t.fp:4} {t.tn:4} {t.recall:7.2f} {t.precision:9.2f} {t.unlabelled:10}")
    print(f"{'all in-scope lines':24} {total.tp:4} {total.fn:4} {total.fp:4} {total.tn:4} {total.recall:7.2f} {total.precision:9.2f} {total.unlabelled:10}")
    print(f"files skipped: {dict(skipped)}")
    if args.misses or args.details:
        for group in sorted(tallies):
            if args.details and group != args.details:
                continue
            for line in tallies[group].misses:
                print(f"MISS {group}: {line}")
            for line in tallies[group].false_alarms:
                print(f"FP   {group}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
