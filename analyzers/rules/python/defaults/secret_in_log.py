"""PY-LOG-002 secret-written-to-log: a password, token or key passed to a logging call.

**What it finds.** A value whose name says it is a credential (`password`,
`new_password`, `api_key`, `secret`, `access_token`, `refresh_token`,
`authorization`, a request field such as `body["password"]` or
`request.json.get("token")`) given to a logger: `logging.info(...)`,
`logger.debug(...)`, `log.warning(...)`, `app.logger.error(...)`,
`self.logger.exception(...)`, `logger.log(level, ...)` (a logger whose name
says so: `log`, `logger`, `LOG`, `_logger`, `audit_log`), as a `%s` argument
or inside an f-string, `%`, `+` or `.format()` message.

**Not reported.** Names that describe rather than hold a secret
(`password_length`, `token_count`, `token_type`, `is_token`,
`verify_signature`, `password_reset_url`), hashes (`password_hash`),
masked or measured values (`token[:4]`, `len(password)`, `mask(token)`),
message text that merely mentions the word ("password reset for %s"),
`print()` (scripts show generated passwords to their user on purpose), and
test code.

No automatic fix: log that the event happened (and for whom), never the
value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.names import call_arguments, method_name
from ....python.sensitive import in_test_code, logged_secret_name, may_name_a_secret, string_literal_value
from ....python.strings import built_string, unwrap_parens
from ...base import Explanation, Rule, register

_LOGGER = re.compile(r"(?:^|\.)_*(?:log|logger|logging|LOG|LOGGER|Logger|\w+_log|\w+_logger|log_\w+|logger_\w+)$")
"""Receivers that are loggers by name: `logger`, `log`, `self.logger`,
`app.logger`, `audit_log`, `LOGGER` (the `logging` module itself too)."""
_METHODS = rb"(?:debug|info|warning|warn|error|exception|critical|fatal|log)"
_LOGGER_CALL = re.compile(rb"(?i:log)\w*\s*\.\s*" + _METHODS + rb"\s*\(")
"""A call of a logger named like one (`_LOGGER`), in the unit's text."""


def _logger_calls(ctx: AnalysisContext) -> Iterator[Node]:
    """The unit's calls of a logger method, found from their text and the
    call node at the opening parenthesis: cheaper than listing every call of
    the unit, and a match inside a string or comment has no call there."""
    unit = ctx.unit
    text = ctx.source[unit.start_byte : unit.end_byte]
    for match in _LOGGER_CALL.finditer(text):
        paren = unit.start_byte + match.end() - 1
        token = unit.descendant_for_byte_range(paren, paren + 1)
        arguments = token.parent if token is not None else None
        call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
        if call is not None and call.type == "call":
            function = call.child_by_field_name("function")
            if function is not None and function.type == "attribute" and _LOGGER.search(ctx.text(function.child_by_field_name("object"))):
                yield call


def _held_name(ctx: AnalysisContext, node: Node) -> str | None:
    """The name that says what a logged value holds: `password`,
    `user.api_key`, `body["password"]`, `request.json.get("token")`; None
    for anything computed from it (`len(password)`, `token[:4]`)."""
    if node.type == "identifier":
        return ctx.text(node)
    if node.type == "attribute":
        return ctx.text(node.child_by_field_name("attribute"))
    if node.type == "subscript":
        return string_literal_value(ctx, node.child_by_field_name("subscript"))
    if node.type == "call" and method_name(ctx, node) in ("get", "pop", "getlist"):
        positional, _keywords = call_arguments(ctx, node)
        return string_literal_value(ctx, positional[0]) if positional else None
    return None


@register
class SecretWrittenToLog(Rule):
    id = "PY-LOG-002"
    name = "secret-written-to-log"
    # every finding is a method call on a receiver whose last name contains `log` (`logger`, `LOG`, `app.logger`)
    triggers = ("log",)
    triggers_ignore_case = True
    cwe = 532
    owasp = "A09:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    summary = "Password, token or key written to a log"
    explanation = Explanation(
        what="A credential is passed to a logging call, so it is written to every log handler in plain text.",
        why=(
            "Logging the login payload or the token helps while debugging and breaks nothing, so it stays. But logs "
            "are read and kept far more widely than the credential store: log files, aggregators (ELK, Datadog, "
            "CloudWatch), support tools, backups and screenshots in tickets. Whoever can read them can log in as "
            "the user or call the API with their token."
        ),
        hostile_input="An employee with read access to the log search (or an attacker with a leaked log bucket) searches for `password=` and collects working credentials.",
        fix="Log the event and the account, never the value: `logger.info(\"login attempt for %s\", username)`; if a token must be traced, log a short prefix or a hash of it.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        if not may_name_a_secret(ctx.source[ctx.unit.start_byte : ctx.unit.end_byte]):
            return  # no name in the unit can hold a secret
        for call in _logger_calls(ctx):
            positional, _keywords = call_arguments(ctx, call)
            if method_name(ctx, call) == "log":
                positional = positional[1:]  # logger.log(level, msg, *args)
            for value in self._logged_values(ctx, positional):
                name = _held_name(ctx, value)
                if logged_secret_name(name) and not in_test_code(ctx, call):
                    yield self.finding(ctx, value, f"`{name}` is written to the log in plain text: whoever reads the logs gets the credential; log the event, not the value")
                    break

    @staticmethod
    def _logged_values(ctx: AnalysisContext, positional: list[Node]) -> Iterator[Node]:
        """The message's dynamic parts and the `%s` arguments after it."""
        if not positional:
            return
        message = unwrap_parens(positional[0])
        plain = message is not None and message.type == "string" and not any(c.type == "interpolation" for c in message.children)
        built = None if plain else built_string(ctx, message)
        if built is not None:
            for hole in built.holes:
                hole = unwrap_parens(hole)
                if hole is not None:
                    yield hole
        elif message is not None and message.type != "string":
            yield message
        for argument in positional[1:]:
            argument = unwrap_parens(argument)
            if argument is not None:
                yield argument
