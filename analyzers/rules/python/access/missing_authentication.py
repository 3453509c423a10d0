"""PY-AUTHN-001 state-changing-route-without-authentication: one route forgot the login check its siblings have.

**What it finds.** In a file whose other routes require a logged-in user (an
auth decorator such as `@login_required` / `@jwt_required()`, a FastAPI
dependency that yields the user, a Django `LoginRequiredMixin`, or a use of
the current user), a route that changes state (POST, PUT, PATCH or DELETE,
Django views behind `@require_POST`/`request.method == "POST"`) has no
authentication at all. This is the typical shape of AI-written code: the
assistant adds `@login_required` to the routes it was shown and forgets the
one it wrote last, and the app works because testers are always logged in.

**Not reported.** Routes that are public by nature (login, logout, sign-up,
password reset, e-mail verification, OAuth callbacks, webhooks, health
checks, contact and newsletter forms), files with an app-wide check
(`before_request` hooks, `FastAPI(dependencies=[...])`,
`APIRouter(dependencies=[...])`), and files where no route is authenticated
(then nothing shows what the author intended).

**Fix.** "Require authentication like the other routes" adds what the
authenticated siblings use: their decorator (`@login_required`) right above
the `def`, or their user dependency parameter
(`current_user: User = Depends(get_current_user)`) for FastAPI; a decorator
that passes the user as an argument (`@token_required`) gets that parameter
too. Logged-in callers see no difference; anonymous ones get the same
401/redirect as on the other routes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node

from ....common.edits import insert_lines
from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.auth import AUTH_DECORATOR, _dependency_text, _is_identity_dependency, _param_name, decorator_names, handler_auth, identity_params
from ....python.layout import line_indent, line_start
from ....python.taint import is_route_handler, route_decorators
from ...base import Explanation, Rule, register

PUBLIC_ROUTE = re.compile(
    r"(?i)log_?in|log_?out|sign_?in|sign_?up|sign_?out|register|password|reset|forgot|verify|verification|confirm|activate|"
    r"token|oauth|callback|webhook|health|healthz|ready|csrf|contact|feedback|subscribe|newsletter|public|ping|invite|"
    r"auth\b|/auth|authenticate|otp|magic|unsubscribe|create_user|create_account|new_user|new_account|join"
)
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
_STATE_CHANGING_WORDS = (b"post", b"put", b"patch", b"delete", b"request.method")
_AUTH_WORDS = (
    b"login", b"auth", b"jwt", b"token", b"depends(", b"security(", b"current_user", b"request.user", b"session", b"g.user",
    b"mixin", b"permission", b"identity",
)
_GLOBAL_AUTH = re.compile(rb"before_request|before_app_request|(FastAPI|APIRouter|include_router)\([^)]*dependencies\s*=|LoginRequiredMiddleware")


@dataclass
class Handler:
    function: Node
    name: str
    path: str
    methods: set[str]
    authenticated: bool
    in_class: bool


def _handlers(ctx: AnalysisContext, unit: Node) -> Iterator[Node]:
    """Route handlers of one top-level statement: at module level, one level
    inside functions (app factories) and in classes."""
    django = "django" in ctx.facts.get("imported_modules", ())  # only Django views can be undecorated
    queue = [unit]
    depth_of = {child.id: 0 for child in queue}
    while queue:
        node = queue.pop()
        depth = depth_of.get(node.id, 0)
        target = node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        if target is None:
            continue
        if target.type == "function_definition" and (node.type == "decorated_definition" or django) and is_route_handler(ctx, target):
            yield target
        if target.type in ("function_definition", "class_definition") and depth < 2:
            body = target.child_by_field_name("body")
            if body is not None:
                for child in reversed(body.named_children):
                    depth_of[child.id] = depth + 1
                    queue.append(child)


def _methods(ctx: AnalysisContext, function: Node, in_class: bool) -> set[str]:
    methods: set[str] = set()
    for decorator in route_decorators(ctx, function):
        callee = decorator.child_by_field_name("function")
        verb = ctx.text(callee.child_by_field_name("attribute")).upper() if callee is not None and callee.type == "attribute" else ""
        if verb in STATE_CHANGING + ("GET",):
            methods.add(verb)
        listed = _METHODS_ARGUMENT.search(ctx.text(decorator))
        if listed:
            methods.update(m.upper() for m in _QUOTED_WORD.findall(listed.group(1)))
        elif verb == "ROUTE":
            methods.add("GET")
    name = ctx.text(function.child_by_field_name("name"))
    if in_class and name.upper() in STATE_CHANGING:
        methods.add(name.upper())
    if b"require_" in ctx.source:
        for decorator_name, expr in decorator_names(ctx, function):
            if decorator_name == "require_POST":
                methods.add("POST")
            elif decorator_name == "require_http_methods":
                methods.update(m.upper() for m in _QUOTED_WORD.findall(ctx.text(expr)))
    if b"request.method" in ctx.source:
        methods.update(_METHOD_TEST.findall(ctx.text(function.child_by_field_name("body"))))
    return methods


_METHODS_ARGUMENT = re.compile(r"methods\s*=\s*[\[(]([^\])]*)")
_QUOTED_WORD = re.compile(r"['\"](\w+)['\"]")
_METHOD_TEST = re.compile(r"request\.method\s*==\s*['\"](POST|PUT|PATCH|DELETE)['\"]")


def _route_path(ctx: AnalysisContext, function: Node) -> str:
    for decorator in route_decorators(ctx, function):
        match = re.search(r"\(\s*[rfu]?['\"]([^'\"]*)['\"]", ctx.text(decorator))
        if match:
            return match.group(1)
    return ""


def _in_class(function: Node) -> bool:
    parent = function.parent
    while parent is not None and parent.type in ("block", "decorated_definition"):
        parent = parent.parent
    return parent is not None and parent.type == "class_definition"


def _prefix(path: str) -> str:
    parts = [p for p in path.split("/") if p and not p.startswith(("<", "{"))]
    return parts[0] if parts else ""


@register
class StateChangingRouteWithoutAuthentication(Rule):
    id = "PY-AUTHN-001"
    name = "state-changing-route-without-authentication"
    cwe = 306
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # A handler is reported only when its own text makes it state-changing: `.post(`, `methods=["PUT"]`,
    # `def delete(self, ...)`, `require_POST`, `request.method == "PATCH"` all name the verb in the unit
    # (the authenticated siblings come from module facts, but the reported route is always here).
    triggers = STATE_CHANGING
    triggers_ignore_case = True
    fix_title = "Require authentication like the other routes"
    summary = "Route that changes data has no authentication while the other routes in the file require it"
    explanation = Explanation(
        what="This route changes data but has no login check, while the other routes in the same file have one.",
        why=(
            "Testers are always logged in, so nothing fails. Anyone on the internet can call this route directly: "
            "no session, no token, no account."
        ),
        hostile_input="`curl -X DELETE https://app.example/api/projects/42` without any cookie or token deletes the project.",
        fix="Protect it the way its siblings are protected: the same decorator (`@login_required`) or user dependency.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        text = ctx.source[ctx.unit.start_byte : ctx.unit.end_byte].lower()
        if b"def " not in text or not any(w in text for w in _STATE_CHANGING_WORDS):
            return
        if ctx.facts.get("global_authentication"):
            return
        protected = ctx.facts.get("authenticated_routes", ())
        if not protected:
            return
        for function in _handlers(ctx, ctx.unit):
            in_class = _in_class(function)
            handler = Handler(
                function, ctx.text(function.child_by_field_name("name")), _route_path(ctx, function), _methods(ctx, function, in_class), False, in_class
            )
            if not handler.methods & set(STATE_CHANGING) or PUBLIC_ROUTE.search(handler.name) or PUBLIC_ROUTE.search(handler.path):
                continue
            if handler_auth(ctx, function).authenticated:  # the expensive part: only for candidates
                continue
            same_area = any(_prefix(h["path"]) and _prefix(h["path"]) == _prefix(handler.path) for h in protected)
            verbs = "/".join(sorted(handler.methods & set(STATE_CHANGING)))
            message = (
                f"{verbs} route `{handler.name}`{f' ({handler.path})' if handler.path else ''} has no authentication, "
                f"while {len(protected)} other route{'s' if len(protected) != 1 else ''} in this file require a logged-in user"
            )
            fix = None if handler.in_class else _fix(ctx, handler, protected)
            yield self.finding(
                ctx, handler.function.child_by_field_name("name"), message, fixes=[fix] if fix else [],
                confidence=Confidence.HIGH if same_area else Confidence.MEDIUM,
            )


def _routes_part(source: bytes, unit: Node, facts) -> tuple | None:
    """Whether a statement installs an app-wide check, and its authenticated
    routes: path plus what a sibling would copy (auth decorators with the user
    parameter they pass, identity dependencies)."""
    text = source[unit.start_byte : unit.end_byte]
    global_auth = (b"before_request" in text or b"before_app_request" in text or b"dependencies" in text
                   or b"LoginRequiredMiddleware" in text) and bool(_GLOBAL_AUTH.search(text))
    lowered = text.lower()
    if b"def " not in text or not any(w in lowered for w in _AUTH_WORDS):
        return (True, []) if global_auth else None
    ctx = AnalysisContext(source, None, "python", facts, unit)  # type: ignore[arg-type]
    routes = []
    for function in _handlers(ctx, unit):
        if not handler_auth(ctx, function).authenticated:
            continue
        decorators = []
        for name, expr in decorator_names(ctx, function):
            if AUTH_DECORATOR.search(name):
                params = identity_params(ctx, function)
                decorators.append([ctx.text(expr), sorted(params)[0] if params else ""])
        params = function.child_by_field_name("parameters")
        dependencies = [
            ctx.text(param)
            for param in (params.named_children if params is not None else ())
            if _dependency_text(ctx, param) and _is_identity_dependency(ctx, param)
        ]
        routes.append({"path": _route_path(ctx, function), "decorators": decorators, "dependencies": dependencies})
    return (global_auth, routes) if global_auth or routes else None


def _combine_routes(parts: list[tuple]) -> dict:
    return {
        "global_authentication": any(global_auth for global_auth, _ in parts),
        "authenticated_routes": [route for _, routes in parts for route in routes],
    }


register_unit_facts("python", combine=_combine_routes, stage=1)(_routes_part)


def _fix(ctx: AnalysisContext, handler: Handler, protected) -> Fix | None:
    decorators: Counter[str] = Counter()
    dependency: Counter[str] = Counter()
    passed_user: dict[str, str] = {}
    for sibling in protected:
        for expr, user in sibling["decorators"]:
            decorators[expr] += 1
            if user:
                passed_user[expr] = user
        for text in sibling["dependencies"]:
            dependency[text] += 1
    function = handler.function
    if decorators:
        decorator = decorators.most_common(1)[0][0]
        edits = list(insert_lines(ctx.source, line_start(ctx, function), [f"{line_indent(ctx, function)}@{decorator}"]))
        user = passed_user.get(decorator)
        if user:
            edit = _add_parameter(ctx, function, user, first=True)
            if edit is None:
                return None
            edits.append(edit)
        return Fix(StateChangingRouteWithoutAuthentication.fix_title, tuple(edits))
    if dependency:
        edit = _add_parameter(ctx, function, dependency.most_common(1)[0][0], first=False)
        return Fix(StateChangingRouteWithoutAuthentication.fix_title, (edit,)) if edit is not None else None
    return None


def _add_parameter(ctx: AnalysisContext, function: Node, text: str, *, first: bool) -> Edit | None:
    params = function.child_by_field_name("parameters")
    if params is None:
        return None
    present = [p for p in params.named_children if p.type != "comment"]
    if any(p.type in ("list_splat_pattern", "dictionary_splat_pattern", "keyword_separator", "positional_separator") for p in present):
        return None
    name = text.split(":")[0].split("=")[0].strip()
    if any(_param_name(ctx, p) == name for p in present):
        return None
    open_paren = params.children[0]
    if first:
        return Edit(open_paren.end_byte, open_paren.end_byte, f"{text}, " if present else text)
    if present:
        return Edit(present[-1].end_byte, present[-1].end_byte, f", {text}")
    return Edit(open_paren.end_byte, open_paren.end_byte, text)
