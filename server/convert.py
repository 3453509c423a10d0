"""Findings and fixes to lsprotocol types, in the document's position encoding."""

from __future__ import annotations

from lsprotocol import types

from draftguard.analyzers import Finding, Fix, Severity
from draftguard.analyzers.taxonomy import cwe_url

from .documents import Document
from .positions import offset_to_position
from .scan import Reported, Span

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
    fixes = [(fix.title, [(edit.range, edit.new_text) for edit in fix_edits(doc, fix)]) for fix in finding.fixes]
    return _diagnostic(to_range(doc, finding.start_byte, finding.end_byte), finding, fixes)


NOTICE_CODE = "analysis-incomplete"


def notice_diagnostic(message: str) -> types.Diagnostic:
    """A warning on the first line that the file was not (fully) analysed."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=message,
        severity=types.DiagnosticSeverity.Warning,
        code=NOTICE_CODE,
        source=SOURCE,
    )


def notice_json(message: str) -> dict:
    """`notice_diagnostic(message)` as the JSON object the client receives."""
    return {
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "severity": int(types.DiagnosticSeverity.Warning),
        "code": NOTICE_CODE,
        "source": SOURCE,
        "message": message,
    }


def diagnostic_json(doc: Document, finding: Finding) -> dict:
    """`to_diagnostic(doc, finding)` as the JSON object the client receives,
    built without lsprotocol objects: publishing serialises every finding of
    a file on every keystroke, and the server caches these per finding."""
    sl, sc = offset_to_position(doc.source, doc.lines, finding.start_byte, doc.encoding)
    el, ec = offset_to_position(doc.source, doc.lines, finding.end_byte, doc.encoding)
    fixes = [
        {"title": fix.title, "edits": [{"range": _range_json(doc, e.start_byte, e.end_byte), "newText": e.text} for e in fix.edits]}
        for fix in finding.fixes
    ]
    return {
        "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
        "severity": int(_SEVERITY[finding.severity]),
        "code": finding.rule_id,
        "codeDescription": {"href": cwe_url(finding.cwe)},
        "source": SOURCE,
        "message": _message(finding),
        "data": _data(finding, fixes),
    }


def _range_json(doc: Document, start: int, end: int) -> dict:
    sl, sc = offset_to_position(doc.source, doc.lines, start, doc.encoding)
    el, ec = offset_to_position(doc.source, doc.lines, end, doc.encoding)
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


def _message(finding: Finding) -> str:
    return f"{finding.message} [CWE-{finding.cwe}, OWASP {finding.owasp}, {finding.severity.label}]"


def _data(finding: Finding, fixes: list[dict]) -> dict:
    return {
        "ruleId": finding.rule_id,
        "cwe": finding.cwe,
        "owasp": finding.owasp,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "fixes": fixes,
    }


def span_range(span: Span) -> types.Range:
    return types.Range(types.Position(span.start_line, span.start_col), types.Position(span.end_line, span.end_col))


def reported_to_diagnostic(reported: Reported) -> types.Diagnostic:
    """A finding of a file scanned on disk (not open in the editor); its
    positions were computed in the scan's position encoding."""
    fixes = [(fix.title, [(span_range(span), text) for span, text in fix.edits]) for fix in reported.fixes]
    return _diagnostic(span_range(reported.span), reported.finding, fixes)


def _diagnostic(range_: types.Range, finding: Finding, fixes: list[tuple[str, list[tuple[types.Range, str]]]]) -> types.Diagnostic:
    data = _data(finding, [{"title": title, "edits": [{"range": range_json(r), "newText": text} for r, text in edits]} for title, edits in fixes])
    return types.Diagnostic(
        range=range_,
        message=_message(finding),
        severity=_SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=cwe_url(finding.cwe)),
        source=SOURCE,
        data=data,
    )
