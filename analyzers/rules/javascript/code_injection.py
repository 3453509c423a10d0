"""JS-EVAL-001 code-injection-dynamic-code: non-constant text run as code.

**What it finds.** `eval(x)`, `new Function(..., body)` / `Function(body)`,
`setTimeout`/`setInterval`/`setImmediate` with a string built at run time,
Node's `vm` (`runInNewContext`, `runInThisContext`, `runInContext`,
`new vm.Script`, `compileFunction`), and `vm2`/`sandbox` `run(code)` /
`new VMScript(code)` given code that is not a constant.
Confidence is high when the code comes from request input.

**Not reported.** Constant code strings, timers given a function, and
`JSON.parse` (which never runs code).

**Fix.** No automatic fix: parse data with `JSON.parse`, look functions up in
a map of allowed operations, pass a function to timers. `vm` is not a
security sandbox; run untrusted code in a separate process or not at all.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import evidence, is_safe
from ...javascript.sources import CODE
from ...javascript.strings import built_string
from ...javascript.triggers import last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

EVAL_CALLS = ("eval", "window.eval", "globalThis.eval", "global.eval")
FUNCTION_CONSTRUCTORS = ("Function", "window.Function", "globalThis.Function")
TIMERS = ("setTimeout", "setInterval", "setImmediate", "window.setTimeout", "window.setInterval")
VM_CALLS = (
    "vm.runInNewContext", "vm.runInThisContext", "vm.runInContext", "vm.Script", "vm.compileFunction",
    "vm.SourceTextModule", "vm2.VM.run", "*.runInNewContext", "*.runInThisContext",
)
VM2_CALLS = ("vm2.VMScript", "VMScript")


@register
class JsCodeInjection(Rule):
    id = "JS-EVAL-001"
    name = "code-injection-dynamic-code"
    cwe = 95
    owasp = "A03:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(EVAL_CALLS, FUNCTION_CONSTRUCTORS, TIMERS, VM_CALLS, VM2_CALLS) + ("run",)  # run: vm2/sandbox `x.run(code)`
    summary = "Non-constant text executed as code with eval, new Function, a string timer or vm"
    explanation = Explanation(
        what="A string that is not a constant is compiled and run as JavaScript.",
        why=(
            "It works while the text is the expected expression or JSON, so it passes tests. Whoever influences the "
            "text runs arbitrary code in the server process (files, environment secrets, child processes) or in the "
            "user's browser session. `vm` contexts are not a sandbox: `this.constructor.constructor('return process')()` escapes them."
        ),
        hostile_input="`?expr=require('child_process').execSync('id').toString()` returns the output of `id`.",
        fix=(
            "Parse data with `JSON.parse`, map names to allowed functions (`const OPS = { add, sub }; OPS[op]`), give "
            "timers a function, and never run user-supplied code in `vm`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            code = self._code_argument(ctx, call)
            if code is None or is_safe(ctx, code):
                continue
            found = evidence(ctx, code, CODE)
            yield self.finding(
                ctx, call, f"Code injection: non-constant code{found.origin} is executed; never run strings as code",
                confidence=found.confidence,
            )

    @staticmethod
    def _code_argument(ctx: AnalysisContext, call: Node) -> Node | None:
        args = SYN.arguments(call)
        if not args:
            return None
        if call.type == "call_expression" and call_matches(ctx, call, EVAL_CALLS):
            return args[0]
        if call_matches(ctx, call, FUNCTION_CONSTRUCTORS):
            return args[-1]
        if call.type == "call_expression" and call_matches(ctx, call, TIMERS):
            first = SYN.unwrap(args[0])
            if first.type in ("string", "template_string", "binary_expression") and built_string(ctx, first) is not None:
                return first
            return None
        if call_matches(ctx, call, VM_CALLS):
            return args[0]
        if call.type == "call_expression" and ctx.text(SYN.callee(call)).endswith(".run") and set(ctx.facts.get("imported_modules", ())) & {"vm2", "sandbox", "isolated-vm"}:
            return args[0]  # vm2 VM/NodeVM.run(code), sandbox's Sandbox.run(code)
        if call_matches(ctx, call, VM2_CALLS):
            return args[0]
        return None
