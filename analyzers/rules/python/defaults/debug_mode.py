"""PY-DEBUG-001 debug-mode-enabled: a web framework's debug mode switched on in code.

**What it finds.** Flask `app.run(debug=True)` (also `socketio.run(app,
debug=True)`), `app.debug = True`, `app.config["DEBUG"] = True`,
`app.config.update(DEBUG=True)`; Werkzeug `run_simple(..., use_debugger=True)`;
`FastAPI(debug=True)` / `Starlette(debug=True)`; Django `DEBUG = True` in a
settings module (a module that also defines `INSTALLED_APPS`, `MIDDLEWARE` or
`ROOT_URLCONF`); `DEBUG = True` in a configuration class whose name says
production.

**Not reported.** `debug=False`, values read from the environment or a config
object, `DEBUG = True` in classes such as `DevelopmentConfig` or `TestConfig`,
`DEBUG` constants in modules that are not Django settings, and test code
(test functions and classes, modules importing pytest or unittest): a test
app never serves the public.

**Fix.** "Read debug flag from the environment" replaces `True` with
`os.environ.get("FLASK_DEBUG") == "1"` (`DJANGO_DEBUG` for Django,
`APP_DEBUG` otherwise) and adds `import os`. Developers keep debug mode with
`FLASK_DEBUG=1`; a deployment that sets nothing runs without it.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, keyword_argument
from ....python.names import calls, imports_module, qualified_name
from ....python.sensitive import in_test_code
from ....python.strings import literal_value, unwrap_parens
from ...base import Explanation, Rule, register

DJANGO_SETTINGS_NAMES = frozenset({"INSTALLED_APPS", "MIDDLEWARE", "ROOT_URLCONF", "WSGI_APPLICATION"})
APP_CONSTRUCTORS = {"fastapi.FastAPI": "APP_DEBUG", "starlette.applications.Starlette": "APP_DEBUG", "quart.Quart": "APP_DEBUG"}
_ASSIGNMENTS = "(assignment left: (_) @target right: (true) @value) @assignment"
_CONFIG_METHODS = frozenset({"update", "from_mapping"})


def _environment_flag(variable: str) -> str:
    return f'os.environ.get("{variable}") == "1"'


@register
class DebugModeEnabled(Rule):
    id = "PY-DEBUG-001"
    name = "debug-mode-enabled"
    # every finding is a `debug=`/`use_debugger=`/`DEBUG=` keyword, a `DEBUG`
    # name or `"DEBUG"` key, or a `.debug` attribute set to True
    triggers = ("debug", "DEBUG")
    cwe = 489
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Read debug flag from the environment"
    summary = "Web framework debug mode hard-coded on (Flask debug=True, Django DEBUG = True)"
    explanation = Explanation(
        what="Debug mode is switched on in the code itself, so it is on wherever the code runs, production included.",
        why=(
            "It is convenient during development and nothing breaks, so it ships. In production Flask/Werkzeug's "
            "debugger gives anyone who triggers an error an interactive Python console in the browser (remote code "
            "execution; the PIN is derivable from machine facts), and Django's and Starlette's debug pages show "
            "settings, source, SQL and environment variables including secrets."
        ),
        hostile_input="Requesting `/does-not-exist?x=%ff` or any input that raises an exception opens the Werkzeug traceback page with its console.",
        fix='Read the flag from the environment (`debug=os.environ.get("FLASK_DEBUG") == "1"`, `DEBUG = os.environ.get("DJANGO_DEBUG") == "1"`) so it is off unless a developer turns it on.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        flask = imports_module(ctx, "flask", "flask_socketio", "werkzeug")
        for call, name in calls(ctx):
            finding = self._check_call(ctx, call, name or "", flask)
            if finding is not None and not in_test_code(ctx, call):
                yield finding
        for match in ctx.matches(_ASSIGNMENTS):
            finding = self._check_assignment(ctx, match["assignment"][0], match["target"][0], match["value"][0], flask)
            if finding is not None and not in_test_code(ctx, match["assignment"][0]):
                yield finding

    def _check_call(self, ctx: AnalysisContext, call: Node, name: str, flask: bool) -> Finding | None:
        function = call.child_by_field_name("function")
        method = ctx.text(function.child_by_field_name("attribute")) if function.type == "attribute" else name
        if name in APP_CONSTRUCTORS:
            return self._true_keyword(ctx, call, "debug", APP_CONSTRUCTORS[name], f"{name.split('.')[-1]}(debug=True) returns tracebacks with source and settings to every client")
        if name in ("werkzeug.serving.run_simple", "werkzeug.run_simple"):
            return self._true_keyword(ctx, call, "use_debugger", "FLASK_DEBUG", "run_simple(use_debugger=True) exposes the Werkzeug debugger console")
        if not flask:
            return None
        if method == "run":
            receiver = ctx.text(function.child_by_field_name("object")) if function.type == "attribute" else ""
            host = literal_value(ctx, argument_value(ctx, call, "host", 1 if receiver.endswith("socketio") else 0))
            exposed = host in ("0.0.0.0", "::")  # noqa: S104 - the values the rule looks for, nothing is bound
            detail = " on all interfaces" if exposed else ""
            return self._true_keyword(
                ctx, call, "debug", "FLASK_DEBUG",
                f"app.run(debug=True){detail} enables the Werkzeug debugger: any error page offers a Python console",
                severity=Severity.HIGH if exposed else None,
            )
        if method in _CONFIG_METHODS and function.type == "attribute" and ctx.text(function.child_by_field_name("object")).endswith("config"):
            return self._true_keyword(ctx, call, "DEBUG", "FLASK_DEBUG", "DEBUG=True in the app config enables the Werkzeug debugger")
        return None

    def _true_keyword(self, ctx: AnalysisContext, call: Node, keyword: str, variable: str, message: str, severity: Severity | None = None) -> Finding | None:
        argument = keyword_argument(ctx, call, keyword)
        value = unwrap_parens(argument.child_by_field_name("value")) if argument is not None else None
        if value is None or value.type != "true":
            return None
        return self.finding(ctx, argument, message, fixes=(self._fix(value, variable),), severity=severity)

    def _check_assignment(self, ctx: AnalysisContext, assignment: Node, target: Node, value: Node, flask: bool) -> Finding | None:
        text = ctx.text(target)
        if target.type == "identifier" and text == "DEBUG":
            return self._debug_constant(ctx, assignment, value)
        if not flask:
            return None
        if target.type == "attribute" and ctx.text(target.child_by_field_name("attribute")) == "debug":
            return self.finding(ctx, assignment, f"{text} = True enables the Werkzeug debugger: any error page offers a Python console", fixes=(self._fix(value, "FLASK_DEBUG"),))
        if target.type == "subscript" and ctx.text(target.child_by_field_name("value")).endswith("config"):
            if literal_value(ctx, target.child_by_field_name("subscript")) == "DEBUG":
                return self.finding(ctx, assignment, 'config["DEBUG"] = True enables the Werkzeug debugger', fixes=(self._fix(value, "FLASK_DEBUG"),))
        return None

    def _debug_constant(self, ctx: AnalysisContext, assignment: Node, value: Node) -> Finding | None:
        klass = assignment.parent
        while klass is not None and klass.type not in ("class_definition", "function_definition"):
            klass = klass.parent
        if klass is not None and klass.type == "class_definition":
            class_name = ctx.text(klass.child_by_field_name("name")).lower()
            if "prod" in class_name:
                return self.finding(ctx, assignment, f"DEBUG = True in {ctx.text(klass.child_by_field_name('name'))}: production runs with the debugger on", fixes=(self._fix(value, "FLASK_DEBUG" if imports_module(ctx, "flask") else "APP_DEBUG"),))
            return None
        if klass is not None:
            return None
        if not DJANGO_SETTINGS_NAMES & set(ctx.facts.get("assigned_names", ())):
            return None
        return self.finding(ctx, assignment, "DEBUG = True in Django settings: error pages show source, settings and environment to every visitor", fixes=(self._fix(value, "DJANGO_DEBUG"),))

    @staticmethod
    def _fix(value: Node, variable: str) -> Fix:
        return Fix(f"Read debug flag from ${variable}", (Edit(value.start_byte, value.end_byte, _environment_flag(variable)),), imports=("import os",))
