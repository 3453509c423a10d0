"""JS-LOG-001 secret-written-to-log: a password, token or key passed to a logger or, in a route handler, to the console.

**What it finds.** A value whose name says it is a credential (`password`,
`newPassword`, `apiKey`, `secret`, `accessToken`, `refreshToken`,
`authorization`, `req.body.password`, `req.headers.authorization`,
`{ username, password }`) given to a logger (`logger.info(...)`,
`log.error(...)`, `req.log.warn(...)`, `fastify.log.info(...)`: a receiver
whose name says so) anywhere, or to `console.log/info/warn/error/debug`
inside a route handler, directly, inside a template literal or `+`
concatenation, or as a property of a logged object.

**Not reported.** Names that describe rather than hold a secret
(`passwordLength`, `tokenType`, `isToken`, `resetUrl`), hashes, masked or
measured values (`token.slice(0, 4)`, `password.length`), message text that
merely mentions the word, `console` output outside route handlers (CLI
scripts show generated passwords to their user on purpose), and test code.

No automatic fix: log that the event happened (and for whom), never the
value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...common.names import calls_in
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.routes import route_of
from ...javascript.strings import literal_value
from ...javascript.testcode import in_test_code
from ...model import Confidence, Finding, Severity
from ...python.sensitive import logged_secret_name, may_name_a_secret
from ..base import Explanation, Rule, register

LOG_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly", "http", "child"})
_LOGGER = re.compile(r"(?:^|\.)_*(?:log|logger|Log|LOG|LOGGER|Logger|\w+Logger|\w+_log|\w+Log)$")
"""Receivers that are loggers by name: `logger`, `log`, `req.log`, `fastify.log`, `auditLogger`."""


def _held_name(ctx: AnalysisContext, node: Node) -> str | None:
    """The name that says what a logged value holds; None for anything
    computed from it (`password.length`, `token.slice(0, 4)`)."""
    if node.type in ("identifier", "shorthand_property_identifier"):
        return ctx.text(node)
    if node.type == "member_expression":
        return ctx.text(node.child_by_field_name("property"))
    if node.type == "subscript_expression":
        return literal_value(ctx, node.child_by_field_name("index"))
    return None


def _logged_values(ctx: AnalysisContext, node: Node, depth: int = 0) -> Iterator[tuple[Node, str | None]]:
    """(value, name) of the parts of a logged argument: template literal
    substitutions, `+` operands, object properties (named by their key)."""
    node = SYN.unwrap(node)
    if node is None or depth > 4:
        return
    if node.type == "template_string":
        for child in node.named_children:
            if child.type == "template_substitution" and child.named_children:
                yield from _logged_values(ctx, child.named_children[0], depth + 1)
    elif node.type == "binary_expression" and ctx.text(node.child_by_field_name("operator")) == "+":
        yield from _logged_values(ctx, node.child_by_field_name("left"), depth + 1)
        yield from _logged_values(ctx, node.child_by_field_name("right"), depth + 1)
    elif node.type == "object":
        for child in node.named_children:
            if child.type == "shorthand_property_identifier":
                yield child, ctx.text(child)
            elif child.type == "pair":
                key = child.child_by_field_name("key")
                value = SYN.unwrap(child.child_by_field_name("value"))
                name = literal_value(ctx, key) if key is not None and key.type == "string" else ctx.text(key) if key is not None else None
                if value is not None and value.type in ("identifier", "member_expression", "subscript_expression"):
                    yield value, name
    else:
        yield node, _held_name(ctx, node)


@register
class JsSecretWrittenToLog(Rule):
    id = "JS-LOG-001"
    name = "secret-written-to-log"
    # every finding is a call on `console` or on a receiver whose name contains `log`
    triggers = ("console", "log")
    triggers_ignore_case = True
    cwe = 532
    owasp = "A09:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    summary = "Password, token or key written to a log or the server console"
    explanation = Explanation(
        what="A credential is passed to a logger (or, in a request handler, to the console), so it is written to the logs in plain text.",
        why=(
            "Logging the login body or the token helps while debugging and breaks nothing, so it stays. But server "
            "output is collected and kept far more widely than the credential store: log files, container logs, "
            "aggregators, support tools, screenshots in tickets. Whoever can read them can log in as the user or "
            "call the API with their token."
        ),
        hostile_input="Anyone with access to the log search (or a leaked log export) searches for `password` and collects working credentials.",
        fix="Log the event and the account, never the value: `logger.info({ user: username }, \"login attempt\")`; pino's `redact` option can mask fields such as `req.headers.authorization`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        if not may_name_a_secret(ctx.source[ctx.unit.start_byte : ctx.unit.end_byte]):
            return  # no name in the unit can hold a secret
        for call in calls_in(ctx):
            if call.type != "call_expression" or not self._logging(ctx, call):
                continue
            for argument in SYN.arguments(call):
                found = next(((value, name) for value, name in _logged_values(ctx, argument) if logged_secret_name(name)), None)
                if found is not None and not in_test_code(ctx, call):
                    value, name = found
                    yield self.finding(ctx, value, f"`{name}` is written to the log in plain text: whoever reads the logs gets the credential; log the event, not the value")
                    break

    @staticmethod
    def _logging(ctx: AnalysisContext, call: Node) -> bool:
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return False
        method = ctx.text(function.child_by_field_name("property"))
        if method not in LOG_METHODS:
            return False
        receiver = ctx.text(function.child_by_field_name("object"))
        if receiver == "console":
            return route_of(ctx, call) is not None
        return bool(_LOGGER.search(receiver))
