"""PY-CODE-001 code-injection-eval-of-input: input evaluated as Python code.

**What it finds.** `eval()`, `exec()` and `compile()` (also `builtins.eval`)
whose code argument carries request data or command-line input, whole or
spliced into a string (`eval(f"{a} {op} {b}")`, the calculator endpoint AI
assistants like to write).

**Not reported.** Constant code, code built from constants or numbers,
`ast.literal_eval()` (which only reads literals), and code of unknown origin
(a helper's parameter): `eval` on trusted text is a design smell, not an
injection, and reporting every `eval` is what makes users switch such rules
off.

**Fix.** None automatic: what replaces `eval` depends on what the input was
meant to be. For data use `ast.literal_eval()` or `json.loads()`; for
arithmetic parse the expression with `ast` and evaluate an allow-list of node
types; for choosing a function use a dict of allowed callables.
"""

from __future__ import annotations

from typing import Iterator

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.names import calls_named
from ....python.taint import taint_of
from ....python.taint_specs import CODE, LOCAL, REQUEST
from ...base import Explanation, Rule, register

CODE_CALLS = {"eval": "source", "exec": "source", "compile": "source", "builtins.eval": "source", "builtins.exec": "source"}
_INPUT = frozenset({REQUEST, LOCAL})
_CODE_LAST_NAMES = last_parts(CODE_CALLS)


@register
class CodeInjection(Rule):
    id = "PY-CODE-001"
    name = "code-injection-eval-of-input"
    cwe = 94
    owasp = "A03:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    languages = ("python",)
    # the last part of every name in CODE_CALLS (a renamed import is run by its alias)
    triggers = tuple(sorted(last_parts(CODE_CALLS)))
    summary = "eval(), exec() or compile() of request or command-line input"
    explanation = Explanation(
        what="Text from the request (or the command line) is run as Python code.",
        why=(
            "A calculator endpoint doing `eval(request.args['expr'])` answers `2+3` correctly, so it looks finished. "
            "But `eval` runs any expression: imports, file access, shell commands, all with the server's rights."
        ),
        hostile_input="`__import__('os').popen('cat /etc/passwd').read()` as the expression returns the file.",
        fix=(
            "Do not evaluate input. Parse data with `ast.literal_eval()` or `json.loads()`; evaluate arithmetic by "
            "walking `ast.parse(expr, mode='eval')` with an allow-list of node types; map names to functions with a dict."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls_named(ctx, _CODE_LAST_NAMES):
            if name not in CODE_CALLS:
                continue
            code = argument_value(ctx, call, CODE_CALLS[name], position=0)
            taint = taint_of(ctx, code, sink=CODE, kinds=_INPUT) if code is not None else None
            if taint is None:
                continue
            severity = Severity.CRITICAL if taint.kind == REQUEST else Severity.HIGH
            message = f"Code injection: {name}() runs input from {taint.source} (line {taint.line}) as Python code"
            yield self.finding(ctx, call, message, severity=severity)
