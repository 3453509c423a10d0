"""didOpen / didChange / didClose: keep documents current and publish."""

from __future__ import annotations

from lsprotocol import types

from .. import gcpolicy
from ..app import DraftguardServer
from ..documents import DocumentError, RangeSpec


def _range_spec(change) -> RangeSpec | None:
    if isinstance(change, types.TextDocumentContentChangePartial) or getattr(change, "range", None) is not None:
        r = change.range
        return RangeSpec(r.start.line, r.start.character, r.end.line, r.end.character)
    return None


def register(server: DraftguardServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DraftguardServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = ls.documents.open(item.uri, item.language_id, item.version, item.text, ls.position_encoding)
        for listener in ls.open_listeners:
            listener(ls, doc)
        ls.schedule_analysis(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DraftguardServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            ls.log(f"didChange for a document that is not open: {params.text_document.uri}", types.MessageType.Warning)
            return
        version = params.text_document.version
        if version is not None and version < doc.version:
            ls.log(f"{doc.uri}: version went backwards ({doc.version} -> {version}); applying the change anyway", types.MessageType.Warning)
        try:
            applied = doc.apply_changes(version, [(_range_spec(c), c.text) for c in params.content_changes])
        except DocumentError as exc:
            ls.log(f"{doc.uri}: change rejected: {exc}", types.MessageType.Error)
            applied = exc.applied
        for listener in ls.change_listeners:
            listener(ls, doc, applied)
        ls.schedule_analysis(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DraftguardServer, params: types.DidCloseTextDocumentParams) -> None:
        doc = ls.documents.close(params.text_document.uri)
        if doc is not None:
            for listener in ls.close_listeners:
                listener(ls, doc)
            ls.abandon_analysis(doc)
            gcpolicy.released()
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[]))
