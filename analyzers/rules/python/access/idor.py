"""PY-IDOR-001 missing-ownership-check: a handler loads a record by the caller's id and never checks its owner.

**What it finds.** A Flask, Django or FastAPI route handler that requires a
logged-in user, loads a record by an id taken from the URL or the request and
returns, changes or deletes it without comparing the record's owner with the
authenticated user and without filtering the query by owner. Recognised
lookups: `Note.query.get(id)`, `.get_or_404(id)`, `.filter_by(id=...).first()`,
`.filter(Note.id == id)`, `db.session.get(Note, id)`, `db.get_or_404(Note, id)`,
`session.query(Note).get(id)`, `select(Note).where(Note.id == id)`,
`get_object_or_404(Note, pk=pk)`, `Note.objects.get(pk=pk)`,
`Note.objects.filter(pk=pk)`, peewee `Note.get_by_id(id)`, and raw SQL such as
`cur.execute("SELECT * FROM notes WHERE id = ?", (note_id,))`.

**Not reported.** Handlers that compare the owner (`if note.user_id !=
current_user.id: abort(403)`, `note.owner == request.user`, `current_user in
note.members`) or call a permission helper with the record
(`check_owner(note)`, `self.check_object_permissions(request, obj)`);
queries filtered by the user (`filter_by(id=id, user_id=current_user.id)`,
`current_user.notes.filter_by(id=id)`, `request.user.notes.get(pk=pk)`,
`WHERE id = ? AND user_id = ?`); admin-only handlers (an admin/staff/permission
decorator or dependency, or `if not current_user.is_admin: abort(403)` before
the lookup); handlers without authentication (public pages, for which the
missing-authentication rule is responsible); models defined in the file
without any owner field (shared resources such as products); ids that come
from the session or the user object itself. Reads of the user model (public
profiles) are reported only when the handler changes the record.

**Ownership evidence.** The owner attribute comes from the model class when it
is in the file (a foreign key to the user model, or a field such as `user_id`,
`owner`, `author_id`), else from the rest of the file (`Note(user_id=...)`,
`filter_by(user_id=...)`, `CREATE TABLE notes (... user_id ...)`). Without
evidence the rule still reports an authenticated lookup, with medium
confidence, and the fix assumes `user_id` (`owner` for Django).

**Fix.** "Add ownership check" inserts the comparison right after the load
(after its `None`/404 check if there is one) with the framework's 403:
`abort(403)` (Flask), `raise PermissionDenied` (Django),
`raise HTTPException(status_code=403, ...)` (FastAPI). Django lookups and
SQLAlchemy `filter_by`/`filter` chains get the owner added to the query
instead (`get_object_or_404(Note, pk=pk, owner=request.user)`), and raw SQL
gets `AND user_id = ?` with the user's id bound as a parameter. The owner
gets exactly what they got before; everyone else gets 403 or 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext, share_unit_queries
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword
from ....python.auth import (
    _mentions_identity,
    handler_auth,
    identity_params,
    is_identity,
    privilege_checked_before,
    user_controlled,
)
from ....python.dataflow import enclosing_function
from ....python.frameworks import deny_statement, web_framework
from ....python.guards import identifiers
from ....python.layout import enclosing_statement, indent_unit, insert_lines_after, line_indent, short
from ....python.names import call_arguments, dotted_name, qualified_name
from ....python.ownership import OWNER_FIELD
from ....python.strings import unwrap_parens
from ....python.taint import is_route_handler, route_decorators
from ...base import Explanation, Rule, register

_FUNCTIONS = "(function_definition) @function"
share_unit_queries("python", _FUNCTIONS)
_CALLS = "(call) @call"
_COMPARISONS = "[(comparison_operator) (call)] @check"
_ID_METHODS = {"get", "get_or_404", "get_by_id", "get_or_none", "get_one", "one_or_404", "first_or_404", "with_for_update"}
_FILTER_METHODS = {"filter_by", "filter", "where", "exclude"}
_QUERY_METHODS = _ID_METHODS | _FILTER_METHODS | {
    "first", "one", "one_or_none", "all", "scalar", "scalar_one", "scalar_one_or_none", "scalars", "delete", "update",
    "order_by", "limit", "options", "join", "execute", "exec_driver_sql", "fetchone", "fetchall", "fetchrow", "fetchval",
    "fetch", "exists", "count", "values", "only", "select_related", "prefetch_related", "query", "select",
}
_RAISING = {"get_or_404", "first_or_404", "one_or_404", "one", "scalar_one", "get_object_or_404", "get_one", "get_by_id"}
_CHECK_CALL = re.compile(r"(?i)perm|authori[sz]|owner|owns|can_|allowed|access|policy|ensure|verify|check|require|assert")
_SQL_BY_ID = re.compile(
    r"^\s*(?:SELECT\b.*?\bFROM|DELETE\s+FROM|UPDATE)\s+[`\"\[]?(\w+)[`\"\]]?\b.*?\bWHERE\b(?P<where>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_SQL_TAIL = re.compile(r"\b(ORDER\s+BY|GROUP\s+BY|LIMIT|RETURNING|HAVING|UNION|OFFSET)\b", re.IGNORECASE)
_MUTATING_METHODS = re.compile(r"(?i)\b(POST|PUT|PATCH|DELETE)\b")
_UNWRAPPING_CALLS = {"execute", "scalars", "scalar", "one_or_404", "first_or_404", "get_or_404", "exec", "scalar_one", "fetchrow"}
_USER_CLASS = re.compile(r"^(User|Users|UserModel|AppUser|CustomUser|Account|Member)$")


@dataclass
class Lookup:
    node: Node  # the expression reported
    model: str  # class name, or table name for raw SQL
    ids: list[Node]
    kind: str  # get | filter | django | sql
    may_be_none: bool
    owner_filtered: bool
    filter_call: Node | None = None  # call to extend with an owner keyword
    sql: tuple[Node, Node] | None = None  # (query string, params) for raw SQL
    filter_args: list[Node] = field(default_factory=list)


def _chain(ctx: AnalysisContext, node: Node) -> tuple[list[tuple[str, Node]], Node | None]:
    """Method calls of a chain from the outermost inwards, and its root receiver."""
    links: list[tuple[str, Node]] = []
    current: Node | None = unwrap_parens(node)
    while current is not None and current.type == "call":
        function = current.child_by_field_name("function")
        if function is None or function.type != "attribute":
            return links, current
        links.append((_attr(ctx, function), current))
        current = unwrap_parens(function.child_by_field_name("object"))
    return links, current


def _attr(ctx: AnalysisContext, attribute: Node | None) -> str:
    name = attribute.child_by_field_name("attribute") if attribute is not None else None
    return ctx.text(name) if name is not None else ""


def _trim_chain(ctx: AnalysisContext, call: Node) -> Node | None:
    """Drop trailing calls that use the record (`.to_dict()`) rather than query it."""
    current: Node | None = call
    while current is not None and current.type == "call":
        function = current.child_by_field_name("function")
        if function is None or function.type != "attribute" or _attr(ctx, function) in _QUERY_METHODS:
            return current
        current = unwrap_parens(function.child_by_field_name("object"))
    return None


def _is_outermost(call: Node) -> bool:
    parent = call.parent
    return not (parent is not None and parent.type == "attribute" and parent.parent is not None and parent.parent.type == "call")


def _model_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    node = unwrap_parens(node)
    if node is not None and node.type == "identifier":
        name = ctx.text(node)
        if name[:1].isupper() and not name.isupper():
            return name
    return None


def _owner_keyword(name: str) -> bool:
    return bool(OWNER_FIELD.match(name.split("__")[0]))


class IdorRule:
    """Lookup recognition, separated from the rule metadata for readability."""

    def __init__(self, ctx: AnalysisContext):
        self.ctx = ctx
        self.models: dict = ctx.facts.get("models", {})
        self.tables: dict = ctx.facts.get("tables", {})

    # -- lookups --------------------------------------------------------------
    def lookup(self, call: Node) -> Lookup | None:
        ctx = self.ctx
        call = _trim_chain(ctx, call)
        if call is None:
            return None
        function = call.child_by_field_name("function")
        if function is not None and function.type in ("identifier", "attribute"):
            name = qualified_name(ctx, function) or ""
            if name.endswith("get_object_or_404"):
                return self._django_shortcut(call)
        links, root = _chain(ctx, call)
        if not links:
            return None
        root_dotted = dotted_name(ctx, root) or "" if root is not None else ""
        model = None
        kind = "get"
        inner_methods = [m for m, _ in links]
        if re.fullmatch(r"[A-Z]\w*\.query", root_dotted):
            model = root_dotted.split(".")[0]
        elif re.fullmatch(r"[A-Z]\w*\.(objects|_default_manager|all_objects)", root_dotted):
            model, kind = root_dotted.split(".")[0], "django"
        elif root is not None and root.type == "call" and self._select_model(root):
            model = self._select_model(root)
        elif root_dotted and _model_name(ctx, root) and (root_dotted in self.models or self._orm_imported()):
            model = root_dotted
        elif root is not None and root.type != "identifier" and _mentions_identity(ctx, root, 0):
            return None  # `current_user.notes.filter_by(id=...)`: scoped to the user's own records
        if model is None:
            # `session.get(Note, id)`, `db.session.query(Note).get(id)`
            for method, link in reversed(links):
                positional, _ = call_arguments(ctx, link)
                if method in ("query", "select") and len(positional) == 1 and _model_name(ctx, positional[0]):
                    model = ctx.text(positional[0])
                    continue
                if method in ("get", "get_or_404", "get_one") and len(positional) >= 2 and _model_name(ctx, positional[0]):
                    receiver = dotted_name(ctx, link.child_by_field_name("function").child_by_field_name("object")) or ""
                    if re.search(r"(?i)(session|db|database|conn)$", receiver):
                        return Lookup(call, ctx.text(positional[0]), [positional[1]], "get", method not in _RAISING, False)
            if model is None:
                return self._raw_sql(call, links)
            if not any(m in _ID_METHODS | _FILTER_METHODS for m in inner_methods):
                return None
        return self._model_chain(call, model, links, kind)

    def _orm_imported(self) -> bool:
        modules = set(self.ctx.facts.get("imported_modules", ()))
        return bool(modules & {"peewee", "tortoise", "mongoengine", "pony", "ormar", "piccolo"})

    def _select_model(self, call: Node) -> str | None:
        name = qualified_name(self.ctx, call.child_by_field_name("function")) or ""
        if name.split(".")[-1] == "select":
            positional, _ = call_arguments(self.ctx, call)
            if len(positional) == 1:
                return _model_name(self.ctx, positional[0])
        return None

    def _model_chain(self, call: Node, model: str, links, kind: str) -> Lookup | None:
        ctx = self.ctx
        ids: list[Node] = []
        filter_call = None
        owner_filtered = False
        filter_args: list[Node] = []
        may_be_none = True
        for method, link in links:
            positional, keywords = call_arguments(ctx, link)
            if method in _RAISING:
                may_be_none = False
            if method in ("get", "get_or_404", "get_by_id", "get_or_none", "get_one") and positional and kind != "django":
                if len(positional) == 1 and positional[0].type != "comparison_operator":
                    ids.append(positional[0])
                    continue
            if method in _FILTER_METHODS or (method in ("get", "get_or_none", "first", "one") and (keywords or positional)):
                filter_call = filter_call or link
                for key, value in keywords.items():
                    filter_args.append(value)
                    if _owner_keyword(key):
                        owner_filtered = owner_filtered or not user_controlled(ctx, value)
                    else:
                        ids.append(value)
                for arg in positional:
                    filter_args.append(arg)
                    ids.extend(self._compared_values(arg, model))
                    if self._owner_comparison(arg):
                        owner_filtered = True
        if not ids:
            return None
        if kind == "django":
            may_be_none = not any(m == "get" for m, _ in links)
        return Lookup(call, model, ids, "django" if kind == "django" else ("filter" if filter_call is not None else "get"), may_be_none, owner_filtered, filter_call, None, filter_args)

    def _compared_values(self, node: Node, model: str) -> list[Node]:
        node = unwrap_parens(node)
        if node is None:
            return []
        if node.type == "comparison_operator":
            sides = [c for c in node.named_children]
            values = [s for s in sides if not (dotted_name(self.ctx, s) or "").startswith(model + ".")]
            return values if len(values) < len(sides) else []
        if node.type == "call":  # and_(...), or_(...)
            positional, _ = call_arguments(self.ctx, node)
            return [v for arg in positional for v in self._compared_values(arg, model)]
        return []

    def _owner_comparison(self, node: Node) -> bool:
        node = unwrap_parens(node)
        if node is None:
            return False
        if node.type == "comparison_operator":
            for side in node.named_children:
                dotted = dotted_name(self.ctx, side) or ""
                if "." in dotted and _owner_keyword(dotted.rsplit(".", 1)[-1]) and not any(user_controlled(self.ctx, s) for s in node.named_children):
                    return True
            return _mentions_identity(self.ctx, node, 0) and not user_controlled(self.ctx, node)
        if node.type == "call":
            positional, _ = call_arguments(self.ctx, node)
            return any(self._owner_comparison(a) for a in positional)
        return False

    def _django_shortcut(self, call: Node) -> Lookup | None:
        ctx = self.ctx
        positional, keywords = call_arguments(ctx, call)
        if not positional:
            return None
        target = unwrap_parens(positional[0])
        model = _model_name(ctx, target)
        owner_filtered = False
        if model is None:
            links, root = _chain(ctx, target)
            root_dotted = dotted_name(ctx, root) or "" if root is not None else ""
            if _mentions_identity(ctx, target, 0):
                owner_filtered = True
                model = "record"
            elif re.fullmatch(r"[A-Z]\w*\.(objects|_default_manager)", root_dotted):
                model = root_dotted.split(".")[0]
                for _m, link in links:
                    _pos, kws = call_arguments(ctx, link)
                    owner_filtered = owner_filtered or any(_owner_keyword(k) and not user_controlled(ctx, v) for k, v in kws.items())
            else:
                return None
        ids = [v for k, v in keywords.items() if not _owner_keyword(k)]
        owner_filtered = owner_filtered or any(_owner_keyword(k) and not user_controlled(ctx, v) for k, v in keywords.items())
        if not ids:
            return None
        return Lookup(call, model, ids, "django", False, owner_filtered, call, None, list(keywords.values()))

    def _raw_sql(self, call: Node, links) -> Lookup | None:
        ctx = self.ctx
        method, link = links[-1]
        if method not in ("execute", "fetchone", "fetchall", "fetch", "fetchrow", "fetchval", "exec_driver_sql"):
            for method, link in links:
                if method in ("execute", "exec_driver_sql"):
                    break
            else:
                return None
        positional, keywords = call_arguments(ctx, link)
        if len(positional) < 2:
            return None
        query, params = unwrap_parens(positional[0]), unwrap_parens(positional[1])
        if query is None or query.type != "string" or any(c.type == "interpolation" for c in query.children):
            return None
        sql = _string_content(ctx, query)
        match = _SQL_BY_ID.match(sql)
        if match is None:
            return None
        where = match.group("where")
        if not re.search(r"\b\w*id\s*=\s*(\?|%s|:\w+|\$\d)", where, re.IGNORECASE):
            return None
        values = params.named_children if params is not None and params.type in ("tuple", "list") else [params]
        owner_filtered = any(OWNER_FIELD.match(col.lower()) for col in re.findall(r"\b(\w+)\s*=\s*(?:\?|%s|:\w+|\$\d)", where)) and any(
            is_identity(ctx, v) for v in values
        )
        return Lookup(link, match.group(1).lower(), list(values), "sql", True, owner_filtered, None, (query, params), list(values))


def _string_content(ctx: AnalysisContext, string: Node) -> str:
    return "".join(ctx.text(c) for c in string.children if c.type == "string_content")


@register
class MissingOwnershipCheck(Rule):
    id = "PY-IDOR-001"
    name = "missing-ownership-check"
    cwe = 639
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # Every lookup takes its ids from a call the unit names: `get*` (`.get(id)`, `get_or_404`,
    # `session.get(Note, id)`, `get_object_or_404`), a filter method, `first`/`one` with
    # arguments, or raw SQL run by `execute`/`exec_driver_sql`/`fetch*`.
    triggers = ("get", "first", "one", *sorted(_FILTER_METHODS), "execute", "exec_driver_sql", "fetch")
    fix_title = "Add ownership check"
    summary = "Record loaded by a caller-supplied id is returned, changed or deleted without checking it belongs to the user"
    explanation = Explanation(
        what=(
            "The handler requires a login, loads a record by an id from the URL or request, and uses it without "
            "checking that the record belongs to the logged-in user (an insecure direct object reference)."
        ),
        why=(
            "Every test passes because testers open their own records. Authentication only proves who the caller "
            "is; nothing here stops them from asking for someone else's record, and ids are easy to guess "
            "(they count up)."
        ),
        hostile_input=(
            "Logged in as user 7, request `GET /notes/1`, `/notes/2`, ... (or `DELETE /notes/1`): every user's "
            "notes are returned or deleted."
        ),
        fix=(
            "Compare the owner after loading and answer 403 (`if note.user_id != current_user.id: abort(403)`), or "
            "load through the owner (`Note.query.filter_by(id=note_id, user_id=current_user.id).first_or_404()`, "
            "`get_object_or_404(Note, pk=pk, owner=request.user)`)."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        helper = IdorRule(ctx)
        for function in ctx.captures(_FUNCTIONS).get("function", []):
            if not is_route_handler(ctx, function):
                continue
            auth = handler_auth(ctx, function)
            if not auth.authenticated or auth.privileged:
                continue
            body = function.child_by_field_name("body")
            if body is None:
                continue
            seen: set[int] = set()
            for call in ctx.captures(_CALLS, body).get("call", []):
                if enclosing_function(call) is None or enclosing_function(call).id != function.id or not _is_outermost(call):
                    continue
                lookup = helper.lookup(call)
                if lookup is None or lookup.node.id in seen:
                    continue
                seen.add(lookup.node.id)
                finding = self._judge(ctx, helper, function, lookup, auth.how)
                if finding is not None:
                    yield finding

    # -- decision -------------------------------------------------------------
    def _judge(self, ctx: AnalysisContext, helper: IdorRule, function: Node, lookup: Lookup, how: str) -> Finding | None:
        controlled = [n for n in lookup.ids if user_controlled(ctx, n)]
        if not controlled or lookup.owner_filtered:
            return None
        if any(is_identity(ctx, n) for n in lookup.ids):
            return None
        owner, known, user_model = self._owner(helper, lookup)
        if known and not owner and not user_model:
            return None  # a model in this file with no owner: a shared resource
        if user_model and not self._mutates(ctx, function, lookup):
            return None
        if privilege_checked_before(ctx, lookup.node) or _existence_test(lookup.node):
            return None
        record = _record_variable(ctx, lookup.node)
        if self._checked(ctx, function, lookup, record, controlled) or _helper_checks(ctx, function, lookup, record, controlled):
            return None
        confidence = Confidence.HIGH if owner or user_model else Confidence.MEDIUM
        noun = lookup.model if lookup.kind != "sql" else f"row of `{lookup.model}`"
        source = ", ".join(sorted({ctx.text(n) for n in controlled}))
        verb = "loads"
        if lookup.kind == "sql":
            first = _string_content(ctx, lookup.sql[0]).split(None, 1)[0].upper()
            verb = {"DELETE": "deletes", "UPDATE": "changes"}.get(first, "loads")
        message = (
            f"`{short(ctx.text(lookup.node))}` {verb} the {noun} chosen by the caller (`{source}`) and this handler never "
            f"checks that it belongs to the logged-in user ({how}): any user can reach anyone's record by changing the id"
        )
        fixes = []
        fix = OwnershipFix(ctx, function, lookup, record, owner or ("id" if user_model else ""), user_model).build()
        if fix is not None:
            fixes.append(fix)
        return self.finding(ctx, lookup.node, message, fixes=fixes, confidence=confidence)

    def _owner(self, helper: IdorRule, lookup: Lookup) -> tuple[str, bool, bool]:
        if lookup.kind == "sql":
            owner = helper.tables.get(lookup.model)
            return owner or "", owner is not None, lookup.model in ("user", "users", "accounts", "account")
        info = helper.models.get(lookup.model)
        if info is None:
            return "", False, bool(_USER_CLASS.match(lookup.model))
        return info.get("owner", ""), bool(info.get("defined")), bool(info.get("user"))

    def _mutates(self, ctx: AnalysisContext, function: Node, lookup: Lookup) -> bool:
        """The handler changes or deletes the record itself (not just any POST route)."""
        if lookup.kind == "sql":
            return bool(re.match(r"\s*(DELETE|UPDATE)\b", _string_content(ctx, lookup.sql[0]), re.IGNORECASE))
        body = ctx.text(function.child_by_field_name("body"))
        record = _record_variable(ctx, lookup.node)
        if record:
            name = re.escape(record)
            # `user.email = ...`, `user.credits += 5`, `setattr(user, key, value)`, `db.delete(user)`, `user.save()`
            written = rf"\b{name}\.\w+\s*(?:[-+*/%|&^@]|//|\*\*|<<|>>)?=(?!=)|\bsetattr\(\s*{name}\s*,|delete\(\s*{name}\b|\b{name}\.(delete|save|update)\("
            if re.search(written, body):
                return True
        return bool(re.search(r"\.(delete|update)\(", ctx.text(lookup.node)))

    def _checked(self, ctx: AnalysisContext, function: Node, lookup: Lookup, record: str | None, ids: list[Node]) -> bool:
        """An ownership comparison or permission call on the record (or on the id) anywhere in the handler."""
        names = {record} if record else set()
        id_names = {ctx.text(n) for n in ids if n.type == "identifier"}
        for node in ctx.captures(_COMPARISONS, function).get("check", []):
            if node.type == "comparison_operator":
                if identifiers(ctx, node) & (names | id_names):
                    if _mentions_identity(ctx, node, 0):
                        return True
                    if names and any(_owner_keyword((dotted_name(ctx, s) or "").rsplit(".", 1)[-1]) for s in node.named_children if (dotted_name(ctx, s) or "").startswith(record + ".")):
                        # `note.user_id != uid` where uid is not the caller's choice
                        others = [s for s in node.named_children if not (dotted_name(ctx, s) or "").startswith(record + ".")]
                        if others and not any(user_controlled(ctx, o) for o in others):
                            return True
            else:
                args = node.child_by_field_name("arguments")
                if args is not None and node.id != lookup.node.id and id_names & identifiers(ctx, args) and _denying_guard(ctx, node):
                    return True  # `if not user_can_edit(current_user, post_id): abort(403)`
                name = dotted_name(ctx, node.child_by_field_name("function")) or ""
                if not _CHECK_CALL.search(name.rsplit(".", 1)[-1]):
                    continue
                if args is not None and (identifiers(ctx, args) & names or lookup.node.id in {a.id for a in args.named_children}):
                    return True
        return False



def _existence_test(node: Node) -> bool:
    """`if db.session.scalar(select(User).where(User.email == email)):`: a uniqueness or existence check."""
    current = node
    while current.parent is not None and current.parent.type not in ("block", "module", "expression_statement", "return_statement"):
        parent = current.parent
        if parent.type in ("boolean_operator", "not_operator"):
            return True
        if parent.type in ("if_statement", "elif_clause", "while_statement") and parent.child_by_field_name("condition") is not None and parent.child_by_field_name("condition").id == current.id:
            return True
        if parent.type == "comparison_operator" and any(c.type == "none" for c in parent.named_children):
            return True
        current = parent
    return False


_REFUSAL_TEXT = re.compile(r"abort\(\s*40[13]|PermissionDenied|Forbidden|Unauthorized|status_code\s*=\s*40[13]|HTTPException\(\s*40[13]|\b40[13]\b")


def _denying_guard(ctx: AnalysisContext, call: Node) -> bool:
    """`call` is (part of) the condition of an `if` whose body refuses access
    with 401/403: a check by a helper of any name, called with the id, whose
    failure is a refusal is an authorisation check (a 404 is not: that is
    usually an existence check)."""
    current = call
    while current.parent is not None and current.parent.type not in ("block", "module", "expression_statement", "return_statement"):
        parent = current.parent
        if parent.type in ("if_statement", "elif_clause"):
            condition = parent.child_by_field_name("condition")
            consequence = parent.child_by_field_name("consequence")
            if condition is None or consequence is None or condition.id != current.id:
                return False
            return _REFUSAL_TEXT.search(ctx.text(consequence)) is not None
        current = parent
    return False


_IDENTITY_TEXT = re.compile(r"current_user|request\.user|g\.\w*user|session\[|session\.get|get_jwt_identity|current_identity")
_DENIAL_TEXT = re.compile(r"abort\(\s*40[134]|PermissionDenied|HTTPException|Forbidden|Unauthorized|40[13]")


def _helper_checks(ctx: AnalysisContext, function: Node, lookup: Lookup, record: str | None, ids: list[Node]) -> bool:
    """A helper of this file, called with the id or the record, that compares with the user and refuses
    (flaskr's `get_post(id)` checks `post["author_id"] != g.user["id"]` and aborts with 403)."""
    names = {ctx.text(n) for n in ids if n.type == "identifier"} | ({record} if record else set())
    if not names:
        return False
    helpers: dict[str, bool] = ctx.facts.get(OWNERSHIP_HELPERS, {})
    for call in ctx.captures(_CALLS, function).get("call", []):
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "identifier" or not helpers.get(ctx.text(callee)):
            continue
        args = call.child_by_field_name("arguments")
        if args is not None and identifiers(ctx, args) & names:
            return True
    return False


OWNERSHIP_HELPERS = "ownership_helpers"
"""The module fact: {name of a module-level function that is no route: whether its body compares
with the user and refuses}. A fact rather than a look at the other statements, so that a handler
is analysed again when a helper it calls changes."""


def _ownership_helpers_part(source: bytes, unit: Node, facts) -> dict[str, bool] | None:
    target = unit.child_by_field_name("definition") if unit.type == "decorated_definition" else unit
    if target is None or target.type != "function_definition":
        return None
    ctx = AnalysisContext(source, None, "python", facts, unit)  # type: ignore[arg-type]
    if is_route_handler(ctx, target):
        return None
    body = ctx.text(target.child_by_field_name("body"))
    checks = bool(_IDENTITY_TEXT.search(body) and _DENIAL_TEXT.search(body) and re.search(r"[!=]=|\bnot in\b|\bin\b", body))
    return {ctx.text(target.child_by_field_name("name")): checks}


register_unit_facts("python", keyed=OWNERSHIP_HELPERS, stage=1)(_ownership_helpers_part)


def _record_variable(ctx: AnalysisContext, node: Node) -> str | None:
    """The name the looked-up record is assigned to (`note = ...`, `note = await ...`)."""
    current = node
    while current.parent is not None and current.parent.type in ("await", "call", "argument_list", "attribute", "parenthesized_expression"):
        if current.parent.type == "argument_list":
            outer = current.parent.parent
            if outer is None or _attr(ctx, outer.child_by_field_name("function")) not in _UNWRAPPING_CALLS:
                return None  # `jsonify(Note.query.get(id))`: the value is not the record
        if current.parent.type == "attribute" and current.parent.parent is not None and current.parent.parent.type == "call":
            # `Note.query.get(id).title` is a use, `....first()` continues the chain
            method = _attr(ctx, current.parent)
            if method not in ("first", "one", "one_or_none", "first_or_404", "one_or_404", "scalar", "scalar_one", "scalar_one_or_none", "scalars", "fetchone", "get", "all"):
                return None
        current = current.parent
        if current.type == "attribute" and current.parent is not None and current.parent.type != "call":
            return None
    parent = current.parent
    if parent is not None and parent.type == "assignment":
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "identifier" and parent.child_by_field_name("right").id == current.id:
            return ctx.text(left)
    return None


class OwnershipFix:
    """Builds the "Add ownership check" edit for one lookup."""

    def __init__(self, ctx: AnalysisContext, function: Node, lookup: Lookup, record: str | None, owner: str, user_model: bool):
        self.ctx = ctx
        self.function = function
        self.lookup = lookup
        self.record = record
        self.owner = owner
        self.user_model = user_model
        self.framework = web_framework(ctx)

    def build(self) -> Fix | None:
        identity = self._identity()
        if identity is None or self.framework is None:
            return None
        user_obj, user_id = identity
        if self.lookup.kind == "sql":
            return self._sql_fix(user_id)
        if self.lookup.kind == "django":
            return self._keyword_fix(self.lookup.filter_call, self.owner or "owner", user_obj, user_id)
        if self.lookup.kind == "filter" and self.lookup.filter_call is not None and _attr(self.ctx, self.lookup.filter_call.child_by_field_name("function")) == "filter_by":
            return self._keyword_fix(self.lookup.filter_call, self.owner or "user_id", user_obj, user_id)
        if self.record is None:
            return self._inline_filter_fix(user_obj, user_id)
        return self._comparison_fix(user_obj, user_id)

    def _inline_filter_fix(self, user_obj: str | None, user_id: str) -> Fix | None:
        """`Note.query.get_or_404(i)` used inline -> `Note.query.filter_by(id=i, user_id=...).first_or_404()`."""
        ctx = self.ctx
        call = self.lookup.node
        function = call.child_by_field_name("function")
        if function is None or function.type != "attribute" or not re.fullmatch(r"[A-Z]\w*\.query", ctx.text(function.child_by_field_name("object"))):
            return None
        method = _attr(ctx, function)
        positional, keywords = call_arguments(ctx, call)
        if method not in ("get", "get_or_404") or len(positional) != 1 or keywords:
            return None
        attribute, value = self._owner_value(self.owner or "user_id", user_obj, user_id)
        terminal = "first_or_404" if method == "get_or_404" else "first"
        name = function.child_by_field_name("attribute")
        text = f"filter_by(id={ctx.text(positional[0])}, {attribute}={value}).{terminal}()"
        return Fix(MissingOwnershipCheck.fix_title, (Edit(name.start_byte, call.end_byte, text),), self._imports(value, deny=False))

    # identity expressions --------------------------------------------------
    def _identity(self) -> tuple[str | None, str] | None:
        """(user object expression or None, user id expression) usable inside the handler."""
        ctx = self.ctx
        params = identity_params(ctx, self.function)
        if params:
            name = sorted(params)[0]
            return name, f"{name}.id"
        body = ctx.text(self.function.child_by_field_name("body"))
        if re.search(r"\bcurrent_user\b", body) or ctx.facts.get("imports", {}).get("current_user") == "flask_login.current_user":
            return "current_user", "current_user.id"
        if re.search(r"\brequest\.user\b", body) or self.framework == "django":
            return "request.user", "request.user.id"
        for pattern in (r"g\.user\[['\"]id['\"]\]", r"session\[['\"]user_id['\"]\]", r"session\.get\(['\"]user_id['\"]\)", r"get_jwt_identity\(\)"):
            match = re.search(pattern, body)
            if match:
                return None, match.group(0)
        if re.search(r"\bg\.user\b", body):
            return "g.user", "g.user.id"
        if "flask_login" in ctx.facts.get("imported_modules", ()):
            return "current_user", "current_user.id"
        return None

    def _owner_value(self, owner: str, user_obj: str | None, user_id: str) -> tuple[str, str]:
        """(attribute, value) pair: `user_id` compares with the id, `owner` with the user object."""
        if owner == "id" or owner.endswith(("_id", "_pk")) or user_obj is None:
            if not owner.endswith(("_id", "_pk")) and owner != "id":
                owner = f"{owner}_id"
            return owner, user_id
        return owner, user_obj

    def _imports(self, value: str, deny: bool = True) -> tuple[str, ...]:
        imports: tuple[str, ...] = deny_statement(self.ctx, 403, "Not allowed")[1] if deny else ()
        if value.startswith("current_user") and "flask_login" in self.ctx.facts.get("imported_modules", ()):
            imports += ("from flask_login import current_user",)
        return imports

    def _deny(self) -> str:
        return deny_statement(self.ctx, 403, "Not allowed")[0]

    # edits -------------------------------------------------------------------
    def _keyword_fix(self, call: Node | None, owner: str, user_obj: str | None, user_id: str) -> Fix | None:
        if call is None:
            return None
        attribute, value = self._owner_value(owner, user_obj, user_id)
        args = call.child_by_field_name("arguments")
        if args is None or args.type != "argument_list":
            return None
        named = [c for c in args.named_children if c.type != "comment"]
        if not named or any(c.type in ("list_splat", "dictionary_splat") for c in named):
            return None
        for keyword in named:
            key = keyword.child_by_field_name("name") if keyword.type == "keyword_argument" else None
            if key is not None and _owner_keyword(self.ctx.text(key)):
                # `filter_by(id=note_id, user_id=user_id)` with the URL's user: bind the logged-in one
                key_attr, key_value = self._owner_value(self.ctx.text(key), user_obj, user_id)
                if key_attr != self.ctx.text(key):
                    return None
                value_node = keyword.child_by_field_name("value")
                return Fix(MissingOwnershipCheck.fix_title, (Edit(value_node.start_byte, value_node.end_byte, key_value),), self._imports(key_value, deny=False))
        edit = add_keyword(self.ctx, call, f"{attribute}={value}")
        return Fix(MissingOwnershipCheck.fix_title, (edit,), self._imports(value, deny=False)) if edit is not None else None

    def _comparison_fix(self, user_obj: str | None, user_id: str) -> Fix | None:
        ctx = self.ctx
        statement = enclosing_statement(self.lookup.node)
        if statement is None:
            return None
        anchor = statement
        may_be_none = self.lookup.may_be_none
        following = statement.next_named_sibling
        while following is not None and following.type == "comment":
            following = following.next_named_sibling
        if following is not None and following.type == "if_statement" and _is_missing_check(ctx, following, self.record):
            anchor = following
            may_be_none = False
        attribute, value = self._owner_value(self.owner or "user_id", user_obj, user_id)
        if self.user_model:
            attribute, value = "id", user_id
        indent = line_indent(ctx, statement)
        unit = indent_unit(ctx, statement)
        condition = f"{self.record}.{attribute} != {value}"
        if may_be_none:
            condition = f"{self.record} is not None and {condition}"
        lines = [f"{indent}if {condition}:", f"{indent}{unit}{self._deny()}"]
        return Fix(MissingOwnershipCheck.fix_title, (insert_lines_after(ctx, anchor, lines),), self._imports(value))

    def _sql_fix(self, user_id: str) -> Fix | None:
        ctx = self.ctx
        query, params = self.lookup.sql
        sql = _string_content(ctx, query)
        where = _SQL_BY_ID.match(sql).group("where")
        if _SQL_TAIL.search(where) or re.search(r"\bOR\b", where, re.IGNORECASE):
            return None
        placeholder = "?" if "?" in where else "%s" if "%s" in where else None
        if placeholder is None or params is None or params.type not in ("tuple", "list"):
            return None
        contents = [c for c in query.children if c.type == "string_content"]
        if not contents:
            return None
        end = contents[-1].end_byte
        raw = ctx.source[contents[-1].start_byte : end]
        trimmed = len(raw.rstrip(b" \t\r\n;"))
        position = contents[-1].start_byte + trimmed
        column = self.owner if self.owner and self.owner != "id" else "user_id"
        elements = [c for c in params.named_children if c.type != "comment"]
        if not elements:
            return None
        close = params.children[-1]
        edits = (
            Edit(position, position, f" AND {column} = {placeholder}"),
            Edit(elements[-1].end_byte, close.start_byte, f", {user_id}"),
        )
        return Fix(MissingOwnershipCheck.fix_title, edits, self._imports(user_id, deny=False))


def _is_missing_check(ctx: AnalysisContext, statement: Node, record: str | None) -> bool:
    """`if note is None: abort(404)` / `if not note: return ..., 404`."""
    condition = statement.child_by_field_name("condition")
    if condition is None or record is None:
        return False
    text = " ".join(ctx.text(condition).split())
    return text in (f"{record} is None", f"not {record}", f"{record} == None")
