"""When one content change counts as a bulk insert (AI completion, chat apply, paste).

The editor tells us nothing about who produced a change, so the rules look at
its shape. A content change opens a `bulk-insert` region when:

1. **Size**: the text it inserts, after trimming what it shares with the text
   it replaced at both ends, holds at least `lines` line breaks (default 2)
   or at least `chars` characters (default 60). Typing, auto-closing
   brackets, word completions and Enter with auto-indent stay far below.
2. **New words**: that text brings at least 8 characters of words
   (identifiers, keywords, numbers) the replaced text did not have. Blank
   lines, Enter between braces (`"\\n    \\n"`), bracket pairs and
   formatting that only moves whitespace, quotes, commas and parentheses
   around (format-on-save, even as one whole-document edit) bring none.
3. **Not a restore**: its non-blank lines are not all text removed moments
   ago from the same document (the last 32 removals). Undo and redo of a
   human edit, cut and paste, and moving lines re-insert removed text; when
   the removed text held AI regions they come back with their provenance.
   When only some lines are new, the region covers the new ones.

The server adds two exceptions that need more than the change itself
(`features/regions.py`): a change after which the buffer equals the file on
disk is the editor reloading it (git checkout or pull, an agent writing the
file; the `uncommitted` mode and Agent Trace cover those), and the text of
draftguard's own quick fixes is not AI code.

The region covers the inserted text without its leading and trailing
whitespace. Multi-cursor typing is judged per cursor (one content change
each), which keeps it below the size rule.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Iterator

from .model import Region

MIN_NEW_WORD_CHARS = 8
REMEMBERED_REMOVALS = 32
REMEMBERED_BYTES = 1 << 20
_WORD = re.compile(rb"\w+")
_WS = b" \t\r\n\f\v"


@dataclass(frozen=True)
class BulkRule:
    lines: int = 2
    chars: int = 60


@dataclass(frozen=True, slots=True)
class Edit:
    """A change in UTF-8 bytes: [start, old_end) of the old text became
    [start, new_end) of the new text."""

    start: int
    old_end: int
    new_end: int
    removed: bytes
    inserted: bytes

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


def _common_prefix(a: bytes, b: bytes) -> int:
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while low < high:  # binary search on slice equality: C speed for whole-document changes
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    low, high = 0, limit
    if high and a[len(a) - high :] == b[len(b) - high :]:
        return high
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            low = mid
        else:
            high = mid - 1
    return low


def _char_boundary_back(data: bytes, index: int) -> int:
    while 0 < index < len(data) and (data[index] & 0xC0) == 0x80:
        index -= 1
    return index


def trim(start: int, removed: bytes, inserted: bytes) -> Edit | None:
    """The smallest equivalent edit (None when nothing changes). A client that
    replaces a whole line or the whole document to change one character
    becomes a one-character edit, so every rule sees what really changed."""
    if removed == inserted:
        return None
    prefix = _char_boundary_back(inserted, _char_boundary_back(removed, _common_prefix(removed, inserted)))
    rest_removed, rest_inserted = removed[prefix:], inserted[prefix:]
    suffix = _common_suffix(rest_removed, rest_inserted, min(len(rest_removed), len(rest_inserted)))
    while suffix and (
        (rest_inserted[len(rest_inserted) - suffix] & 0xC0) == 0x80 or (rest_removed[len(rest_removed) - suffix] & 0xC0) == 0x80
    ):
        suffix -= 1
    new_removed = rest_removed[: len(rest_removed) - suffix]
    new_inserted = rest_inserted[: len(rest_inserted) - suffix]
    begin = start + prefix
    return Edit(begin, begin + len(new_removed), begin + len(new_inserted), new_removed, new_inserted)


def _words(text: bytes) -> Counter:
    return Counter(_WORD.findall(text))


def new_word_chars(removed: bytes, inserted: bytes) -> int:
    """Characters of words in `inserted` that `removed` did not have."""
    added = _words(inserted)
    if removed:
        added -= _words(removed)
    return sum(len(word) * count for word, count in added.items())


def same_words(removed: bytes, inserted: bytes) -> bool:
    """Only whitespace and punctuation changed (formatting, quotes, commas)."""
    return _words(removed) == _words(inserted)


def is_bulk_sized(text: bytes, rule: BulkRule) -> bool:
    if text.count(b"\n") >= rule.lines:
        return True
    return len(text) >= rule.chars and len(text.decode("utf-8", "replace")) >= rule.chars


def stripped_span(text: bytes, offset: int = 0) -> tuple[int, int] | None:
    """[start, end) of `text` without leading/trailing whitespace, plus offset."""
    body = text.strip(_WS)
    if not body:
        return None
    lead = len(text) - len(text.lstrip(_WS))
    return offset + lead, offset + lead + len(body)


def bulk_candidate(edit: Edit, rule: BulkRule) -> tuple[int, int] | None:
    """Rules 1 and 2 on one trimmed edit: the span to flag, or None. Rule 3
    needs every removal of the notification, so it runs afterwards."""
    inserted = edit.inserted
    if not inserted or not is_bulk_sized(inserted, rule):
        return None
    if new_word_chars(edit.removed, inserted) < MIN_NEW_WORD_CHARS:
        return None
    return stripped_span(inserted, edit.start)


def has_enough_words(text: bytes) -> bool:
    return new_word_chars(b"", text) >= MIN_NEW_WORD_CHARS


def _norm_line(line: bytes) -> bytes | None:
    """A line as compared for moves and restores, None when it carries no words."""
    stripped = line.strip(_WS)
    return stripped if _WORD.search(stripped) else None


def iter_lines(text: bytes, offset: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, line without its break) for each line of `text`."""
    pos = 0
    while pos <= len(text):
        nl = text.find(b"\n", pos)
        end = len(text) if nl < 0 else nl
        yield offset + pos, offset + end, text[pos:end]
        if nl < 0:
            return
        pos = nl + 1


