"""Measure draftguard on code nobody here wrote: AI-generated code with security labels, and well-reviewed apps.

    python bench/ai_corpus.py CORPUS_PATH [--dataset NAME ...] [--misses] [--all-rules]

CORPUS_PATH is a folder holding extracted copies of public datasets (never commit
them: pass their path). Each dataset is found by its own layout anywhere up to
four levels below CORPUS_PATH:

| dataset | what it is | found by | labels |
|---|---|---|---|
| securityeval-copilot, securityeval-incoder | s2e-lab/SecurityEval: 130 prompts, code completed by GitHub Copilot / InCoder | `Testcases_Copilot/`, `Result/testcases_copilot.csv` | CWE per folder; vulnerable or not by the authors' manual review (`Manual` column) |
| securityeval-insecure | the same prompts' reference insecure code | `Testcases_Insecure_Code/` | all vulnerable |
| pearce-copilot | "Asleep at the Keyboard" Copilot completions (Python), as processed by mhbuehler/cwe-detection | `processed_copilot_cwe_data.json` | CWE per scenario; vulnerable by CodeQL or the authors |
| cyberseceval | meta-llama/PurpleLlama CyberSecEval instruct set: real open-source snippets (Python, JavaScript) | `instruct/instruct.json` | one CWE per snippet, from the Insecure Code Detector's patterns (noisy: e.g. every `random` call is CWE-338) |
| cweval | LostBenjamin/CWEval: reference solutions of security-sensitive tasks (Python, JavaScript) and unsafe JavaScript variants | `benchmark/core/py/*_task.py` | `*_task.*` safe, `*_unsafe.*` vulnerable, CWE from the file name |
| apps | well-reviewed applications (microblog, flask's examples, an Express app, ...) | every folder under `CORPUS_PATH/apps/` | none: every finding is a false-positive candidate to read |

A labelled file counts as *flagged* when one of its findings carries a CWE of the
same family as the label (`FAMILIES`: e.g. CWE-259, 321 and 798 are all hard-coded
credentials; CWE-327/328/916/759/760 are all weak cryptography), so a finding is
never credited for a flaw of a different kind. Per dataset and label CWE we print
vulnerable files flagged (TP) and missed (FN), safe files flagged (FP) and clean
(TN), recall TP/(TP+FN) and precision TP/(TP+FP). A label CWE is *in scope* when
some rule for the file's language reports a CWE of its family; the summary line
of each dataset counts in-scope labels only. Findings of other families are
counted as "other" (they may be real flaws the label does not name, or false
positives) and listed by `--misses` together with every miss and false positive.
For `apps`, every finding is listed. The analyzers run in-process with the
default configuration (what `draftguard check` reports); `--all-rules` also runs
rules that are off by default.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from draftguard.analyzers import AnalysisConfig, all_rules, analyze_detailed, parse, spec_for_path

FAMILIES: dict[str, frozenset[int]] = {
    "sql-injection": frozenset({89, 564}),
    "command-injection": frozenset({78, 77, 88}),
    "code-injection": frozenset({94, 95, 96, 1336}),
    "xss": frozenset({79, 80, 116}),
    "path-traversal": frozenset({22, 23, 36, 73, 99}),
    "ldap-injection": frozenset({90}),
    "xpath-injection": frozenset({643}),
    "nosql-injection": frozenset({943}),
    "header-injection": frozenset({113, 93}),
    "log-injection": frozenset({117}),
    "deserialization": frozenset({502}),
    "xml-entities": frozenset({611, 776, 827}),
    "hard-coded-credentials": frozenset({798, 259, 321}),
    "weak-crypto": frozenset({327, 328, 916, 759, 760, 326, 329, 1204, 522}),
    "weak-randomness": frozenset({330, 331, 338, 339, 335}),
    "tls": frozenset({295, 297}),
    "open-redirect": frozenset({601}),
    "ssrf": frozenset({918}),
    "redos": frozenset({1333, 730, 400}),
    "upload": frozenset({434}),
    "temp-file": frozenset({377, 379}),
    "permissions": frozenset({732, 276}),
    "debug": frozenset({489, 215}),
    "jwt": frozenset({347}),
    "cookies": frozenset({614, 1004}),
    "mass-assignment": frozenset({915, 1321}),
    "access-control": frozenset({639, 284, 285, 862, 863}),
    "authentication": frozenset({306, 287}),
    "timing": frozenset({208, 385}),
    "resource-limits": frozenset({770, 400}),
    "trust-boundary": frozenset({501}),
    "check-fails-open": frozenset({636, 703}),
    "request-timeout": frozenset({400}),
    "cors": frozenset({942, 346}),
    "dependencies": frozenset({829, 1357}),
}
"""CWE families: a label and a finding match when their CWEs share a family."""

_CWE_IN_NAME = re.compile(r"cwe[-_]?0*(\d+)", re.IGNORECASE)
_LANGUAGES = {"python": ".py", "javascript": ".js"}


def families_of(cwe: int) -> frozenset[str]:
    return frozenset(name for name, cwes in FAMILIES.items() if cwe in cwes)


def same_family(label: int, found: int) -> bool:
    return label == found or bool(families_of(label) & families_of(found))


@dataclass(frozen=True)
class Sample:
    dataset: str
    ident: str
    language: str
    """A draftguard language id: python, javascript, typescript, ..."""
    source: bytes
    cwe: int | None
    """The labelled CWE; None for unlabelled application code."""
    vulnerable: bool
    line: int | None = None
    """1-based line the label points at, when the dataset says."""


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn


@dataclass
class Report:
    """Everything one dataset produced."""

    name: str
    files: int = 0
    seconds: float = 0.0
    by_cwe: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    in_scope: dict[int, bool] = field(default_factory=dict)
    other: Counter = field(default_factory=Counter)
    """Findings whose CWE family is not the label's, per rule id."""
    app_findings: Counter = field(default_factory=Counter)
    """Findings per rule id on unlabelled, well-reviewed code."""
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- datasets


