"""Module facts: what rules need to know about the whole file.

Rules run one top-level statement (a "unit") at a time so their findings can be
cached per unit. Whatever a rule needs from outside its unit (imports, module
constants, helper-function summaries) comes from these facts. Facts are plain,
JSON-able data (never tree nodes, which go stale, and never byte offsets, which
move), read by rules through `ctx.facts.get(name)`.

Facts are built per unit so that an edit recomputes only what it touched:
a provider registered with `register_unit_facts` returns the *part* one unit
contributes (or None) and a `combine` function folds the parts of every unit,
in document order, into named facts. Parts are cached with their unit, and
the engine recombines a provider's facts only when a part changed. Providers
of `stage` 1 and later may read the facts of earlier stages (helper summaries
need the imports); the engine records what they read, like it does for rules
(see `factdeps`), and recomputes their part when that changed.

`register_facts` (a function of the whole file) still works, but it runs on
every analysis: a whole-file provider makes every keystroke O(file). Prefer a
unit provider.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

from tree_sitter import Node

FactsProvider = Callable[[bytes, Node], dict[str, Any]]
DerivedFactsProvider = Callable[[bytes, Node, "ModuleFacts"], dict[str, Any]]
UnitPart = Callable[[bytes, Node, Any], Any]
UnitKeys = Callable[[bytes, Node, Any], Iterable[str]]
Combine = Callable[[list[Any]], dict[str, Any]]
_PROVIDERS: dict[str, list[FactsProvider]] = {}
_DERIVED: dict[str, list[DerivedFactsProvider]] = {}
_UNIT_PROVIDERS: dict[str, list["UnitFacts"]] = {}


@dataclass(frozen=True, eq=False)
class UnitFacts:
    """A fact provider that works one unit at a time.

    `part(source, unit, facts)` returns plain data about one top-level
    statement (it may look anywhere inside the unit, never outside it), or
    None when the unit contributes nothing. `facts` holds the facts of earlier
    stages. `combine(parts)` receives the non-None parts in document order and
    returns the facts by name.
    """

    name: str
    part: UnitPart
    combine: Combine
    stage: int = 0
    keyed: str | None = None
    """For providers whose parts are dicts merged into one fact named `keyed`
    (later units win, like helper summaries by name): the engine updates that
    fact entry by entry instead of recombining every part."""
    keys: UnitKeys | None = None
    """For keyed providers: the keys a unit's part may hold, cheaply (names,
    no analysis). A whole-file analysis then computes a part only when one
    of its keys is read (`LazyKeyedFact`)."""
    eager_only: bool = False
    """Facts that only narrow what a keyed provider computes ahead of time
    (which helpers the engine summarises: those some call names). A lazy
    whole-file analysis computes a keyed entry only when a rule reads it, so
    it leaves these out (`compute_facts(lazy=True)`)."""


def register_unit_facts(
    family: str,
    *,
    combine: Combine | None = None,
    stage: int = 0,
    keyed: str | None = None,
    keys: UnitKeys | None = None,
    eager_only: bool = False,
) -> Callable[[UnitPart], UnitPart]:
    """Register a unit provider; give `combine`, or `keyed` (see UnitFacts)."""
    if (combine is None) == (keyed is None):
        raise TypeError("register_unit_facts needs either combine= or keyed=")
    if keys is not None and keyed is None:
        raise TypeError("keys= is for keyed providers")

    def decorator(fn: UnitPart) -> UnitPart:
        providers = _UNIT_PROVIDERS.setdefault(family, [])
        merge = combine if combine is not None else _merge_keyed(keyed)  # type: ignore[arg-type]
        providers.append(UnitFacts(f"{fn.__module__}.{fn.__qualname__}", fn, merge, stage, keyed, keys, eager_only))
        providers.sort(key=lambda p: p.stage)
        return fn

    return decorator


def _merge_keyed(name: str) -> Combine:
    def combine(parts: list[dict]) -> dict[str, Any]:
        merged: dict = {}
        for part in parts:
            merged.update(part)
        return {name: merged}

    return combine


def unit_providers(family: str) -> list[UnitFacts]:
    return _UNIT_PROVIDERS.get(family, [])


def register_facts(family: str) -> Callable[[FactsProvider], FactsProvider]:
    """A provider of the whole file; runs on every analysis (see the module docstring)."""

    def decorator(fn: FactsProvider) -> FactsProvider:
        _PROVIDERS.setdefault(family, []).append(fn)
        return fn

    return decorator


def register_derived_facts(family: str) -> Callable[[DerivedFactsProvider], DerivedFactsProvider]:
    """Whole-file facts computed from every other fact. They run after every
    other provider and see its results (never each other's)."""

    def decorator(fn: DerivedFactsProvider) -> DerivedFactsProvider:
        _DERIVED.setdefault(family, []).append(fn)
        return fn

    return decorator


class ModuleFacts:
    """Read-only mapping of fact name to value, with a content fingerprint."""

    __slots__ = ("data", "_fingerprint", "_members", "project_key")

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._fingerprint: str | None = None
        self._members: dict[str, frozenset] = {}
        self.project_key: str | None = None
        """The fingerprint of the dependency picture rules see with these
        facts (not a fact: rules read the picture as `ctx.project`, and
        the read is recorded as `factdeps.PROJECT`)."""

    @property
    def fingerprint(self) -> str:
        """A digest of every fact (computed on first use: it is O(facts))."""
        if self._fingerprint is None:
            encoded = json.dumps(self.data, sort_keys=True, default=_jsonable).encode("utf-8")
            self._fingerprint = hashlib.blake2b(encoded, digest_size=16).hexdigest()
        return self._fingerprint

    def members(self, key: str) -> frozenset:
        """The values of a list-like fact as a set, for O(1) membership tests."""
        found = self._members.get(key)
        if found is None:
            value = self.data.get(key, ())
            found = self._members[key] = frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else frozenset()
        return found

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, LazyKeyedFact):
        return dict(value.items())
    raise TypeError(f"module facts must be plain data, got {type(value).__name__}")


