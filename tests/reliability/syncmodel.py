"""Reference models for differential testing of incremental sync.

The server keeps each open document as UTF-8 bytes with a line index and an
incrementally edited tree-sitter tree, and moves AI regions with every edit.
These models do the same job the slow, obvious way so a fuzzer can compare:

- `TextModel` applies LSP content changes to a Python `str`, counting
  positions in the negotiated encoding (UTF-16 code units by default) over
  lines broken at `\\n`, `\\r\\n` and `\\r` only, clamping out-of-range
  positions the way the server promises (past a line's end: the line's end;
  past the last line: the document's end; negative: the start) and rounding a
  position inside a character (a UTF-16 surrogate pair, a UTF-8 sequence)
  down to the character's start.
- `tree_signature` lists every node of a tree with its type, flags, byte
  range and points, so an incrementally edited tree can be compared with a
  fresh parse node by node, not only through its s-expression.
- `RegionModel` follows each AI region like an editor marker, but only
  through edits that do not come near it: such a region must keep its
  identity and exactly its text. Whatever the tracker decides about regions
  an edit touches is taken over, and every region must stay inside the
  document, non-empty and sorted.

The soak script (`bench/soak.py`) runs the same models for far longer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from draftguard.server.documents import Document, DocumentError, RangeSpec, TextChange
from draftguard.server.positions import UTF8, UTF16, UTF32, LineIndex

_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Pieces that make position conversion and parsing interesting: every line
# break kind, tabs, astral characters (two UTF-16 units, four UTF-8 bytes),
# combining sequences, CJK, ZWJ emoji, lone surrogates (a JSON string may
# carry them), NUL, Unicode line separators LSP does not treat as breaks, and
# Python syntax that opens and closes nesting.
PIECES: tuple[str, ...] = (
    "a", "b", "x", " ", "  ", "\t", "\n", "\r\n", "\r", "\r\r\n", "\n\r",
    "😀", "🎉x", "中文", "漢字", "é", "e\u0301", "n\u0303\u0301", "👨\u200d👩\u200d👧", "\u2028", "\u0085", "\x0c",
    "\ud83d", "\ude00", "\x00", "(", ")", "[", "]", "{", "}", "'", '"', '"""', "#", ":", ",", "\\",
    "x = 1\n", "def f(a, b):\n    ", "return a\n", "if x:\n    pass\n", "class K:\n", "import os\n",
    "f\"{a}\"", "# draftguard: ai-begin\n", "# draftguard: ai-end\n",
    "cursor.execute(\"SELECT * FROM t WHERE id=\" + uid)\n",
    "subprocess.run(cmd, shell=True)\n",
)


def sanitise(text: str) -> str:
    """What the server stores for text from a client: lone surrogates (which
    a JSON string may carry) become U+FFFD, one code unit for one code unit,
    so positions keep their meaning and the stored bytes are valid UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _width(ch: str, encoding: str) -> int:
    if encoding == UTF16:
        return 2 if ord(ch) > 0xFFFF else 1
    if encoding == UTF8:
        return len(ch.encode("utf-8", "surrogatepass"))
    return 1


class TextModel:
    """A document as a Python string, edited the obvious way."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = sanitise(text)
        self.encoding = encoding

    def line_starts(self) -> list[int]:
        return [0] + [m.end() for m in _BREAK.finditer(self.text)]

    def line_count(self) -> int:
        return len(self.line_starts())

    def line_units(self, line: int) -> int:
        """Length of `line` (without its break) in code units."""
        starts = self.line_starts()
        if not 0 <= line < len(starts):
            return 0
        return sum(_width(ch, self.encoding) for ch in self._body(starts, line)[1])

    def _body(self, starts: list[int], line: int) -> tuple[int, str]:
        start = starts[line]
        end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        body = self.text[start:end]
        if body.endswith("\r\n"):
            body = body[:-2]
        elif body.endswith(("\r", "\n")):
            body = body[:-1]
        return start, body

    def index(self, line: int, character: int) -> int:
        """String index of an LSP position, clamped and rounded down."""
        starts = self.line_starts()
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self.text)
        start, body = self._body(starts, line)
        if character <= 0:
            return start
        units = 0
        for i, ch in enumerate(body):
            width = _width(ch, self.encoding)
            if units + width > character:
                return start + i
            units += width
        return start + len(body)

    def apply(self, range_: RangeSpec | None, new: str) -> None:
        """Apply one change; DocumentError (text unchanged) for an inverted range."""
        new = sanitise(new)
        if range_ is None:
            self.text = new
            return
        a = self.index(range_.start_line, range_.start_character)
        b = self.index(range_.end_line, range_.end_character)
        if b < a:
            raise DocumentError("range end before start")
        self.text = self.text[:a] + new + self.text[b:]

    def apply_all(self, changes: Sequence[tuple[RangeSpec | None, str]]) -> int:
        """Apply changes in order up to the first inverted one; how many applied."""
        for count, (range_, new) in enumerate(changes):
            try:
                self.apply(range_, new)
            except DocumentError:
                return count
        return len(changes)


