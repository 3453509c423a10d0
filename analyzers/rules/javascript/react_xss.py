"""JS-XSS-002 xss-react-dangerously-set-inner-html: unsanitised HTML handed to React.

**What it finds.** `dangerouslySetInnerHTML={{ __html: value }}` in JSX/TSX
(and the same prop passed to `React.createElement`) where `value` is not a
constant and not passed through a sanitiser (`DOMPurify.sanitize`,
`sanitizeHtml`, `xss`).

**Not reported.** Constant HTML, sanitised values, and prop objects made
elsewhere (`dangerouslySetInnerHTML={createMarkup()}`) unless they carry
request or URL input.

**Fix.** No automatic fix (the markup is usually wanted): render text as
children (`<div>{value}</div>`, which React escapes) or sanitise first:
`{{ __html: DOMPurify.sanitize(value) }}`.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ...common.names import unit_nodes
from ...context import AnalysisContext
from ...javascript.queries import evidence
from ...javascript.sources import HTML
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register
from .dom_xss import html_is_safe

_PROP = "dangerouslySetInnerHTML"


@register
class JsReactXss(Rule):
    id = "JS-XSS-002"
    name = "xss-react-dangerously-set-inner-html"
    cwe = 79
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = (_PROP,)  # the JSX attribute's or the props key's written name
    summary = "Non-constant, unsanitised HTML passed to React's dangerouslySetInnerHTML"
    explanation = Explanation(
        what="React escapes everything it renders except `dangerouslySetInnerHTML`, which inserts the string as raw HTML.",
        why=(
            "Rendering a comment, a CMS field or Markdown output this way looks right in the demo. Any markup in the "
            "value becomes live: `<img onerror>` or `<a href=javascript:>` runs script in every viewer's session."
        ),
        hostile_input="A post body `<img src=x onerror=\"alert(document.cookie)\">` runs for each reader.",
        fix="Render text as children (`<p>{body}</p>`), or sanitise: `{{ __html: DOMPurify.sanitize(body) }}`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for node in unit_nodes(ctx, ("jsx_attribute", "pair")):
            value, known = self._html_value(ctx, node)
            if value is None or html_is_safe(ctx, value):
                continue
            found = evidence(ctx, value, HTML)
            if not known and found.taint is None:
                continue  # `dangerouslySetInnerHTML={createMarkup()}`: judged where the markup is made
            yield self.finding(
                ctx, node, f"XSS: non-constant HTML{found.origin} passed to dangerouslySetInnerHTML; render it as text or sanitise it",
                confidence=found.confidence,
            )

    @staticmethod
    def _html_value(ctx: AnalysisContext, node: Node) -> tuple[Node | None, bool]:
        """The `__html` value, and whether it is visible here (an object literal)."""
        if node.type == "jsx_attribute":
            name = node.named_children[0] if node.named_children else None
            if name is None or ctx.text(name) != _PROP:
                return None, False
            container = node.named_children[1] if node.named_child_count > 1 else None
            obj = container.named_children[0] if container is not None and container.type == "jsx_expression" and container.named_children else None
        else:
            if ctx.text(node.child_by_field_name("key")).strip("'\"") != _PROP:
                return None, False
            obj = node.child_by_field_name("value")
        if obj is None:
            return None, False
        if obj.type != "object":
            return obj, False  # a prop object built elsewhere: its __html is not visible here
        for pair in obj.named_children:
            if pair.type == "pair" and ctx.text(pair.child_by_field_name("key")).strip("'\"") == "__html":
                return pair.child_by_field_name("value"), True
        return None, False
