"""Move regions with every edit, like editor markers, and detect new ones.

For an edit that replaced old bytes [s, e) with new bytes [s, s + n):

- a region at or after `e` (including an insertion exactly at its start)
  shifts by the size difference;
- a region ending at or before `s` (including an insertion exactly at its
  end) stays: typing next to AI code does not make it AI code;
- an edit strictly inside a region grows or shrinks it; unless the edit only
  moved whitespace or punctuation, or is itself a bulk insert, the region is
  marked `mixed` (a human edited inside);
- an edit that overlaps a region's edge or covers it re-anchors the lost edge
  in the inserted text (exact text, then the same lines whitespace-normalised,
  then, for pure formatting, the same non-whitespace character), else clips
  the region to what survived; a region whose text is all gone is removed and
  its text remembered, so undo, redo and cut-and-paste bring it back.

Each edit costs O(regions) plus the size of the edit; nothing here scans the
document. Bulk inserts follow the rules in `detection`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .detection import (
    BulkRule,
    Edit,
    Fragment,
    RecentRemovals,
    bulk_candidate,
    has_enough_words,
    is_bulk_sized,
    iter_lines,
    same_words,
    stripped_span,
    trim,
)
from .model import AI_PROVENANCES, BULK_INSERT, Region, new_region_id

_NON_WS = re.compile(rb"\S")
_MIN_ANCHOR = 8


def _nth_non_ws(text: bytes, count: int, after: bool) -> int:
    """Offset just before (or after, with `after`) the count-th (1-based)
    non-whitespace byte of `text`; 0 for count 0."""
    if count <= 0:
        return 0
    seen = 0
    for match in _NON_WS.finditer(text):
        seen += 1
        if seen == count:
            return match.end() if after else match.start()
    return len(text)


def locate(old: bytes, new: bytes, start: int, end: int, *, formatting: bool = False) -> tuple[int, int] | None:
    """Where the text old[start:end] is in `new`, or None.

    Exact text first (the occurrence nearest the same relative position), then
    the same non-blank lines with whitespace normalised, then, when the whole
    change was formatting (`formatting`), the same non-whitespace characters.
    Pieces with fewer than 8 non-whitespace bytes only map by formatting.
    """
    piece = old[start:end]
    body = piece.strip()
    if len(re.sub(rb"\s+", b"", body)) >= _MIN_ANCHOR:
        found = _exact(new, body, start + piece.find(body[:1]) if body else start, len(old))
        if found is not None:
            return found
        found = _line_block(new, body)
        if found is not None:
            return found
    if formatting:
        non_ws_before = len(_NON_WS.findall(old, 0, start))
        non_ws_in = len(_NON_WS.findall(old, start, end))
        if non_ws_in == 0:
            return None
        new_start = _nth_non_ws(new, non_ws_before + 1, after=False)
        new_end = _nth_non_ws(new, non_ws_before + non_ws_in, after=True)
        return (new_start, new_end) if new_end > new_start else None
    return None


def _exact(new: bytes, body: bytes, near: int, old_len: int) -> tuple[int, int] | None:
    best = None
    target = near * len(new) // old_len if old_len else 0
    pos = new.find(body)
    while pos >= 0:
        if best is None or abs(pos - target) < abs(best - target):
            best = pos
        pos = new.find(body, pos + 1)
    return None if best is None else (best, best + len(body))


def _line_block(new: bytes, body: bytes) -> tuple[int, int] | None:
    """The same lines (whitespace-normalised, blank lines skipped) in `new`;
    the piece's first and last line may be partial lines."""
    want = [line.strip() for _s, _e, line in iter_lines(body) if line.strip()]
    if not want:
        return None
    have = [(s, e, line.strip(), line) for s, e, line in iter_lines(new) if line.strip()]
    k = len(want)
    for i in range(len(have) - k + 1):
        first, last = have[i], have[i + k - 1]
        if not first[2].endswith(want[0]) or not last[2].startswith(want[-1]):
            continue
        if k > 2 and [h[2] for h in have[i + 1 : i + k - 1]] != want[1:-1]:
            continue
        if k == 1 and want[0] not in first[2]:
            continue
        if k == 1:
            offset = first[3].find(want[0])
            return first[0] + offset, first[0] + offset + len(want[0])
        start = first[0] + first[3].rfind(want[0])
        end = last[0] + last[3].find(want[-1]) + len(want[-1])
        return start, end
    return None


