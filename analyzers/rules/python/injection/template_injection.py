"""PY-SSTI-001 server-side-template-injection: input becomes part of a template's source.

**What it finds.** `render_template_string(...)` (Flask), `jinja2.Template(...)`,
`Environment.from_string(...)`, Django's `Template(...)` /
`engines[...].from_string(...)` and Mako's `Template(...)` whose template
*source* contains request data, inline or built with an f-string, `%`, `+`,
`.format()` first. The template language then evaluates whatever the input
says.

**Not reported.** Constant templates with input passed as variables
(`render_template_string("Hello {{ name }}", name=name)`), templates loaded
from files, values validated by an allow-list.

**Fix.** "Pass input as template variables" (for `render_template_string`
and for `jinja2.Template(...).render(...)`) replaces each spliced value with a
`{{ name }}` placeholder and passes the value as a keyword argument. Jinja
prints a string variable exactly as the f-string did (Flask's autoescaping
additionally escapes `& < > " '`, which also closes the XSS the splice
opened); `{{ 7*7 }}` in the input is printed, not evaluated.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword, argument_value
from ....python.dataflow import built_string_of
from ....python.names import calls, imports_module, method_name
from ....python.pystr import render
from ....python.strings import Hole, Literal, unwrap_parens
from ....python.taint import taint_of, unsafe_holes
from ....python.taint_specs import LOCAL, REQUEST, TEMPLATE
from ....python.wrapping import suggest_name
from ...base import Explanation, Rule, register

TEMPLATE_CALLS = frozenset(
    {
        "flask.render_template_string", "jinja2.Template", "jinja2.environment.Template",
        "django.template.Template", "mako.template.Template", "quart.render_template_string",
    }
)
_INPUT = frozenset({REQUEST, LOCAL})
_JINJA_RESERVED = frozenset({"true", "false", "none", "True", "False", "None", "loop", "self", "super", "range", "request", "session", "g", "config"})


@register
class ServerSideTemplateInjection(Rule):
    id = "PY-SSTI-001"
    name = "server-side-template-injection"
    cwe = 1336
    owasp = "A03:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Pass input as template variables"
    triggers = tuple(sorted(last_parts(TEMPLATE_CALLS) | {"from_string"}))
    summary = "Request data spliced into the source of a Jinja/Django/Mako template"
    explanation = Explanation(
        what="The template's source code is built from request data, so the template engine evaluates the input as template code.",
        why=(
            "A greeting built as `render_template_string(f\"Hello {name}\")` renders names correctly. But template "
            "syntax in the input is executed: Jinja expressions reach Python objects, and from there the process."
        ),
        hostile_input="`{{ cycler.__init__.__globals__.os.popen('id').read() }}` as the name runs a shell command on the server.",
        fix=(
            "Keep the template constant and pass values as variables: "
            "`render_template_string(\"Hello {{ name }}\", name=name)`, or render a template file."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            if name in TEMPLATE_CALLS or (method_name(ctx, call) == "from_string" and imports_module(ctx, "jinja2", "django", "flask")):
                source = argument_value(ctx, call, "source", position=0) or argument_value(ctx, call, "template_string", position=0) or argument_value(ctx, call, "text", position=0)
                finding = self._check(ctx, call, name or "", source)
                if finding is not None:
                    yield finding

    def _check(self, ctx: AnalysisContext, call: Node, name: str, source: Node | None) -> Finding | None:
        source = unwrap_parens(source)
        if source is None:
            return None
        built, _definition = built_string_of(ctx, source)
        if built is not None:
            holes = [h for h in unsafe_holes(ctx, built, TEMPLATE) if taint_of(ctx, h, sink=TEMPLATE, kinds=_INPUT) is not None]
            if not holes:
                return None
            taint = taint_of(ctx, holes[0], sink=TEMPLATE, kinds=_INPUT)
            fix = self._fix(ctx, call, name, source, built) if built.node.id == source.id else None
        else:
            taint = taint_of(ctx, source, sink=TEMPLATE, kinds=_INPUT)
            fix = None
        if taint is None:
            return None
        short = name.rsplit(".", 1)[-1] if name else "from_string"
        message = f"Template injection: input from {taint.source} (line {taint.line}) becomes template source in {short}(); pass it as a variable"
        return self.finding(ctx, call, message, fixes=(fix,) if fix else ())

    # -- fix -----------------------------------------------------------------------
    def _fix(self, ctx: AnalysisContext, call: Node, name: str, source: Node, built) -> Fix | None:
        if built.segments is None:
            return None
        if name.endswith("render_template_string"):
            target = call
        elif name in ("jinja2.Template", "jinja2.environment.Template"):
            target = self._render_call(ctx, call)
            if target is None:
                return None
        else:
            return None
        taken = {ctx.text(k.child_by_field_name("name")) for k in (target.child_by_field_name("arguments").named_children) if k.type == "keyword_argument"}
        names: dict[str, str] = {}
        parts: list[tuple[str, str]] = []
        for segment in built.segments:
            if isinstance(segment, Literal):
                parts.append(("lit", segment.value))
                continue
            assert isinstance(segment, Hole)
            if segment.conversion not in ("", "s", "!s") or segment.spec:
                return None
            expression = ctx.text(segment.node)
            if expression not in names:
                names[expression] = suggest_name(ctx, segment.node, set(names.values()) | taken, _JINJA_RESERVED)
            parts.append(("lit", "{{ " + names[expression] + " }}"))
        literal = render([(kind, text) for kind, text in parts], triple=built.multiline)
        if literal is None:
            return None
        keywords = add_keyword(ctx, target, ", ".join(f"{variable}={expression}" for expression, variable in names.items()))
        if keywords is None:
            return None
        return Fix("Pass input as template variables", (Edit(source.start_byte, source.end_byte, literal), keywords))

    @staticmethod
    def _render_call(ctx: AnalysisContext, template_call: Node) -> Node | None:
        parent = template_call.parent
        if parent is None or parent.type != "attribute" or ctx.text(parent.child_by_field_name("attribute")) != "render":
            return None
        render_call = parent.parent
        if render_call is None or render_call.type != "call":
            return None
        if any(a.type not in ("keyword_argument",) for a in render_call.child_by_field_name("arguments").named_children):
            return None
        return render_call