# -- trees ------------------------------------------------------------------------
def tree_signature(tree) -> list[tuple]:
    """Every node in document order: type, named/missing/error flags, field
    name, byte range and points. Iterative, so deep trees are fine."""
    out: list[tuple] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        out.append(
            (
                cursor.depth, node.type, node.is_named, node.is_missing, node.is_error, cursor.field_name,
                node.start_byte, node.end_byte, tuple(node.start_point), tuple(node.end_point),
            )
        )
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def first_difference(a: list[tuple], b: list[tuple]) -> str | None:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"node {i}: incremental {x} != fresh {y}"
    if len(a) != len(b):
        return f"incremental tree has {len(a)} nodes, fresh parse {len(b)}"
    return None


def check_document(doc: Document, model: TextModel, tree: bool = True) -> None:
    """The document's text, line index and (unless `tree` is false) tree against
    the model and a fresh parse."""
    assert doc.text == model.text, "document text differs from the reference model"
    assert doc.source == model.text.encode("utf-8"), "stored bytes are not the model's UTF-8"
    fresh_index = LineIndex(doc.source)
    assert doc.lines.starts == fresh_index.starts, "line index differs from a fresh scan"
    assert doc.lines.starts == [len(model.text[:i].encode("utf-8")) for i in model.line_starts()]
    if doc.tree is not None and tree:
        assert doc.tree.root_node.end_byte <= len(doc.source)
        fresh = doc.parser.parse(doc.source)
        problem = first_difference(tree_signature(doc.tree), tree_signature(fresh))
        assert problem is None, problem


# -- regions ----------------------------------------------------------------------
@dataclass
class _Marker:
    start: int
    end: int
    touched: bool = False


class RegionModel:
    """Regions as editor markers, for the edits that keep away from them."""

    def __init__(self, regions: Iterable) -> None:
        self.markers: dict[str, _Marker] = {}
        self.texts: dict[str, bytes] = {}
        self.sync(regions, b"")

    def sync(self, regions: Iterable, source: bytes) -> None:
        """Take over the tracker's regions (after checking them)."""
        self.markers = {r.id: _Marker(r.start, r.end) for r in regions}
        self.texts = {r.id: source[r.start : r.end] for r in regions}

    def edit(self, change: TextChange) -> None:
        s, e, delta = change.start, change.old_end, change.new_end - change.old_end
        for marker in self.markers.values():
            if marker.touched:
                continue
            if e < marker.start:
                marker.start += delta
                marker.end += delta
            elif s > marker.end:
                pass
            else:  # overlaps or touches an edge: the tracker decides
                marker.touched = True

    def check(self, regions: Sequence, source: bytes) -> None:
        previous = None
        for region in regions:
            assert 0 <= region.start < region.end <= len(source), f"region {region.id} [{region.start}, {region.end}) outside a {len(source)}-byte document"
            key = (region.start, region.end)
            assert previous is None or previous <= key, "regions are not sorted"
            previous = key
        by_id = {r.id: r for r in regions}
        for ident, marker in self.markers.items():
            if marker.touched:
                continue
            region = by_id.get(ident)
            assert region is not None, f"region {ident} vanished although no edit came near it"
            assert (region.start, region.end) == (marker.start, marker.end), (
                f"region {ident} at [{region.start}, {region.end}), reference [{marker.start}, {marker.end})"
            )
            assert source[region.start : region.end] == self.texts[ident], f"text of untouched region {ident} changed"
        self.sync(regions, source)


ENCODINGS = (UTF16, UTF8, UTF32)
