"""End to end over stdio for TypeScript (.ts) and TSX (.tsx) documents: open,
incremental edits, quick fix applied through the client, hover."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_document, edit, open_document

TS_URI = "file:///workspace/src/routes/users.ts"
TS_TEXT = (
    'import { Pool } from "pg";\n'
    'import type { Request, Response } from "express";\n'
    "\n"
    "const pool = new Pool();\n"
    "\n"
    "export async function getUser(req: Request, res: Response): Promise<void> {\n"
    "  const id = req.params.id as string;\n"
    "  const { rows } = await pool.query(`SELECT * FROM users WHERE id = ${id}`);\n"
    "  res.json(rows[0]);\n"
    "}\n"
)
QUERY = "`SELECT * FROM users WHERE id = ${id}`"

TSX_URI = "file:///workspace/src/components/Comment.tsx"
TSX_TEXT = (
    'import { useEffect, useRef } from "react";\n'
    "\n"
    "type Props = { author: string; body: string };\n"
    "\n"
    "export function Comment({ author, body }: Props) {\n"
    "  const ref = useRef<HTMLSpanElement>(null);\n"
    "  useEffect(() => {\n"
    "    if (ref.current) ref.current.innerHTML = author;\n"
    "  }, [author]);\n"
    "  return <div><span ref={ref} /><p dangerouslySetInnerHTML={{ __html: body }} /></div>;\n"
    "}\n"
)


async def _actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic):
    return await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic]))
    )


async def _apply(client: LanguageClient, uri: str, version: int, action: types.CodeAction):
    doc_edit = action.edit.document_changes[0]
    assert doc_edit.text_document.version == version - 1
    changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in doc_edit.edits]
    return await change_document(client, uri, version, list(reversed(changes)))


async def test_typescript_open_edit_fix_and_hover(client: LanguageClient) -> None:
    diagnostics = await open_document(client, TS_URI, TS_TEXT, "typescript")
    assert [d.code for d in diagnostics] == ["JS-SQLI-001"]
    start = TS_TEXT.splitlines()[7].index(QUERY)
    assert (diagnostics[0].range.start.line, diagnostics[0].range.start.character) == (7, start)
    assert "CWE-89" in diagnostics[0].message

    # typing two lines above the handler moves the diagnostic down
    moved = await change_document(client, TS_URI, 2, [edit(4, 0, 4, 0, "// 用户 😀\nconst LIMIT = 10;\n")])
    assert [d.code for d in moved] == ["JS-SQLI-001"] and moved[0].range.start.line == 9

    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(TS_URI), types.Position(9, start + 5)))
    assert hover is not None
    for expected in ("JS-SQLI-001", "Hostile input", "OR '1'='1", "CWE-89", "Parameterise query"):
        assert expected in hover.contents.value

    fix = next(a for a in await _actions(client, TS_URI, moved[0]) if a.is_preferred)
    assert fix.title.startswith("Parameterise query (pg $1")
    after = await _apply(client, TS_URI, 3, fix)
    assert len(after) == 0

    # an incremental edit that re-introduces string building brings the finding back
    line = 9
    text = 'pool.query("SELECT * FROM users WHERE id = " + id)'
    current = 'pool.query("SELECT * FROM users WHERE id = $1", [id])'
    col = "  const { rows } = await ".__len__()
    again = await change_document(client, TS_URI, 4, [edit(line, col, line, col + len(current), text)])
    assert [d.code for d in again] == ["JS-SQLI-001"]


async def test_tsx_open_fix_and_hover(client: LanguageClient) -> None:
    diagnostics = await open_document(client, TSX_URI, TSX_TEXT, "typescriptreact")
    assert sorted(d.code for d in diagnostics) == ["JS-XSS-001", "JS-XSS-002"]
    react = next(d for d in diagnostics if d.code == "JS-XSS-002")
    assert react.range.start.line == 9

    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(TSX_URI), types.Position(9, react.range.start.character + 3))
    )
    assert hover is not None and "dangerouslySetInnerHTML" in hover.contents.value and "CWE-79" in hover.contents.value

    dom = next(d for d in diagnostics if d.code == "JS-XSS-001")
    fix = next(a for a in await _actions(client, TSX_URI, dom) if a.is_preferred)
    assert fix.title.startswith("Use textContent")
    after = await _apply(client, TSX_URI, 2, fix)
    assert [d.code for d in after] == ["JS-XSS-002"]

    # sanitising the HTML by typing clears the last finding
    line = TSX_TEXT.splitlines()[9]
    col = line.index("__html: body") + len("__html: ")
    cleared = await change_document(client, TSX_URI, 3, [edit(9, col, 9, col + len("body"), "DOMPurify.sanitize(body)")])
    assert len(cleared) == 0
