"""Was a value checked before it reached a sink?

Several flaws are only flaws when a check is missing: a URL from the request
fetched without an allow-list (SSRF), a count from the request used without an
upper bound, a redirect target used without a relative-path test. This module
answers "is there a condition, before the sink or around it in the same
function, that tests this value (or a value derived from it) in the way that
makes the sink safe?".

The model is deliberately simple: a condition counts when it appears before
the sink in the same function (an `if`, `elif`, `while` or `assert`), whatever
its branch structure. That misses a check that does not stop the bad case
(`if url in ALLOWED: log(...)`), which errs on the side of silence; rules use
it only to suppress a finding, never to create one.

`guards_of()` is the structured variant for rules that need to know *which way*
a condition went: the conditions known to hold whenever a node runs, from the
`if`/`elif`/`else` branches around it and from guard clauses that leave the
function before it (`if ".." in name: abort(400)`, `if url.netloc not in
ALLOWED: return "bad"`), including those at the top of a preceding `try` body.
A block leaves when it ends with `return`, `raise`, `continue`, `break` or a call
to `abort()`/`sys.exit()`. For a name, `if C: name = default` before it also
counts as (C, False): the earlier value only survives when C is false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import FUNCTION_TYPES, definitions, enclosing_function, scope_of
from .names import qualified_name
from .strings import literal_value, unwrap_parens

_CONDITIONS = """
[
  (if_statement condition: (_) @condition)
  (elif_clause condition: (_) @condition)
  (while_statement condition: (_) @condition)
  (assert_statement . (_) @condition)
]
"""
_IDENTIFIERS = "(identifier) @name"
_NOT_VALUES = frozenset({"request", "req", "self", "cls", "flask", "g", "session", "current_app"})

ALLOW_LIST_WORDS = re.compile(r"allow|white|trust|permit|safe|known|approved|accepted|valid|hosts|domains|origins|whitelist", re.I)
BOUND_CALLS = frozenset({"min", "max", "clamp", "numpy.clip", "np.clip"})
_HOST_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+/", re.I)


def identifiers(ctx: AnalysisContext, node: Node | None) -> set[str]:
    """Names read by an expression (attribute and keyword names excluded)."""
    if node is None:
        return set()
    if node.type == "identifier":
        return {ctx.text(node)}
    out: set[str] = set()
    for ident in ctx.captures(_IDENTIFIERS, node).get("name", []):
        parent = ident.parent
        if parent is not None and parent.type == "attribute" and parent.child_by_field_name("attribute") == ident:
            continue
        if parent is not None and parent.type == "keyword_argument" and parent.child_by_field_name("name") == ident:
            continue
        out.add(ctx.text(ident))
    return out


def _is_value_name(ctx: AnalysisContext, name: str) -> bool:
    if name in _NOT_VALUES or (name.isupper() and len(name) > 1):
        return False
    return name not in ctx.facts.get("imports", {})


def related_names(ctx: AnalysisContext, node: Node) -> set[str]:
    """Names `node` is computed from, and names computed from those, in its function."""
    scope = scope_of(ctx, node)
    defs = definitions(ctx, scope)

    def compute() -> frozenset[str]:
        names = {n for n in identifiers(ctx, node) if _is_value_name(ctx, n)}
        frontier = list(names)
        while frontier:  # backward: what the value was built from
            name = frontier.pop()
            for definition in defs.get(name, []):
                for used in identifiers(ctx, definition.value):
                    if used not in names and _is_value_name(ctx, used):
                        names.add(used)
                        frontier.append(used)
        changed = True
        while changed:  # forward: what was built from it (parsed URL, host, ...)
            changed = False
            for name, found in defs.items():
                if name in names:
                    continue
                if any(d.value is not None and identifiers(ctx, d.value) & names for d in found):
                    names.add(name)
                    changed = True
        return frozenset(names)

    return set(ctx.memo(("related_names", node.id), compute))


def conditions_before(ctx: AnalysisContext, node: Node) -> list[Node]:
    """Conditions of if/elif/while/assert in `node`'s function that start before it."""
    scope = scope_of(ctx, node)
    function = enclosing_function(node)
    out = []
    for condition in ctx.captures(_CONDITIONS, scope).get("condition", []):
        if condition.start_byte >= node.start_byte:
            continue
        owner = enclosing_function(condition)
        if (owner.id if owner is not None else None) != (function.id if function is not None else None):
            continue
        out.append(condition)
    return out


