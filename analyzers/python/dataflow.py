"""Local data flow: where a name got its value, and whether that value is safe.

Deliberately simple and intra-procedural: the definitions of a name are the
assignments, augmented assignments, parameters and loop/with targets in the
same function (or the same top-level unit), in source order. A use sees every
definition that appears before it; branches are not modelled, which errs on
the side of reporting.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..context import AnalysisContext
from .constfold import branch_taken, in_dead_branch
from .names import qualified_name
from .strings import unwrap_parens

FUNCTION_TYPES = ("function_definition", "lambda")


@dataclass(frozen=True)
class Definition:
    kind: str  # assign | augment | param | loop | with | other
    name: str
    node: Node  # the target identifier
    value: Node | None  # right-hand side for assign/augment, default for params
    statement: Node
    annotation: str = ""


def enclosing_function(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTION_TYPES:
            return parent
        parent = parent.parent
    return None


def scope_of(ctx: AnalysisContext, node: Node) -> Node:
    key = ("scope", node.id)
    memo = ctx._memo
    if key not in memo:
        memo[key] = enclosing_function(node) or ctx.unit
    return memo[key]


def _param_definitions(ctx: AnalysisContext, function: Node) -> list[Definition]:
    params = function.child_by_field_name("parameters")
    out: list[Definition] = []
    if params is None:
        return out
    for param in params.named_children:
        name_node = None
        annotation = ""
        default = None
        if param.type == "identifier":
            name_node = param
        elif param.type in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            name_node = param.child_by_field_name("name") or (param.named_children[0] if param.named_children else None)
            type_node = param.child_by_field_name("type")
            annotation = ctx.text(type_node) if type_node is not None else ""
            default = param.child_by_field_name("value")
        elif param.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            name_node = param.named_children[0] if param.named_children else None
        if name_node is not None and name_node.type == "identifier":
            out.append(Definition("param", ctx.text(name_node), name_node, default, param, annotation))
    return out


def _targets(node: Node) -> list[Node]:
    if node.type == "identifier":
        return [node]
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "as_pattern_target"):
        out: list[Node] = []
        for child in node.named_children:
            out.extend(_targets(child))
        return out
    return []


_DEF_QUERY = """
[
  (assignment left: (_) @target) @assign
  (augmented_assignment left: (_) @target) @augment
  (for_statement left: (_) @target) @loop
  (for_in_clause left: (_) @target) @loop
  (as_pattern_target) @with
  (named_expression name: (identifier) @target) @walrus
]
"""


def definitions(ctx: AnalysisContext, scope: Node) -> dict[str, list[Definition]]:
    """All definitions in `scope` (not in nested functions), by name, in order."""

    def compute() -> dict[str, list[Definition]]:
        found: dict[str, list[Definition]] = {}
        defs: list[Definition] = []
        if scope.type in FUNCTION_TYPES:
            defs.extend(_param_definitions(ctx, scope))
        for match in ctx.matches(_DEF_QUERY, scope):
            for kind in ("assign", "augment", "loop", "with", "walrus"):
                if kind in match:
                    stmt = match[kind][0]
                    break
            else:
                continue
            if not _same_scope(stmt, scope):
                continue
            if kind == "with":
                targets = _targets(stmt)
                value = None
                container = stmt.parent
                if container is not None and container.type == "as_pattern" and container.named_children:
                    value = container.named_children[0]
                for target in targets:
                    defs.append(Definition("with", ctx.text(target), target, value, stmt))
                continue
            target_root = match["target"][0]
            targets = _targets(target_root)
            single = len(targets) == 1 and target_root.type == "identifier"
            if kind == "assign":
                value = stmt.child_by_field_name("right") if single else None
                # chained `a = b = value`
                while value is not None and value.type == "assignment":
                    value = value.child_by_field_name("right")
                for target in targets:
                    defs.append(Definition("assign" if single else "other", ctx.text(target), target, value, stmt))
            elif kind == "augment":
                for target in targets:
                    defs.append(Definition("augment", ctx.text(target), target, stmt.child_by_field_name("right"), stmt))
            elif kind == "walrus":
                defs.append(Definition("assign", ctx.text(target_root), target_root, stmt.child_by_field_name("value"), stmt))
            else:
                for target in targets:
                    defs.append(Definition("loop", ctx.text(target), target, None, stmt))
        for d in sorted(defs, key=lambda d: d.node.start_byte):
            found.setdefault(d.name, []).append(d)
        return found

    return ctx.memo(("definitions", scope.id), compute)


def _same_scope(node: Node, scope: Node) -> bool:
    function = enclosing_function(node)
    if scope.type in FUNCTION_TYPES:
        return function is not None and function.id == scope.id
    return function is None


def definitions_before(ctx: AnalysisContext, name_node: Node) -> list[Definition]:
    """Definitions of the identifier `name_node` that appear before it."""
    name = ctx.text(name_node)
    scope = scope_of(ctx, name_node)
    return [
        d for d in definitions(ctx, scope).get(name, [])
        if d.node.start_byte < name_node.start_byte and d.node.id != name_node.id and not _evaluated_before(d, name_node)
    ]


def _evaluated_before(definition: Definition, use: Node) -> bool:
    """The use is part of what the definition evaluates first: the right side
    of `x = f(x)` / `x += x` reads the previous `x`, and so does the iterable
    of `for x in x`."""
    region = definition.statement
    if definition.kind == "loop":
        region = definition.statement.child_by_field_name("right")
    elif definition.kind in ("param", "with"):
        return False
    return region is not None and region.start_byte <= use.start_byte < region.end_byte


def reaching_definitions(ctx: AnalysisContext, name_node: Node) -> list[Definition]:
    """The definitions before the use that may still hold when it runs.

    Walking back from the use, every definition is kept until one that always
    runs before the use: a plain assignment in the same block as the use or in
    a block around it. An assignment inside an `if`, `else`, `except`, loop or
    `match` branch that does not contain the use only *may* run, so the
    earlier definitions reach too (`if not name: name = ""` keeps the request
    value). Augmented assignments never end the walk.
    """
    scope = scope_of(ctx, name_node)
    before = [d for d in definitions_before(ctx, name_node) if not in_dead_branch(ctx, d.node, scope)]
    for index in range(len(before) - 1, -1, -1):
        if before[index].kind != "augment" and _always_runs_before(ctx, before[index], name_node):
            return before[index:]
    return before


_CONDITIONAL_HEADERS = ("for_statement", "while_statement", "for_in_clause")


def _always_runs_before(ctx: AnalysisContext, definition: Definition, use: Node) -> bool:
    """True when `definition` runs on every path that reaches `use`."""
    if definition.kind == "param":
        return True
    statement = definition.node
    while True:
        while statement.parent is not None and statement.parent.type not in ("block", "module"):
            statement = statement.parent
            if statement.type in _CONDITIONAL_HEADERS and not _contains(statement, use):
                return False  # a loop target: the loop may run zero times
        container = statement.parent
        if container is None or _contains(container, use):
            return True
        if container.type == "block" and container.parent is not None and container.parent.type == "match_statement":
            statement = container.parent  # the always-taken `case` body was hopped over: look at the match itself
            continue
        if container.type == "block" and branch_taken(ctx, container) is True:
            statement = container  # `if 7 * 42 - num > 200:` always runs its body: look at the if itself
            continue
        return False


def _contains(ancestor: Node, node: Node) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


SAFE_CALLS = frozenset(
    {
        "int", "float", "len", "bool", "abs", "round", "min", "max", "sum", "ord", "hash",
        "uuid.UUID", "uuid.uuid4", "uuid.uuid1", "datetime.date", "datetime.datetime", "decimal.Decimal",
        "secrets.token_hex", "secrets.token_urlsafe",
    }
)
SAFE_ANNOTATIONS = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "Decimal"})
_NUMERIC_OPS = {"+", "-", "*", "/", "//", "%", "**"}


def is_safe_value(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """True when `node` can only produce constant text or a number.

    Such values cannot carry an injection payload: literals, module constants
    (UPPER_CASE or assigned a literal exactly once), numeric conversions,
    placeholder lists like `", ".join("?" * len(ids))`, and names whose every
    reaching definition is itself safe.
    """
    node = unwrap_parens(node)
    if node is None or depth > 12:
        return False
    kind = node.type
    if kind in ("integer", "float", "true", "false", "none"):
        return True
    if kind == "string":
        return all(
            is_safe_value(ctx, child.child_by_field_name("expression"), depth + 1)
            for child in node.children
            if child.type == "interpolation"
        )
    if kind == "concatenated_string":
        return all(is_safe_value(ctx, c, depth + 1) for c in node.named_children)
    if kind == "identifier":
        name = ctx.text(node)
        if name in ctx.facts.get("constants", ()) or (name.isupper() and len(name) > 1):
            return True
        defs = reaching_definitions(ctx, node)
        if not defs:
            return False
        for d in defs:
            if d.kind == "param":
                if d.annotation.strip() not in SAFE_ANNOTATIONS:
                    return False
            elif d.kind in ("assign", "augment"):
                if not is_safe_value(ctx, d.value, depth + 1):
                    return False
            else:
                return False
        return True
    if kind == "attribute":
        attr = node.child_by_field_name("attribute")
        return attr is not None and ctx.text(attr).isupper() and len(ctx.text(attr)) > 1
    if kind == "binary_operator":
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is not None and op.type == "*":
            # "?" * n and ["?"] * n are placeholder lists whatever n is
            if _is_literal_sequence(ctx, left, depth) or _is_literal_sequence(ctx, right, depth):
                return True
        if op is not None and op.type in _NUMERIC_OPS:
            return is_safe_value(ctx, left, depth + 1) and is_safe_value(ctx, right, depth + 1)
        return False
    if kind == "conditional_expression":
        branches = [c for c in node.named_children]
        return len(branches) == 3 and is_safe_value(ctx, branches[0], depth + 1) and is_safe_value(ctx, branches[2], depth + 1)
    if kind in ("list", "tuple", "set"):
        return all(is_safe_value(ctx, c, depth + 1) for c in node.named_children)
    if kind in ("generator_expression", "list_comprehension", "set_comprehension"):
        body = node.child_by_field_name("body")
        return is_safe_value(ctx, body, depth + 1)
    if kind == "call":
        name = qualified_name(ctx, node.child_by_field_name("function"))
        if name in SAFE_CALLS:
            return True
        function = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        arg_nodes = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if function is not None and function.type == "attribute":
            method = ctx.text(function.child_by_field_name("attribute"))
            receiver = function.child_by_field_name("object")
            if method == "join" and is_safe_value(ctx, receiver, depth + 1):
                return len(arg_nodes) == 1 and is_safe_value(ctx, arg_nodes[0], depth + 1)
            if method == "format" and is_safe_value(ctx, receiver, depth + 1):
                return all(is_safe_value(ctx, a if a.type != "keyword_argument" else a.child_by_field_name("value"), depth + 1) for a in arg_nodes)
        if name == "str" and len(arg_nodes) == 1:
            return is_safe_value(ctx, arg_nodes[0], depth + 1)
        return False
    return False


def _is_literal_sequence(ctx: AnalysisContext, node: Node | None, depth: int) -> bool:
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type == "string":
        return is_safe_value(ctx, node, depth + 1)
    if node.type in ("list", "tuple"):
        return all(is_safe_value(ctx, c, depth + 1) for c in node.named_children)
    return False


def built_string_of(ctx: AnalysisContext, node: Node | None):
    """`(BuiltString, Definition | None)` for a string built inline, or held by
    a variable with exactly one plain assignment (`q = f"..."; run(q)`);
    `(None, None)` otherwise."""
    from .strings import built_string

    node = unwrap_parens(node)
    if node is None:
        return None, None
    built = built_string(ctx, node)
    if built is not None or node.type != "identifier":
        return built, None
    defs = reaching_definitions(ctx, node)
    if len(defs) == 1 and defs[0].kind == "assign":
        built = built_string(ctx, defs[0].value)
        if built is not None:
            return built, defs[0]
    return None, None
