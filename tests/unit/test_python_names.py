"""python.names.dotted_name: the fast path (the text of a chain written
without spaces) gives exactly what walking the attribute chain gives."""

from __future__ import annotations

import pytest

from draftguard.analyzers.context import AnalysisContext
from draftguard.analyzers.facts import ModuleFacts
from draftguard.analyzers.languages import make_parser
from draftguard.analyzers.python.names import dotted_name


def _first(source: str, kind: str):
    data = source.encode()
    tree = make_parser("python").parse(data)
    stack = [tree.root_node]
    while stack:
        node = stack.pop(0)
        if node.type == kind:
            return AnalysisContext(data, tree, "python", ModuleFacts({}), tree.root_node), node
        stack.extend(node.children)
    raise AssertionError(f"no {kind} in {source!r}")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("os.path.join(a, b)\n", "os.path.join"),
        ("os . path .join(a)\n", "os.path.join"),
        ("(os.\n  path).join(a)\n", None),
        ("os.path.join  # comment\n", "os.path.join"),
        ("True.real\n", None),
        ("None.x\n", None),
        ("f().x\n", None),
        ("a[0].b\n", None),
        ("self.client.get\n", "self.client.get"),
        ("données.clé\n", "données.clé"),
        ("x2.y_3\n", "x2.y_3"),
    ],
)
def test_dotted_names(source: str, expected: str | None) -> None:
    ctx, node = _first(source, "attribute")
    assert dotted_name(ctx, node) == expected
