"""PY-LOG-001 log-injection-raw-input: request data logged without neutralising line breaks.

**What it finds.** `logging` calls (`logger.info(...)`, `app.logger.warning(...)`,
`logging.error(...)`, ...) whose message or arguments carry request data that
may contain CR/LF.

**Why it is off by default.** It is a real flaw (forged log lines mislead
incident response and log-based alerting), but the impact is low, JSON log
formatters already neutralise it, and AI-written handlers log request values
everywhere: enabled by default it would outnumber the findings that matter.
Switch it on with `rules.enabled: ["PY-LOG-001"]` where logs are plain text
and read by people or parsers.

**Not reported.** Values with `\\r`/`\\n` removed or escaped, `%r`/`!r`
(`repr` escapes line breaks), numbers, `json.dumps(...)`, constants.

**Fix.** "Escape line breaks" passes each input value as a lazy `%s` argument
wrapped in `str(value).replace("\\r", "\\\\r").replace("\\n", "\\\\n")`; an
f-string or concatenated message becomes the equivalent `%s` template. Every
value without line breaks is logged exactly as before; a line break in the
input shows up as `\\n` on the same line.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_list
from ....python.dataflow import reaching_definitions
from ....python.names import calls, dotted_name, method_name, qualified_name
from ....python.pystr import render
from ....python.strings import Hole, Literal, built_string, literal_value, unwrap_parens
from ....python.taint import taint_of
from ....python.taint_specs import LOG, REQUEST
from ...base import Explanation, Rule, register

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_ESCAPE = '.replace("\\r", "\\\\r").replace("\\n", "\\\\n")'
_REQUEST_ONLY = frozenset({REQUEST})


def _is_logger(ctx: AnalysisContext, receiver: Node | None) -> bool:
    receiver = unwrap_parens(receiver)
    if receiver is None:
        return False
    if qualified_name(ctx, receiver) == "logging":
        return True
    dotted = dotted_name(ctx, receiver) or ""
    last = dotted.rsplit(".", 1)[-1].lower()
    if last in ("logger", "log", "logging", "_logger", "_log", "audit_log", "audit_logger") or last.endswith("logger"):
        return True
    if receiver.type == "identifier" and ctx.text(receiver) in ctx.facts.get("logger_names", ()):
        return True
    if receiver.type == "identifier":
        return any(
            d.value is not None and d.value.type == "call" and qualified_name(ctx, d.value.child_by_field_name("function")) == "logging.getLogger"
            for d in reaching_definitions(ctx, receiver)
        )
    return False


_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")


def _without_repr_arguments(ctx: AnalysisContext, args: list[Node]) -> list[Node]:
    """Drop the arguments a constant `%`-template prints with `%r` (repr escapes line breaks)."""
    template = literal_value(ctx, args[0])
    if template is None:
        return args
    conversions = [m.group(1) for m in _DIRECTIVE.finditer(template) if m.group(1) != "%"]
    if len(conversions) != len(args) - 1:
        return args
    return [args[0]] + [a for a, c in zip(args[1:], conversions) if c != "r"]


@register
class LogInjection(Rule):
    id = "PY-LOG-001"
    name = "log-injection-raw-input"
    cwe = 117
    owasp = "A09:2021"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    languages = ("python",)
    default_enabled = False
    fix_title = "Escape line breaks"
    # the logging method is named in the unit; the logger may be defined elsewhere (`logger_names`)
    triggers = tuple(sorted(LOG_METHODS))
    summary = "Request data written to a log without neutralising CR/LF"
    explanation = Explanation(
        what="A log message includes request data as it came, line breaks included.",
        why=(
            "Normal values log normally. A value with a newline writes a second, fabricated log line that looks "
            "like the application's own: a fake successful login, an alert that hides the real one, or text that "
            "breaks the parser feeding monitoring."
        ),
        hostile_input="`bob\\n2024-05-01 12:00:00 INFO login succeeded for admin` as the user name adds a forged success line.",
        fix="Log input as `%s` arguments with line breaks escaped (`value.replace(\"\\n\", \"\\\\n\")`), or use `%r`, or a JSON log formatter.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, _name in calls(ctx):
            method = method_name(ctx, call)
            if method not in LOG_METHODS or not _is_logger(ctx, call.child_by_field_name("function").child_by_field_name("object")):
                continue
            args = [a for a in argument_list(call).named_children if a.type not in ("comment", "keyword_argument")] if argument_list(call) else []
            if method == "log":
                args = args[1:]
            if not args:
                continue
            args = _without_repr_arguments(ctx, args)
            tainted = [a for a in args if taint_of(ctx, a, sink=LOG, kinds=_REQUEST_ONLY) is not None]
            if not tainted:
                continue
            taint = taint_of(ctx, tainted[0], sink=LOG, kinds=_REQUEST_ONLY)
            fix = self._fix(ctx, args)
            message = f"Log injection: input from {taint.source} (line {taint.line}) is logged with its line breaks"
            yield self.finding(ctx, call, message, fixes=(fix,) if fix else ())

    def _fix(self, ctx: AnalysisContext, args: list[Node]) -> Fix | None:
        message = unwrap_parens(args[0])
        if literal_value(ctx, message) is not None:
            edits: list[Edit] = []
            for argument in args[1:]:
                if taint_of(ctx, argument, sink=LOG, kinds=_REQUEST_ONLY) is not None:
                    edits.append(Edit(argument.start_byte, argument.end_byte, self._escaped(ctx, argument)))
            return Fix("Escape line breaks", tuple(edits)) if edits else None
        built = built_string(ctx, message)
        if built is None or built.segments is None or len(args) != 1 or built.method not in ("fstring", "concat"):
            return None
        parts: list[tuple[str, str]] = []
        values: list[str] = []
        for segment in built.segments:
            if isinstance(segment, Literal):
                parts.append(("lit", segment.value.replace("%", "%%")))
                continue
            assert isinstance(segment, Hole)
            if segment.conversion or segment.spec:
                return None
            parts.append(("lit", "%s"))
            tainted = taint_of(ctx, segment.node, sink=LOG, kinds=_REQUEST_ONLY) is not None
            values.append(self._escaped(ctx, segment.node) if tainted else ctx.text(segment.node))
        template = render(parts)
        if template is None:
            return None
        return Fix("Escape line breaks", (Edit(message.start_byte, message.end_byte, ", ".join([template, *values])),))

    @staticmethod
    def _escaped(ctx: AnalysisContext, node: Node) -> str:
        return f"str({ctx.text(node)}){_ESCAPE}"
