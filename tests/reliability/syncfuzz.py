"""Hypothesis strategies and the edit-session driver shared by the CI tests
(`test_sync_differential.py`) and the soak script (`bench/soak.py`).

A session opens a document, gives it a few AI regions, then applies random
notifications of LSP content changes through the server's own code path
(`Document.apply_changes`, then `RegionTracker.apply` and marker
re-derivation exactly as the `didChange` listener does) and, after each
notification, checks text, line index, tree and regions against the models
in `syncmodel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from draftguard.server.documents import Document, DocumentError, RangeSpec
from draftguard.server.regions.markers import scan_markers
from draftguard.server.regions.model import CLIENT, MARKER, Region
from draftguard.server.regions.tracking import RegionTracker

from .syncmodel import ENCODINGS, PIECES, RegionModel, TextModel, check_document

LANGUAGES = (("python", "file:///w/t.py"), ("javascript", "file:///w/t.js"), ("typescriptreact", "file:///w/t.tsx"))

pieces = st.sampled_from(PIECES)
fragments = st.one_of(st.lists(pieces, max_size=6).map("".join), st.text(max_size=6))
big_fragments = st.lists(pieces, min_size=10, max_size=60).map("".join)
"""Large enough to count as a bulk insert (an AI completion or a paste)."""
HUGE = 2**31 - 1
"""A position far past any line or document end (the largest LSP uinteger is 2**31 - 1)."""


def positions(draw, model: TextModel) -> tuple[int, int]:
    """A position near the text: inside it, just past a line's or the
    document's end, negative, or absurdly far."""
    lines = model.line_count()
    line = draw(st.integers(-2, lines + 2))
    units = model.line_units(line)
    character = draw(st.integers(-2, units + 3))
    return (HUGE if line == lines + 2 else line), (HUGE if character == units + 3 else character)


@st.composite
def changes(draw, model: TextModel) -> list[tuple[RangeSpec | None, str]]:
    """One notification's content changes, each relative to the text the
    previous one left (the model is advanced as they are drawn)."""
    scratch = TextModel("", model.encoding)
    scratch.text = model.text
    out: list[tuple[RangeSpec | None, str]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("insert", "insert", "delete", "replace", "replace", "bulk", "full", "inverted")))
        if kind == "full":
            out.append((None, draw(st.one_of(fragments, big_fragments))))
        else:
            start = positions(draw, scratch)
            end = start if kind in ("insert", "bulk") else positions(draw, scratch)
            if kind == "inverted":
                start, end = max(start, end), min(start, end)
            elif kind in ("delete", "replace") and end < start:
                start, end = end, start
            text = "" if kind == "delete" else draw(big_fragments if kind == "bulk" else fragments)
            out.append((RangeSpec(start[0], start[1], end[0], end[1]), text))
        if scratch.apply_all(out[-1:]) == 0:
            break  # an inverted range ends the notification
    return out


@dataclass
class Session:
    """One open document and its regions, driven like the server drives them."""

    doc: Document
    model: TextModel
    tracker: RegionTracker = field(default_factory=RegionTracker)
    regions: RegionModel = field(default_factory=lambda: RegionModel(()))
    notifications: int = 0
    edits: int = 0

    @classmethod
    def open(cls, language: str, uri: str, text: str, encoding: str) -> "Session":
        doc = Document(uri, language, 1, text, encoding)
        session = cls(doc, TextModel(text, encoding))
        check_document(doc, session.model)
        session.derive_markers()
        return session

    def derive_markers(self) -> None:
        fresh = [Region(s.start, s.end, MARKER) for s in scan_markers(self.doc.source, self.doc.spec, self.doc.tree)]
        self.tracker.replace_provenance(MARKER, fresh)
        self.regions.sync(self.tracker.regions, self.doc.source)

    def add_region(self, start: int, end: int) -> None:
        """A `draftguard/markAiRegion` span (clamped to the document)."""
        size = len(self.doc.source)
        start, end = min(max(start, 0), size), min(max(end, 0), size)
        if end > start:
            self.tracker.add(Region(start, end, CLIENT))
            self.regions.sync(self.tracker.regions, self.doc.source)

    def notify(self, batch: list[tuple[RangeSpec | None, str]], full: bool = True) -> None:
        """Apply one notification and check everything (the tree only when `full`)."""
        self.notifications += 1
        self.edits += len(batch)
        expected_count = self.model.apply_all(batch)
        try:
            applied = self.doc.apply_changes(self.doc.version + 1, batch)
            assert expected_count == len(batch), "an inverted range was accepted"
        except DocumentError as exc:
            applied = exc.applied
            assert expected_count < len(batch), f"a valid change was rejected: {exc}"
        assert len(applied) == expected_count
        check_document(self.doc, self.model, tree=full)
        for change in applied:
            self.regions.edit(change)
        result = self.tracker.apply(((c.start, c.removed, c.text.encode("utf-8", "surrogatepass")) for c in applied), self.doc.source)
        self.regions.check(self.tracker.regions, self.doc.source)
        if result.marker_text_touched:
            self.derive_markers()


def encodings() -> st.SearchStrategy[str]:
    return st.sampled_from(ENCODINGS)


def languages() -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(LANGUAGES)
