"""Conditions whose outcome is fixed when the code is written.

`if 7 * 42 - num > 200:` with `num = 86` two lines up, `x if 3 > 2 else y`,
or `match mode:` with `mode = "ABC"[1]` always take the same branch. Data flow
that ignores this sees definitions in branches that never run (a request
value assigned only in the dead `else`) and reports flows that cannot happen;
it also misses that an assignment in the branch that always runs replaces
the earlier value. This module evaluates such conditions:

- `constant(ctx, node)` -> (True, value) for literals, arithmetic, comparisons,
  boolean logic, indexing of constant strings/tuples, and names assigned
  exactly once in their function with such a value (never parameters, loop
  targets or names changed anywhere else);
- `branch_taken(ctx, block)` -> True / False / None for the body of an `if`,
  `elif`, `else` or `case`: always taken, never taken, or not known.

Anything else is "not known", so the data flow stays as it was.
"""

from __future__ import annotations

import operator
from typing import Any

from tree_sitter import Node

from ..context import AnalysisContext
from .strings import literal_value, unwrap_parens

_UNKNOWN: tuple[bool, Any] = (False, None)
_BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "%": operator.mod,
    "&": operator.and_, "|": operator.or_, "^": operator.xor,
}
_COMPARE = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b, "is": operator.is_, "is not": operator.is_not,
}
_MAX_MAGNITUDE = 10**12


