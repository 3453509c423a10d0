"""Line index and position conversion between LSP and tree-sitter coordinates.

LSP positions are (line, character) where the character counts code units of
the negotiated encoding (UTF-16 by default; UTF-8 and UTF-32 on request) and
lines end at `\\n`, `\\r\\n` or `\\r`. Tree-sitter works in UTF-8 byte offsets and
points (row, byte column) whose rows end only at `\\n`. This module converts
between the two on the document's UTF-8 bytes, without decoding more than the
one line involved.
"""

from __future__ import annotations

import re
from bisect import bisect_right

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_BREAK = re.compile(rb"\r\n|\r|\n")


class LineIndex:
    """Byte offsets at which each LSP line starts, kept up to date on edits.

    The starts live in blocks of about `BLOCK` lines, each with a pending
    shift: an edit rewrites the lines it touches inside one or two blocks and
    adds the size difference to the shift of every later block, so it costs
    O(edit + lines / BLOCK), never a pass over every later line start.
    Lookups bisect the blocks' first starts, then one block.
    """

    __slots__ = ("_blocks", "_shift", "_firsts", "_before", "lone_cr")
    BLOCK = 256

    def __init__(self, source: bytes):
        starts: list[int] = [0]
        self.lone_cr = False
        self._scan_into(starts, source, 0, len(source))
        self._blocks = [starts[i : i + self.BLOCK] for i in range(0, len(starts), self.BLOCK)]
        self._shift = [0] * len(self._blocks)
        self._firsts: list[int] = []
        self._before: list[int] = []
        self._reindex(0)

    def _scan_into(self, out: list[int], source: bytes, begin: int, end: int) -> None:
        if b"\r" not in source[begin:end]:
            pos = source.find(b"\n", begin, end)
            while pos >= 0:
                out.append(pos + 1)
                pos = source.find(b"\n", pos + 1, end)
            return
        for match in _BREAK.finditer(source, begin, end):
            if match.group() == b"\r":
                if match.end() < len(source) and source[match.end() : match.end() + 1] == b"\n":
                    continue  # a \r\n split across the edit boundary; the \n is counted
                self.lone_cr = True
            out.append(match.end())

    def _reindex(self, first_block: int) -> None:
        """Recompute the first start and line count before every block from `first_block` on."""
        blocks, shift = self._blocks, self._shift
        firsts, before = self._firsts, self._before
        del firsts[first_block:], before[first_block:]
        count = before[-1] + len(blocks[first_block - 1]) if first_block else 0
        for i in range(first_block, len(blocks)):
            firsts.append(blocks[i][0] + shift[i])
            before.append(count)
            count += len(blocks[i])

    @property
    def starts(self) -> list[int]:
        """Every line start (materialised: O(lines); for tests and tools)."""
        return [start + shift for block, shift in zip(self._blocks, self._shift) for start in block]

    def __len__(self) -> int:
        return self._before[-1] + len(self._blocks[-1])

    def start_of(self, line: int) -> int:
        """Byte offset at which `line` (0 <= line < len(self)) starts."""
        b = bisect_right(self._before, line) - 1
        return self._blocks[b][line - self._before[b]] + self._shift[b]

    def line_of(self, offset: int) -> int:
        b = bisect_right(self._firsts, offset) - 1
        if b < 0:
            return -1
        return self._before[b] + bisect_right(self._blocks[b], offset - self._shift[b]) - 1

    def line_bounds(self, source: bytes, line: int) -> tuple[int, int]:
        """Start and end (before the line break) of `line`."""
        start = self.start_of(line)
        end = self.start_of(line + 1) if line + 1 < len(self) else len(source)
        if end > start and source[end - 1 : end] == b"\n":
            end -= 1
        if end > start and source[end - 1 : end] == b"\r":
            end -= 1
        return start, end

    def update(self, new_source: bytes, start: int, old_end: int, new_end: int) -> None:
        """Adjust for bytes [start, old_end) having been replaced by [start, new_end).

        Rescans from the start of the line holding the byte before the edit to
        one byte past the inserted text, so `\r` + `\n` pairs joined or split
        at either boundary are counted once; later line starts are shifted.
        """
        first = self.line_of(start - 1) if start > 0 else 0
        scan_from = self.start_of(first)
        fresh: list[int] = []
        self._scan_into(fresh, new_source, scan_from, min(len(new_source), new_end + 1))
        limit = fresh[-1] if fresh else scan_from
        delta = new_end - old_end
        count = len(self)
        k = max(first + 1, self.line_of(old_end) + 1)
        while k < count and self.start_of(k) + delta <= limit:
            k += 1
        self._replace(first + 1, k, fresh, delta)

    def _replace(self, lo: int, hi: int, fresh: list[int], delta: int) -> None:
        """Lines [lo, hi) become the starts `fresh`; lines from `hi` on move by `delta`."""
        blocks, shift, before = self._blocks, self._shift, self._before
        b_lo = max(0, bisect_right(before, lo) - 1)
        b_hi = max(b_lo, bisect_right(before, hi) - 1) if hi < len(self) else len(blocks) - 1
        values: list[int] = []
        for b in range(b_lo, b_hi + 1):
            s = shift[b]
            values.extend([x + s for x in blocks[b]] if s else blocks[b])
        base = before[b_lo]
        tail = values[hi - base :]
        values[lo - base :] = fresh
        values.extend([x + delta for x in tail] if delta else tail)
        size = self.BLOCK
        if b_hi + 1 < len(blocks) and len(values) < size // 4:  # absorb the next block rather than keep a sliver
            b_hi += 1
            values.extend(x + shift[b_hi] + delta for x in blocks[b_hi])
        chunks = [values[i : i + size] for i in range(0, len(values), size)] if len(values) > 2 * size else [values]
        if not chunks[0] and len(blocks) > b_hi - b_lo + 1:
            chunks = []  # other blocks remain; line 0 always exists somewhere
        removed_lines = sum(len(blocks[b]) for b in range(b_lo, b_hi + 1))
        line_delta = sum(len(c) for c in chunks) - removed_lines
        firsts = self._firsts
        after = b_lo + len(chunks)
        blocks[b_lo : b_hi + 1] = chunks
        shift[b_lo : b_hi + 1] = [0] * len(chunks)
        firsts[b_lo : b_hi + 1] = [c[0] for c in chunks]
        counts, running = [], before[b_lo]
        for chunk in chunks:
            counts.append(running)
            running += len(chunk)
        before[b_lo : b_hi + 1] = counts
        if delta:
            shift[after:] = [x + delta for x in shift[after:]]
            firsts[after:] = [x + delta for x in firsts[after:]]
        if line_delta:
            before[after:] = [x + line_delta for x in before[after:]]


