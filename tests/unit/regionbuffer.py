"""A text buffer driving a RegionTracker the way the server does, for unit tests."""

from __future__ import annotations

from draftguard.server.regions.detection import BulkRule
from draftguard.server.regions.model import Region
from draftguard.server.regions.tracking import BatchResult, RegionTracker


class Buffer:
    def __init__(self, text: str = "", rule: BulkRule | None = None):
        self.source = text.encode()
        self.tracker = RegionTracker(rule)

    @property
    def regions(self) -> list[Region]:
        return self.tracker.regions

    def texts(self) -> list[str]:
        return [self.source[r.start : r.end].decode() for r in self.regions]

    def offset(self, needle: str, occurrence: int = 0) -> int:
        pos = -1
        for _ in range(occurrence + 1):
            pos = self.source.index(needle.encode(), pos + 1)
        return pos

    def batch(self, *changes: tuple[int, int, str]) -> BatchResult:
        """Apply (start, end, text) changes in order, as one notification."""
        applied = []
        for start, end, text in changes:
            data = text.encode()
            applied.append((start, self.source[start:end], data))
            self.source = self.source[:start] + data + self.source[end:]
        return self.tracker.apply(applied, self.source)

    def replace(self, start: int, end: int, text: str) -> BatchResult:
        return self.batch((start, end, text))

    def insert(self, at: int, text: str) -> BatchResult:
        return self.replace(at, at, text)

    def delete(self, start: int, end: int) -> BatchResult:
        return self.replace(start, end, "")

    def type(self, at: int, text: str) -> None:
        """One change per character, as a person types."""
        for index, char in enumerate(text):
            position = at + len(text[:index].encode())
            self.insert(position, char)

    def set_text(self, text: str) -> BatchResult:
        """A full-document replacement (no range), as some clients send."""
        return self.replace(0, len(self.source), text)
