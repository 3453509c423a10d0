"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

What GitHub reads, and how we fill it:
- `tool.driver.rules[]`: id, name, short/full description, `help` (text and
  markdown, the same explanation the hover shows), `helpUri` (CWE page),
  `properties.tags` (`security`, `external/cwe/cwe-NNN`, CWE and OWASP ids),
  `properties.security-severity` (a CVSS-like number GitHub maps to
  critical >= 9, high >= 7, medium >= 4, low) and `precision`.
- `results[]`: ruleId/ruleIndex, level, message, one physical location with a
  region and snippet, relative to `%SRCROOT%` (the repository root), and
  `partialFingerprints` that do not contain line numbers, so a finding keeps
  its identity when unrelated code moves it (see scan.fingerprint).
- `fixes[]` where a quick fix exists: the replacements of the fix.
- files that could not be analysed become tool execution notifications.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from draftguard.analyzers import Severity
from draftguard.analyzers.explain import rule_help_markdown
from draftguard.analyzers.rules import Rule
from draftguard.analyzers.taxonomy import cwe_url, owasp_name

from ..scan import Reported, Span
from . import ScanReport, tool_version

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "draftguardFindingHash/v1"
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
SRCROOT = "%SRCROOT%"


def _region(span: Span) -> dict:
    return {"startLine": span.start_line + 1, "startColumn": span.start_col + 1, "endLine": span.end_line + 1, "endColumn": span.end_col + 1}


def rule_tags(rule: Rule) -> list[str]:
    return ["security", f"external/cwe/cwe-{rule.cwe:03d}", f"CWE-{rule.cwe}", f"OWASP-{rule.owasp}", f"OWASP {rule.owasp} {owasp_name(rule.owasp)}"]


def rule_descriptor(rule: Rule, severity: Severity) -> dict:
    e = rule.explanation
    help_text = f"{rule.summary}\n\nWhat: {e.what}\n\nWhy it is dangerous although the code works: {e.why}\n\nHostile input: {e.hostile_input}\n\nFix: {e.fix}"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": e.what},
        "help": {"text": help_text, "markdown": rule_help_markdown(rule)},
        "helpUri": cwe_url(rule.cwe),
        "defaultConfiguration": {"level": LEVEL[severity], "enabled": True},
        "properties": {
            "tags": rule_tags(rule),
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": {3: "high", 2: "medium", 1: "low"}[int(rule.confidence)],
            "problem.severity": "error" if severity >= Severity.HIGH else "warning" if severity == Severity.MEDIUM else "recommendation",
            "cwe": f"CWE-{rule.cwe}",
            "owasp": rule.owasp,
            **({"fix": rule.fix_title} if rule.fix_title else {}),
        },
    }


def _artifact(report: ScanReport, path: str) -> dict:
    relative = report.relative(path)
    if relative.startswith("/"):
        return {"uri": "file://" + quote(relative)}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _result(report: ScanReport, path: str, reported: Reported, rule_index: dict[str, int]) -> dict:
    f = reported.finding
    artifact = _artifact(report, path)
    first, last = reported.span.start_line + 1, reported.span.end_line + 1
    snippet = "\n".join(text for number, text in reported.excerpt if first <= number <= last)
    result = {
        "ruleId": f.rule_id,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message} [CWE-{f.cwe}, OWASP {f.owasp}, {f.severity.label}]"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": {**_region(reported.span), "snippet": {"text": snippet}}}}],
        "partialFingerprints": {FINGERPRINT_KEY: reported.fingerprint},
        "properties": {
            "severity": f.severity.label,
            "confidence": f.confidence.label,
            "cwe": f"CWE-{f.cwe}",
            "owasp": f.owasp,
            **({"aiRegion": reported.ai_region, "aiReviewed": reported.ai_reviewed} if reported.ai_region is not None else {}),
        },
    }
    if f.rule_id in rule_index:
        result["ruleIndex"] = rule_index[f.rule_id]
    if reported.fixes:
        result["fixes"] = [
            {
                "description": {"text": fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(report, fix.path) if fix.path else artifact,
                        "replacements": [{"deletedRegion": _region(span), "insertedContent": {"text": text}} for span, text in fix.edits],
                    }
                ],
            }
            for fix in reported.fixes
        ]
    return result


def to_sarif(report: ScanReport) -> dict:
    version = tool_version()
    rules = sorted(report.rules, key=lambda r: r.id)
    rule_index = {rule.id: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "warning" if file.skipped else "error",
            "message": {"text": f"{report.relative(file.path)}: {file.error}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(report, file.path)}}],
            "descriptor": {"id": "file-skipped" if file.skipped else "rule-error"},
        }
        for file in report.files
        if file.error
    ]
    run = {
        "tool": {
            "driver": {
                "name": "draftguard",
                "version": version,
                "semanticVersion": version,
                "rules": [rule_descriptor(rule, report.severities.get(rule.id, rule.severity)) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": report.root.as_uri().rstrip("/") + "/"}},
        "columnKind": "utf16CodeUnits",
        "results": [_result(report, file.path, reported, rule_index) for file, reported in report.findings()],
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "properties": {"filters": report.filters, "filteredOut": report.filtered_out},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report: ScanReport) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
