"""Who is calling: authentication, identity and privilege in route handlers.

Access-control rules need three facts about a handler that taint tracking
does not give:

- **Is it authenticated?** An auth decorator (`@login_required`,
  `@jwt_required()`, `@token_required`, `@permission_required(...)`), a
  class-based view with `LoginRequiredMixin` or DRF `permission_classes`, a
  FastAPI dependency that yields the user (`user: User = Depends(get_current_user)`,
  `Annotated[User, Depends(...)]`, `dependencies=[Depends(verify_token)]`), or a
  use of the authenticated identity in the body.
- **Which expressions are the authenticated identity?** `current_user`,
  `request.user`, `g.user`, the Flask `session`, `get_jwt_identity()`,
  `auth.current_user()`, dependency-injected users, parameters an auth
  decorator passes in (`def f(current_user, ...)`), and local names assigned from
  any of these (`uid = current_user.id`). A value from the URL is never the
  identity, even when it is called `user_id`.
- **Is it restricted to privileged users?** An admin/staff/permission decorator
  or dependency, or a guard clause on a role before the code in question
  (`if not current_user.is_admin: abort(403)`).

`user_controlled()` answers "could the caller choose this value?" for record
ids: unlike `taint_of()` it does not stop at `int()` or `<int:id>` converters,
because a well-formed number is exactly what an IDOR attacker sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import FUNCTION_TYPES, Definition, enclosing_function, reaching_definitions
from .guards import guards_of
from .names import dotted_name, qualified_name
from .strings import unwrap_parens
from .taint import is_route_handler, route_decorators, taint_of

AUTH_DECORATOR = re.compile(
    r"(?i)(login|auth|token|jwt|session|user|signin|sign_in|api_key|apikey)_?(is_)?(required|needed|only|protected)"
    r"|requires?_(auth|login|user|token|jwt|session|api_key|permission|role|roles|admin|scope|scopes)"
    r"|^(authenticated|authorized|authorised|protected|permission_required|permissions_required|roles_required|roles_accepted"
    r"|user_passes_test|staff_member_required|superuser_required|admin_required|admin_only|verify_jwt_in_request"
    r"|fresh_jwt_required|jwt_required|login_required|auth_required|requires_auth|check_auth|authenticate)$"
)
PRIVILEGE_WORDS = re.compile(r"(?i)admin|staff|superuser|super_user|is_root|moderator|permission|perm\b|perms|has_perm|roles?\b|role_required|roles_")
IDENTITY_CALLS = re.compile(
    r"(^|\.)(get_jwt_identity|get_current_user|current_identity|get_jwt|get_current_active_user|current_user|get_user|authenticated_user|get_identity)$"
)
IDENTITY_PARAM_NAMES = frozenset({"current_user", "user", "me", "auth_user", "current", "principal", "identity", "account", "viewer", "requester"})
DEPENDENCY_USER = re.compile(r"(?i)user|auth|token|login|current|identity|principal|account|admin|superuser|verify|api_key|session_user|jwt")
DB_SESSION_ANNOTATIONS = re.compile(r"(?i)\b(Session|AsyncSession|Connection|Engine|Database|Redis|BackgroundTasks|Request|Response|WebSocket)\b")
CBV_AUTH_BASES = re.compile(r"LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|AccessMixin|StaffuserRequiredMixin|SuperuserRequiredMixin")


@dataclass(frozen=True)
class HandlerAuth:
    authenticated: bool
    privileged: bool  # only admins/staff/permission holders reach the body
    how: str  # human-readable evidence, for messages


def decorator_names(ctx: AnalysisContext, function: Node) -> list[tuple[str, Node]]:
    """(last name, decorator expression) for each decorator of `function`."""
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    out = []
    for decorator in parent.children:
        if decorator.type != "decorator" or not decorator.named_children:
            continue
        expr = decorator.named_children[0]
        target = expr.child_by_field_name("function") if expr.type == "call" else expr
        dotted = dotted_name(ctx, target) or ""
        out.append((dotted.rsplit(".", 1)[-1], expr))
    return out


def _param_nodes(function: Node) -> list[Node]:
    params = function.child_by_field_name("parameters")
    return list(params.named_children) if params is not None else []


def _param_name(ctx: AnalysisContext, param: Node) -> str:
    if param.type == "identifier":
        return ctx.text(param)
    name = param.child_by_field_name("name")
    if name is None and param.named_children:
        name = param.named_children[0]
    return ctx.text(name) if name is not None and name.type == "identifier" else ""


def _dependency_text(ctx: AnalysisContext, param: Node) -> str:
    """The `Depends(...)`/`Security(...)` part of a FastAPI parameter, if any."""
    pieces = []
    for field in ("value", "type"):
        child = param.child_by_field_name(field)
        if child is not None:
            pieces.append(ctx.text(child))
    text = " ".join(pieces)
    match = re.search(r"\b(Depends|Security)\s*\(([^()]*(\([^()]*\))?[^()]*)\)", text)
    return match.group(0) if match else ""


def _is_identity_dependency(ctx: AnalysisContext, param: Node) -> bool:
    dependency = _dependency_text(ctx, param)
    type_node = param.child_by_field_name("type")
    annotation = ctx.text(type_node) if type_node is not None else ""
    if dependency:
        inner = dependency.split("(", 1)[1]
        if DB_SESSION_ANNOTATIONS.search(annotation) and not DEPENDENCY_USER.search(inner):
            return False
        return bool(DEPENDENCY_USER.search(inner)) and not re.search(r"(?i)\bget_db\b|session_local|get_session\b", inner)
    # `current_user: CurrentUser` with a module-level Annotated alias
    return bool(annotation) and bool(re.fullmatch(r"(?i)\w*(current|active|auth|logged\w*|session)\w*user\w*|\w*user(dep|dependency)", annotation))


def identity_params(ctx: AnalysisContext, function: Node) -> set[str]:
    """Parameters of a handler that hold the authenticated user."""
    names: set[str] = set()
    has_auth_decorator = any(AUTH_DECORATOR.search(name) for name, _ in decorator_names(ctx, function))
    routes = " ".join(ctx.text(d) for d in route_decorators(ctx, function))
    for param in _param_nodes(function):
        name = _param_name(ctx, param)
        if not name or name in ("self", "cls", "request", "req"):
            continue
        if _is_identity_dependency(ctx, param):
            names.add(name)
        elif has_auth_decorator and name in IDENTITY_PARAM_NAMES and not re.search(rf"[<{{:]{re.escape(name)}[>}}]", routes):
            names.add(name)  # @token_required passes the user as an argument
    return names


_G_IDENTITY = re.compile(r"^(user|current_user|user_id|uid|identity|account|me|auth_user|logged_in_user|principal)$")
_IDENTITY_ROOTS = (
    "current_user", "flask_login.current_user", "request.user", "self.request.user", "request.auth", "self.request.auth",
    "request.session", "self.request.session",
)


def is_identity(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """True when `node` is (derived from) the authenticated identity and from nothing the caller controls."""
    node = unwrap_parens(node)
    if node is None or depth > 12:
        return False
    return _mentions_identity(ctx, node, depth) and not user_controlled(ctx, node)


def _mentions_identity(ctx: AnalysisContext, node: Node | None, depth: int) -> bool:
    if node is None or depth > 24:
        return False
    key = ("mentions_identity", node.id)
    if key in ctx._memo:
        return ctx._memo[key]
    ctx._memo[key] = False  # break cycles through definitions
    result = _mentions_identity_uncached(ctx, node, depth)
    ctx._memo[key] = result
    return result


def _mentions_identity_uncached(ctx: AnalysisContext, node: Node, depth: int) -> bool:
    kind = node.type
    if kind in ("attribute", "identifier"):
        dotted = dotted_name(ctx, node)
        if dotted is not None:
            qualified = qualified_name(ctx, node) or dotted
            for root in _IDENTITY_ROOTS:
                if dotted == root or dotted.startswith(root + ".") or qualified == root or qualified.startswith(root + "."):
                    return True
            head = dotted.split(".")
            if head[0] == "g" and len(head) > 1 and _G_IDENTITY.match(head[1]):
                return True
            if qualified.startswith("flask.g.") and _G_IDENTITY.match(qualified.split(".")[2]):
                return True
            if qualified == "flask.session" or qualified.startswith("flask.session."):
                return True
        if kind == "identifier":
            return _identifier_identity(ctx, node, depth)
        return _mentions_identity(ctx, node.child_by_field_name("object"), depth + 1) if node.child_by_field_name("object") else False
    if kind == "call":
        function = node.child_by_field_name("function")
        name = qualified_name(ctx, function) or ""
        if IDENTITY_CALLS.search(name):
            return True
    return any(_mentions_identity(ctx, child, depth + 1) for child in node.named_children if child.type != "comment")


def _identifier_identity(ctx: AnalysisContext, node: Node, depth: int) -> bool:
    name = ctx.text(node)
    for definition in reaching_definitions(ctx, node):
        if definition.kind == "param":
            function = enclosing_function(definition.node)
            if function is not None and name in identity_params(ctx, function):
                return True
        elif definition.kind in ("assign", "augment", "with") and definition.value is not None:
            if _mentions_identity(ctx, definition.value, depth + 1):
                return True
    return False


def _is_url_param(ctx: AnalysisContext, definition: Definition) -> bool:
    function = enclosing_function(definition.node)
    if function is None or function.type != "function_definition" or not is_route_handler(ctx, function):
        return False
    name = definition.name
    if name in ("self", "cls", "request", "req") or name in identity_params(ctx, function):
        return False
    if _dependency_text(ctx, definition.statement):
        return False
    annotation = definition.annotation
    if DB_SESSION_ANNOTATIONS.search(annotation):
        return False
    return True


def user_controlled(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """True when the caller can choose the value of `node` (URL segment, query, body...).

    Numeric conversions do not help here: `int(request.args["id"])` is still
    the caller's choice of record.
    """
    node = unwrap_parens(node)
    if node is None or depth > 16:
        return False
    key = ("user_controlled", node.id)
    if key in ctx._memo:
        return ctx._memo[key]
    ctx._memo[key] = False
    result = _user_controlled(ctx, node, depth)
    ctx._memo[key] = result
    return result


def _user_controlled(ctx: AnalysisContext, node: Node, depth: int) -> bool:
    kind = node.type
    if kind in ("string", "integer", "float", "true", "false", "none", "comment", "lambda"):
        return False
    if kind == "identifier":
        for definition in reaching_definitions(ctx, node):
            if definition.kind == "param":
                if _is_url_param(ctx, definition):
                    return True
            elif definition.value is not None and user_controlled(ctx, definition.value, depth + 1):
                return True
            elif definition.kind == "loop":
                iterable = definition.statement.child_by_field_name("right")
                if user_controlled(ctx, iterable, depth + 1):
                    return True
        return False
    if kind == "attribute":
        dotted = dotted_name(ctx, node) or ""
        if dotted.startswith(("request.", "req.", "self.request.")) and not dotted.startswith(_IDENTITY_ROOTS):
            return taint_of(ctx, node) is not None
        return user_controlled(ctx, node.child_by_field_name("object"), depth + 1)
    if kind == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute" and user_controlled(ctx, function, depth + 1):
            return True
        args = node.child_by_field_name("arguments")
        return args is not None and any(user_controlled(ctx, a, depth + 1) for a in args.named_children)
    if kind == "keyword_argument":
        return user_controlled(ctx, node.child_by_field_name("value"), depth + 1)
    return any(user_controlled(ctx, child, depth + 1) for child in node.named_children)


def _class_of(function: Node) -> Node | None:
    parent = function.parent
    while parent is not None and parent.type not in FUNCTION_TYPES:
        if parent.type == "class_definition":
            return parent
        parent = parent.parent
    return None


def _class_auth(ctx: AnalysisContext, cls: Node) -> tuple[bool, bool, str]:
    bases = cls.child_by_field_name("superclasses")
    bases_text = ctx.text(bases) if bases is not None else ""
    body = cls.child_by_field_name("body")
    body_text = ctx.text(body) if body is not None else ""
    match = re.search(r"permission_classes\s*=\s*[\[(]([^\])]*)", body_text)
    if match and re.search(r"IsAuthenticated|IsAdminUser|DjangoModelPermissions|Has\w*Permission|IsOwner", match.group(1)):
        return True, bool(re.search(r"IsAdminUser|DjangoModelPermissions", match.group(1))), "permission_classes"
    if CBV_AUTH_BASES.search(bases_text):
        privileged = bool(re.search(r"PermissionRequiredMixin|StaffuserRequiredMixin|SuperuserRequiredMixin", bases_text))
        return True, privileged, "an authentication mixin"
    return False, False, ""


def handler_auth(ctx: AnalysisContext, function: Node) -> HandlerAuth:
    """How the handler `function` authenticates and whether it is admin-only."""

    def compute() -> HandlerAuth:
        authenticated = False
        privileged = False
        how = ""
        for name, expr in decorator_names(ctx, function):
            if AUTH_DECORATOR.search(name):
                authenticated = True
                how = how or f"@{name}"
                if PRIVILEGE_WORDS.search(ctx.text(expr)):
                    privileged = True
        for expr in route_decorators(ctx, function):
            deps = re.search(r"dependencies\s*=\s*\[([^\]]*)\]", ctx.text(expr))
            if deps and DEPENDENCY_USER.search(deps.group(1)):
                authenticated = True
                how = how or "a route dependency"
                privileged = privileged or bool(PRIVILEGE_WORDS.search(deps.group(1)))
        for param in _param_nodes(function):
            if _is_identity_dependency(ctx, param):
                authenticated = True
                how = how or f"the `{_param_name(ctx, param)}` dependency"
                if PRIVILEGE_WORDS.search(_dependency_text(ctx, param)):
                    privileged = True
        cls = _class_of(function)
        if cls is not None:
            cls_auth, cls_priv, cls_how = _class_auth(ctx, cls)
            authenticated = authenticated or cls_auth
            privileged = privileged or cls_priv
            how = how or cls_how
        if not authenticated and body_uses_identity(ctx, function):
            authenticated = True
            how = "the current user"
        return HandlerAuth(authenticated, privileged, how)

    return ctx.memo(("handler_auth", function.id), compute)


_IDENTITY_USE_QUERY = "[(attribute) (identifier) (call)] @expr"


def body_uses_identity(ctx: AnalysisContext, function: Node) -> bool:
    body = function.child_by_field_name("body")
    if body is None:
        return False
    text = ctx.text(body)
    if not re.search(r"current_user|request\.user|g\.\w*user|session\b|get_jwt|current_identity|get_current_user", text):
        return False
    captures = ctx.captures(_IDENTITY_USE_QUERY, body)
    for node in captures.get("expr", ()):
        if node.type == "identifier" and ctx.text(node) not in ("current_user", "session"):
            continue
        text = ctx.text(node.parent) if _is_session_use(ctx, node) and node.parent is not None else ctx.text(node)
        if "session" in text and not _SESSION_IDENTITY_KEY.search(text) and not _NON_SESSION_IDENTITY.search(text):
            continue  # `session["cart"]` is state, not a login: only user-ish keys show authentication
        if _mentions_identity(ctx, node, 0):
            return True
    return False


_NON_SESSION_IDENTITY = re.compile(r"current_user|request\.user|\bg\.|get_jwt|current_identity|get_current_user")
_SESSION_IDENTITY_KEY = re.compile(r"(?i)['\"](user\w*|uid|account\w*|logged\w*|auth\w*|email|username|member\w*|customer\w*)['\"]")


def _is_session_use(ctx: AnalysisContext, node: Node) -> bool:
    dotted = dotted_name(ctx, node) or ""
    return (qualified_name(ctx, node) or "").startswith("flask.session") or dotted.startswith(("request.session", "self.request.session"))


def privilege_checked_before(ctx: AnalysisContext, node: Node) -> bool:
    """True when a guard on a role/admin flag/permission protects `node`."""
    for guard in guards_of(ctx, node):
        text = ctx.text(guard.condition)
        if PRIVILEGE_WORDS.search(text) and _mentions_identity(ctx, guard.condition, 0):
            return True
    return False