def _descendants(node: Node, types: tuple[str, ...]) -> Iterable[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        stack.extend(current.named_children)


def checked_before(ctx: AnalysisContext, node: Node, test: Callable[[AnalysisContext, Node, set[str]], bool]) -> bool:
    """True when some condition before `node` passes `test(ctx, condition, related names)`."""
    names = related_names(ctx, node)
    if not names:
        return False
    for condition in conditions_before(ctx, node):
        if identifiers(ctx, condition) & names and test(ctx, condition, names):
            return True
    return False


def _operators(node: Node) -> list[str]:
    return [child.type for child in node.children_by_field_name("operators")]


def _is_allow_list(ctx: AnalysisContext, node: Node | None) -> bool:
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type in ("set", "list", "tuple", "dictionary"):
        return True
    if node.type in ("identifier", "attribute"):
        last = ctx.text(node).split(".")[-1]
        return (last.isupper() and len(last) > 1) or bool(ALLOW_LIST_WORDS.search(last))
    if node.type == "call":
        return _is_allow_list(ctx, node.child_by_field_name("function"))
    return False


def is_allow_list_test(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    """Membership in an allow-list, equality with a constant, a prefix that pins
    the host, a full regular-expression match, or a validator named like one."""
    for comparison in _descendants(condition, ("comparison_operator",)):
        operands = [c for c in comparison.named_children if c.type not in ("in", "not in")]
        operators = _operators(comparison)
        if any(op in ("in", "not in") for op in operators) and len(operands) >= 2:
            if identifiers(ctx, operands[0]) & names and _is_allow_list(ctx, operands[-1]):
                return True
        if any(op in ("==", "!=") for op in operators):
            if any(literal_value(ctx, o) is not None or _is_allow_list(ctx, o) for o in operands) and any(
                identifiers(ctx, o) & names for o in operands
            ):
                return True
    for call in _descendants(condition, ("call",)):
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if function is None:
            continue
        name = qualified_name(ctx, function) or ""
        last = name.split(".")[-1]
        if last in ("startswith",) and function.type == "attribute":
            receiver = function.child_by_field_name("object")
            if identifiers(ctx, receiver) & names and arguments is not None:
                if any(_pins_host(ctx, arg) for arg in arguments.named_children):
                    return True
        elif last in ("fullmatch", "match") and arguments is not None and identifiers(ctx, arguments) & names:
            return True
        elif ALLOW_LIST_WORDS.search(last) and arguments is not None and identifiers(ctx, arguments) & names:
            return True
    return False


def _pins_host(ctx: AnalysisContext, node: Node) -> bool:
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type == "tuple":
        return bool(node.named_children) and all(_pins_host(ctx, c) for c in node.named_children)
    value = literal_value(ctx, node)
    if value is not None:
        return bool(_HOST_PREFIX.match(value))
    return _is_allow_list(ctx, node)


def is_bounds_test(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    """An ordering comparison (`n > MAX`, `0 < n <= 100`) or `n in range(...)`."""
    for comparison in _descendants(condition, ("comparison_operator",)):
        operators = _operators(comparison)
        if not any(op in ("<", "<=", ">", ">=", "in", "not in") for op in operators):
            continue
        if identifiers(ctx, comparison) & names:
            if any(op in ("<", "<=", ">", ">=") for op in operators):
                return True
            operands = [c for c in comparison.named_children if c.type not in ("in", "not in")]
            right = unwrap_parens(operands[-1]) if operands else None
            if right is not None and (_is_allow_list(ctx, right) or (right.type == "call" and ctx.text(right.child_by_field_name("function")) == "range")):
                return True
    return False


def allow_list_checked(ctx: AnalysisContext, node: Node) -> bool:
    return checked_before(ctx, node, is_allow_list_test)


def bounds_checked(ctx: AnalysisContext, node: Node) -> bool:
    return checked_before(ctx, node, is_bounds_test)


# -- structured guards ------------------------------------------------------------
_EXIT_CALLS = frozenset({"abort", "flask.abort", "sys.exit", "exit", "quit", "os._exit"})
_BLOCK_CONTAINERS = ("block", "module")


@dataclass(frozen=True)
class Guard:
    condition: Node
    holds: bool  # the truth value the condition has whenever the guarded node runs


def block_exits(ctx: AnalysisContext, block: Node | None) -> bool:
    """True when running `block` always leaves the enclosing code path."""
    if block is None:
        return False
    statements = [c for c in block.named_children if c.type != "comment"]
    if not statements:
        return False
    last = statements[-1]
    if last.type in ("return_statement", "raise_statement", "continue_statement", "break_statement"):
        return True
    if last.type == "expression_statement" and last.named_children:
        expr = last.named_children[0]
        if expr.type == "call":
            function = expr.child_by_field_name("function")
            name = ctx.text(function)
            imports = ctx.facts.get("imports", {})
            return name in _EXIT_CALLS or imports.get(name) in _EXIT_CALLS
    if last.type == "if_statement":
        alternatives = [c for c in last.children if c.type in ("elif_clause", "else_clause")]
        has_else = any(c.type == "else_clause" for c in alternatives)
        return has_else and block_exits(ctx, last.child_by_field_name("consequence")) and all(
            block_exits(ctx, c.child_by_field_name("consequence") or c.child_by_field_name("body")) for c in alternatives
        )
    return False


def _if_chain_guards(if_stmt: Node, branch: Node) -> Iterator[Guard]:
    """Guards implied by `branch` (the consequence, an elif or the else) of `if_stmt`."""
    condition = if_stmt.child_by_field_name("condition")
    if branch.id == (if_stmt.child_by_field_name("consequence") or branch).id:
        if condition is not None:
            yield Guard(condition, True)
        return
    if condition is not None:
        yield Guard(condition, False)
    for clause in if_stmt.children:
        if clause.type == "elif_clause":
            clause_condition = clause.child_by_field_name("condition")
            if clause.id == branch.id:
                if clause_condition is not None:
                    yield Guard(clause_condition, True)
                return
            if clause_condition is not None:
                yield Guard(clause_condition, False)


def _early_exits_before(ctx: AnalysisContext, block: Node, before: int, name: str | None = None) -> Iterator[Guard]:
    for statement in block.named_children:
        if statement.start_byte >= before:
            break
        yield from _statement_guards(ctx, statement)
        if name is not None and _resets(ctx, statement, name):
            yield Guard(statement.child_by_field_name("condition"), False)
        if statement.type == "try_statement":
            body = statement.child_by_field_name("body")
            if body is not None:
                for inner in body.named_children:
                    yield from _statement_guards(ctx, inner)


def _resets(ctx: AnalysisContext, statement: Node, name: str) -> bool:
    """`if C: name = <value>` without elif/else: the value from before survives only when C is false."""
    if statement.type != "if_statement" or any(c.type in ("elif_clause", "else_clause") for c in statement.children):
        return False
    body = statement.child_by_field_name("consequence")
    if body is None or statement.child_by_field_name("condition") is None:
        return False
    for child in body.named_children:
        expression = child.named_children[0] if child.type == "expression_statement" and child.named_children else None
        if expression is not None and expression.type == "assignment":
            left = expression.child_by_field_name("left")
            if left is not None and left.type == "identifier" and ctx.text(left) == name:
                return True
    return False


def _statement_guards(ctx: AnalysisContext, statement: Node) -> Iterator[Guard]:
    if statement.type == "if_statement":
        condition = statement.child_by_field_name("condition")
        if condition is not None and block_exits(ctx, statement.child_by_field_name("consequence")):
            yield Guard(condition, False)
            for clause in statement.children:
                if clause.type == "elif_clause" and block_exits(ctx, clause.child_by_field_name("consequence")):
                    elif_condition = clause.child_by_field_name("condition")
                    if elif_condition is not None:
                        yield Guard(elif_condition, False)
    elif statement.type == "assert_statement" and statement.named_children:
        yield Guard(statement.named_children[0], True)


def guards_of(ctx: AnalysisContext, node: Node) -> list[Guard]:
    """Conditions known to hold whenever `node` runs (innermost first)."""
    out: list[Guard] = []
    child = node
    parent = node.parent
    while parent is not None and parent.type not in FUNCTION_TYPES:
        if parent.type == "if_statement" and child.type == "block":
            out.extend(_if_chain_guards(parent, child))
        elif parent.type == "elif_clause" and child.type == "block":
            if_stmt = parent.parent
            if if_stmt is not None:
                out.extend(_if_chain_guards(if_stmt, parent))
        elif parent.type == "else_clause" and child.type == "block":
            if_stmt = parent.parent
            if if_stmt is not None and if_stmt.type == "if_statement":
                out.extend(_if_chain_guards(if_stmt, parent))
        if parent.type in _BLOCK_CONTAINERS:
            out.extend(_early_exits_before(ctx, parent, child.start_byte, ctx.text(node) if node.type == "identifier" else None))
        child = parent
        parent = parent.parent
    return out
