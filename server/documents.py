"""Open documents: text, line index and an incrementally updated syntax tree.

pygls 2 applies content changes to its own workspace copy before our handler
runs, so we keep our own state: every change is converted on the *old* text
to byte offsets and points and fed to `tree.edit()`. The reparse with the
edited old tree is not done in the change handler: it is pending until
someone needs the tree (`tree` parses to the end) or the analysis task works
on it in slices (`reparse(deadline)`). tree-sitter's error recovery can
reparse as much as the whole file (about 200 ms for 50,000 lines when a
keystroke opens or closes a syntax error); sliced, that never holds the
message loop, and edits made meanwhile are replayed on the tree it gives
rather than starting it again (which, with edits faster than the parse,
would never let it end). While it is pending, `parse_region` parses one
stretch of the new text on its own (a function being typed in: well under a
millisecond) for provisional results (analyzers/incremental.py,
`provisional`).
"""

from __future__ import annotations

import re
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable

from tree_sitter import Node, Parser, Point, Range, Tree

from draftguard.analyzers import UnitCache, make_parser
from draftguard.analyzers.budget import MAX_SOURCE_BYTES
from draftguard.analyzers.incremental import map_span
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


_FRESH, _EDITED = "fresh", "edited"
"""What a pending reparse starts from: nothing, or the edited previous tree."""

_region_parsers: dict[str, Parser] = {}


def _region_parser(language: str) -> Parser:
    """One parser per language for `Document.parse_region`, apart from the
    documents' own (a document's parser may be half-way through a sliced
    parse, which the next call on it would resume)."""
    parser = _region_parsers.get(language)
    if parser is None:
        parser = _region_parsers[language] = make_parser(language)
    return parser


class _Parse:
    """A parse of one text that a deadline may stop and a later call resume
    (tree-sitter keeps its state between the calls), and the tree edits of
    the changes made to the text since it started, to replay on its tree.

    The deadline is tree-sitter's `timeout_micros` on a parse of the bytes.
    (py-tree-sitter 0.26 removed it for a `progress_callback` that only the
    read-callback form of `parse` takes, and that form keeps every chunk the
    callback returns: 30 KB per keystroke in a 1,000-line file, the server
    grew by 300 MB over 10,000 edits.)"""

    __slots__ = ("source", "base", "replay")

    def __init__(self, source: bytes, base: Tree | None):
        self.source = source
        self.base = base
        """The edited previous tree it reuses (None: from scratch). Never edited while the parse is under way."""
        self.replay: list[dict] = []

    def run(self, parser: Parser, deadline: float | None) -> Tree | None:
        """The tree, or None if `deadline` passed first."""
        micros = 0 if deadline is None else max(1, int((deadline - time.perf_counter()) * 1_000_000))
        _set_timeout(parser, micros)
        try:
            return parser.parse(self.source, self.base) if self.base is not None else parser.parse(self.source)
        except ValueError:
            if deadline is not None and time.perf_counter() >= deadline:
                return None  # timed out: the parser keeps its state and the next call resumes
            parser.reset()
            raise
        finally:
            if micros:
                _set_timeout(parser, 0)


