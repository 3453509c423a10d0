"""Score draftguard on the OWASP Benchmark for Python, the way its scorecards do.

    python bench/owasp_python.py PATH_TO_BenchmarkPython [--via api|cli] [--details CATEGORY]

The benchmark (https://github.com/OWASP-Benchmark/BenchmarkPython, GPL test
code: never copy it into this repository) holds ~1,200 Flask test cases under
`testcode/`, each labelled in `expectedresults-<version>.csv` with a category,
whether it is really vulnerable, and the CWE. A test case counts as *flagged*
when at least one finding in its file carries the expected CWE; findings with
other CWEs are ignored for that case, exactly like the benchmark's scorecards.
Per category we print TP/FN/FP/TN, the true positive rate (TPR), the false
positive rate (FPR) and the score TPR - FPR; the average is the unweighted
mean over categories, as in the scorecards.

`--via cli` runs `draftguard check --format sarif` (or `--format json`) on the
test-code folder when the installed CLI supports one of those formats, and
reads the CWE from each result; `--via api` (the default when the CLI has no
machine-readable format) runs the same analyzers in-process. `--details`
lists the missed and the falsely flagged test cases of a category together
with the rules that fired, which is what you need to tune rules, and
`--rules` prints which rules produced the true and false positives.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

_RULE_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    vulnerable: bool
    cwe: int


@dataclass
class Hits:
    """Findings per test case: the set of (rule id, CWE) pairs reported in its file."""

    by_case: dict[str, set[tuple[str, int]]] = field(default_factory=lambda: defaultdict(set))
    files: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def load_expected(root: Path) -> list[Case]:
    candidates = sorted(root.glob("expectedresults-*.csv"))
    if not candidates:
        raise SystemExit(f"error: no expectedresults-*.csv in {root} (is this a BenchmarkPython checkout?)")
    cases: list[Case] = []
    with candidates[-1].open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row or row[0].lstrip().startswith("#"):
                continue
            name, category, real, cwe = (cell.strip() for cell in row[:4])
            cases.append(Case(name, category, real.lower() == "true", int(cwe)))
    return cases


def _case_of(path: str) -> str:
    return Path(path).stem


def collect_api(testcode: Path) -> Hits:
    """Run the analyzers in-process on every test file."""
    from draftguard.analyzers import analyze_detailed, parse

    hits = Hits()
    started = time.perf_counter()
    for path in sorted(testcode.glob("*.py")):
        source = path.read_bytes()
        result = analyze_detailed(source, parse(source, "python"), "python")
        hits.files += 1
        hits.errors.extend(f"{path.name}: {e}" for e in result.rule_errors)
        for finding in result.findings:
            hits.by_case[path.stem].add((finding.rule_id, finding.cwe))
    hits.seconds = time.perf_counter() - started
    return hits


def cli_format() -> str | None:
    """The machine-readable output format the installed CLI offers, if any."""
    try:
        helptext = subprocess.run(
            [sys.executable, "-m", "draftguard.server.launch", "check", "--help"],
            capture_output=True, text=True, timeout=60, check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for fmt in ("sarif", "json"):
        if re.search(rf"\b{fmt}\b", helptext):
            return fmt
    return None


def collect_cli(testcode: Path, fmt: str) -> Hits:
    """Run `draftguard check --format FMT` once on the whole test-code folder."""
    hits = Hits()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "draftguard.server.launch", "check", "--format", fmt, str(testcode)],
        capture_output=True, text=True, timeout=3600, check=False,
    )
    hits.seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"error: draftguard check exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
    data = json.loads(proc.stdout)
    if fmt == "sarif":
        for run in data.get("runs", []):
            cwe_of_rule = {}
            for rule in run.get("tool", {}).get("driver", {}).get("rules", []):
                cwe_of_rule[rule.get("id")] = _sarif_rule_cwe(rule)
            for result in run.get("results", []):
                rule_id = result.get("ruleId", "")
                cwe = _sarif_result_cwe(result) or cwe_of_rule.get(rule_id)
                for location in result.get("locations", [])[:1]:
                    uri = location.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
                    if cwe is not None:
                        hits.by_case[_case_of(uri)].add((rule_id, cwe))
    else:
        findings = data.get("findings", data) if isinstance(data, dict) else data
        for finding in findings:
            path = finding.get("path") or finding.get("file") or ""
            cwe = finding.get("cwe")
            if isinstance(cwe, str):
                match = _RULE_CWE.search(cwe)
                cwe = int(match.group(1)) if match else None
            if cwe is not None:
                hits.by_case[_case_of(path)].add((finding.get("rule_id") or finding.get("ruleId", ""), int(cwe)))
    hits.files = len(list(testcode.glob("*.py")))
    return hits


def _cwe_from(values) -> int | None:
    for value in values:
        if isinstance(value, int):
            return value
        match = _RULE_CWE.search(str(value))
        if match:
            return int(match.group(1))
    return None


def _sarif_rule_cwe(rule: dict) -> int | None:
    props = rule.get("properties", {})
    if "cwe" in props:
        return _cwe_from([props["cwe"]])
    return _cwe_from(props.get("tags", []) + [rel.get("target", {}).get("id", "") for rel in rule.get("relationships", [])])


def _sarif_result_cwe(result: dict) -> int | None:
    props = result.get("properties", {})
    if "cwe" in props:
        return _cwe_from([props["cwe"]])
    return _cwe_from(props.get("tags", []))


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def tpr(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr


def score(cases: list[Case], hits: Hits) -> dict[str, Score]:
    table: dict[str, Score] = defaultdict(Score)
    for case in cases:
        flagged = any(cwe == case.cwe for _rule, cwe in hits.by_case.get(case.name, ()))
        entry = table[case.category]
        if case.vulnerable:
            entry.tp += flagged
            entry.fn += not flagged
        else:
            entry.fp += flagged
            entry.tn += not flagged
    return dict(sorted(table.items()))


def render(table: dict[str, Score], cwe_of: dict[str, int]) -> str:
    lines = [
        "| category | CWE | TP | FN | FP | TN | TPR | FPR | score |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for category, s in table.items():
        lines.append(
            f"| {category} | {cwe_of[category]} | {s.tp} | {s.fn} | {s.fp} | {s.tn} "
            f"| {s.tpr:.1%} | {s.fpr:.1%} | {s.score * 100:+.1f} |"
        )
    n = len(table) or 1
    tpr = sum(s.tpr for s in table.values()) / n
    fpr = sum(s.fpr for s in table.values()) / n
    lines.append(f"| **average** ({len(table)} categories) | | | | | | {tpr:.1%} | {fpr:.1%} | **{(tpr - fpr) * 100:+.1f}** |")
    return "\n".join(lines)


def rule_breakdown(cases: list[Case], hits: Hits) -> str:
    """Which rules produced the true and the false positives, per category."""
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for case in cases:
        for rule_id, cwe in hits.by_case.get(case.name, ()):
            if cwe == case.cwe:
                counts[(case.category, rule_id)]["TP" if case.vulnerable else "FP"] += 1
    lines = ["| category | rule | TP | FP |", "|---|---|---|---|"]
    for (category, rule_id), counter in sorted(counts.items()):
        lines.append(f"| {category} | {rule_id} | {counter['TP']} | {counter['FP']} |")
    return "\n".join(lines)


def details(cases: list[Case], hits: Hits, category: str) -> str:
    out = []
    for case in cases:
        if case.category != category:
            continue
        reported = hits.by_case.get(case.name, set())
        flagged = any(cwe == case.cwe for _r, cwe in reported)
        if flagged != case.vulnerable:
            kind = "FN" if case.vulnerable else "FP"
            rules = ", ".join(sorted(f"{r}(CWE-{c})" for r, c in reported)) or "-"
            out.append(f"{kind} {case.name}  fired: {rules}")
    return "\n".join(out) or f"no misses in {category}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", type=Path, help="path to a BenchmarkPython checkout (work tree)")
    parser.add_argument("--via", choices=["auto", "api", "cli"], default="auto", help="run the CLI or the analyzers API")
    parser.add_argument("--details", metavar="CATEGORY", action="append", default=[], help="list misses and false alarms")
    parser.add_argument("--rules", action="store_true", help="print which rules produced the TPs and FPs")
    args = parser.parse_args(argv)

    root: Path = args.benchmark
    testcode = root / "testcode"
    if not testcode.is_dir():
        print(f"error: {testcode} is not a directory (pass the BenchmarkPython checkout)", file=sys.stderr)
        return 2
    cases = load_expected(root)
    fmt = cli_format() if args.via in ("auto", "cli") else None
    if args.via == "cli" and fmt is None:
        print("error: the installed draftguard CLI offers neither --format sarif nor --format json", file=sys.stderr)
        return 2
    hits = collect_cli(testcode, fmt) if fmt else collect_api(testcode)
    table = score(cases, hits)
    cwe_of = {c.category: c.cwe for c in cases}
    via = f"draftguard check --format {fmt}" if fmt else "analyzers API"
    print(f"OWASP Benchmark for Python: {len(cases)} test cases, {hits.files} files scanned via {via} in {hits.seconds:.1f} s")
    print()
    print(render(table, cwe_of))
    if args.rules:
        print()
        print(rule_breakdown(cases, hits))
    for category in args.details:
        print()
        print(f"## {category}")
        print(details(cases, hits, category))
    if hits.errors:
        print(f"\n{len(hits.errors)} rule errors, first: {hits.errors[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