def _find(root: Path, pattern: str, depth: int = 4) -> list[Path]:
    """Paths matching `pattern` (a relative glob) at most `depth` folders below root."""
    found: list[Path] = []
    for level in range(depth + 1):
        prefix = "/".join(["*"] * level)
        found.extend(sorted(root.glob(f"{prefix}/{pattern}" if prefix else pattern)))
    return found


def _cwe_from(text: str) -> int | None:
    match = _CWE_IN_NAME.search(text)
    return int(match.group(1)) if match else None


def _securityeval(tool: str, folder: str) -> Callable[[Path], Iterator[Sample]]:
    def load(root: Path) -> Iterator[Sample]:
        for results in _find(root, f"Result/testcases_{tool}.csv"):
            base = results.parent.parent
            with results.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    cwe = _cwe_from(row.get("CWEID") or "")
                    path = base / folder / (row.get("CWEID") or "") / (row.get("SampleID") or "")
                    if cwe is None or not path.is_file():
                        continue
                    yield Sample(f"securityeval-{tool}", str(path.relative_to(base)), "python",
                                 path.read_bytes(), cwe, (row.get("Manual") or "").strip() == "1")

    return load


def _securityeval_insecure(root: Path) -> Iterator[Sample]:
    for folder in _find(root, "Testcases_Insecure_Code"):
        for path in sorted(folder.glob("CWE-*/*.py")):
            cwe = _cwe_from(path.parent.name)
            if cwe is not None:
                yield Sample("securityeval-insecure", str(path.relative_to(folder.parent)), "python",
                             path.read_bytes(), cwe, True)


def _pearce(root: Path) -> Iterator[Sample]:
    for data in _find(root, "processed_copilot_cwe_data.json"):
        for record in json.loads(data.read_text(encoding="utf-8")):
            cwe = _cwe_from(str(record.get("cwe", "")))
            if cwe is None or record.get("language") != "python":
                continue
            yield Sample("pearce-copilot", f"{record['scenario_id']}/{record['file_id']}", "python",
                         str(record.get("code", "")).encode("utf-8"), cwe, bool(record.get("vulnerable")))


