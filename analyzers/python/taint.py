"""Intra-procedural taint: does an expression carry untrusted input?

Sources are request data (Flask, Django, FastAPI/Starlette), parameters of
route handlers bound to URL segments, `input()`, `sys.argv` and the
environment. Taint flows through assignments, augmented assignments, string
building, containers, subscripts, attributes and method calls on tainted
values, and through calls that receive tainted arguments. Sanitisers
(`int()`, `uuid.UUID()`, `secure_filename`, `shlex.quote`, `html.escape`, ...)
stop it. Branches are not modelled: one tainted definition taints the name.

API used by rules:
    taint_of(ctx, node) -> Taint | None     # None: no evidence of untrusted input
    is_tainted(ctx, node) -> bool
    is_route_handler(ctx, function) -> bool
    route_decorators(ctx, function) -> [call nodes of @app.route(...)/@router.get(...)]
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import SAFE_ANNOTATIONS, Definition, enclosing_function, reaching_definitions
from .names import dotted_name, qualified_name
from .strings import unwrap_parens

REQUEST_ATTRIBUTES = frozenset(
    {
        # Flask / Werkzeug
        "args", "form", "values", "json", "files", "cookies", "headers", "data", "get_json", "get_data",
        "stream", "view_args", "path", "full_path", "url", "base_url", "query_string", "remote_addr", "host",
        "referrer", "user_agent", "environ", "authorization",
        # Django
        "GET", "POST", "FILES", "COOKIES", "META", "body", "read", "readline", "content_params",
        # Starlette / FastAPI
        "query_params", "path_params", "form_data", "client",
    }
)
REQUEST_NAMES = frozenset({"request", "req", "flask.request", "self.request"})
INPUT_FUNCTIONS = frozenset({"input", "raw_input", "os.getenv", "os.environ.get", "sys.stdin.read", "sys.stdin.readline"})
INPUT_VALUES = frozenset({"sys.argv", "os.environ", "sys.stdin"})

SANITISERS = frozenset(
    {
        "int", "float", "bool", "len", "abs", "round", "complex", "ord", "hash", "id",
        "uuid.UUID", "decimal.Decimal", "datetime.date.fromisoformat", "datetime.datetime.fromisoformat",
        "werkzeug.utils.secure_filename", "werkzeug.secure_filename", "secure_filename",
        "shlex.quote", "pipes.quote", "html.escape", "markupsafe.escape", "flask.escape", "jinja2.escape",
        "django.utils.html.escape", "bleach.clean", "cgi.escape", "xml.sax.saxutils.escape",
        "urllib.parse.quote", "urllib.parse.quote_plus", "os.path.basename",
        "hashlib.sha256", "hashlib.md5", "hashlib.sha1", "hmac.new", "bcrypt.hashpw",
        "json.dumps", "isinstance", "callable", "type",
    }
)
ROUTE_DECORATOR_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "head", "options"})
SAFE_CONVERTERS = ("int:", "float:", "uuid:")


@dataclass(frozen=True)
class Taint:
    """Evidence that a value comes from untrusted input."""

    source: str  # e.g. "request.args", "route parameter user_id", "input()"
    line: int  # 1-based line of the source


def _route_decorators(ctx: AnalysisContext, function: Node) -> list[Node]:
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    out = []
    for decorator in parent.children:
        if decorator.type != "decorator":
            continue
        expr = decorator.named_children[0] if decorator.named_children else None
        if expr is not None and expr.type == "call":
            function_node = expr.child_by_field_name("function")
            if function_node is not None and function_node.type == "attribute":
                method = ctx.text(function_node.child_by_field_name("attribute"))
                if method in ROUTE_DECORATOR_METHODS:
                    out.append(expr)
    return out


def route_decorators(ctx: AnalysisContext, function: Node) -> list[Node]:
    """The route decorator calls of `function` (`@app.route(...)`, `@router.post(...)`)."""
    return _route_decorators(ctx, function)


def is_route_handler(ctx: AnalysisContext, function: Node) -> bool:
    return bool(_route_decorators(ctx, function)) or _is_django_view(ctx, function)


def _is_django_view(ctx: AnalysisContext, function: Node) -> bool:
    params = function.child_by_field_name("parameters")
    if params is None or not params.named_children:
        return False
    first = params.named_children[0]
    name = ctx.text(first.child_by_field_name("name") if first.type != "identifier" else first)
    if name == "self" and len(params.named_children) > 1:
        second = params.named_children[1]
        name = ctx.text(second.child_by_field_name("name") if second.type != "identifier" else second)
    return name == "request" and "django" in ctx.facts.get("imported_modules", ())


def _route_param_taint(ctx: AnalysisContext, definition: Definition) -> Taint | None:
    """Handler parameters are user-controlled unless typed or converted to numbers."""
    function = enclosing_function(definition.node)
    if function is None or function.type != "function_definition":
        return None
    decorators = _route_decorators(ctx, function)
    is_django = not decorators and _is_django_view(ctx, function)
    if not decorators and not is_django:
        return None
    if definition.name in ("self", "cls"):
        return None
    annotation = definition.annotation.strip()
    if annotation in SAFE_ANNOTATIONS or annotation.split("[")[0] in ("Session", "AsyncSession", "Depends"):
        return None
    if definition.name in ("request", "req"):
        return None  # the request object itself; its attributes are the sources
    if definition.value is not None and ctx.text(definition.value).startswith(("Depends(", "Security(")):
        return None
    for decorator in decorators:
        text = ctx.text(decorator)
        for converter in SAFE_CONVERTERS:
            if f"<{converter}{definition.name}>" in text:
                return None
    return Taint(f"route parameter {definition.name}", definition.node.start_point.row + 1)


def taint_of(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> Taint | None:
    node = unwrap_parens(node)
    if node is None or depth > 24:
        return None
    key = ("taint", node.id)
    memo = ctx._memo
    if key in memo:
        return memo[key]
    memo[key] = None  # break cycles
    result = _taint(ctx, node, depth)
    memo[key] = result
    return result


def is_tainted(ctx: AnalysisContext, node: Node | None) -> bool:
    return taint_of(ctx, node) is not None


def _line(node: Node) -> int:
    return node.start_point.row + 1


def _taint(ctx: AnalysisContext, node: Node, depth: int) -> Taint | None:
    kind = node.type
    if kind in ("integer", "float", "true", "false", "none", "comment"):
        return None
    if kind == "identifier":
        return _identifier_taint(ctx, node, depth)
    if kind == "attribute":
        dotted = dotted_name(ctx, node)
        if dotted is not None:
            qualified = qualified_name(ctx, node) or dotted
            if qualified in INPUT_VALUES or dotted in INPUT_VALUES:
                return Taint(dotted, _line(node))
            head, _, rest = dotted.partition(".")
            first_attr = rest.split(".")[0] if rest else ""
            if (head in ("request", "req") or dotted.startswith("self.request.")) and (
                first_attr in REQUEST_ATTRIBUTES or dotted.startswith("self.request.") and dotted.split(".")[2] in REQUEST_ATTRIBUTES
            ):
                return Taint(".".join(dotted.split(".")[:2 if head != "self" else 3]), _line(node))
        return taint_of(ctx, node.child_by_field_name("object"), depth + 1)
    if kind == "call":
        return _call_taint(ctx, node, depth)
    if kind == "subscript":
        return taint_of(ctx, node.child_by_field_name("value"), depth + 1) or taint_of(ctx, node.child_by_field_name("subscript"), depth + 1)
    if kind in ("lambda", "function_definition", "class_definition"):
        return None
    if kind == "conditional_expression":
        children = node.named_children
        return taint_of(ctx, children[0], depth + 1) or (taint_of(ctx, children[2], depth + 1) if len(children) > 2 else None)
    if kind == "boolean_operator" or kind == "comparison_operator" or kind == "not_operator":
        if kind == "boolean_operator":
            return taint_of(ctx, node.child_by_field_name("left"), depth + 1) or taint_of(ctx, node.child_by_field_name("right"), depth + 1)
        return None
    if kind in ("keyword_argument", "pair"):
        return taint_of(ctx, node.child_by_field_name("value"), depth + 1)
    for child in node.named_children:
        found = taint_of(ctx, child, depth + 1)
        if found is not None:
            return found
    return None


def _identifier_taint(ctx: AnalysisContext, node: Node, depth: int) -> Taint | None:
    name = ctx.text(node)
    if name in ("request", "req"):
        return None
    for definition in reaching_definitions(ctx, node):
        if definition.kind == "param":
            found = _route_param_taint(ctx, definition)
        elif definition.kind in ("assign", "augment", "with"):
            found = taint_of(ctx, definition.value, depth + 1)
        elif definition.kind == "loop":
            iterable = definition.statement.child_by_field_name("right")
            found = taint_of(ctx, iterable, depth + 1)
        else:
            value = definition.statement.child_by_field_name("right") if definition.statement.type == "assignment" else None
            found = taint_of(ctx, value, depth + 1)
        if found is not None:
            return found
    return None


def _call_taint(ctx: AnalysisContext, node: Node, depth: int) -> Taint | None:
    function = node.child_by_field_name("function")
    name = qualified_name(ctx, function)
    if name in SANITISERS or (name and name.split(".")[-1] in ("secure_filename", "escape", "quote")):
        return None
    if name in INPUT_FUNCTIONS:
        return Taint(f"{name}()", _line(node))
    if function is not None and function.type == "attribute":
        receiver = taint_of(ctx, function, depth + 1)
        if receiver is not None:
            return receiver
    args = node.child_by_field_name("arguments")
    if args is not None:
        for arg in args.named_children:
            found = taint_of(ctx, arg, depth + 1)
            if found is not None:
                return found
    return None
