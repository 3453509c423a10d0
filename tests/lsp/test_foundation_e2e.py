"""End to end over stdio: open, incremental edits, hover, code actions."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_document, edit, open_document

VULNERABLE = (
    "import sqlite3\n"
    "\n"
    "def get_user(conn, user_id):\n"
    "    cur = conn.cursor()\n"
    "    cur.execute(f\"SELECT * FROM users WHERE id = {user_id}\")\n"
    "    return cur.fetchone()\n"
)
URI = "file:///workspace/app.py"


async def test_initialize_advertises_features(client: LanguageClient) -> None:
    result: types.InitializeResult = client.initialize_result
    caps = result.capabilities
    assert result.server_info.name == "draftguard"
    sync = caps.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
    assert caps.hover_provider
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    assert caps.position_encoding in (types.PositionEncodingKind.Utf16, "utf-16")


async def test_diagnostic_on_open_has_rule_metadata(client: LanguageClient) -> None:
    diagnostics = await open_document(client, URI, VULNERABLE)
    assert len(diagnostics) == 1
    d = diagnostics[0]
    assert d.code == "PY-SQLI-001"
    assert d.source == "draftguard"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.code_description.href == "https://cwe.mitre.org/data/definitions/89.html"
    assert (d.range.start.line, d.range.start.character) == (4, 16)
    assert (d.range.end.line, d.range.end.character) == (4, 16 + len('f"SELECT * FROM users WHERE id = {user_id}"'))
    assert "CWE-89" in d.message and "A03:2021" in d.message
    assert d.data["fixes"][0]["title"].startswith("Parameterise query (sqlite3 ?")


async def test_incremental_change_moves_then_removes_the_flaw(client: LanguageClient) -> None:
    await open_document(client, URI, VULNERABLE)
    # insert two lines above the function: the diagnostic moves down
    moved = await change_document(client, URI, 2, [edit(1, 0, 1, 0, "# a comment\n# 😀 another\n")])
    assert len(moved) == 1 and moved[0].range.start.line == 6
    # replace the f-string with a parameterised call, as a human would
    line = 6
    start = len("    cur.execute(")
    end = start + len('f"SELECT * FROM users WHERE id = {user_id}"')
    cleared = await change_document(client, URI, 3, [edit(line, start, line, end, '"SELECT * FROM users WHERE id = ?", (user_id,)')])
    assert len(cleared) == 0
    # typing the flaw back character by character brings it back at the end
    back = await change_document(client, URI, 4, [edit(line, start, line, start + len('"SELECT * FROM users WHERE id = ?", (user_id,)'), 'f"SELECT * FROM users WHERE id = {user_id}"')])
    assert len(back) == 1


async def test_hover_explains_the_risk(client: LanguageClient) -> None:
    await open_document(client, URI, VULNERABLE)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(4, 30))
    )
    assert hover is not None
    text = hover.contents.value
    for expected in ("PY-SQLI-001", "although the code works", "Hostile input", "OR '1'='1", "CWE-89", "A03:2021", "Parameterise query"):
        assert expected in text
    nothing = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(0, 2)))
    assert nothing is None


async def _apply(client: LanguageClient, version: int, action: types.CodeAction):
    doc_edit = action.edit.document_changes[0]
    assert doc_edit.text_document.version == version - 1
    return await change_document(client, URI, version, list(reversed([types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in doc_edit.edits])))


async def test_quick_fix_clears_the_diagnostic(client: LanguageClient) -> None:
    diagnostics = await open_document(client, URI, VULNERABLE)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(URI),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=list(diagnostics)),
        )
    )
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.diagnostics[0].code == "PY-SQLI-001"
    after = await _apply(client, 2, fix)
    assert len(after) == 0


async def test_suppress_action_silences_the_line(client: LanguageClient) -> None:
    diagnostics = await open_document(client, URI, VULNERABLE)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(URI), diagnostics[0].range, types.CodeActionContext(diagnostics=list(diagnostics)))
    )
    suppress = next(a for a in actions if a.title == "Suppress PY-SQLI-001 on this line")
    after = await _apply(client, 2, suppress)
    assert len(after) == 0


async def test_close_clears_diagnostics(client: LanguageClient) -> None:
    await open_document(client, URI, VULNERABLE)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(URI)))
    params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.uri == URI and len(params.diagnostics) == 0


async def test_configuration_change_disables_a_rule(client: LanguageClient) -> None:
    await open_document(client, URI, VULNERABLE)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"draftguard": {"rules": {"disabled": ["PY-SQLI-001"]}, "bogusKey": 1}})
    )
    params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert len(params.diagnostics) == 0
    assert any("bogusKey" in m.message for m in client.log_messages)
