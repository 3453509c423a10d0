"""JS-AUTHZ-001 idor-missing-ownership-check: a record loaded by a request id is returned or changed without checking its owner.

**What it finds.** Express/Fastify/Next.js/NestJS route handlers that load a
record with an id from the request (`Model.findById(req.params.id)`,
`prisma.x.findUnique({ where: { id } })`, `Model.findByPk(id)`,
`findOneAndUpdate({ _id: id })`, ...) and send it back or modify/delete it,
while nothing in the handler compares the record's owner with the
authenticated user and the query is not scoped to that user.

**Not reported.** HTTP client calls (`axios.get(url)`, `got.get(url)`:
they fetch a URL, which is JS-SSRF-001's concern), queries scoped to the user (`where: { id, userId:
req.user.id }`), handlers that compare the owner (`post.authorId !==
req.user.id`) or call an authorisation helper (`authorize`, `can`,
`assertOwner`), and routes registered behind role/permission middleware
(`requireAdmin`, `authorize("admin")`, `checkOwnership`, NestJS
`@Roles`/`@UseGuards(...)` with a role or ownership guard). Authentication
middleware alone (`requireAuth`, `passport.authenticate`) does not count:
it says who the user is, not what they may access.

**Fix.** "Add ownership check" inserts, right after the record is loaded,
`if (record && String(record.userId) !== String(req.user?.id)) return
res.status(403).json({ error: "Forbidden" });` using the owner field the
file already mentions (`userId`, `ownerId`, `authorId`, `owner`, `user`).
The owner gets the same response as before; anyone else gets 403.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, method_name
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import evidence
from ...javascript.routes import Route, route_of
from ...javascript.sources import BASE
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register
from .ssrf import HTTP_CALLS

READ_METHODS = frozenset({"findById", "findByPk", "findUnique", "findUniqueOrThrow", "findFirst", "findOne", "findOneBy", "findOneOrFail", "findOneByOrFail", "get", "first"})
WRITE_METHODS = frozenset(
    {"findByIdAndUpdate", "findByIdAndDelete", "findByIdAndRemove", "findOneAndUpdate", "findOneAndDelete", "update", "updateOne",
     "delete", "deleteOne", "destroy", "remove", "upsert"}
)
USER_REFERENCE = re.compile(
    r"\b(req|request|ctx)\.(user|session|auth)\b|\bsession\??\.user\b|\bcurrentUser\b|\bauth\(\)|\bgetServerSession\b|"
    r"\buser\??\.(id|_id|sub|userId)\b|\bctx\.state\.user\b|\b(userId|ownerId|authorId)\s*:\s*(req|request|session|user|ctx|currentUser)",
)
AUTHZ_CALL = re.compile(r"\b(authorize|authorise|can|cannot|ability|assertOwner|checkOwner|ensureOwner|isOwner|requireOwner|checkPermission|hasPermission|enforce|permit)\w*\s*\(", re.IGNORECASE)
SIGNED_PAYLOAD = re.compile(r"\b(constructEvent|constructEventAsync|verifyWebhook\w*|verify\w*Signature|validateWebhook\w*)\s*\(")
"""Webhook handlers whose payload is verified as sent by the provider (Stripe's
`webhooks.constructEvent`, ...): the ids in it come from the provider, not the caller."""
DENIAL = re.compile(r"\b40[13]\b|Forbidden|Unauthori[sz]ed|\bforbidden\s*\(|\bunauthorized\s*\(")
"""What a guard does when access is refused: a 401/403 response or a
Forbidden/Unauthorized error (a 404 after a call is usually an existence check)."""
ROLE_MIDDLEWARE = re.compile(r"(admin|role|permission|authori[sz]e|owner|ownership|can\b|ability|policy|acl|guard|scope)", re.IGNORECASE)
SQL_METHODS = frozenset({"query", "execute", "all", "get", "run", "one", "oneOrNone", "any", "many", "manyOrNone", "none"})
"""Raw SQL calls of mysql/mysql2, pg, sqlite3 and pg-promise: (sql, params, callback?)."""
_SQL_BY_ID = re.compile(r"^\s*(SELECT|UPDATE|DELETE)\b.*?\bWHERE\s+(?:\w+\.)?(?:id|uuid|\w+_id|\w+Id)\s*=\s*(?:\?|\$\d+|:\w+|@\w+)", re.IGNORECASE | re.DOTALL)
_SQL_OWNER = re.compile(r"\b(user_?id|owner_?id|author_?id|account_?id|tenant_?id|created_?by|owner|author)\b", re.IGNORECASE)
OWNER_FIELDS = ("userId", "ownerId", "authorId", "user_id", "owner_id", "createdBy", "owner", "author", "user")


@register
class JsMissingAuthorization(Rule):
    id = "JS-AUTHZ-001"
    name = "idor-missing-ownership-check"
    cwe = 639
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = tuple(sorted(READ_METHODS | WRITE_METHODS))  # every finding is such a method call (`x.findById(...)`)
    fix_title = "Add ownership check (403)"
    summary = "Route handler loads a record by a request id and returns or changes it without checking its owner"
    explanation = Explanation(
        what="The handler trusts the id in the URL or body: any logged-in user can read or change any record by changing the id.",
        why=(
            "Every demo uses the user's own ids, so it works and tests pass. Authentication only proves who the caller "
            "is; without comparing the record's owner to that user (or scoping the query to them) the ids are the "
            "only protection, and ids are sequential or leak in URLs."
        ),
        hostile_input="Logged in as user 7, `GET /api/invoices/8` (or `DELETE /api/posts/8`) returns or deletes user 8's data.",
        fix=(
            "Scope the query to the user (`where: { id, userId: req.user.id }`) or compare after loading: "
            "`if (String(invoice.userId) !== String(req.user.id)) return res.status(403).json({ error: 'Forbidden' })`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        reported: set[int] = set()
        for call in calls_in(ctx):
            method = method_name(ctx, call)
            if method in SQL_METHODS:
                finding = self._raw_sql_lookup(ctx, call, reported)
                if finding is not None:
                    yield finding
                    continue
            if method not in READ_METHODS and method not in WRITE_METHODS:
                continue
            if call_matches(ctx, call, HTTP_CALLS):
                continue  # `axios.get(url)` fetches a URL (JS-SSRF-001's concern), it loads no record
            route = route_of(ctx, call)
            if route is None or route.function.id in reported:
                continue
            args = SYN.arguments(call)
            if not args or not self._loads_by_request_id(ctx, args[0]):
                continue
            if self._authorised(ctx, route, call):
                continue
            record = self._loaded_into(call)
            if method in READ_METHODS and (record is None or not self._record_leaves(ctx, route, record)):
                continue
            reported.add(route.function.id)
            fix = self._fix(ctx, route, call, record) if method in READ_METHODS else None
            action = "returns" if method in READ_METHODS else "changes"
            yield self.finding(
                ctx, call, f"Missing authorisation: the handler {action} a record selected by request input without checking that it belongs to the user",
                fixes=(fix,) if fix is not None else (),
            )

    def _raw_sql_lookup(self, ctx: AnalysisContext, call: Node, reported: set[int]) -> Finding | None:
        """`db.query("SELECT * FROM invoices WHERE id = ?", [req.params.id], cb)`
        and the awaited forms of mysql2, pg and sqlite3: a row chosen by a
        request id, with no owner column in the query."""
        args = SYN.arguments(call)
        if len(args) < 2 or args[0].type not in ("string", "template_string") or any(c.type == "template_substitution" for c in args[0].children):
            return None  # built SQL is JS-SQLI-001's
        sql = ctx.text(args[0])[1:-1]
        match = _SQL_BY_ID.match(sql)
        if match is None or _SQL_OWNER.search(sql[match.start(0):]):
            return None
        route = route_of(ctx, call)
        if route is None or route.function.id in reported:
            return None
        params = SYN.unwrap(args[1])
        values = params.named_children if params.type == "array" else [params]
        if not any(evidence(ctx, value, BASE).taint is not None for value in values) or self._authorised(ctx, route, call):
            return None
        reads = match.group(1).upper() == "SELECT"
        if reads and not self._rows_leave(ctx, route, call, args):
            return None
        reported.add(route.function.id)
        action = "returns" if reads else "changes"
        return self.finding(
            ctx, call,
            f"Missing authorisation: the handler {action} a row selected by request input (`{' '.join(sql.split())[:80]}`) without checking that it belongs to the user; add the owner to the WHERE clause",
        )

    def _rows_leave(self, ctx: AnalysisContext, route: Route, call: Node, args: list[Node]) -> bool:
        """Are the rows sent back: from the callback (`(err, rows) => res.json(rows[0])`)
        or from the awaited result (`const [rows] = await db.execute(...)`)?"""
        callback = SYN.unwrap(args[-1])
        if callback.type in SYN.functions:
            parameters = callback.child_by_field_name("parameters")
            names = [ctx.text(p) for p in descendants(parameters, ("identifier",))][1:] if parameters is not None else []
            body = ctx.text(callback.child_by_field_name("body"))
            return any(re.search(rf"\.(json|send|render|end)\s*\([^;]*\b{re.escape(name)}\b", body) for name in names)
        node = call.parent
        while node is not None and node.type in ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression"):
            node = node.parent
        if node is None or node.type != "variable_declarator":
            return False
        bound = node.child_by_field_name("name")
        names = [bound] if bound is not None and bound.type == "identifier" else list(descendants(bound, ("identifier", "shorthand_property_identifier_pattern"))) if bound is not None else []
        return any(self._record_leaves(ctx, route, name) for name in names)

    @staticmethod
    def _loads_by_request_id(ctx: AnalysisContext, arg: Node) -> bool:
        arg = SYN.unwrap(arg)
        if arg.type == "object":
            text = ctx.text(arg)
            if USER_REFERENCE.search(text):
                return False
            return any(evidence(ctx, v, BASE).taint is not None for v in descendants(arg, ("identifier", "member_expression", "shorthand_property_identifier")) if v.parent.type != "member_expression")
        return evidence(ctx, arg, BASE).taint is not None

    @staticmethod
    def _authorised(ctx: AnalysisContext, route: Route, call: Node) -> bool:
        body = ctx.text(route.function)
        if AUTHZ_CALL.search(body) or SIGNED_PAYLOAD.search(body):
            return True
        if any(JsMissingAuthorization._denying_guard(ctx, guard) for guard in descendants(route.function, ("if_statement",)) if guard.start_byte < call.start_byte):
            return True
        for condition in descendants(route.function, ("if_statement", "ternary_expression", "binary_expression")):
            test = condition.child_by_field_name("condition") if condition.type != "binary_expression" else condition
            if test is not None and USER_REFERENCE.search(ctx.text(test)):
                if condition.type != "binary_expression" or ctx.text(condition.child_by_field_name("operator")) in ("===", "!==", "==", "!="):
                    return True
        scoped = [c for c in descendants(route.function, ("object",)) if USER_REFERENCE.search(ctx.text(c))]
        if scoped:
            return True
        return any(ROLE_MIDDLEWARE.search(ctx.text(m)) for m in route.middleware)

    @staticmethod
    def _denying_guard(ctx: AnalysisContext, guard: Node) -> bool:
        """`if (!(await verifyCurrentUserHasAccessToPost(id))) return new
        Response(null, { status: 403 })`: a check by a helper of any name
        whose failure refuses access is an authorisation check."""
        test = guard.child_by_field_name("condition")
        consequence = guard.child_by_field_name("consequence")
        if test is None or consequence is None or next(descendants(test, ("call_expression",)), None) is None:
            return False
        return DENIAL.search(ctx.text(consequence)) is not None

    @staticmethod
    def _loaded_into(call: Node) -> Node | None:
        node = call.parent
        while node is not None and node.type in ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression"):
            node = node.parent
        if node is not None and node.type == "variable_declarator":
            name = node.child_by_field_name("name")
            return name if name is not None and name.type == "identifier" else None
        return None

    @staticmethod
    def _record_leaves(ctx: AnalysisContext, route: Route, record: Node) -> bool:
        """Is the record sent back, returned or changed after loading?"""
        name = ctx.text(record)
        pattern = re.compile(
            rf"(\.(json|send|render|end)\s*\(\s*(\{{[^}}]*)?\b{re.escape(name)}\b|return\s+(\w+\.json\(\s*)?(\{{[^}}]*)?\b{re.escape(name)}\b|"
            rf"\b{re.escape(name)}\.(save|update|destroy|remove|delete|set)\w*\s*\(|\b{re.escape(name)}\.\w+\s*=[^=])"
        )
        after = ctx.source[record.end_byte : route.function.end_byte].decode("utf-8", "replace")
        return bool(pattern.search(after))

    def _fix(self, ctx: AnalysisContext, route: Route, call: Node, record: Node | None) -> Fix | None:
        if record is None or route.kind not in ("express", "next-api"):
            return None
        params = route.function.child_by_field_name("parameters")
        names = [ctx.text(p) for p in descendants(params, ("identifier",))] if params is not None else []
        request = next((n for n in names if n in ("req", "request")), None)
        response = next((n for n in names if n in ("res", "response", "reply")), None)
        if request is None or response is None:
            return None
        statement = record.parent.parent
        if statement is None or statement.type not in ("lexical_declaration", "variable_declaration") or statement.parent.type != "statement_block":
            return None
        line_start = ctx.source.rfind(b"\n", 0, statement.start_byte) + 1
        indent = ctx.source[line_start : statement.start_byte].decode("utf-8", "replace")
        if indent.strip():
            return None
        field = self._owner_field(ctx)
        name = ctx.text(record)
        # Fastify's reply has no .json(): send the object with .code(403)
        refusal = 'code(403).send({ error: "Forbidden" })' if response == "reply" else 'status(403).json({ error: "Forbidden" })'
        newline = "\r\n" if b"\r\n" in ctx.source[:4096] else "\n"
        check = (
            f"{newline}{indent}if ({name} && String({name}.{field}) !== String({request}.user?.id)) {{"
            f"{newline}{indent}  return {response}.{refusal};"
            f"{newline}{indent}}}"
        )
        return Fix(f"Add ownership check: {name}.{field} must be the signed-in user (else 403)", (Edit(statement.end_byte, statement.end_byte, check),))

    @staticmethod
    def _owner_field(ctx: AnalysisContext) -> str:
        text = ctx.source.decode("utf-8", "replace")
        for field in OWNER_FIELDS:
            if re.search(rf"\b{field}\s*:", text) or re.search(rf"\.{field}\b", text):
                return field
        return "userId"
