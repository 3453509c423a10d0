"""The top-level units of one document, as last analysed, kept in step with edits.

Each `Entry` is one top-level statement with its byte span, its start row and
what was computed for it (fact parts, findings, what it read from the facts).
Entries live in small blocks that carry a pending (byte, row) shift, so an
edit removes the entries it touches and moves every later entry in
O(edit + units / BLOCK): the later blocks only get their shift bumped.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterator


class Entry:
    """One analysed top-level unit. `start`, `end` and `row` are stored
    relative to the block's pending shift; use `UnitList.span()`."""

    __slots__ = ("start", "end", "row", "block", "key", "parts", "part_seen", "findings", "seen", "errors", "out", "out_at", "kept", "pinned")

    def __init__(self, start: int, end: int, row: int, key: tuple):
        self.start, self.end, self.row = start, end, row
        self.block: _Block | None = None
        self.key = key
        """(text of its line before it, its own text): equal keys analyse alike under equal facts."""
        self.parts: list[Any] = []
        """One fact part per unit provider, in provider order."""
        self.part_seen: list[dict | None] = []
        """What each stage-1+ provider read from the facts while computing the part."""
        self.findings: tuple = ()
        """Findings relative to the unit's start byte and row, sorted, overrides applied."""
        self.seen: dict = {}
        """What the rules read from the facts."""
        self.errors: tuple[str, ...] = ()
        self.out: tuple = ()
        self.out_at: tuple | None = None
        """The findings made absolute, and the (start, row, epoch) they were made for."""
        self.kept: tuple | None = None
        """(output key, which findings no comment suppresses): the same after a
        move, until the unit or the line above it changes."""
        self.pinned = False
        """A finding refers to a place outside the unit (a line number, a fix
        edit): the results hold only where they were computed."""


class _Block:
    __slots__ = ("entries", "dbyte", "drow", "flagged")

    def __init__(self, entries: list[Entry], dbyte: int = 0, drow: int = 0):
        self.entries = entries
        self.dbyte, self.drow = dbyte, drow
        for entry in entries:
            entry.block = self
        self.flagged: list[Entry] = [e for e in entries if e.findings]


class UnitList:
    """Entries in document order; spans never overlap."""

    BLOCK = 64

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.firsts: list[int] = []
        """Absolute start of each block's first entry."""

    # -- reading ------------------------------------------------------------------
    def __iter__(self) -> Iterator[Entry]:
        for block in self.blocks:
            yield from block.entries

    def __len__(self) -> int:
        return sum(len(b.entries) for b in self.blocks)

    @staticmethod
    def span(entry: Entry) -> tuple[int, int, int]:
        """Absolute (start byte, end byte, start row)."""
        block = entry.block
        return entry.start + block.dbyte, entry.end + block.dbyte, entry.row + block.drow

    def flagged(self) -> Iterator[Entry]:
        """Entries with findings, in document order."""
        for block in self.blocks:
            yield from block.flagged

    def overlapping(self, lo: int, hi: int) -> list[Entry]:
        """Entries whose span [start, end] meets [lo, hi] (both inclusive)."""
        b = bisect_right(self.firsts, hi) - 1
        found: list[Entry] = []
        while b >= 0:
            block = self.blocks[b]
            shift = block.dbyte
            entries = block.entries
            i = len(entries) - 1
            while i >= 0 and entries[i].start + shift > hi:
                i -= 1
            while i >= 0:
                entry = entries[i]
                if entry.end + shift < lo:
                    return found[::-1]
                found.append(entry)
                i -= 1
            b -= 1
        return found[::-1]

    def before(self, offset: int) -> Entry | None:
        """The last entry ending before `offset`."""
        b = bisect_right(self.firsts, offset) - 1
        while b >= 0:
            block = self.blocks[b]
            for entry in reversed(block.entries):
                if entry.end + block.dbyte < offset:
                    return entry
            b -= 1
        return None

    def after(self, offset: int) -> Entry | None:
        """The first entry starting after `offset`."""
        b = max(0, bisect_right(self.firsts, offset) - 1)
        while b < len(self.blocks):
            block = self.blocks[b]
            for entry in block.entries:
                if entry.start + block.dbyte > offset:
                    return entry
            b += 1
        return None

    # -- changing -------------------------------------------------------------------
    def reset(self, entries: list[Entry]) -> None:
        """Replace everything with `entries` (absolute positions, in order)."""
        for block in self.blocks:
            for entry in block.entries:
                entry.block = None  # no cycle left behind (entries of a dropped block pointed at it)
        size = self.BLOCK
        self.blocks = [_Block(entries[i : i + size]) for i in range(0, len(entries), size)]
        self.firsts = [b.entries[0].start for b in self.blocks]

    def shift(self, offset: int, dbyte: int, drow: int) -> None:
        """Move every entry that starts after `offset` by (dbyte, drow)."""
        if not (dbyte or drow) or not self.blocks:
            return
        b = max(0, bisect_right(self.firsts, offset) - 1)
        block = self.blocks[b]
        if block.entries[0].start + block.dbyte > offset:
            b -= 1  # every entry of block b moves: bump it with the later ones
        else:
            for entry in block.entries:
                if entry.start + block.dbyte > offset:
                    entry.start += dbyte
                    entry.end += dbyte
                    entry.row += drow
        for later in range(b + 1, len(self.blocks)):
            block = self.blocks[later]
            block.dbyte += dbyte
            block.drow += drow
        if dbyte:
            self.firsts[b + 1 :] = [x + dbyte for x in self.firsts[b + 1 :]]

    def remove(self, entries: list[Entry]) -> None:
        touched: dict[int, _Block] = {}
        for entry in entries:
            block = entry.block
            block.entries.remove(entry)
            entry.block = None  # no longer in the document
            touched[id(block)] = block
        for block in touched.values():
            block.flagged = [e for e in block.entries if e.findings]
        self._drop_empty()

    def insert(self, entry: Entry, start: int, end: int, row: int) -> None:
        """Add an entry at absolute (start, end, row); it must not overlap another."""
        if not self.blocks:
            entry.start, entry.end, entry.row = start, end, row
            self.blocks = [_Block([entry])]
            self.firsts = [start]
            return
        b = max(0, bisect_right(self.firsts, start) - 1)
        block = self.blocks[b]
        entry.start, entry.end, entry.row = start - block.dbyte, end - block.dbyte, row - block.drow
        entry.block = block
        starts = [e.start for e in block.entries]
        block.entries.insert(bisect_right(starts, entry.start), entry)
        if entry.findings:
            block.flagged = [e for e in block.entries if e.findings]
        self.firsts[b] = block.entries[0].start + block.dbyte
        if len(block.entries) > 2 * self.BLOCK:
            half = len(block.entries) // 2
            tail = _Block(block.entries[half:], block.dbyte, block.drow)
            block.entries = block.entries[:half]
            block.flagged = [e for e in block.entries if e.findings]
            self.blocks.insert(b + 1, tail)
            self.firsts.insert(b + 1, tail.entries[0].start + tail.dbyte)

    def refresh(self, entry: Entry) -> None:
        """Call after an entry's findings changed in place."""
        block = entry.block
        block.flagged = [e for e in block.entries if e.findings]

    def _drop_empty(self) -> None:
        if any(not b.entries for b in self.blocks):
            self.blocks = [b for b in self.blocks if b.entries]
        self.firsts = [b.entries[0].start + b.dbyte for b in self.blocks]
