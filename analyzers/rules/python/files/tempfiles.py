"""PY-TEMP-001 insecure-temp-file: `tempfile.mktemp()` returns a name, not a file.

**What it finds.** Calls to `tempfile.mktemp()` (however imported). The
function only picks a name that does not exist *yet*; the file is created
later by the caller. Between the two, another local user or process can
create that path first (often as a symlink to a file the program may write),
and the program then writes into the attacker's file. The standard library
has deprecated it since Python 2.3 for exactly this reason.

**Fix.** "Create the file with mkstemp": `path = tempfile.mktemp(...)` becomes
`fd, path = tempfile.mkstemp(...)` followed by `os.close(fd)`: the file is
created atomically with owner-only permissions and the rest of the code keeps
using `path` as before (it now exists and is empty, which `open(path, "w")`
and tools writing to it accept). Where the name is used inline,
`tempfile.mktemp(...)` becomes `tempfile.NamedTemporaryFile(delete=False, ...).name`.
`suffix`, `prefix` and `dir` are kept.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.layout import enclosing_statement, insert_lines_after, line_indent
from ....python.names import call_arguments, qualified_name
from ...base import Explanation, Rule, register

_CALLS = "(call function: (_) @function arguments: (argument_list) @args) @call"
_MKTEMP_POSITIONAL = ("suffix", "prefix", "dir")


@register
class InsecureTempFile(Rule):
    id = "PY-TEMP-001"
    name = "insecure-temp-file"
    cwe = 377
    owasp = "A01:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    triggers = ("mktemp",)
    fix_title = "Create the file with mkstemp"
    summary = "tempfile.mktemp() picks a name without creating the file (race condition)"
    explanation = Explanation(
        what="`tempfile.mktemp()` returns a file name that is free now; the file is created later.",
        why=(
            "It always works in tests. On a shared machine another user can create that path in the gap, for "
            "example as a symlink to `~/.bashrc` or a config file, and the program writes into it."
        ),
        hostile_input="A local attacker watches /tmp and creates `/tmp/tmpab12cd` -> `/home/app/.ssh/authorized_keys` first.",
        fix="Use `tempfile.mkstemp()` (returns an open descriptor and the name) or `tempfile.NamedTemporaryFile(delete=False)`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for match in ctx.matches(_CALLS):
            call = match["call"][0]
            if qualified_name(ctx, match["function"][0]) != "tempfile.mktemp":
                continue
            fix = _mkstemp_fix(ctx, call)
            yield self.finding(
                ctx, call, "`tempfile.mktemp()` only picks a name: another process can create that file first",
                fixes=[fix] if fix else [],
            )


def _keyword_arguments(ctx: AnalysisContext, call: Node) -> list[str] | None:
    positional, keywords = call_arguments(ctx, call)
    if len(positional) > len(_MKTEMP_POSITIONAL):
        return None
    args = call.child_by_field_name("arguments")
    if any(c.type in ("list_splat", "dictionary_splat") for c in args.named_children):
        return None
    pairs = [f"{name}={ctx.text(value)}" for name, value in zip(_MKTEMP_POSITIONAL, positional)]
    pairs += [f"{name}={ctx.text(value)}" for name, value in keywords.items()]
    return pairs


def _module_prefix(ctx: AnalysisContext) -> tuple[str, tuple[str, ...]]:
    imports = ctx.facts.get("imports", {})
    if imports.get("tempfile") == "tempfile":
        return "tempfile", ()
    return "tempfile", ("import tempfile",)


def _mkstemp_fix(ctx: AnalysisContext, call: Node) -> Fix | None:
    arguments = _keyword_arguments(ctx, call)
    if arguments is None:
        return None
    module, imports = _module_prefix(ctx)
    parent = call.parent
    statement = enclosing_statement(call)
    if (
        parent is not None and parent.type == "assignment" and parent.child_by_field_name("right").id == call.id
        and parent.child_by_field_name("left").type == "identifier" and statement is not None
        and statement.named_children and statement.named_children[0].id == parent.id
    ):
        name = ctx.text(parent.child_by_field_name("left"))
        descriptor = "fd" if "fd" != name else "handle"
        left = parent.child_by_field_name("left")
        edits = (
            Edit(left.start_byte, call.end_byte, f"{descriptor}, {name} = {module}.mkstemp({', '.join(arguments)})"),
            insert_lines_after(ctx, statement, [f"{line_indent(ctx, statement)}os.close({descriptor})"]),
        )
        return Fix(InsecureTempFile.fix_title, edits, imports + ("import os",))
    text = f"{module}.NamedTemporaryFile({', '.join(['delete=False'] + arguments)}).name"
    return Fix(InsecureTempFile.fix_title, (Edit(call.start_byte, call.end_byte, text),), imports)
