"""Prefilter triggers of JavaScript rules, from the dotted names they match.

A rule that matches `child_process.exec` or `*.query` (common/names.py)
runs only on units containing one of its triggers (analyzers/prefilter.py).
Every part of a name a unit resolves is visible to the prefilter:

- written in the unit: `cp.exec`, `cp["exec"]`, `cp?.exec`, or a
  `require("child_process")` in the unit's own functions (`local_requires`),
  whose module string and destructured keys are in the text;
- or, when the first part is a name a top-level import binds, in that
  import's target (`run` -> `child_process.exec` after `import { exec as run }`,
  `cp` -> `child_process`): the `trigger_aliases` fact
  (javascript/imports.py) lists every such name whose target triggers rules
  that its own text does not, and a unit using it runs them.

So any explicit part of a pattern is a sound trigger. `last_parts` names the
function or method (`exec`, `query`); `first_parts` names the module
(`fs` for `fs.rm`, `axios` for `axios.get`), for tables whose last parts are
everyday words (`get`, `open`, `join`). ES-module interop adds a `default`
member (`node-fetch.default`), which names nothing: the part before it is
taken instead.
"""

from __future__ import annotations

from typing import Iterable


def _parts(name: str) -> list[str]:
    parts = [p for p in name.split(".") if p not in ("*", "")]
    while len(parts) > 1 and parts[-1] == "default":
        parts.pop()
    return parts


def last_parts(*tables: Iterable[str]) -> tuple[str, ...]:
    """The last part of each dotted name or `*.`-pattern in the tables."""
    return tuple(sorted({parts[-1] for table in tables for name in table if (parts := _parts(name))}))


def first_parts(*tables: Iterable[str]) -> tuple[str, ...]:
    """The first explicit part of each dotted name or `*.`-pattern (the
    module of `fs/promises.rm`, `location` of `*.location.assign`)."""
    return tuple(sorted({parts[0] for table in tables for name in table if (parts := _parts(name))}))


def shared_parts(*tables: Iterable[str]) -> tuple[str, ...]:
    """The parts every name in the tables has (`location` of `location.href`
    and `*.location.assign`); a table without one has no such trigger."""
    sets = [set(_parts(name)) for table in tables for name in table]
    common = set.intersection(*sets) if sets else set()
    if not common:
        raise ValueError("the names share no part: give each its own trigger")
    return tuple(sorted(common))
