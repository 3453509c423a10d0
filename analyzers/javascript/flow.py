"""Local definitions in JavaScript/TypeScript, for the shared taint core.

A use of a name sees the definitions of its own function first and, when that
function does not define it, those of the enclosing functions (closures:
route callbacks nested in route handlers read the handler's variables).
Destructuring binds each name to the value destructured (`const { id } =
req.params` defines `id` from `req.params`). Of the definitions before a use,
the last unconditional one is kept together with any later ones (so
`let q = "..."; if (x) q += y;` keeps both), which errs on the side of
reporting, as in the Python helper.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..common.dataflow import Flow
from ..common.syntax import JAVASCRIPT
from ..common.taint import Taint
from ..context import AnalysisContext

SYN = JAVASCRIPT
_CONDITIONAL = frozenset(
    {"if_statement", "else_clause", "switch_case", "switch_default", "ternary_expression", "catch_clause", "try_statement",
     "for_statement", "for_in_statement", "while_statement", "do_statement", "binary_expression"}
)


@dataclass(frozen=True)
class Definition:
    kind: str  # assign | augment | param | loop | other
    name: str
    node: Node  # the identifier being defined
    value: Node | None
    statement: Node
    annotation: str = ""
    path: tuple[str, ...] = ()
    """Keys destructured from `value` (`("id",)` for `const { id } = req.params`)."""


def _bindings(ctx: AnalysisContext, pattern: Node | None, path: tuple[str, ...] = ()) -> list[tuple[Node, tuple[str, ...], Node | None]]:
    """(identifier, key path, default value) for every name a pattern binds."""
    if pattern is None:
        return []
    kind = pattern.type
    if kind == "identifier":
        return [(pattern, path, None)]
    if kind == "shorthand_property_identifier_pattern":
        return [(pattern, path + (ctx.text(pattern),), None)]
    if kind == "object_pattern":
        out = []
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                out.append((child, path + (ctx.text(child),), None))
            elif child.type == "pair_pattern":
                key = ctx.text(child.child_by_field_name("key")).strip("'\"")
                out.extend(_bindings(ctx, child.child_by_field_name("value"), path + (key,)))
            elif child.type == "object_assignment_pattern":
                left = child.child_by_field_name("left")
                if left is not None:
                    out.append((left, path + (ctx.text(left),), child.child_by_field_name("right")))
            elif child.type == "rest_pattern":
                out.extend(_bindings(ctx, child.named_children[0] if child.named_children else None, path))
        return out
    if kind == "array_pattern":
        out = []
        for index, child in enumerate(child for child in pattern.named_children if child.type != "comment"):
            out.extend(_bindings(ctx, child, path + (str(index),)))
        return out
    if kind == "assignment_pattern":
        found = _bindings(ctx, pattern.child_by_field_name("left"), path)
        default = pattern.child_by_field_name("right")
        return [(n, p, default) for n, p, _d in found]
    if kind == "rest_pattern":
        return _bindings(ctx, pattern.named_children[0] if pattern.named_children else None, path)
    return []


def _parameters(ctx: AnalysisContext, function: Node) -> list[Definition]:
    out: list[Definition] = []
    single = function.child_by_field_name("parameter")
    if single is not None:
        return [Definition("param", ctx.text(single), single, None, single)]
    params = function.child_by_field_name("parameters")
    if params is None:
        return out
    for index, param in enumerate(p for p in params.named_children if p.type != "comment"):
        pattern, annotation, default = param, "", None
        if param.type in ("required_parameter", "optional_parameter"):
            pattern = param.child_by_field_name("pattern")
            type_node = param.child_by_field_name("type")
            annotation = ctx.text(type_node).lstrip(":").strip() if type_node is not None else ""
            default = param.child_by_field_name("value")
        for name, path, inner_default in _bindings(ctx, pattern):
            out.append(Definition("param", ctx.text(name), name, inner_default or default, param, annotation, (str(index),) + path))
    return out


_DEF_TYPES = frozenset({"variable_declarator", "assignment_expression", "augmented_assignment_expression", "for_in_statement", "catch_clause"})


def definitions(ctx: AnalysisContext, scope: Node) -> dict[str, list[Definition]]:
    """Every definition made directly in `scope` (not in nested functions)."""

    def compute() -> dict[str, list[Definition]]:
        defs: list[Definition] = []
        if SYN.is_function(scope):
            defs.extend(_parameters(ctx, scope))
        stack = list(reversed(scope.children))
        while stack:
            node = stack.pop()
            if SYN.is_function(node):
                name = node.child_by_field_name("name")
                if name is not None and node.type in ("function_declaration", "generator_function_declaration"):
                    defs.append(Definition("other", ctx.text(name), name, None, node))
                continue
            if node.type in _DEF_TYPES:
                defs.extend(_definitions_of(ctx, node))
            stack.extend(reversed(node.children))
        found: dict[str, list[Definition]] = {}
        for d in sorted(defs, key=lambda d: d.node.start_byte):
            found.setdefault(d.name, []).append(d)
        return found

    return ctx.memo(("js-definitions", scope.id), compute)


def _definitions_of(ctx: AnalysisContext, node: Node) -> list[Definition]:
    kind = node.type
    if kind == "variable_declarator":
        value = node.child_by_field_name("value")
        return [Definition("assign", ctx.text(n), n, value, node, path=p) for n, p, _d in _bindings(ctx, node.child_by_field_name("name"))]
    if kind in ("assignment_expression", "augmented_assignment_expression"):
        left = SYN.unwrap(node.child_by_field_name("left"))
        right = node.child_by_field_name("right")
        if left is None:
            return []
        if left.type == "identifier":
            return [Definition("assign" if kind == "assignment_expression" else "augment", ctx.text(left), left, right, node)]
        if left.type in ("object_pattern", "array_pattern"):
            return [Definition("assign", ctx.text(n), n, right, node, path=p) for n, p, _d in _bindings(ctx, left)]
        return []
    if kind == "for_in_statement":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        over_keys = operator is not None and ctx.text(operator) == "in"
        return [Definition("loop", ctx.text(n), n, None if over_keys else right, node, path=p) for n, p, _d in _bindings(ctx, left)]
    if kind == "catch_clause":
        param = node.child_by_field_name("parameter")
        return [Definition("other", ctx.text(n), n, None, node) for n, _p, _d in _bindings(ctx, param)]
    return []


def scope_chain(node: Node) -> list[Node | None]:
    """Enclosing functions from the innermost outwards, then None (the unit)."""
    chain: list[Node | None] = []
    parent = node.parent
    while parent is not None:
        if SYN.is_function(parent):
            chain.append(parent)
        parent = parent.parent
    chain.append(None)
    return chain


def _is_conditional(statement: Node, use: Node, scope: Node) -> bool:
    """Is the definition inside a branch or loop that does not also hold the use?"""
    parent = statement.parent
    while parent is not None and parent.id != scope.id:
        if parent.type in _CONDITIONAL and not (parent.start_byte <= use.start_byte < parent.end_byte):
            return True
        parent = parent.parent
    return False


def reaching_definitions(ctx: AnalysisContext, name_node: Node) -> list[Definition]:
    name = ctx.text(name_node)
    for function in scope_chain(name_node):
        scope = function if function is not None else ctx.unit
        defs = definitions(ctx, scope).get(name)
        if not defs:
            continue
        innermost = function is not None and function.start_byte <= name_node.start_byte < function.end_byte
        before = [d for d in defs if d.node.id != name_node.id and (d.node.start_byte < name_node.start_byte or d.kind == "param")]
        if not before:
            if innermost and any(d.node.id == name_node.id for d in defs):
                return []  # the node is itself a definition
            before = defs if not innermost else []
            if not before:
                continue
        for index in range(len(before) - 1, -1, -1):
            d = before[index]
            if d.kind != "augment" and not _is_conditional(d.statement, name_node, scope):
                return before[index:]
        return before
    return []


# -- parameters that carry input by position -----------------------------------

NEST_INPUT_DECORATORS = frozenset({"Body", "Query", "Param", "Params", "Headers", "Req", "Request", "Cookies", "UploadedFile", "UploadedFiles"})
REQUEST_PARTS = frozenset({"body", "query", "params", "headers", "cookies", "files", "file", "searchParams"})


def parameter_taint(ctx: AnalysisContext, definition) -> Taint | None:
    from .routes import handler_kind  # late: routes uses this module

    param = definition.statement
    line = definition.node.start_point.row + 1
    for child in param.children:
        if child.type == "decorator":
            name = ctx.text(child).lstrip("@").split("(")[0]
            if name in NEST_INPUT_DECORATORS:
                return Taint(f"@{name}() parameter {definition.name}", line)
    function = param.parent.parent if param.parent is not None and param.parent.type == "formal_parameters" else param.parent
    if function is None:
        return None
    kind = handler_kind(ctx, function)
    if kind is None:
        return None
    position = int(definition.path[0]) if definition.path else 0
    keys = definition.path[1:]
    if kind == "lambda" and position == 0:
        return Taint(f"event {definition.name}", line)
    if kind == "next-route" and position == 1:
        return Taint(f"route parameter {definition.name}", line)
    if kind == "next-page" and position == 0 and keys[:1] in (("params",), ("searchParams",)):
        return Taint(f"page {keys[0]} {definition.name}", line)
    if kind in ("express", "next-api") and position == 0 and keys and keys[0] in REQUEST_PARTS:
        return Taint(f"req.{keys[0]}", line)
    return None


FLOW = Flow(syntax=SYN, reaching_definitions=reaching_definitions, parameter_taint=parameter_taint)
