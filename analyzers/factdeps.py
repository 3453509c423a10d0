"""What a unit read from the module facts, so that a change to the facts
re-runs only the units that read what changed.

While rules (or stage-1+ fact providers) run on a unit, `ctx.facts` is a
`FactsReader`: it hands out read-only views of the fact values and records
every read as an *atom* with the value it saw:

    ("*", key)          the whole value (iteration, len, equality, a scalar, a missing key)
    ("k", key, sub)     one entry of a mapping fact: facts.get("imports").get("os")
    ("m", key, x)       membership in a collection fact: name in facts.get("constants")
    ("b", key)          only whether the value is empty
    ("t", key)          the type of the value (a view was made for it)
    ("p",)              the project's dependency picture (`ctx.project`), by fingerprint

`changed_atoms(old, new)` lists the atoms whose observed value differs
between two versions of the facts, so renaming one helper function re-runs
the units that call it (they read ("k", "taint_summaries", name)), not every
unit that does taint tracking. `still_valid(facts, seen)` re-checks recorded
atoms when a unit's cached result is reused for the same text.
"""

from __future__ import annotations

from typing import Any, Iterator

from .facts import ModuleFacts

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
_NOT_COMPARABLE: Any = type("NotComparable", (), {"__eq__": lambda self, other: False, "__hash__": lambda self: 0})()
_COLLECTIONS = (list, tuple, set, frozenset)

Atom = tuple
Seen = dict  # Atom -> observed value
PROJECT: Atom = ("p",)
"""The read of the dependency picture: only the units whose rules looked at
it are analysed again when it changes (the environment probe answered, a
manifest changed), not the whole file."""


class FactsReader:
    """The module facts as one unit's rules see them, recording each read into `seen`."""

    __slots__ = ("facts", "seen", "_views")

    def __init__(self, facts: ModuleFacts, seen: Seen):
        self.facts = facts
        self.seen = seen
        self._views: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        view = self._views.get(key, MISSING)
        if view is not MISSING:
            return view
        value = self.facts.data.get(key, MISSING)
        if value is MISSING:
            self.seen[("*", key)] = MISSING
            return default
        if isinstance(value, dict):
            view = _MappingView(key, value, self.seen)
        elif isinstance(value, _COLLECTIONS):
            view = _CollectionView(key, value, self.seen, self.facts)
        else:
            self.seen[("*", key)] = value
            view = value
        if view is not value:
            self.seen[("t", key)] = type(value)
        self._views[key] = view
        return view

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, MISSING)
        if value is MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return self.get(key, MISSING) is not MISSING

    @property
    def data(self) -> dict[str, Any]:
        """Every fact, raw: records a read of all of them."""
        for key, value in self.facts.data.items():
            self.seen[("*", key)] = value
        return self.facts.data

    @property
    def fingerprint(self) -> str:
        self.data
        return self.facts.fingerprint

    def members(self, key: str) -> frozenset:
        self.seen[("*", key)] = self.facts.data.get(key, MISSING)
        return self.facts.members(key)

    def saw_project(self) -> None:
        """Record that the unit's rules read the dependency picture."""
        self.seen[PROJECT] = self.facts.project_key


