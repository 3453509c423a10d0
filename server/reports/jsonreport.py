"""JSON: the whole report as plain data, for scripts and dashboards.

Lines and columns are 1-based; columns count UTF-16 code units (as SARIF and
LSP do); `endColumn` points just past the last character.
"""

from __future__ import annotations

import json

from draftguard.analyzers import Severity
from draftguard.analyzers.rules import get_rule

from ..scan import Reported, Span
from . import ScanReport, tool_version


def span_json(span: Span) -> dict:
    return {"line": span.start_line + 1, "column": span.start_col + 1, "endLine": span.end_line + 1, "endColumn": span.end_col + 1}


def finding_json(path: str, reported: Reported) -> dict:
    f = reported.finding
    rule = get_rule(f.rule_id)
    return {
        "ruleId": f.rule_id,
        "name": rule.name if rule else f.rule_id,
        "severity": f.severity.label,
        "confidence": f.confidence.label,
        "cwe": f.cwe,
        "owasp": f.owasp,
        "message": f.message,
        "path": path,
        **span_json(reported.span),
        "fingerprint": reported.fingerprint,
        "aiRegion": reported.ai_region,
        "aiReviewed": reported.ai_reviewed,
        "fixes": [
            {"title": fix.title, "edits": [{**span_json(span), "newText": text} for span, text in fix.edits], "diff": fix.diff, **({"file": fix.path} if fix.path else {})}
            for fix in reported.fixes
        ],
    }


def render_json(report: ScanReport) -> str:
    counts = report.by_severity()
    data = {
        "tool": {"name": "draftguard", "version": tool_version()},
        "root": report.root.as_posix(),
        "filters": report.filters,
        "summary": {
            "files": len(report.scanned),
            "lines": sum(f.lines for f in report.files),
            "findings": report.total,
            "bySeverity": {s.label: counts.get(s, 0) for s in sorted(Severity, reverse=True)},
            "skipped": sum(1 for f in report.files if f.skipped),
            "filteredOut": report.filtered_out,
            "durationSeconds": round(report.duration, 3),
        },
        "rules": [r.id for r in report.rules],
        "findings": [finding_json(report.relative(file.path), reported) for file, reported in report.findings()],
        "errors": [{"path": report.relative(f.path), "message": f.error, "skipped": f.skipped} for f in report.files if f.error],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
