"""Find the functions that handle HTTP requests, and how they are registered.

Express/Koa routers and Fastify (`app.get("/path", mw, handler)`,
`router.route("/p").post(handler)`, `fastify.route({ handler })`), Next.js
App Router route handlers (`export async function GET(request, { params })`),
Next.js pages API routes and page components (`export default function
handler(req, res)`, `export default function Page({ params })`) and NestJS
controller methods. Rules ask `route_of(ctx, node)` for the handler around a
sink, and get the route path and the middleware registered before it (so an
admin-only route with `requireAdmin` counts as authorised).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..common.syntax import JAVASCRIPT as SYN
from ..context import AnalysisContext

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "head", "options"})
NEXT_HANDLER_NAMES = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
NEST_ROUTE_DECORATORS = frozenset({"Get", "Post", "Put", "Patch", "Delete", "All"})


@dataclass(frozen=True)
class Route:
    function: Node
    kind: str  # express | next-route | next-page | next-api | nest | lambda
    method: str  # get, post, ... ("" when unknown)
    path: str
    middleware: tuple[Node, ...] = ()
    """Arguments registered before the handler (`requireAdmin`, `auth()`)."""


def _string_value(ctx: AnalysisContext, node: Node | None) -> str | None:
    if node is None or node.type not in ("string", "template_string"):
        return None
    return ctx.text(node)[1:-1]


def _registration(ctx: AnalysisContext, function: Node) -> Route | None:
    """`app.get("/p", mw, function)`: the route when `function` is a handler argument."""
    args = function.parent
    if args is None or args.type != "arguments":
        if args is not None and args.type == "pair" and ctx.text(args.child_by_field_name("key")) == "handler":
            return _fastify_route_object(ctx, function, args.parent)
        return None
    call = args.parent
    callee = SYN.unwrap(call.child_by_field_name("function")) if call is not None else None
    if callee is None or callee.type != "member_expression":
        return None
    method = ctx.text(callee.child_by_field_name("property"))
    if method not in HTTP_METHODS:
        return None
    positional = [a for a in args.named_children if a.type != "comment"]
    path = _string_value(ctx, positional[0]) if positional else None
    receiver = SYN.unwrap(callee.child_by_field_name("object"))
    if path is None and receiver is not None and receiver.type == "call_expression":
        # router.route("/p").get(handler)
        inner = receiver.child_by_field_name("function")
        inner_args = SYN.arguments(receiver)
        if inner is not None and inner.type == "member_expression" and ctx.text(inner.child_by_field_name("property")) == "route" and inner_args:
            path = _string_value(ctx, inner_args[0])
            return Route(function, "express", method, path or "", tuple(a for a in positional if a.id != function.id and a.start_byte < function.start_byte))
    if path is None or not path.startswith("/") and path != "*":
        return None
    index = next(i for i, a in enumerate(positional) if a.id == function.id)
    return Route(function, "express", method, path, tuple(positional[1:index]))


def _fastify_route_object(ctx: AnalysisContext, function: Node, obj: Node | None) -> Route | None:
    if obj is None or obj.type != "object":
        return None
    fields: dict[str, Node] = {}
    for pair in obj.named_children:
        if pair.type == "pair":
            fields[ctx.text(pair.child_by_field_name("key")).strip("'\"")] = pair.child_by_field_name("value")
    path = _string_value(ctx, fields.get("url") or fields.get("path"))
    if path is None:
        return None
    method = (_string_value(ctx, fields.get("method")) or "").lower()
    hooks = tuple(v for k, v in fields.items() if k in ("preHandler", "onRequest", "preValidation") and v is not None)
    return Route(function, "express", method, path, hooks)


def _exported(function: Node) -> tuple[bool, bool]:
    """(is exported, is the default export)."""
    parent = function.parent
    if parent is not None and parent.type == "variable_declarator":
        parent = parent.parent.parent if parent.parent is not None else None
    if parent is not None and parent.type == "export_statement":
        return True, any(c.type == "default" for c in parent.children)
    return False, False


def route_of_function(ctx: AnalysisContext, function: Node) -> Route | None:
    def compute() -> Route | None:
        found = _registration(ctx, function)
        if found is not None:
            return found
        if _is_lambda_handler(ctx, function):
            return Route(function, "lambda", "", "")
        exported, default = _exported(function)
        name_node = function.child_by_field_name("name")
        if name_node is None and function.parent is not None and function.parent.type == "variable_declarator":
            name_node = function.parent.child_by_field_name("name")
        name = ctx.text(name_node) if name_node is not None else ""
        if exported and name in NEXT_HANDLER_NAMES:
            return Route(function, "next-route", name.lower(), "")
        if function.type == "method_definition":
            decorators = _method_decorators(ctx, function)
            for decorator in decorators:
                head = ctx.text(decorator).lstrip("@").split("(")[0]
                if head in NEST_ROUTE_DECORATORS:
                    return Route(function, "nest", head.lower(), "", tuple(decorators))
            return None
        if default:
            params = function.child_by_field_name("parameters")
            first = params.named_children[0] if params is not None and params.named_children else None
            pattern = first.child_by_field_name("pattern") if first is not None and first.type == "required_parameter" else first
            if pattern is not None and pattern.type == "object_pattern":
                return Route(function, "next-page", "get", "")
            if params is not None and len(params.named_children) >= 2:
                return Route(function, "next-api", "", "")
        return None

    return ctx.memo(("route", function.id), compute)


def _is_lambda_handler(ctx: AnalysisContext, function: Node) -> bool:
    """`exports.handler = async (event, context) => ...` and friends (AWS Lambda, Netlify)."""
    parent = function.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression":
        target = ctx.text(parent.child_by_field_name("left"))
        return target in ("exports.handler", "module.exports.handler")
    if parent.type == "variable_declarator" or function.type == "function_declaration":
        name_node = parent.child_by_field_name("name") if parent.type == "variable_declarator" else function.child_by_field_name("name")
        exported, _default = _exported(function)
        params = function.child_by_field_name("parameters")
        first = ctx.text(params.named_children[0]) if params is not None and params.named_children else ""
        return exported and name_node is not None and ctx.text(name_node) == "handler" and first.split(":")[0].strip() in ("event", "evt")
    return False


def _method_decorators(ctx: AnalysisContext, method: Node) -> list[Node]:
    out: list[Node] = []
    sibling = method.prev_named_sibling
    while sibling is not None and sibling.type == "decorator":
        out.append(sibling)
        sibling = sibling.prev_named_sibling
    out.extend(c for c in method.children if c.type == "decorator")
    return out


def handler_kind(ctx: AnalysisContext, function: Node) -> str | None:
    route = route_of_function(ctx, function)
    return route.kind if route is not None else None


def route_of(ctx: AnalysisContext, node: Node) -> Route | None:
    """The innermost enclosing route handler of `node`, if any."""
    parent = node.parent
    while parent is not None:
        if SYN.is_function(parent):
            route = route_of_function(ctx, parent)
            if route is not None:
                return route
        parent = parent.parent
    return None