@dataclass
class BatchResult:
    created: list[Region] = field(default_factory=list)
    removed: list[Region] = field(default_factory=list)
    restored: list[Region] = field(default_factory=list)
    marker_text_touched: bool = False
    edits: list[Edit] = field(default_factory=list)
    """The trimmed edits with offsets mapped to the final text."""

    @property
    def regions_changed(self) -> bool:
        return bool(self.created or self.removed or self.restored)


class RegionTracker:
    """The regions of one document, kept sorted by start offset."""

    def __init__(self, rule: BulkRule | None = None):
        self.rule = rule or BulkRule()
        self.regions: list[Region] = []
        self.removals = RecentRemovals()

    # -- queries -------------------------------------------------------------
    def at(self, start: int, end: int | None = None, provenances: Iterable[str] | None = None) -> list[Region]:
        end = start if end is None else end
        wanted = None if provenances is None else set(provenances)
        return [r for r in self.regions if r.intersects(start, end) and (wanted is None or r.provenance in wanted)]

    def add(self, region: Region) -> Region:
        self.regions.append(region)
        self.regions.sort(key=lambda r: (r.start, r.end))
        return region

    def remove(self, region: Region) -> None:
        self.regions = [r for r in self.regions if r is not region]

    def replace_provenance(self, provenance: str, fresh: Sequence[Region]) -> tuple[list[Region], list[Region]]:
        """Swap the regions of one provenance for freshly derived ones, keeping
        identity, `mixed`, creation time and review memory of a fresh region
        that overlaps an old one. Returns (added, dropped)."""
        old = [r for r in self.regions if r.provenance == provenance]
        kept = [r for r in self.regions if r.provenance != provenance]
        added: list[Region] = []
        matched: set[int] = set()
        for region in fresh:
            twin = next((o for o in old if id(o) not in matched and o.intersects(region.start, region.end)), None)
            if twin is not None:
                matched.add(id(twin))
                region.id, region.created_at, region.mixed, region.reviewed_hash = twin.id, twin.created_at, twin.mixed, twin.reviewed_hash
                if (twin.start, twin.end) != (region.start, region.end):
                    added.append(region)
            else:
                added.append(region)
            kept.append(region)
        self.regions = sorted(kept, key=lambda r: (r.start, r.end))
        return added, [o for o in old if id(o) not in matched]

    # -- edits ---------------------------------------------------------------
    def apply(self, changes: Iterable[tuple[int, bytes, bytes]], final_source: bytes) -> BatchResult:
        """Apply the content changes of one notification in order, each as
        (start byte, removed bytes, inserted bytes) relative to the text after
        the previous change; `final_source` is the text after all of them."""
        result = BatchResult()
        pending: list[Region] = []
        for start, removed, inserted in changes:
            edit = trim(start, removed, inserted)
            if edit is None:
                continue
            if b"draftguard" in edit.removed or b"draftguard" in edit.inserted:
                result.marker_text_touched = True
            result.edits = [_shift_edit(e, edit) for e in result.edits]
            result.edits.append(edit)
            span = bulk_candidate(edit, self.rule)
            by_human = _lazy(lambda: span is None and not same_words(edit.removed, edit.inserted))
            fragments = self._track(edit, by_human, result)
            self.removals.remember(edit.removed, fragments)
            if span is not None:
                lines = len(edit.inserted.strip().splitlines())
                region = Region(
                    span[0], span[1], BULK_INSERT,
                    detail=f"one change inserted {lines} line{'s' if lines != 1 else ''} ({len(edit.inserted.decode('utf-8', 'replace'))} characters) at once",
                )
                pending.append(self.add(region))
        for region in pending:
            self._settle(region, final_source, result)
        if not result.marker_text_touched:
            result.marker_text_touched = any(_line_has_marker(final_source, e) for e in result.edits)
        return result

    def _track(self, edit: Edit, by_human: Callable[[], bool], result: BatchResult) -> tuple[Fragment, ...]:
        s, e, n, delta = edit.start, edit.old_end, edit.new_end, edit.delta
        lost: list[Fragment] = []
        survivors: list[Region] = []
        formatting = None
        for r in self.regions:
            a, b = r.start, r.end
            if e <= a:
                if delta:
                    r.start, r.end = a + delta, b + delta
            elif s >= b:
                pass
            elif a <= s and e <= b and not (s == a and e == b):
                r.end = b + delta
                if s == a and edit.inserted[:1].isspace():  # regions never start or end in whitespace
                    r.start = min(n, a + len(edit.inserted) - len(edit.inserted.lstrip()))
                if e == b and edit.inserted[-1:].isspace():
                    r.end = max(r.start, n - (len(edit.inserted) - len(edit.inserted.rstrip())))
                if r.end <= r.start:
                    result.removed.append(r)
                    continue
                r.text_changed(by_human())
                if edit.removed and has_enough_words(edit.removed):
                    lost.append(Fragment(0, len(edit.removed), r.copy(s, e)))
            else:
                lo, hi = max(a, s), min(b, e)
                lost.append(Fragment(lo - s, hi - s, r.copy(lo, hi)))
                new_a = a if a < s else None
                new_b = b + delta if b > e else None
                if new_a is None or new_b is None:
                    if formatting is None:
                        formatting = same_words(edit.removed, edit.inserted)
                    found = locate(edit.removed, edit.inserted, lo - s, hi - s, formatting=formatting) if edit.inserted else None
                    if found is not None:
                        new_a = s + found[0] if new_a is None else new_a
                        new_b = s + found[1] if new_b is None else new_b
                    else:
                        new_a = n if new_a is None else new_a
                        new_b = s if new_b is None else new_b
                if new_b <= new_a:
                    result.removed.append(r)
                    continue
                if not has_enough_words(edit.removed[lo - s : hi - s]):
                    lost.pop()
                r.start, r.end = new_a, new_b
                r.text_changed(by_human())
            survivors.append(r)
        # Nested regions can swap order (an edit at the shared start shrinks the
        # outer one and shifts the inner one); sorting a sorted list is O(n).
        survivors.sort(key=lambda r: (r.start, r.end))
        self.regions = survivors
        return tuple(lost)

    def _settle(self, region: Region, source: bytes, result: BatchResult) -> None:
        """Rule 3 of `detection` for a provisional bulk region, once every
        removal of the notification is known."""
        if not any(r is region for r in self.regions):
            return
        text = source[region.start : region.end]
        restored = self._restore(region.start, text)
        result.restored.extend(restored)
        span = self.removals.new_lines_span(text)
        if span is not None:
            fresh = source[region.start + span[0] : region.start + span[1]]
            if not (is_bulk_sized(fresh, self.rule) or span == (0, len(text))) or not has_enough_words(fresh):
                span = None
        covered = any(
            other is not region and other.provenance in AI_PROVENANCES and other.start <= region.start and region.end <= other.end
            for other in self.regions
        )
        if span is None or covered:
            self.remove(region)
            return
        region.start, region.end = region.start + span[0], region.start + span[1]
        self.regions.sort(key=lambda r: (r.start, r.end))
        result.created.append(region)

    def _restore(self, offset: int, text: bytes) -> list[Region]:
        """Regions whose removed text came back inside `text` (undo, redo, paste)."""
        restored: list[Region] = []
        for removal in self.removals.newest_first():
            for fragment in removal.fragments:
                found = locate(removal.text, text, fragment.start, fragment.end)
                if found is None:
                    continue
                start, end = offset + found[0], offset + found[1]
                if any(r.intersects(start, end) for r in restored):
                    continue
                twin = next((r for r in self.regions if r.id == fragment.region.id), None)
                if twin is not None and twin.start <= end and start <= twin.end:
                    twin.start, twin.end = min(twin.start, start), max(twin.end, end)
                    twin.text_changed(False)
                    restored.append(twin)
                    continue
                region = fragment.region.copy(start, end)
                if twin is not None:
                    region.id = new_region_id()
                restored.append(self.add(region))
        return restored


def _lazy(fn: Callable[[], bool]) -> Callable[[], bool]:
    cache: list[bool] = []

    def get() -> bool:
        if not cache:
            cache.append(fn())
        return cache[0]

    return get


def _shift_edit(old: Edit, later: Edit) -> Edit:
    """An earlier edit's span expressed in the text after a later edit."""
    def move(pos: int) -> int:
        if pos <= later.start:
            return pos
        if pos >= later.old_end:
            return pos + later.delta
        return later.new_end

    return Edit(move(old.start), move(old.start), move(old.new_end), b"", b"")


def _line_has_marker(source: bytes, edit: Edit) -> bool:
    begin = source.rfind(b"\n", 0, edit.start) + 1
    end = source.find(b"\n", edit.new_end)
    return b"draftguard" in source[begin : len(source) if end < 0 else end]


__all__ = ["BatchResult", "RegionTracker", "locate", "stripped_span"]
