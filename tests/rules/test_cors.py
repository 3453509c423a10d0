"""PY-CORS-001's django-cors-headers case depends on another statement of the
module (`CORS_ALLOW_CREDENTIALS = True`): a module-wide fact, kept current
while the settings file is edited."""

from __future__ import annotations

from draftguard.analyzers import analyze, analyze_detailed, parse
from draftguard.server.documents import Document, RangeSpec

PUBLIC = 'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOW_ALL_ORIGINS = True\n'


def _cors(findings) -> list[int]:
    return [f.start_byte for f in findings if f.rule_id == "PY-CORS-001"]


def test_any_origin_without_credentials_is_a_public_api() -> None:
    source = PUBLIC.encode()
    assert _cors(analyze(source, parse(source, "python"), "python")) == []


def test_turning_credentials_on_later_in_the_file_reports_the_allow_all_line() -> None:
    doc = Document("file:///settings.py", "python", 1, PUBLIC)
    assert _cors(analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings) == []
    doc.apply_changes(2, [(RangeSpec(2, 0, 2, 0), "CORS_ALLOW_CREDENTIALS = True\n")])
    found = _cors(analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings)
    assert found == [doc.source.index(b"CORS_ALLOW_ALL_ORIGINS")]
    doc.apply_changes(3, [(RangeSpec(2, 0, 3, 0), "")])
    assert _cors(analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings) == []