class _MappingView:
    """A read-only dict fact; single lookups record only that entry."""

    __slots__ = ("_key", "_value", "_seen")

    def __init__(self, key: str, value: dict, seen: Seen):
        self._key, self._value, self._seen = key, value, seen

    def _whole(self) -> dict:
        self._seen[("*", self._key)] = self._value
        return self._value

    def get(self, sub: Any, default: Any = None) -> Any:
        try:
            value = self._value.get(sub, MISSING)
        except TypeError:  # unhashable: nothing can match
            return default
        self._seen[("k", self._key, sub)] = value
        return default if value is MISSING else value

    def __getitem__(self, sub: Any) -> Any:
        value = self.get(sub, MISSING)
        if value is MISSING:
            raise KeyError(sub)
        return value

    def __contains__(self, sub: Any) -> bool:
        return self.get(sub, MISSING) is not MISSING

    def __bool__(self) -> bool:
        empty = not self._value
        self._seen[("b", self._key)] = empty
        return not empty

    def __iter__(self) -> Iterator:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def keys(self):
        return self._whole().keys()

    def values(self):
        return self._whole().values()

    def items(self):
        return self._whole().items()

    def copy(self) -> dict:
        return dict(self._whole())

    def __or__(self, other: Any) -> dict:
        return self._whole() | (other._whole() if isinstance(other, _MappingView) else other)

    def __ror__(self, other: Any) -> dict:
        return other | self._whole()

    def __eq__(self, other: Any) -> bool:
        return self._whole() == (other._whole() if isinstance(other, _MappingView) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"facts[{self._key!r}]={self._value!r}"


class _CollectionView:
    """A read-only list/tuple/set fact; `x in view` records only x."""

    __slots__ = ("_key", "_value", "_seen", "_facts")

    def __init__(self, key: str, value: Any, seen: Seen, facts: ModuleFacts):
        self._key, self._value, self._seen, self._facts = key, value, seen, facts

    def _whole(self) -> Any:
        self._seen[("*", self._key)] = self._value
        return self._value

    def __contains__(self, item: Any) -> bool:
        try:
            found = item in self._facts.members(self._key)
        except TypeError:  # unhashable
            return item in self._whole()
        self._seen[("m", self._key, item)] = found
        return found

    def __bool__(self) -> bool:
        empty = not self._value
        self._seen[("b", self._key)] = empty
        return not empty

    def __iter__(self) -> Iterator:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __getitem__(self, index: Any) -> Any:
        return self._whole()[index]

    def __add__(self, other: Any) -> Any:
        return self._whole() + other

    def __radd__(self, other: Any) -> Any:
        return other + self._whole()

    def __or__(self, other: Any) -> Any:
        return set(self._whole()) | set(other)

    def __ror__(self, other: Any) -> Any:
        return set(other) | set(self._whole())

    def __and__(self, other: Any) -> Any:
        return set(self._whole()) & set(other)

    __rand__ = __and__

    def __sub__(self, other: Any) -> Any:
        return set(self._whole()) - set(other)

    def __rsub__(self, other: Any) -> Any:
        return set(other) - set(self._whole())

    def __eq__(self, other: Any) -> bool:
        return self._whole() == (other._whole() if isinstance(other, _CollectionView) else other)

    __hash__ = None  # type: ignore[assignment]

    def index(self, item: Any, *args: Any) -> int:
        return self._whole().index(item, *args)

    def count(self, item: Any) -> int:
        return self._whole().count(item)

    def __repr__(self) -> str:
        return f"facts[{self._key!r}]={self._value!r}"


def observe(facts: ModuleFacts, atom: Atom) -> Any:
    """What a read described by `atom` sees in `facts` now."""
    if atom is PROJECT or atom == PROJECT:
        return facts.project_key
    kind, key = atom[0], atom[1]
    value = facts.data.get(key, MISSING)
    if kind == "*":
        return value
    if kind == "t":
        return type(value)
    if kind == "b":
        return _NOT_COMPARABLE if value is MISSING else not value
    if kind == "k":
        return value.get(atom[2], MISSING) if isinstance(value, dict) else _NOT_COMPARABLE
    if kind == "m":
        return atom[2] in facts.members(key) if isinstance(value, _COLLECTIONS) else _NOT_COMPARABLE
    return _NOT_COMPARABLE


def still_valid(facts: ModuleFacts, seen: Seen) -> bool:
    """Whether every recorded read would see the same value in `facts`."""
    for atom, value in seen.items():
        now = observe(facts, atom)
        if now is not value and now != value:
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def changed_atoms(old: dict[str, Any], new: dict[str, Any]) -> set[Atom]:
    """Every atom whose observed value differs between facts `old` and `new`."""
    out: set[Atom] = set()
    for key in old.keys() | new.keys():
        a, b = old.get(key, MISSING), new.get(key, MISSING)
        if _same(a, b):
            continue
        out.add(("*", key))
        if type(a) is not type(b):
            out.add(("t", key))
        if (a is MISSING) or (b is MISSING) or (not a) != (not b):
            out.add(("b", key))
        a_map, b_map = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
        for sub in a_map.keys() | b_map.keys():
            if not _same(a_map.get(sub, MISSING), b_map.get(sub, MISSING)):
                out.add(("k", key, sub))
        a_set = _as_set(a)
        b_set = _as_set(b)
        for member in a_set ^ b_set:
            out.add(("m", key, member))
    return out


def _as_set(value: Any) -> set:
    if not isinstance(value, _COLLECTIONS):
        return set()
    try:
        return set(value)
    except TypeError:
        return set()