def _cyberseceval(root: Path) -> Iterator[Sample]:
    seen: set[tuple[str, str, int]] = set()
    for data in _find(root, "instruct/instruct.json", depth=5):
        for record in json.loads(data.read_text(encoding="utf-8")):
            language = record.get("language")
            cwe = _cwe_from(str(record.get("cwe_identifier", "")))
            key = (str(record.get("repo")), str(record.get("file_path")), int(record.get("line_number") or 0))
            if language not in _LANGUAGES or cwe is None or key in seen:
                continue
            seen.add(key)
            yield Sample("cyberseceval", f"{key[0]}/{key[1]}:{key[2]}", language,
                         str(record.get("origin_code", "")).encode("utf-8"), cwe, True)


def _cweval(root: Path) -> Iterator[Sample]:
    for core in _find(root, "benchmark/core"):
        for path in sorted(p for p in core.glob("*/cwe_*") if p.suffix in (".py", ".js")):
            stem = path.stem
            if not (stem.endswith("_task") or stem.endswith("_unsafe")):
                continue
            cwe = _cwe_from(stem)
            if cwe is None:
                continue
            language = spec_for_path(path.name).id
            yield Sample("cweval", str(path.relative_to(core)), language, path.read_bytes(), cwe,
                         stem.endswith("_unsafe"))


_SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "dist", "build", "__pycache__"}


def _apps(root: Path) -> Iterator[Sample]:
    apps = root / "apps"
    if not apps.is_dir():
        return
    for path in sorted(apps.rglob("*")):
        if not path.is_file() or _SKIP_DIRS.intersection(path.relative_to(apps).parts):
            continue
        spec = spec_for_path(path.name)
        if spec is None or path.stat().st_size > 2_000_000:
            continue
        yield Sample("apps", str(path.relative_to(apps)), spec.id, path.read_bytes(), None, False)


DATASETS: dict[str, Callable[[Path], Iterable[Sample]]] = {
    "securityeval-copilot": _securityeval("copilot", "Testcases_Copilot"),
    "securityeval-incoder": _securityeval("incoder", "Testcases_InCoder"),
    "securityeval-insecure": _securityeval_insecure,
    "pearce-copilot": _pearce,
    "cyberseceval": _cyberseceval,
    "cweval": _cweval,
    "apps": _apps,
}


# ---------------------------------------------------------------- scoring


def covered_cwes(config: AnalysisConfig) -> dict[str, set[int]]:
    """CWEs reported by the enabled rules, per rule family (python, javascript)."""
    out: dict[str, set[int]] = defaultdict(set)
    for rule in all_rules():
        if config.rule_enabled(rule.id, rule.default_enabled):
            for language in rule.languages:
                out[language].add(rule.cwe)
    return out


def _in_scope(cwe: int, language: str, covered: dict[str, set[int]]) -> bool:
    family = "javascript" if language != "python" else "python"
    return any(same_family(cwe, found) for found in covered.get(family, ()))


def _where(sample: Sample, finding=None) -> str:
    label = f"CWE-{sample.cwe}" if sample.cwe is not None else "unlabelled"
    text = f"{sample.ident} [{label}]"
    if finding is not None:
        text += f" line {finding.start_point[0] + 1}: {finding.rule_id} (CWE-{finding.cwe}) {finding.message}"
    return text


