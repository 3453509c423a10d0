"""PY-CHMOD-001 world-writable-permissions: `chmod` that lets every local user write.

**What it finds.** `os.chmod`, `os.fchmod`, `os.lchmod` and `Path.chmod` with
a mode that includes the "others may write" bit (`0o777`, `0o666`, `0o757`,
`stat.S_IWOTH`, `stat.S_IRWXO`, ...). AI code reaches for `0o777` to make a
permission error go away; the error disappears because now *everyone* may
change the file: another local user, a compromised service or a container
neighbour can replace a script that is later run, or rewrite data.

**Not reported.** Modes without the world-write bit (`0o755`, `0o644`,
`0o600`, `stat.S_IRUSR | stat.S_IWUSR`) and modes that cannot be computed
(a variable from configuration).

**Fix.** "Remove group and world write access" replaces the mode with the same
mode minus the group- and world-write bits (`0o777` -> `0o755`, `0o666` ->
`0o644`): the owner keeps every permission it had, others can still read
and execute what they could.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.names import call_arguments, qualified_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

STAT_BITS = {
    "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100, "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100,
    "S_IRWXG": 0o070, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
    "S_IRWXO": 0o007, "S_IROTH": 0o004, "S_IWOTH": 0o002, "S_IXOTH": 0o001,
}
_FUNCTIONS = {"os.chmod": 1, "os.fchmod": 1, "os.lchmod": 1}
_CALLS = "(call function: (_) @function) @call"
WORLD_WRITE = 0o002


def mode_value(ctx: AnalysisContext, node: Node | None) -> int | None:
    """The integer value of a permission expression, or None when unknown."""
    node = unwrap_parens(node)
    if node is None:
        return None
    if node.type == "integer":
        try:
            return int(ctx.text(node).replace("_", ""), 0)
        except ValueError:
            return None
    if node.type in ("attribute", "identifier"):
        qualified = qualified_name(ctx, node) or ""
        last = qualified.rsplit(".", 1)[-1]
        if (qualified.startswith("stat.") or qualified == last) and last in STAT_BITS:
            return STAT_BITS[last]
        return None
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        left, right = mode_value(ctx, node.child_by_field_name("left")), mode_value(ctx, node.child_by_field_name("right"))
        if operator is None or left is None or right is None:
            return None
        return {"|": left | right, "+": left + right, "&": left & right, "^": left ^ right}.get(operator.type)
    return None


@register
class WorldWritablePermissions(Rule):
    id = "PY-CHMOD-001"
    name = "world-writable-permissions"
    cwe = 732
    owasp = "A01:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    triggers = tuple(sorted(last_parts(_FUNCTIONS) | {"chmod"}))  # os.*chmod and `.chmod()`
    fix_title = "Remove group and world write access"
    summary = "chmod with a mode that lets every user write the file (0o777, 0o666, S_IWOTH)"
    explanation = Explanation(
        what="The file or folder is made writable by every user on the machine.",
        why=(
            "`chmod 777` makes a permission error go away, so the code works. It works for everyone else too: any "
            "local user or compromised service can now replace the file, e.g. a script the app later runs."
        ),
        hostile_input="Another account on the host rewrites the world-writable `deploy.sh` the service executes at start-up.",
        fix="Grant only what is needed: `0o755` for programs and folders, `0o644` for shared files, `0o600` for secrets.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for match in ctx.matches(_CALLS):
            call = match["call"][0]
            function = match["function"][0]
            positional, keywords = call_arguments(ctx, call)
            name = qualified_name(ctx, function) or ""
            if name in _FUNCTIONS:
                mode = positional[1] if len(positional) > 1 else keywords.get("mode")
            elif function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) == "chmod" and name != "os.chmod":
                mode = positional[0] if positional else keywords.get("mode")
            else:
                continue
            value = mode_value(ctx, mode)
            if value is None or not value & WORLD_WRITE:
                continue
            safer = value & ~0o022
            fix = Fix(self.fix_title, (Edit(mode.start_byte, mode.end_byte, f"0o{safer:03o}"),))
            yield self.finding(
                ctx, call, f"mode `{ctx.text(mode)}` (0o{value:03o}) lets every user on the machine write this path", fixes=[fix],
                severity=Severity.HIGH if value & 0o111 else None,
            )
