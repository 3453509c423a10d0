"""PY-HDR-001 http-header-injection-crlf: request data written into a response header.

**What it finds.** A response header whose value carries request data that
may contain CR/LF: `resp.headers["X"] = value`, `resp.headers.add/set(...)`,
Django's `response["X"] = value`, `Response(..., headers={...})`, and
`self.send_header(name, value)` of `http.server` handlers.

**Rating.** `http.server` writes header values as they are: a CR/LF in the
value splits the response (high confidence). Werkzeug (Flask) and Django
refuse newlines in header values with an exception, so there the finding is
low confidence: the input still turns into a 500 error and a header it should
not influence, but the response cannot be split.

**Not reported.** Values with `\\r` and `\\n` removed, numbers, URL-quoted
values, constants.

**Fix.** "Strip CR/LF" appends `.replace("\\r", "").replace("\\n", "")` to the
value; every value without line breaks is unchanged.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.names import calls, method_name, qualified_name
from ....python.strings import literal_value, unwrap_parens
from ....python.taint import taint_of
from ....python.taint_specs import HEADER, REQUEST
from ...base import Explanation, Rule, register

RESPONSE_CALLS = frozenset(
    {
        "flask.Response", "flask.make_response", "werkzeug.wrappers.Response", "django.http.HttpResponse",
        "django.http.JsonResponse", "django.http.FileResponse", "starlette.responses.Response", "fastapi.Response",
        "fastapi.responses.Response", "starlette.responses.PlainTextResponse", "fastapi.responses.PlainTextResponse",
    }
)
HEADER_METHODS = frozenset({"add", "set", "setdefault", "add_header", "__setitem__"})
_STRIP = '.replace("\\r", "").replace("\\n", "")'
_REQUEST_ONLY = frozenset({REQUEST})
_SIMPLE = ("identifier", "attribute", "subscript", "call", "string")


@register
class HeaderInjection(Rule):
    id = "PY-HDR-001"
    name = "http-header-injection-crlf"
    cwe = 113
    owasp = "A03:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.LOW
    languages = ("python",)
    fix_title = "Strip CR/LF"
    # sinks: `X.headers[...] =` / `X.headers.add(...)`, `send_header(...)`, and a
    # response constructor (inline, or the local definition of `resp` in `resp["X"] =`)
    triggers = tuple(sorted({"headers", "send_header"} | last_parts(RESPONSE_CALLS)))
    summary = "Request data written into an HTTP response header without removing CR/LF"
    explanation = Explanation(
        what="A response header's value is taken from the request without removing line breaks.",
        why=(
            "Ordinary values produce an ordinary header. A CR/LF in the value ends the header early: the rest "
            "becomes headers or a body of the attacker's choosing (response splitting, cache poisoning, session "
            "fixation via Set-Cookie), or, where the framework refuses it, an error page on demand."
        ),
        hostile_input="`report.pdf\\r\\nSet-Cookie: session=attacker` as the file name in `Content-Disposition` sets the victim's session cookie.",
        fix="Remove `\\r` and `\\n` from header values (`value.replace(\"\\r\", \"\").replace(\"\\n\", \"\")`) or validate them against an allow-list.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for assignment in ctx.captures("(assignment left: (subscript) @target right: (_) @value) @a").get("a", []):
            target = assignment.child_by_field_name("left")
            if self._is_header_target(ctx, target):
                finding = self._check_value(ctx, assignment, assignment.child_by_field_name("right"))
                if finding is not None:
                    yield finding
        for call, name in calls(ctx):
            method = method_name(ctx, call)
            if method == "send_header":
                finding = self._check_value(ctx, call, argument_value(ctx, call, "value", position=1), raw=True)
            elif method in HEADER_METHODS and ctx.text(call.child_by_field_name("function").child_by_field_name("object")).endswith("headers"):
                finding = self._check_value(ctx, call, argument_value(ctx, call, "value", position=1) or argument_value(ctx, call, "_value", position=1))
            elif name in RESPONSE_CALLS:
                headers = unwrap_parens(argument_value(ctx, call, "headers", position=2 if name.endswith("make_response") else None))
                finding = None
                if headers is not None and headers.type == "dictionary":
                    for pair in headers.named_children:
                        if pair.type == "pair":
                            finding = finding or self._check_value(ctx, call, pair.child_by_field_name("value"))
            else:
                continue
            if finding is not None:
                yield finding

    @staticmethod
    def _is_header_target(ctx: AnalysisContext, target: Node) -> bool:
        container = unwrap_parens(target.child_by_field_name("value"))
        key = literal_value(ctx, target.child_by_field_name("subscript"))
        if container is None:
            return False
        if container.type == "attribute" and ctx.text(container.child_by_field_name("attribute")) == "headers":
            return True
        if container.type == "identifier" and key and key[:1].isupper() and key.replace("-", "").isalnum():
            defs = reaching_definitions(ctx, container)
            return any(
                d.value is not None and d.value.type == "call" and qualified_name(ctx, d.value.child_by_field_name("function")) in RESPONSE_CALLS
                for d in defs
            )
        return False

    def _check_value(self, ctx: AnalysisContext, anchor: Node, value: Node | None, raw: bool = False) -> Finding | None:
        value = unwrap_parens(value)
        taint = taint_of(ctx, value, sink=HEADER, kinds=_REQUEST_ONLY) if value is not None else None
        if taint is None:
            return None
        text = ctx.text(value)
        if value.type in _SIMPLE:
            fix = Fix("Strip CR/LF", (Edit(value.end_byte, value.end_byte, _STRIP),))
        else:
            fix = Fix("Strip CR/LF", (Edit(value.start_byte, value.end_byte, f"({text}){_STRIP}"),))
        where = "send_header() of http.server, which writes it as is" if raw else "a response header"
        message = f"Header injection: input from {taint.source} (line {taint.line}) goes into {where}; strip CR/LF"
        return self.finding(
            ctx, anchor, message, fixes=(fix,),
            confidence=Confidence.HIGH if raw else None, severity=Severity.HIGH if raw else None,
        )