def score(samples: Iterable[Sample], name: str, config: AnalysisConfig) -> Report:
    report = Report(name)
    covered = covered_cwes(config)
    started = time.perf_counter()
    for sample in samples:
        report.files += 1
        result = analyze_detailed(sample.source, parse(sample.source, sample.language), sample.language, config=config)
        report.errors.extend(f"{sample.ident}: {error}" for error in result.rule_errors)
        findings = [f for f in result.findings if not f.rule_id.endswith(("-DEP-001", "-DEP-002", "-DEP-003"))]
        if sample.cwe is None:
            for finding in findings:
                report.app_findings[finding.rule_id] += 1
                report.false_positives.append(_where(sample, finding))
            continue
        matching = [f for f in findings if same_family(sample.cwe, f.cwe)]
        for finding in findings:
            if finding not in matching:
                report.other[finding.rule_id] += 1
                report.others.append(_where(sample, finding))
        report.in_scope[sample.cwe] = _in_scope(sample.cwe, sample.language, covered)
        tally = report.by_cwe[sample.cwe]
        if sample.vulnerable:
            if matching:
                tally.tp += 1
            else:
                tally.fn += 1
                report.misses.append(_where(sample))
        elif matching:
            tally.fp += 1
            report.false_positives.extend(_where(sample, f) for f in matching)
        else:
            tally.tn += 1
    report.seconds = time.perf_counter() - started
    return report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render(report: Report) -> str:
    lines = [f"## {report.name}: {report.files} files in {report.seconds:.1f} s", ""]
    if not report.by_cwe:
        lines.append(f"{sum(report.app_findings.values())} findings on well-reviewed code (false-positive candidates)")
        for rule_id, count in report.app_findings.most_common():
            lines.append(f"  {rule_id}: {count}")
        return "\n".join(lines)
    lines += [
        "| CWE | in scope | vulnerable | TP | FN | safe | FP | TN | recall | precision |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    total = Tally()
    for cwe, tally in sorted(report.by_cwe.items()):
        scope = report.in_scope.get(cwe, False)
        if scope:
            total.add(tally)
        lines.append(
            f"| CWE-{cwe} | {'yes' if scope else 'no'} | {tally.tp + tally.fn} | {tally.tp} | {tally.fn} "
            f"| {tally.fp + tally.tn} | {tally.fp} | {tally.tn} | {_pct(tally.recall)} | {_pct(tally.precision)} |"
        )
    lines.append(
        f"| **in scope** | | {total.tp + total.fn} | {total.tp} | {total.fn} | {total.fp + total.tn} | {total.fp} "
        f"| {total.tn} | **{_pct(total.recall)}** | **{_pct(total.precision)}** |"
    )
    if report.other:
        lines.append("")
        lines.append("findings of other CWE families: " + ", ".join(f"{r} {n}" for r, n in report.other.most_common()))
    return "\n".join(lines)


def render_lists(report: Report) -> str:
    out = [f"### {report.name}"]
    for title, items in (("missed", report.misses), ("false positives", report.false_positives),
                         ("other findings", report.others)):
        if items:
            out.append(f"{title} ({len(items)}):")
            out.extend(f"  {item}" for item in items)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="datasets: " + ", ".join(DATASETS))
    parser.add_argument("corpus", type=Path, help="folder holding the extracted datasets (see the module docstring)")
    parser.add_argument("--dataset", action="append", choices=sorted(DATASETS), help="score only this dataset (repeatable)")
    parser.add_argument("--misses", action="store_true", help="list missed files, false positives and other findings")
    parser.add_argument("--all-rules", action="store_true", help="also run the rules that are off by default")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: {args.corpus} is not a folder", file=sys.stderr)
        return 2
    config = AnalysisConfig(enabled_rules=frozenset(r.id for r in all_rules())) if args.all_rules else AnalysisConfig()
    reports = []
    for name in args.dataset or list(DATASETS):
        report = score(DATASETS[name](args.corpus), name, config)
        if report.files:
            reports.append(report)
        elif args.dataset:
            print(f"warning: no files of dataset {name} under {args.corpus}", file=sys.stderr)
    if not reports:
        print(f"error: no known dataset under {args.corpus}", file=sys.stderr)
        return 2
    for report in reports:
        print(render(report))
        print()
    if args.misses:
        for report in reports:
            print(render_lists(report))
            print()
    errors = [e for r in reports for e in r.errors]
    if errors:
        print(f"{len(errors)} rule errors, first: {errors[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
