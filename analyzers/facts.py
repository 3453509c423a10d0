"""Module facts: what rules need to know about the whole file.

Rules run one top-level statement (a "unit") at a time so their findings can be
cached per unit. Whatever a rule needs from outside its unit (imports, module
constants, helper-function summaries) comes from these facts. Facts are plain,
JSON-able data (never tree nodes, which go stale), and their fingerprint is part
of every unit's cache key: when a fact changes, every unit is re-analysed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from tree_sitter import Node

FactsProvider = Callable[[bytes, Node], dict[str, Any]]
DerivedFactsProvider = Callable[[bytes, Node, "ModuleFacts"], dict[str, Any]]
_PROVIDERS: dict[str, list[FactsProvider]] = {}
_DERIVED: dict[str, list[DerivedFactsProvider]] = {}


def register_facts(family: str) -> Callable[[FactsProvider], FactsProvider]:
    def decorator(fn: FactsProvider) -> FactsProvider:
        _PROVIDERS.setdefault(family, []).append(fn)
        return fn

    return decorator


def register_derived_facts(family: str) -> Callable[[DerivedFactsProvider], DerivedFactsProvider]:
    """Facts computed from the plain facts, e.g. helper-function summaries that
    need the imports map. They run after every plain provider and see its
    results (never each other's)."""

    def decorator(fn: DerivedFactsProvider) -> DerivedFactsProvider:
        _DERIVED.setdefault(family, []).append(fn)
        return fn

    return decorator


class ModuleFacts:
    """Read-only mapping of fact name to value, with a content fingerprint."""

    __slots__ = ("data", "fingerprint")

    def __init__(self, data: dict[str, Any]):
        self.data = data
        encoded = json.dumps(data, sort_keys=True, default=_jsonable).encode("utf-8")
        self.fingerprint = hashlib.blake2b(encoded, digest_size=16).hexdigest()

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"module facts must be plain data, got {type(value).__name__}")


def compute_facts(family: str, source: bytes, root: Node) -> ModuleFacts:
    data: dict[str, Any] = {}
    for provider in _PROVIDERS.get(family, ()):
        data.update(provider(source, root))
    derived = _DERIVED.get(family, ())
    if not derived:
        return ModuleFacts(data)
    base = ModuleFacts(data)
    extra: dict[str, Any] = {}
    for provider in derived:
        extra.update(provider(source, root, base))
    return ModuleFacts({**data, **extra})