@dataclass(frozen=True, slots=True)
class Fragment:
    """The part [start, end) of a removed text that belonged to a region."""

    start: int
    end: int
    region: Region


@dataclass
class Removal:
    text: bytes
    fragments: tuple[Fragment, ...] = ()
    _lines: frozenset[bytes] | None = field(default=None, repr=False)

    @property
    def lines(self) -> frozenset[bytes]:
        if self._lines is None:
            self._lines = frozenset(n for _s, _e, line in iter_lines(self.text) if (n := _norm_line(line)) is not None)
        return self._lines


class RecentRemovals:
    """Text removed from one document lately, newest last, bounded in count
    and bytes. Only removals that could later come back as a bulk insert
    (enough words) or that held region text are kept."""

    def __init__(self, max_entries: int = REMEMBERED_REMOVALS, max_bytes: int = REMEMBERED_BYTES):
        self.entries: deque[Removal] = deque()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0

    def remember(self, text: bytes, fragments: tuple[Fragment, ...] = ()) -> None:
        if not fragments and (len(text) < MIN_NEW_WORD_CHARS or not has_enough_words(text)):
            return
        if len(text) > self.max_bytes:
            return
        self.entries.append(Removal(text, fragments))
        self.size += len(text)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            self.size -= len(self.entries.popleft().text)

    def new_lines_span(self, text: bytes) -> tuple[int, int] | None:
        """Span of `text` from its first to its last line that was not removed
        lately (lines without words never count as new); None when all known."""
        known: set[bytes] = set()
        for entry in self.entries:
            known |= entry.lines
        first = last = None
        for start, end, line in iter_lines(text):
            norm = _norm_line(line)
            if norm is None or norm in known:
                continue
            span = stripped_span(line, start)
            if span is None:
                continue
            if first is None:
                first = span[0]
            last = span[1]
        if first is None or last is None:
            return None
        return first, last

    def newest_first(self) -> Iterator[Removal]:
        return reversed(self.entries)
