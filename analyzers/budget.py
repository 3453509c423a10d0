"""Bounds on the analysis of one file: its size and its time.

draftguard reads code nobody vetted, inside an editor that waits for it. A
file built to be expensive (a 10,000-level nested expression, a generated
module of millions of terms, a 20 MB paste) must cost a bounded amount of
time and memory and end in a clear warning, never a hang:

- a source larger than `MAX_SOURCE_BYTES` is neither parsed nor analysed
  (the CLI skips such files; the server keeps the text and says why it shows
  no findings);
- `time_limit(seconds)` bounds one analysis. Where the platform has interval
  timers and the analysis runs on the main thread (the language server's
  handlers, the CLI's worker processes), an alarm interrupts whatever rule is
  running when the time is up by raising `BudgetExceeded`, a BaseException so
  that no rule's `except Exception` swallows it. Analysis is pure, so
  abandoning it leaves nothing half-done behind. Elsewhere (threads, Windows)
  the limit is not enforced and `enforced` says so.

Deep nesting is the other hostile shape. Tree-sitter queries take time
quadratic in the depth of the tree they search (1,000 levels: milliseconds;
20,000: seconds; 300,000, one line of `1+1+...`: many minutes), inside C code
that no alarm can interrupt. So a query never runs over a statement nested
deeper than `MAX_TREE_DEPTH` levels: `AnalysisContext` raises RecursionError
instead, which the engine reports per rule ("input nested too deeply"), as it
does for rules and helpers that recurse in Python. The callers treat a
RecursionError escaping analysis (module facts) like an exceeded budget.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Larger files are not parsed or analysed (a tree costs ~40x the source in memory)."""
NESTED_TOO_DEEPLY = "input nested too deeply"
"""How the engine reports a rule that hit RecursionError (engine._run_rule)."""
MAX_TREE_DEPTH = 1000
"""Statements nested deeper are not queried (real code stays far below: CPython
itself refuses 200 nested parentheses)."""


def deeper_than(node, limit: int = MAX_TREE_DEPTH) -> bool:
    """Whether the subtree of `node` is more than `limit` levels deep.
    Subtrees too small to reach the limit are skipped whole, so a normal
    1,600-line function costs a walk over its statements, not its nodes."""
    if node.descendant_count <= limit:
        return False
    cursor = node.walk()
    depth = 0
    while True:
        if depth + cursor.node.descendant_count > limit and cursor.goto_first_child():
            depth += 1
            if depth > limit:
                return True
            continue
        while depth == 0 or not cursor.goto_next_sibling():
            if depth == 0 or not cursor.goto_parent():
                return False
            depth -= 1


class BudgetExceeded(BaseException):
    """The analysis ran past its time limit."""

    def __init__(self, seconds: float):
        super().__init__(f"analysis stopped after {seconds:g} s")
        self.seconds = seconds


def can_enforce() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class _Limit:
    __slots__ = ("seconds", "enforced", "armed")

    def __init__(self, seconds: float, enforced: bool):
        self.seconds = seconds
        self.enforced = enforced
        self.armed = enforced


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[_Limit | None]:
    """Raise BudgetExceeded inside the block once `seconds` have passed
    (where `can_enforce()`); None or a non-positive value means no limit."""
    if seconds is None or seconds <= 0:
        yield None
        return
    limit = _Limit(seconds, can_enforce() and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not limit.enforced:  # another thread, another platform, or an outer limit already runs
        yield limit
        return

    def expired(signum, frame) -> None:
        if limit.armed:  # a signal that arrives after the block ends is ignored
            limit.armed = False
            raise BudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield limit
    finally:
        limit.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
