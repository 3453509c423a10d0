"""Open documents: text, line index and an incrementally updated syntax tree.

pygls 2 applies content changes to its own workspace copy before our handler
runs, so we keep our own state: every change is converted on the *old* text
to byte offsets and points, fed to `tree.edit()`, and after all changes of a
notification the tree is re-parsed with the edited old tree.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable

from tree_sitter import Parser, Point, Tree

from draftguard.analyzers import UnitCache, make_parser
from draftguard.analyzers.budget import MAX_SOURCE_BYTES
from draftguard.analyzers.languages import LanguageSpec, spec_for_lsp_id, spec_for_path

from .positions import UTF16, LineIndex, offset_to_point, position_to_offset, text_end_point


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def client_text(text: str) -> str:
    """Text from a client as the server keeps it. JSON strings can carry lone
    surrogates (`"\\ud83d"`), which UTF-8 cannot encode; each becomes U+FFFD,
    one code unit for one code unit in every position encoding, so later
    positions keep their meaning and the stored bytes are valid UTF-8 (an
    edit can never split a character's bytes)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if not text.isascii() else text


class DocumentError(ValueError):
    """A change that cannot be applied. The changes of the same notification
    before it stay applied (listed in `applied`) and the tree is consistent."""

    applied: list = []


@dataclass(frozen=True)
class TextChange:
    """One content change as it was applied, in byte offsets of the old and
    new text. Region tracking and incremental analysis consume these."""

    start: int
    old_end: int
    new_end: int
    text: str
    full: bool = False
    removed: bytes = b""
    """The old text of [start, old_end): region tracking re-anchors regions
    through replacements and recognises undo/redo and moves with it."""

    @property
    def inserted_bytes(self) -> int:
        return self.new_end - self.start

    @property
    def removed_bytes(self) -> int:
        return self.old_end - self.start


@dataclass(frozen=True)
class RangeSpec:
    """An LSP range in (line, character) form, independent of lsprotocol."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int


class Document:
    __slots__ = ("uri", "language_id", "spec", "version", "source", "lines", "_tree", "_dropped", "budget", "parser", "analysis_cache", "encoding", "extra")

    def __init__(self, uri: str, language_id: str, version: int, text: str, encoding: str = UTF16):
        self.uri = uri
        self.language_id = language_id
        self.spec: LanguageSpec | None = spec_for_lsp_id(language_id) or spec_for_path(uri)
        self.version = version
        self.encoding = encoding
        self.source = client_text(text).encode("utf-8")
        self.lines = LineIndex(self.source)
        self.parser: Parser | None = make_parser(self.spec.id) if self.spec else None
        self._tree: Tree | None = self.parser.parse(self.source) if self.parser and len(self.source) <= MAX_SOURCE_BYTES else None
        self._dropped = False
        self.budget: TreeBudget | None = None
        """The store's budget for trees, if the document is in a store."""
        self.analysis_cache = UnitCache()
        self.extra: dict = {}

    @property
    def tree(self) -> Tree | None:
        """The syntax tree of the present text; a tree the budget dropped is
        parsed again from the text (the same tree: analysis state outside the
        tree, and units whose error recovery could differ, are checked)."""
        if self._tree is None and self._dropped:
            self.tree = self.parser.parse(self.source)
        return self._tree

    @tree.setter
    def tree(self, value: Tree | None) -> None:
        self._tree, self._dropped = value, False
        if self.budget is not None:
            self.budget.touch(self)

    def drop_tree(self) -> None:
        """Free the tree until it is needed again (see TreeBudget)."""
        if self._tree is not None:
            self._tree, self._dropped = None, True

    @property
    def text(self) -> str:
        return self.source.decode("utf-8")

    @property
    def supported(self) -> bool:
        return self.spec is not None

    def offset(self, line: int, character: int) -> int:
        return position_to_offset(self.source, self.lines, line, character, self.encoding)

    def apply_changes(self, version: int, changes: Iterable[tuple[RangeSpec | None, str]]) -> list[TextChange]:
        """Apply changes in order (each relative to the text after the previous one)."""
        applied: list[TextChange] = []
        failure: DocumentError | None = None
        for range_, text in changes:
            try:
                applied.append(self._apply_one(range_, text))
            except DocumentError as exc:
                failure = exc
                break
        if self.parser is not None and applied:
            if len(self.source) > MAX_SOURCE_BYTES:
                self.tree = None  # too large to parse: kept as text only (analyzers/budget.py)
            elif any(change.full for change in applied) or self.tree is None:
                self.tree = self.parser.parse(self.source)
            else:
                old_tree = self.tree
                self.tree = self.parser.parse(self.source, old_tree)
                self.analysis_cache.reparsed((r.start_byte, r.end_byte) for r in old_tree.changed_ranges(self.tree))
        self.version = version
        if failure is not None:
            failure.applied = applied
            raise failure
        return applied

    def _apply_one(self, range_: RangeSpec | None, text: str) -> TextChange:
        text = client_text(text)
        data = text.encode("utf-8")
        if range_ is None:
            old = self.source
            self.analysis_cache.edited(0, len(old), len(data), old.count(b"\n"), data.count(b"\n"))
            self.source = data
            self.lines = LineIndex(self.source)
            return TextChange(0, len(old), len(data), text, full=True, removed=old)
        start = self.offset(range_.start_line, range_.start_character)
        end = self.offset(range_.end_line, range_.end_character)
        if end < start:
            raise DocumentError(
                f"range end ({range_.end_line}:{range_.end_character}) is before its start "
                f"({range_.start_line}:{range_.start_character})"
            )
        old = self.source
        start_point = offset_to_point(old, self.lines, start)
        old_end_point = offset_to_point(old, self.lines, end)
        new_end = start + len(data)
        new_end_point = text_end_point(start_point, data)
        # what tree-sitter is told: the edit, reaching into the next top-level statement
        reach = self._reuse_boundary(old, end) if self.tree is not None else end
        reach_point = offset_to_point(old, self.lines, reach) if reach > end else old_end_point
        self.source = old[:start] + data + old[end:]
        self.lines.update(self.source, start, end, new_end)
        self.analysis_cache.edited(start, end, new_end, old_end_point[0], new_end_point[0])
        if self.tree is not None:
            if reach_point[0] == old_end_point[0]:
                new_reach_point = (new_end_point[0], new_end_point[1] + reach_point[1] - old_end_point[1])
            else:
                new_reach_point = (reach_point[0] + new_end_point[0] - old_end_point[0], reach_point[1])
            self.tree.edit(
                start_byte=start,
                old_end_byte=reach,
                new_end_byte=reach + new_end - end,
                start_point=Point(*start_point),
                old_end_point=Point(*reach_point),
                new_end_point=Point(*new_reach_point),
            )
        return TextChange(start, end, new_end, text, removed=old[start:end])

    def _reuse_boundary(self, old: bytes, end: int) -> int:
        """Where the edit told to tree-sitter should end so that it can reuse
        the top-level statements after an edit: one character into the first
        top-level statement that starts at or after `end`.

        Python's indentation tokens (`_newline`, `_dedent`) are zero-width and
        sit at the end of a statement's last line, at the same offset as the
        next statement. When a reparse re-lexes the end of a statement, it
        checks whether the next old statement can be reused before those
        tokens are lexed again, finds a different external-scanner state,
        skips it, and the same happens at every later statement: one
        character typed re-lexed the whole rest of the file (60 ms in a
        10,000-line module). An edit that reaches into the next statement
        makes tree-sitter re-lex its first token instead, after which the
        scanner states match and the rest is reused. Nothing else changes:
        the widened range is unchanged text, so the new tree is the same."""
        root = self.tree.root_node
        count = root.child_count
        if not count or end >= root.child(count - 1).start_byte:
            return end
        child = root.first_child_for_byte(end)
        while child is not None and (child.start_byte < end or child.end_byte == child.start_byte):
            child = child.next_sibling
        if child is None:
            return end
        reach = child.start_byte + 1
        while reach < len(old) and (old[reach] & 0xC0) == 0x80:
            reach += 1  # never inside a character
        return reach


TREE_BUDGET_BYTES = 1024 * 1024
"""Source bytes whose syntax trees stay in memory across all open documents
(about 42 MB of trees, a tree costs about 40 times its source: some 30,000
lines of Python edited recently)."""


class TreeBudget:
    """Keeps the syntax trees of the most recently edited or opened documents,
    up to `limit` bytes of their source; older documents' trees are dropped
    and parsed again from the text on their next edit or analysis (5 ms for
    1,000 lines). Without it 200 open 1,000-line modules held 250 MB of
    trees. The document being touched always keeps its tree, however large.
    Trees hold no analysis state (analyzers keep plain data), so a tree parsed
    again changes nothing but the time of that one parse."""

    def __init__(self, limit: int = TREE_BUDGET_BYTES):
        self.limit = limit
        self.holders: OrderedDict[int, tuple[Document, int]] = OrderedDict()
        self.total = 0

    def touch(self, doc: Document) -> None:
        held = self.holders.pop(id(doc), None)
        if held is not None:
            self.total -= held[1]
        if doc._tree is not None:
            self.holders[id(doc)] = (doc, len(doc.source))
            self.total += len(doc.source)
        while self.total > self.limit and len(self.holders) > 1:
            _key, (oldest, size) = self.holders.popitem(last=False)
            self.total -= size
            oldest.drop_tree()

    def forget(self, doc: Document) -> None:
        held = self.holders.pop(id(doc), None)
        if held is not None:
            self.total -= held[1]


@dataclass
class DocumentStore:
    documents: dict[str, Document] = field(default_factory=dict)
    budget: TreeBudget = field(default_factory=TreeBudget)

    def open(self, uri: str, language_id: str, version: int, text: str, encoding: str = UTF16) -> Document:
        previous = self.documents.get(uri)
        if previous is not None:
            self.budget.forget(previous)
        doc = Document(uri, language_id, version, text, encoding)
        doc.budget = self.budget
        self.budget.touch(doc)
        self.documents[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self.documents.get(uri)

    def close(self, uri: str) -> Document | None:
        doc = self.documents.pop(uri, None)
        if doc is not None:
            self.budget.forget(doc)
        return doc

    def __len__(self) -> int:
        return len(self.documents)
