"""PY-TRUST-001 request-data-in-session: untrusted input stored in the server-side session unchecked.

**What it finds.** `session[key] = value` (Flask's `session`, Django's
`request.session`), `session.update(...)` and `session.setdefault(...)` where
the key or the value comes from the request (a form field, a query parameter,
a cookie, a header, a route parameter) and was not validated first.

**Why it matters.** Code that reads the session later trusts it: it was
written by the server. Request data put there crosses that trust boundary
unchecked, so whatever later trusts the session (who the user is, their role,
a price in a cart, a file path) is now the caller's choice. Keys named like
identity or privilege (`user_id`, `role`, `is_admin`) are reported with high
severity: storing those from the request is an authentication bypass.

**Not reported.** Values checked before they are stored (an allow-list, a
full regular-expression match, `isinstance`, a validator whose name says so,
a successful password check), numbers (`int(...)`), and values read from a
database record that was looked up with the input (`session["user_id"] =
user.id` after `User.query.filter_by(name=form_name).first()`).

No automatic fix: only the author knows what a valid value is. Validate it
against an allow-list or a strict pattern before storing it, or store a
server-side value (the database id) instead of the client's text.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.dataflow import reaching_definitions
from ....python.guards import checked_before, conditions_before, is_allow_list_test
from ....python.taint import taint_of
from ....python.taint_specs import REQUEST, SESSION
from ....python.layout import short
from ....python.names import call_arguments, dotted_name, qualified_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

_ASSIGN = "(assignment left: (subscript) @target right: (_) @value) @assign"
_CALLS = "(call function: (attribute) @function) @call"
_SESSION_NAMES = ("request.session", "self.request.session")
_PRIVILEGED_KEY = re.compile(r"(?i)user|uid|account|role|admin|staff|perm|auth|logged|login|owner|email|is_|level|group|token")
_VALIDATION = re.compile(r"(?i)valid|allowed|safe|clean|check|verify|fullmatch|match|isinstance|isdigit|isalnum|isidentifier|password|authenticate")
_RECORD_LOOKUP = re.compile(r"\.(first|one|one_or_none|get|get_or_404|first_or_404|fetchone|scalar|scalar_one|scalar_one_or_none)\s*\(|\bauthenticate\s*\(|\.objects\.")


def is_session(ctx: AnalysisContext, node: Node | None) -> bool:
    node = unwrap_parens(node)
    if node is None:
        return False
    dotted = dotted_name(ctx, node) or ""
    return qualified_name(ctx, node) == "flask.session" or dotted in _SESSION_NAMES


def _from_record(ctx: AnalysisContext, node: Node) -> bool:
    """`user.id` / `row["id"]` where `user` was looked up in the database."""
    node = unwrap_parens(node)
    while node is not None and node.type in ("attribute", "subscript"):
        node = unwrap_parens(node.child_by_field_name("object") if node.type == "attribute" else node.child_by_field_name("value"))
    if node is None or node.type != "identifier" or node.parent is None or node.parent.type not in ("attribute", "subscript"):
        return False
    defs = reaching_definitions(ctx, node)
    return bool(defs) and all(d.value is not None and _RECORD_LOOKUP.search(ctx.text(d.value)) for d in defs)


def _validated(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    return is_allow_list_test(ctx, condition, names) or bool(_VALIDATION.search(ctx.text(condition)))


@register
class RequestDataInSession(Rule):
    id = "PY-TRUST-001"
    name = "request-data-in-session"
    cwe = 501
    owasp = "A04:2021"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # every write goes through `session` (Flask's, renamed imports included) or `request.session`
    triggers = ("session",)
    summary = "Request data stored in the session without validation (trust boundary violation)"
    explanation = Explanation(
        what="A value from the request is written into the session as it came, without validation.",
        why=(
            "The session is where the server keeps what it has established: who the user is, their role, their "
            "cart. Everything that reads it later trusts it. Copying request data in unchecked lets the caller "
            "decide those facts, which works in every test because testers send honest values."
        ),
        hostile_input="`POST /profile` with `role=admin` stored as `session['role']` makes the caller an admin on every later request.",
        fix="Validate the value against an allow-list or a strict pattern first, or store a server-side value (the database id).",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for match in ctx.matches(_ASSIGN):
            target = match["target"][0]
            if not is_session(ctx, target.child_by_field_name("value")):
                continue
            key = target.child_by_field_name("subscript")
            finding = self._judge(ctx, match["assign"][0], key, match["value"][0])
            if finding is not None:
                yield finding
        for match in ctx.matches(_CALLS):
            function = match["function"][0]
            method = ctx.text(function.child_by_field_name("attribute"))
            if method not in ("update", "setdefault", "__setitem__") or not is_session(ctx, function.child_by_field_name("object")):
                continue
            call = match["call"][0]
            positional, keywords = call_arguments(ctx, call)
            key = positional[0] if method != "update" and positional else None
            values = positional[1:] if method != "update" else positional + list(keywords.values())
            for value in values:
                finding = self._judge(ctx, call, key, value)
                if finding is not None:
                    yield finding
                    break

    def _judge(self, ctx: AnalysisContext, sink: Node, key: Node | None, value: Node) -> Finding | None:
        for part, role in ((value, "value"), (key, "key")):
            if part is None:
                continue
            taint = taint_of(ctx, part, sink=SESSION, kinds=frozenset({REQUEST}))
            if taint is None or (role == "value" and _from_record(ctx, part)):
                continue
            if checked_before(ctx, part, _validated) or self._after_login_check(ctx, sink):
                return None
            key_text = ctx.text(key) if key is not None else ""
            privileged = role == "value" and bool(_PRIVILEGED_KEY.search(key_text))
            message = (
                f"session {role} `{short(ctx.text(part))}` comes from {taint.source} (line {taint.line}) and is stored "
                "unchecked: later code trusts the session, so the caller decides this value"
            )
            return self.finding(ctx, sink, message, severity=Severity.HIGH if privileged else None)
        return None

    @staticmethod
    def _after_login_check(ctx: AnalysisContext, sink: Node) -> bool:
        return any(re.search(r"(?i)check_password|verify_password|checkpw|authenticate|password_verify|\.verify\(", ctx.text(c)) for c in conditions_before(ctx, sink))