def whole_file_facts(family: str, source: bytes, root: Node) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for provider in _PROVIDERS.get(family, ()):
        data.update(provider(source, root))
    return data


def derived_facts(family: str, source: bytes, root: Node, base: ModuleFacts) -> ModuleFacts:
    derived = _DERIVED.get(family, ())
    if not derived:
        return base
    extra: dict[str, Any] = {}
    for provider in derived:
        extra.update(provider(source, root, base))
    return ModuleFacts({**base.data, **extra})


def compute_facts(family: str, source: bytes, root: Node, *, lazy: bool = True) -> ModuleFacts:
    """Every fact of a file, from scratch. `lazy=False` computes them as the
    engine does, ahead of time (it does the same work incrementally and must
    always agree with this). `lazy=True`, for a whole-file analysis, makes
    keyed facts that declare their keys `LazyKeyedFact`s and leaves out the
    `eager_only` facts that only narrow what is computed ahead of time: a
    rule reads the same entries either way."""
    data = whole_file_facts(family, source, root)
    units = [unit for unit in root.children if unit.end_byte > unit.start_byte]
    for stage in stages(family):
        facts = ModuleFacts(dict(data))
        for provider in stage:
            if lazy and provider.eager_only:
                continue
            if lazy and provider.keyed is not None and provider.keys is not None:
                data[provider.keyed] = LazyKeyedFact(provider, source, units, facts)
                continue
            parts = [p for p in (provider.part(source, unit, facts) for unit in units) if p is not None]
            data.update(provider.combine(parts))
    return derived_facts(family, source, root, ModuleFacts(data))


def stages(family: str) -> list[list[UnitFacts]]:
    """Unit providers grouped by stage, in stage order: a stage sees the facts
    of the stages before it, never its own."""
    grouped: dict[int, list[UnitFacts]] = {}
    for provider in unit_providers(family):
        grouped.setdefault(provider.stage, []).append(provider)
    return [grouped[k] for k in sorted(grouped)]


class LazyKeyedFact(Mapping):
    """A keyed fact of a whole-file analysis (the CLI's) whose entries are
    computed when first read. Helper summaries are the costliest fact of a
    file (a quarter of the scan time of a large library), and with the rule
    prefilter most files never look one up. Reads give what the merged dict
    of every part would give: for a key, the last unit (in document order)
    whose part holds it wins; iterating, `len` or comparing computes all."""

    def __init__(self, provider: UnitFacts, source: bytes, units: list[Node], facts: ModuleFacts):
        self._provider, self._source, self._units, self._facts = provider, source, units, facts
        self._candidates: dict[str, list[int]] = {}
        for index, unit in enumerate(units):
            for key in provider.keys(source, unit, facts):  # type: ignore[misc]
                self._candidates.setdefault(key, []).append(index)
        self._parts: dict[int, dict] = {}
        self._merged: dict | None = None

    def _part(self, index: int) -> dict:
        part = self._parts.get(index)
        if part is None:
            part = self._parts[index] = self._provider.part(self._source, self._units[index], self._facts) or {}
        return part

    def __getitem__(self, key: str) -> Any:
        for index in reversed(self._candidates.get(key, ())):
            part = self._part(index)
            if key in part:
                return part[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __bool__(self) -> bool:
        return any(self._part(index) for indexes in self._candidates.values() for index in indexes)

    def _all(self) -> dict:
        if self._merged is None:
            merged: dict = {}
            for index in sorted({i for indexes in self._candidates.values() for i in indexes}):
                merged.update(self._part(index))
            self._merged = merged
        return self._merged

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"LazyKeyedFact({self._all()!r})"
