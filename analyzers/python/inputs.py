"""Remote input: taint that a *client of the service* controls.

`taint_of()` also reports the process's own inputs (`sys.argv`, `input()`,
the environment). For command injection those matter; for SSRF, ReDoS,
deserialisation or XML entity expansion they do not: whoever sets an
environment variable or runs a command-line tool already controls the process.
Rules about attacks *on* a service ask `remote_taint()` instead.
"""

from __future__ import annotations

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import Definition, enclosing_function, reaching_definitions
from .names import qualified_name
from .strings import unwrap_parens
from .taint import Taint, is_route_handler, route_decorators, taint_of
from .taint_specs import REQUEST

LOCAL_SOURCE_PREFIXES = ("os.", "sys.", "input()", "raw_input()", "getpass")


def is_local_source(taint: Taint) -> bool:
    return taint.source.startswith(LOCAL_SOURCE_PREFIXES)


def remote_taint(ctx: AnalysisContext, node: Node | None) -> Taint | None:
    """Taint of `node` when it comes from a request or a route parameter."""
    return taint_of(ctx, node, kinds=frozenset({REQUEST}))


NUMERIC_CONVERTERS = frozenset({"int", "float", "abs", "round", "decimal.Decimal", "math.floor", "math.ceil"})
NUMERIC_ANNOTATIONS = frozenset({"int", "float", "Decimal", "decimal.Decimal", "conint", "PositiveInt", "NonNegativeInt"})
_ARITHMETIC = frozenset({"+", "-", "*", "//", "/", "%", "**"})


def numeric_input(ctx: AnalysisContext, node: Node | None, depth: int = 0, *, converted_only: bool = False) -> Taint | None:
    """Taint of a *number* a client chose, looking through the conversions that
    `taint_of()` rightly treats as sanitisers for injection (`int(request.args["n"])`,
    `request.args.get("n", type=int)`, a route parameter `<int:n>` or `n: int`).

    A number cannot inject syntax, but it can still be huge, negative or zero:
    rules about sizes, counts, offsets and checks ask this instead. With
    `converted_only`, raw input (which may be a string or bytes rather than a
    number, as in `bytes(request.data)`) does not count."""
    node = unwrap_parens(node)
    if node is None or depth > 8:
        return None

    def raw(value: Node | None) -> Taint | None:
        return None if converted_only else remote_taint(ctx, value)

    if node.type == "call":
        name = qualified_name(ctx, node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        if name in NUMERIC_CONVERTERS and args is not None and args.named_children:
            first = args.named_children[0]
            return remote_taint(ctx, first) or numeric_input(ctx, first, depth + 1)
        converter = next(
            (c.child_by_field_name("value") for c in (args.named_children if args else []) if c.type == "keyword_argument" and ctx.text(c.child_by_field_name("name")) == "type"),
            None,
        )
        if converter is not None and ctx.text(converter) in ("int", "float"):
            # request.args.get("n", 10, type=int): the getter's input, converted
            return remote_taint(ctx, node.child_by_field_name("function"))
        return raw(node)
    if node.type == "identifier":
        for definition in reaching_definitions(ctx, node):
            if definition.kind == "param":
                found = _numeric_route_parameter(ctx, definition)
            else:
                found = numeric_input(ctx, definition.value, depth + 1, converted_only=converted_only)
            if found is not None:
                return found
        return raw(node)
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type in _ARITHMETIC:
            return numeric_input(ctx, node.child_by_field_name("left"), depth + 1, converted_only=converted_only) or numeric_input(
                ctx, node.child_by_field_name("right"), depth + 1, converted_only=converted_only
            )
        return raw(node)
    if node.type == "unary_operator":
        return numeric_input(ctx, node.named_children[0] if node.named_children else None, depth + 1, converted_only=converted_only)
    return raw(node)


def _numeric_route_parameter(ctx: AnalysisContext, definition: Definition) -> Taint | None:
    """`<int:n>` route converters and `n: int` handler parameters are client numbers."""
    function = enclosing_function(definition.node)
    if function is None or function.type != "function_definition" or not is_route_handler(ctx, function):
        return None
    annotation = definition.annotation.strip().split("[")[0]
    converters = " ".join(ctx.text(d) for d in route_decorators(ctx, function))
    if annotation in NUMERIC_ANNOTATIONS or f"<int:{definition.name}>" in converters or f"<float:{definition.name}>" in converters:
        return Taint(f"route parameter {definition.name}", definition.node.start_point.row + 1)
    return None