def _clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value


def position_to_offset(source: bytes, index: LineIndex, line: int, character: int, encoding: str = UTF16) -> int:
    """Byte offset of an LSP position; out-of-range positions are clamped
    to the document (as the LSP specification asks for past-the-end
    characters), and a position inside a UTF-16 surrogate pair or a UTF-8
    sequence rounds down to the character's start."""
    if line < 0:
        return 0
    if line >= len(index):
        return len(source)
    start, end = index.line_bounds(source, line)
    if character <= 0:
        return start
    raw = source[start:end]
    if raw.isascii():
        return start + min(character, len(raw))
    if encoding == UTF8:
        offset = min(character, len(raw))
        while offset > 0 and offset < len(raw) and (raw[offset] & 0xC0) == 0x80:
            offset -= 1
        return start + offset
    text = raw.decode("utf-8", "surrogateescape")
    if encoding == UTF32:
        return start + len(text[:character].encode("utf-8", "surrogateescape"))
    units = 0
    for i, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > character:
            return start + len(text[:i].encode("utf-8", "surrogateescape"))
        units += width
    return end


def offset_to_position(source: bytes, index: LineIndex, offset: int, encoding: str = UTF16) -> tuple[int, int]:
    offset = _clamp(offset, 0, len(source))
    line = index.line_of(offset)
    start, end = index.line_bounds(source, line)
    offset = min(offset, end)
    raw = source[start:offset]
    if raw.isascii() or encoding == UTF8:
        return line, len(raw)
    text = raw.decode("utf-8", "surrogateescape")
    if encoding == UTF32:
        return line, len(text)
    return line, sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def offset_to_point(source: bytes, index: LineIndex, offset: int) -> tuple[int, int]:
    """Tree-sitter point (row by `\\n` only, byte column) of a byte offset."""
    if not index.lone_cr:
        line = index.line_of(offset)
        start = index.start_of(line)
        # with \r\n endings the LSP line start equals the ts row start
        return line, offset - start
    row = source.count(b"\n", 0, offset)
    line_start = source.rfind(b"\n", 0, offset) + 1
    return row, offset - line_start


def text_end_point(start_point: tuple[int, int], text: bytes) -> tuple[int, int]:
    """Point after inserting `text` at `start_point`."""
    newlines = text.count(b"\n")
    if not newlines:
        return start_point[0], start_point[1] + len(text)
    return start_point[0] + newlines, len(text) - (text.rfind(b"\n") + 1)
