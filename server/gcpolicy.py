"""Keep Python's cyclic garbage collector out of the keystroke path.

A full (generation 2) collection visits every container object the process
holds. The analysis state of an open 50,000-line document is about 120,000
such objects (fact parts, findings, per-unit records), so one full collection
took 150 ms, and CPython starts one whenever the objects that survived since
the last one reach a quarter of the long-lived total: every few hundred
keystrokes, one of them waited for it.

Almost all of that state is made by the first analysis of a document and then
lives as long as the document, replaced a unit at a time by later edits (the
replaced objects are freed by reference counting, the collector never has to
find them). So after an analysis that built a lot of state, `settled()`
freezes every object alive (`gc.freeze()`, constant time): later collections
only look at what was made since. Frozen objects that become unreachable in a
cycle would never be collected, so `released()` (a document was closed) thaws
everything, collects once, and freezes again what is still alive.

Start-up is the same story in small: importing draftguard and loading its
rules makes tens of thousands of objects that live as long as the process,
and the collections they trigger find nothing to free. For the program's
short-lived commands (`launch.py`; not the language server, whose imports
leave garbage it must collect, nor a test or tool that imports draftguard)
`loading()` keeps the collector off while that happens and freezes the
result: about 230 -> 217 ms for `draftguard check` of a one-line project.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

FREEZE_AFTER_UNITS = 256
"""An analysis that analysed at least this many top-level statements (a large
document opened, settings changed) freezes what is alive afterwards."""


def settled(units_analyzed: int) -> None:
    """An analysis finished, having analysed `units_analyzed` units."""
    if units_analyzed >= FREEZE_AFTER_UNITS:
        gc.freeze()


def released() -> None:
    """A document was closed: let the collector see its objects."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
        gc.freeze()



_PROGRAM = False


def start_program() -> None:
    """This process is the draftguard program, not a host that imports it
    (tests, tools): what its start-up loads lives as long as the process."""
    global _PROGRAM
    _PROGRAM = True


@contextmanager
def loading() -> Iterator[None]:
    """Importing modules, loading rules: no collection inside the block (it
    would find nothing to free). In the program, what is alive afterwards is
    frozen; otherwise the first collection after the block would visit all
    of it. The collector is on again afterwards if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _PROGRAM:
            gc.freeze()
        if enabled:
            gc.enable()