def constant(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> tuple[bool, Any]:
    node = unwrap_parens(node)
    if node is None or depth > 16:
        return _UNKNOWN
    try:
        return _constant(ctx, node, depth)
    except (TypeError, ValueError, ZeroDivisionError, IndexError, KeyError, OverflowError):
        return _UNKNOWN


def _constant(ctx: AnalysisContext, node: Node, depth: int) -> tuple[bool, Any]:
    kind = node.type
    if kind == "integer":
        return True, int(ctx.text(node).replace("_", ""), 0)
    if kind == "float":
        return True, float(ctx.text(node).replace("_", ""))
    if kind in ("true", "false", "none"):
        return True, {"true": True, "false": False, "none": None}[kind]
    if kind == "string":
        value = literal_value(ctx, node)
        return (True, value) if value is not None else _UNKNOWN
    if kind == "identifier":
        return _name_constant(ctx, node, depth)
    if kind == "unary_operator":
        ok, value = constant(ctx, node.child_by_field_name("argument"), depth + 1)
        op = node.child_by_field_name("operator")
        if ok and op is not None and isinstance(value, (int, float)):
            return True, {"-": -value, "+": value, "~": ~value if isinstance(value, int) else None}.get(op.type)
        return _UNKNOWN
    if kind == "not_operator":
        ok, value = constant(ctx, node.child_by_field_name("argument"), depth + 1)
        return (True, not value) if ok else _UNKNOWN
    if kind == "binary_operator":
        op = node.child_by_field_name("operator")
        function = _BINARY.get(op.type) if op is not None else None
        if function is None:
            return _UNKNOWN
        left_ok, left = constant(ctx, node.child_by_field_name("left"), depth + 1)
        right_ok, right = constant(ctx, node.child_by_field_name("right"), depth + 1)
        if not (left_ok and right_ok) or not all(isinstance(v, (int, float, str)) for v in (left, right)):
            return _UNKNOWN
        if op.type == "*" and isinstance(left, str) != isinstance(right, str) and max(abs(v) for v in (left, right) if not isinstance(v, str)) > 1000:
            return _UNKNOWN
        value = function(left, right)
        if isinstance(value, (int, float)) and abs(value) > _MAX_MAGNITUDE:
            return _UNKNOWN
        return True, value
    if kind == "comparison_operator":
        operands = node.named_children
        operators = [" ".join(ctx.text(c).split()) for c in node.children if not c.is_named]
        if len(operators) != len(operands) - 1:
            return _UNKNOWN
        values = []
        for operand in operands:
            ok, value = constant(ctx, operand, depth + 1)
            if not ok:
                return _UNKNOWN
            values.append(value)
        for index, op in enumerate(operators):
            function = _COMPARE.get(op)
            if function is None:
                return _UNKNOWN
            if not function(values[index], values[index + 1]):
                return True, False
        return True, True
    if kind == "boolean_operator":
        op = node.child_by_field_name("operator")
        left_ok, left = constant(ctx, node.child_by_field_name("left"), depth + 1)
        if not left_ok or op is None:
            return _UNKNOWN
        if op.type == "and" and not left or op.type == "or" and left:
            return True, left
        return constant(ctx, node.child_by_field_name("right"), depth + 1)
    if kind == "subscript":
        ok, value = constant(ctx, node.child_by_field_name("value"), depth + 1)
        index_ok, index = constant(ctx, node.child_by_field_name("subscript"), depth + 1)
        if ok and index_ok and isinstance(value, (str, tuple)) and isinstance(index, int):
            return True, value[index]
        return _UNKNOWN
    if kind in ("tuple", "list"):
        values = []
        for child in node.named_children:
            ok, value = constant(ctx, child, depth + 1)
            if not ok:
                return _UNKNOWN
            values.append(value)
        return True, tuple(values)
    return _UNKNOWN


def _name_constant(ctx: AnalysisContext, node: Node, depth: int) -> tuple[bool, Any]:
    from .dataflow import definitions, scope_of  # dataflow asks this module about branches

    found = definitions(ctx, scope_of(ctx, node)).get(ctx.text(node), [])
    if len(found) != 1 or found[0].kind != "assign" or found[0].node.start_byte > node.start_byte:
        return _UNKNOWN
    return constant(ctx, found[0].value, depth + 1)


def _if_branches(statement: Node) -> list[tuple[Node | None, Node]]:
    """(condition or None for else, body block) of an if statement, in order."""
    out: list[tuple[Node | None, Node]] = []
    consequence = statement.child_by_field_name("consequence")
    if consequence is not None:
        out.append((statement.child_by_field_name("condition"), consequence))
    for clause in statement.children:
        if clause.type == "elif_clause":
            body = clause.child_by_field_name("consequence")
            if body is not None:
                out.append((clause.child_by_field_name("condition"), body))
        elif clause.type == "else_clause":
            body = clause.child_by_field_name("body")
            if body is not None:
                out.append((None, body))
    return out


def _case_matches(ctx: AnalysisContext, clause: Node, subject: Any, depth: int) -> bool | None:
    patterns = [c for c in clause.named_children if c.type == "case_pattern"]
    if len(patterns) != 1 or clause.child_by_field_name("guard") is not None:
        return None
    pattern = patterns[0]
    options = pattern.named_children[0].named_children if pattern.named_children and pattern.named_children[0].type == "union_pattern" else pattern.named_children
    if not options:  # `case _:`
        return True if ctx.text(pattern).strip() == "_" else None
    for option in options:
        if option.type == "dotted_name" and "." not in ctx.text(option):
            return True  # a capture pattern matches anything
        ok, value = constant(ctx, option, depth + 1)
        if not ok:
            return None
        if value == subject:
            return True
    return False


def branch_taken(ctx: AnalysisContext, block: Node) -> bool | None:
    """Whether the branch body `block` always runs (True), never runs (False) or either (None)."""
    parent = block.parent
    if parent is None:
        return None
    if parent.type in ("elif_clause", "else_clause"):
        statement = parent.parent
    elif parent.type == "if_statement":
        statement = parent
    elif parent.type == "case_clause":
        return _case_taken(ctx, parent)
    else:
        return None
    if statement is None or statement.type != "if_statement":
        return None
    for condition, body in _if_branches(statement):
        if condition is None:
            truth: bool | None = True
        else:
            ok, value = constant(ctx, condition)
            truth = bool(value) if ok else None
        if body.id == block.id:
            return truth if truth is not False else False
        if truth is True:
            return False  # an earlier branch always wins
        if truth is None:
            return None if body.id != block.id else None
    return None


def _case_taken(ctx: AnalysisContext, clause: Node) -> bool | None:
    block = clause.parent
    match = block.parent if block is not None else None
    if match is None or match.type != "match_statement":
        return None
    ok, subject = constant(ctx, match.child_by_field_name("subject"))
    if not ok:
        return None
    for case in block.named_children:
        if case.type != "case_clause":
            continue
        matches = _case_matches(ctx, case, subject, 0)
        if case.id == clause.id:
            return matches
        if matches is True:
            return False
        if matches is None:
            return None
    return None


def in_dead_branch(ctx: AnalysisContext, node: Node, scope: Node) -> bool:
    """True when `node` sits in a branch (inside `scope`) that never runs."""
    current = node.parent
    while current is not None and current.id != scope.id:
        if current.type == "block" and branch_taken(ctx, current) is False:
            return True
        current = current.parent
    return False