def _set_timeout(parser: Parser, micros: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # see _Parse
        parser.timeout_micros = micros


MAX_REPLAY = 256
"""Edits made during one sliced parse beyond which it is abandoned and
started again on the present text (each kept edit costs a `tree.edit`)."""


class Document:
    __slots__ = ("uri", "language_id", "spec", "version", "source", "lines", "_tree", "_pending", "_parse", "budget", "parser", "analysis_cache", "encoding", "extra")

    def __init__(self, uri: str, language_id: str, version: int, text: str, encoding: str = UTF16):
        self.uri = uri
        self.language_id = language_id
        self.spec: LanguageSpec | None = spec_for_lsp_id(language_id) or spec_for_path(uri)
        self.version = version
        self.encoding = encoding
        self.source = client_text(text).encode("utf-8")
        self.lines = LineIndex(self.source)
        self.parser: Parser | None = make_parser(self.spec.id) if self.spec else None
        self._tree: Tree | None = None
        self._pending: str | None = _FRESH if self.parser and len(self.source) <= MAX_SOURCE_BYTES else None
        """None: `_tree` is the tree of the text (or there is none); _FRESH:
        parse the text from scratch; _EDITED: `_tree` was edited, reparse it."""
        self._parse: _Parse | None = None
        """The parse stopped half-way by a deadline, if any (see `reparse`)."""
        self.budget: TreeBudget | None = None
        """The store's budget for trees, if the document is in a store."""
        self.analysis_cache = UnitCache()
        self.extra: dict = {}

    @property
    def tree(self) -> Tree | None:
        """The syntax tree of the present text, reparsed now if an edit left
        it pending; a tree the budget dropped is parsed again from the text
        (the same tree: analysis state outside the tree, and units whose
        error recovery could differ, are checked)."""
        if self._pending is not None:
            self.reparse()
        return self._tree

    @property
    def tree_is_current(self) -> bool:
        """Whether `tree` answers without parsing."""
        return self._pending is None

    @property
    def parse_under_way(self) -> bool:
        """Whether a sliced parse stopped half-way and will resume."""
        return self._parse is not None

    def reparse(self, deadline: float | None = None) -> bool:
        """Bring the tree up to date with the text. With a `deadline`
        (`time.perf_counter()` seconds), stop when it passes and return False;
        the next call resumes where this one stopped. Edits that arrive in
        between do not restart it: the parse finishes on the text it started
        with, their tree edits are replayed on its tree, and a second
        (incremental) parse catches up with them. So a slow reparse (error
        recovery) always ends, however fast the edits come."""
        while self._pending is not None:
            if self._parse is None:
                base = self._tree if self._pending == _EDITED else None
                self._parse = _Parse(self.source, base)
            parse = self._parse
            tree = parse.run(self.parser, deadline)
            if tree is None:
                return False
            self._parse = None
            changed = [(r.start_byte, r.end_byte) for r in parse.base.changed_ranges(tree)] if parse.base is not None else []
            for edit in parse.replay:
                tree.edit(**edit)
                changed = [map_span(lo, hi, edit["start_byte"], edit["old_end_byte"], edit["new_end_byte"]) for lo, hi in changed]
            if parse.base is not None:
                self.analysis_cache.reparsed(changed)
            self._pending = _EDITED if parse.replay else None
            self._set_tree(tree)
        return True

    def _cancel_parse(self) -> None:
        """Forget a parse stopped half-way."""
        if self._parse is not None:
            self.parser.reset()
            self._parse = None

    def _set_tree(self, value: Tree | None) -> None:
        self._tree = value
        if self.budget is not None:
            self.budget.touch(self)

    def drop_tree(self) -> None:
        """Free the tree until it is needed again (see TreeBudget)."""
        if self._tree is not None or self._parse is not None:
            self._cancel_parse()
            self._tree, self._pending = None, _FRESH

    def parse_region(self, start: int, end: int) -> Tree:
        """A tree of bytes [start, end) of the present text alone, with the
        positions they have in the whole text (tree-sitter's included
        ranges). [start, end) should hold whole top-level statements."""
        parser = _region_parser(self.spec.id)
        start_point = offset_to_point(self.source, self.lines, start)
        end_point = offset_to_point(self.source, self.lines, end)
        parser.included_ranges = [Range(Point(*start_point), Point(*end_point), start, end)]
        return parser.parse(self.source)

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
                self._cancel_parse()
                self._pending = None  # too large to parse: kept as text only (analyzers/budget.py)
                self._set_tree(None)
            elif any(change.full for change in applied) or (self._tree is None and self._parse is None):
                self._cancel_parse()
                self._tree, self._pending = None, _FRESH
            elif self._parse is not None and len(self._parse.replay) > MAX_REPLAY:
                self._cancel_parse()  # start again from the edited tree
                self._pending = _EDITED if self._tree is not None else _FRESH
            elif self._parse is None:
                self._pending = _EDITED
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
        edited = self._tree is not None  # else the tree is parsed from scratch
        reach = self._reuse_boundary(old, end) if edited else end
        reach_point = offset_to_point(old, self.lines, reach) if reach > end else old_end_point
        self.source = old[:start] + data + old[end:]
        self.lines.update(self.source, start, end, new_end)
        self.analysis_cache.edited(start, end, new_end, old_end_point[0], new_end_point[0])
        if edited or self._parse is not None:
            if reach_point[0] == old_end_point[0]:
                new_reach_point = (new_end_point[0], new_end_point[1] + reach_point[1] - old_end_point[1])
            else:
                new_reach_point = (reach_point[0] + new_end_point[0] - old_end_point[0], reach_point[1])
            edit = {
                "start_byte": start,
                "old_end_byte": reach,
                "new_end_byte": reach + new_end - end,
                "start_point": Point(*start_point),
                "old_end_point": Point(*reach_point),
                "new_end_point": Point(*new_reach_point),
            }
            if self._parse is not None:
                self._parse.replay.append(edit)  # for the tree the parse under way gives
                if self._tree is not None and self._tree is self._parse.base:
                    self._tree = self._tree.copy()  # the parse reads its base: edit a copy
            if self._tree is not None:
                self._tree.edit(**edit)
        return TextChange(start, end, new_end, text, removed=old[start:end])

    def _reuse_boundary(self, old: bytes, end: int) -> int:
        """Where the edit told to tree-sitter should end: past the rest of
        the top-level statement it is in (or, between statements, the one
        after it), one character into the next one (the end of the file in
        the last one).

        Python's indentation tokens (`_newline`, `_dedent`) are zero-width and
        sit at the end of a statement's last line, at the same offset as the
        next statement. When a reparse re-lexes the end of a statement, it
        checks whether the next old statement can be reused before those
        tokens are lexed again, finds a different external-scanner state,
        skips it, and the same happens at every later statement: one
        character typed re-lexed the whole rest of the file (60 ms in a
        10,000-line module). An edit that reaches into the next statement
        makes tree-sitter re-lex its first token instead, after which the
        scanner states match and the rest is reused.

        Within the edited statement nothing old is reused: where the grammar
        is ambiguous, tree-sitter can otherwise keep an old subtree a fresh
        parse would not build (`*` typed before `cursor.execute(...)` gave
        `call(list_splat(attribute))` instead of a fresh parse's
        `call(attribute(list_splat))`; found by tests/reliability), and
        in a comment or stray text the statement after it is edited too (`*`
        typed before `# note` or `😀` on the line above `cursor.execute(...)`
        makes it one expression). Reparsing
        the rest of one statement costs well under a millisecond for a
        function. Either way only unchanged text is added to the range, so
        the new tree is that of the new text."""
        root = self._tree.root_node
        count = root.child_count
        if not count or end >= root.child(count - 1).start_byte:
            return len(old)
        edited = root.first_child_for_byte(end)  # the statement holding `end`, or the first after it
        while edited is not None and edited.end_byte <= end:
            edited = edited.next_sibling
        while edited is not None and (edited.is_error or edited.is_extra):
            edited = _next_statement(edited)  # a comment or stray text: what is typed there can glue onto the statement after it
        following = _next_statement(edited) if edited is not None else None
        if following is None:
            return len(old)
        reach = following.start_byte + 1
        while reach < len(old) and (old[reach] & 0xC0) == 0x80:
            reach += 1  # never inside a character
        return reach


def _next_statement(node: Node) -> Node | None:
    """The next top-level node that holds any text."""
    node = node.next_sibling
    while node is not None and node.end_byte == node.start_byte:
        node = node.next_sibling
    return node


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
