"""Hover: why the flagged code is dangerous although it works."""

from __future__ import annotations

from lsprotocol import types

from draftguard.analyzers.explain import finding_markdown

from ..app import DraftguardServer
from ..convert import to_range


def register(server: DraftguardServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: DraftguardServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        ls.ensure_current(doc)
        offset = doc.offset(params.position.line, params.position.character)
        hits = [f for f in doc.extra.get("visible", []) if f.start_byte <= offset <= f.end_byte]
        sections: list[str] = [finding_markdown(f) for f in hits]
        extra_range = None
        for provider in ls.hover_providers:
            text = provider(ls, doc, offset)
            if text:
                sections.append(text)
        if not sections:
            return None
        if hits:
            extra_range = to_range(doc, min(f.start_byte for f in hits), max(f.end_byte for f in hits))
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)),
            range=extra_range,
        )
