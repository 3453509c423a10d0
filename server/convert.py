"""Findings and fixes to lsprotocol types, in the document's position encoding."""

from __future__ import annotations

from lsprotocol import types

from draftguard.analyzers import Finding, Fix, Severity
from draftguard.analyzers.taxonomy import cwe_url

from .documents import Document
from .positions import offset_to_position

SOURCE = "draftguard"

_SEVERITY = {
    Severity.CRITICAL: types.DiagnosticSeverity.Error,
    Severity.HIGH: types.DiagnosticSeverity.Error,
    Severity.MEDIUM: types.DiagnosticSeverity.Warning,
    Severity.LOW: types.DiagnosticSeverity.Information,
}


def to_range(doc: Document, start: int, end: int) -> types.Range:
    sl, sc = offset_to_position(doc.source, doc.lines, start, doc.encoding)
    el, ec = offset_to_position(doc.source, doc.lines, end, doc.encoding)
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character}, "end": {"line": r.end.line, "character": r.end.character}}


def fix_edits(doc: Document, fix: Fix) -> list[types.TextEdit]:
    return [types.TextEdit(to_range(doc, e.start_byte, e.end_byte), e.text) for e in fix.edits]


def to_diagnostic(doc: Document, finding: Finding) -> types.Diagnostic:
    data = {
        "ruleId": finding.rule_id,
        "cwe": finding.cwe,
        "owasp": finding.owasp,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "fixes": [
            {"title": fix.title, "edits": [{"range": range_json(edit.range), "newText": edit.new_text} for edit in fix_edits(doc, fix)]}
            for fix in finding.fixes
        ],
    }
    return types.Diagnostic(
        range=to_range(doc, finding.start_byte, finding.end_byte),
        message=f"{finding.message} [CWE-{finding.cwe}, OWASP {finding.owasp}, {finding.severity.label}]",
        severity=_SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=cwe_url(finding.cwe)),
        source=SOURCE,
        data=data,
    )
