"""Code actions: apply a finding's fix, or suppress the rule on that line."""

from __future__ import annotations

from lsprotocol import types

from pygls.uris import from_fs_path

from draftguard.analyzers import Finding, Fix
from draftguard.analyzers.suppression import suppression_comment

from ..app import DraftguardServer
from ..convert import SOURCE, fix_edits, to_diagnostic
from ..documents import Document
from ..positions import LineIndex, offset_to_position
from ..project.manifest_fix import manifest_edit


def workspace_edit(ls: DraftguardServer, doc: Document, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    caps = ls.client_capabilities
    versioned = bool(caps and caps.workspace and caps.workspace.workspace_edit and caps.workspace.workspace_edit.document_changes)
    if versioned:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                    edits=edits,
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: edits})


def fix_workspace_edit(ls: DraftguardServer, doc: Document, fix: Fix) -> types.WorkspaceEdit | None:
    """The fix's edits on the document, or, for a fix that declares a
    dependency, the edit of the manifest it names (None when the manifest is
    gone or cannot be edited safely)."""
    if fix.dependency is None:
        return workspace_edit(ls, doc, fix_edits(doc, fix))
    change = manifest_edit(fix.dependency, ls.dependency_index)
    if change is None:
        return None
    index = LineIndex(change.source)
    start = offset_to_position(change.source, index, change.edit.start_byte, doc.encoding)
    end = offset_to_position(change.source, index, change.edit.end_byte, doc.encoding)
    manifest = types.TextEdit(types.Range(types.Position(*start), types.Position(*end)), change.edit.text)
    uri = from_fs_path(str(change.path))
    caps = ls.client_capabilities
    versioned = bool(caps and caps.workspace and caps.workspace.workspace_edit and caps.workspace.workspace_edit.document_changes)
    own = fix_edits(doc, fix)
    if versioned:
        changes = [types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None), edits=[manifest])]
        if own:
            changes.insert(0, types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version), edits=own))
        return types.WorkspaceEdit(document_changes=changes)
    return types.WorkspaceEdit(changes={uri: [manifest], **({doc.uri: own} if own else {})})


def suppress_edit(doc: Document, finding: Finding) -> types.TextEdit | None:
    """Append the ignore comment to the finding's line, or extend an existing
    one; inside a multi-line string, put it on its own line above instead."""
    from ..convert import to_range

    source = doc.source
    line_start = source.rfind(b"\n", 0, finding.start_byte) + 1
    line_end = source.find(b"\n", finding.start_byte)
    line_end = len(source) if line_end < 0 else line_end
    if line_end > line_start and source[line_end - 1 : line_end] == b"\r":
        line_end -= 1
    line = source[line_start:line_end].decode("utf-8", "replace")
    marker = "draftguard: ignore["
    if marker in line:
        close = line.index("]", line.index(marker))
        at = line_start + len(line[:close].encode("utf-8"))
        return types.TextEdit(to_range(doc, at, at), f", {finding.rule_id}")
    comment = suppression_comment(finding.rule_id, doc.spec)
    if doc.tree is not None and line_end > line_start:
        node = doc.tree.root_node.descendant_for_byte_range(line_end - 1, line_end)
        while node is not None and node.type not in ("string", "template_string", "comment"):
            node = node.parent
        inside = node is not None and node.end_byte > line_end and node.type != "comment"
        if inside:
            indent = line[: len(line) - len(line.lstrip())]
            eol = "\r\n" if source[line_end : line_end + 1] == b"\r" else "\n"
            return types.TextEdit(to_range(doc, line_start, line_start), f"{indent}{comment}{eol}")
    return types.TextEdit(to_range(doc, line_end, line_end), f"  {comment}")


def register(server: DraftguardServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    def code_action(ls: DraftguardServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        ls.ensure_current(doc)
        start = doc.offset(params.range.start.line, params.range.start.character)
        end = doc.offset(params.range.end.line, params.range.end.character)
        wanted = {
            (d.code, d.range.start.line, d.range.start.character)
            for d in params.context.diagnostics
            if d.source == SOURCE
        }
        actions: list[types.CodeAction] = []
        findings = [f for f in doc.extra.get("visible", []) if f.start_byte <= end and start <= f.end_byte]
        for finding in findings:
            diagnostic = to_diagnostic(doc, finding)
            if wanted and (finding.rule_id, diagnostic.range.start.line, diagnostic.range.start.character) not in wanted and not (start <= finding.start_byte <= end or finding.start_byte <= start <= finding.end_byte):
                continue
            for index, fix in enumerate(finding.fixes):
                edit = fix_workspace_edit(ls, doc, fix)
                if edit is None:
                    continue
                actions.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=index == 0,
                        edit=edit,
                    )
                )
            edit = suppress_edit(doc, finding)
            if edit is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Suppress {finding.rule_id} on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=workspace_edit(ls, doc, [edit]),
                    )
                )
        for provider in ls.code_action_providers:
            actions.extend(provider(ls, doc, start, end, findings))
        return actions
