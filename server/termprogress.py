"""A progress bar on stderr for long scans; silent when stderr is not a terminal.

It appears only after the scan has run for a moment (short scans and
pre-commit runs stay quiet), redraws at most ten times a second, and erases
itself when done so the report that follows starts on a clean line.
"""

from __future__ import annotations

import time
from typing import TextIO

DELAY = 0.5
INTERVAL = 0.1
WIDTH = 28


class ProgressBar:
    def __init__(self, stream: TextIO, total: int, *, enabled: bool = True, delay: float = DELAY):
        isatty = getattr(stream, "isatty", None)
        self.stream = stream
        self.total = total
        self.enabled = enabled and total > 0 and bool(isatty and isatty())
        self.delay = delay
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last_draw < INTERVAL and done < self.total):
            return
        self.last_draw = now
        self.stream.write("\r" + self.line(done, now - self.started) + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def line(self, done: int, elapsed: float) -> str:
        fraction = done / self.total if self.total else 1.0
        filled = int(WIDTH * fraction)
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        bar = "█" * filled + "░" * (WIDTH - filled)
        return f"draftguard {bar} {done}/{self.total} files  {rate:,.0f} files/s  ETA {int(eta) // 60}:{int(eta) % 60:02d}"

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
