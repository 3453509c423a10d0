"""Is a value checked before it reaches a sink?

Many rules are silenced by a check a human wrote first: a containment test
(`if (!full.startsWith(base)) return`), an allow-list (`ALLOWED.includes(x)`),
a type test (`typeof name !== "string"`), an ownership comparison. These
helpers find the conditions that run before a node in its function (`if`,
`while`, ternaries, `&&`/`||` short-circuits, `switch`) so a rule can ask
whether one of them mentions the value and matches what the rule accepts.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from tree_sitter import Node

from ..context import AnalysisContext
from .syntax import syntax_for

_CONDITION_HOLDERS = {
    "if_statement": "condition",
    "while_statement": "condition",
    "ternary_expression": "condition",
    "conditional_expression": "condition",
    "switch_statement": "value",
    "elif_clause": "condition",
    "assert_statement": None,
}


def conditions_before(ctx: AnalysisContext, node: Node) -> list[Node]:
    """Conditions in `node`'s function (or unit) that start before it."""
    syn = syntax_for(ctx.family)
    scope = syn.enclosing_function(node) or ctx.unit
    out: list[Node] = []
    stack = [scope]
    while stack:
        current = stack.pop()
        if current.start_byte >= node.start_byte:
            continue
        field = _CONDITION_HOLDERS.get(current.type, "")
        if field != "":
            condition = current.child_by_field_name(field) if field else current
            if condition is not None and condition.start_byte < node.start_byte:
                out.append(condition)
        elif current.type in ("binary_expression", "boolean_operator") and current.end_byte >= node.end_byte:
            left = current.child_by_field_name("left")
            if left is not None and left.end_byte <= node.start_byte:
                out.append(left)
        elif current.type == "call_expression" and current.end_byte <= node.start_byte:
            # validator calls as statements: assert(...), check(...), schema.parse(...)
            out.append(current)
        stack.extend(c for c in current.children if not syn.is_function(c) or c.id == scope.id)
    return out


def mentions(ctx: AnalysisContext, node: Node, names: Iterable[str]) -> bool:
    text = ctx.text(node)
    return any(re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", text) for name in names if name)


def checked_before(ctx: AnalysisContext, node: Node, names: Iterable[str], test: re.Pattern | Callable[[str], bool]) -> bool:
    """Does a condition before `node` mention one of `names` and pass `test`?"""
    names = [n for n in names if n]
    for condition in conditions_before(ctx, node):
        if not mentions(ctx, condition, names):
            continue
        text = ctx.text(condition)
        if (test.search(text) if isinstance(test, re.Pattern) else test(text)):
            return True
    return False
