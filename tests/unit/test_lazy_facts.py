"""LazyKeyedFact: a whole-file analysis computes helper summaries only when
read, and every read gives what the eagerly merged fact gives."""

from __future__ import annotations

from pathlib import Path

import draftguard.analyzers.python  # noqa: F401  (registers the Python facts)
from draftguard.analyzers import make_parser
from draftguard.analyzers.facts import LazyKeyedFact, ModuleFacts, UnitFacts, compute_facts, unit_providers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "python"


def _part(source: bytes, unit, _facts) -> dict | None:
    text = source[unit.start_byte : unit.end_byte].decode()
    name = text.split("(")[0].removeprefix("def ").strip()
    return None if "none" in name else {name: text.count("\n")}


def _keys(source: bytes, unit, _facts) -> list[str]:
    return [source[unit.start_byte : unit.end_byte].decode().split("(")[0].removeprefix("def ").strip()]


def _lazy(source: bytes) -> tuple[LazyKeyedFact, list]:
    tree = make_parser("python").parse(source)
    calls = []

    def counting(src, unit, facts):
        calls.append(unit.start_byte)
        return _part(src, unit, facts)

    provider = UnitFacts("test", counting, lambda parts: {}, keyed="k", keys=_keys)
    return LazyKeyedFact(provider, source, list(tree.root_node.children), None), calls


SOURCE = b"def a():\n    pass\n\ndef b():\n    x\n    y\n\ndef a(q):\n    z\n\ndef none_here():\n    pass\n"


def test_reads_compute_only_the_parts_they_need_and_the_last_definition_wins() -> None:
    lazy, calls = _lazy(SOURCE)
    assert lazy["b"] == 2 and len(calls) == 1
    assert lazy.get("a") == 1  # the second `def a` (one newline in its text), like dict.update in order
    assert "none_here" not in lazy and "missing" not in lazy
    assert bool(lazy)


def test_whole_reads_equal_the_merged_parts() -> None:
    lazy, _calls = _lazy(SOURCE)
    merged: dict = {}
    tree = make_parser("python").parse(SOURCE)
    for unit in tree.root_node.children:
        merged.update(_part(SOURCE, unit, None) or {})
    assert dict(lazy) == merged and len(lazy) == len(merged) and lazy == merged


def test_an_empty_lazy_fact_is_false() -> None:
    lazy, _calls = _lazy(b"def none_a():\n    pass\n")
    assert not lazy


def test_summaries_of_every_fixture_equal_the_eager_ones() -> None:
    keyed = [p for p in unit_providers("python") if p.keys is not None]
    assert keyed, "the summaries provider declares its keys"
    for path in sorted(FIXTURES.glob("*.py")):
        source = path.read_bytes()
        tree = make_parser("python").parse(source)
        facts = compute_facts("python", source, tree.root_node)
        for provider in keyed:
            lazy = facts.data[provider.keyed]
            assert isinstance(lazy, LazyKeyedFact)
            staged = {k: v for k, v in facts.data.items() if k != provider.keyed}
            eager: dict = {}
            for unit in tree.root_node.children:
                eager.update(provider.part(source, unit, ModuleFacts(staged)) or {})
            assert dict(lazy) == eager, path.name
