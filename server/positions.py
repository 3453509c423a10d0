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
    """Byte offsets at which each LSP line starts, kept up to date on edits."""

    __slots__ = ("starts", "lone_cr")

    def __init__(self, source: bytes):
        self.starts: list[int] = [0]
        self.lone_cr = False
        self._scan_into(self.starts, source, 0, len(source))

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

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def line_bounds(self, source: bytes, line: int) -> tuple[int, int]:
        """Start and end (before the line break) of `line`."""
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(source)
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
        scan_from = self.starts[first]
        fresh: list[int] = []
        self._scan_into(fresh, new_source, scan_from, min(len(new_source), new_end + 1))
        limit = fresh[-1] if fresh else scan_from
        delta = new_end - old_end
        old = self.starts
        k = bisect_right(old, old_end, first + 1)
        while k < len(old) and old[k] + delta <= limit:
            k += 1
        if delta:
            tail = [s + delta for s in old[k:]]
        else:
            tail = old[k:]
        old[first + 1 :] = fresh + tail


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
        start = index.starts[line]
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
