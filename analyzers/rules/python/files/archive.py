"""PY-ZIPSLIP-001 archive-extraction-without-member-checks ("zip slip").

**What it finds.**
- `tar.extractall(...)` / `tar.extract(...)` on a `tarfile` archive without a
  `filter=` (and without a vetted `members=` list). Before Python 3.14 tarfile
  extracts member names as they are: `../../home/app/.bashrc`, absolute paths,
  and symlinks pointing anywhere are all honoured.
- `shutil.unpack_archive(...)` without `filter=` (it uses tarfile for tar
  archives).
- Archive members written by hand: a name from `namelist()`, `infolist()`,
  `getmembers()` or `getnames()` joined into a path and opened, written or
  created without checking it stays inside the target folder.

**Not reported.** `zipfile`'s own `extract()`/`extractall()`, which strip `..`
and absolute prefixes; tar extraction with `filter="data"` (or `"tar"`, or a
filter function); hand-written extraction that checks each name (`..` test,
`os.path.isabs`, a resolved `startswith`/`commonpath`/`is_relative_to`) or
reduces it with `os.path.basename`.

**Fix.** "Extract with filter=\\"data\\"" adds `filter="data"` to tarfile
extraction (Python 3.12, and 3.8.17/3.9.17/3.10.12/3.11.4 security releases):
regular files and folders extract exactly as before, while members that
would land outside the target, absolute names, device files and links out of
the tree raise an error. Hand-written extraction gets "Check the path stays in
its folder": the resolved path is compared with the resolved target folder and
the archive is refused otherwise.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Fix, Severity
from ....python.arguments import add_keyword, keyword_argument
from ....python.dataflow import enclosing_function, reaching_definitions
from ....python.guards import checked_before
from ....python.layout import short
from ....python.names import call_arguments, qualified_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register
from .path_traversal import ContainmentFix, path_sinks

MEMBER_METHODS = frozenset({"namelist", "infolist", "getmembers", "getnames"})
_CLEANERS = re.compile(r"(^|\.)(basename|secure_filename)$")
_CHECK_WORDS = re.compile(
    r"\.\.|startswith|commonpath|is_relative_to|relative_to|isabs|realpath|abspath|resolve"
    r"|subpath|within|inside|safe_join|is_safe"  # containment helpers: is_within_directory(), is_subpath()
)
_TAR_OPENERS = frozenset({"tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open", "tarfile.TarFile.gzopen", "tarfile.TarFile.taropen"})
_CALLS = "(call function: (attribute) @function) @call"


def _is_tarfile(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    node = unwrap_parens(node)
    if node is None or depth > 6:
        return False
    if node.type == "call":
        return (qualified_name(ctx, node.child_by_field_name("function")) or "") in _TAR_OPENERS
    if node.type == "identifier":
        return any(d.value is not None and _is_tarfile(ctx, d.value, depth + 1) for d in reaching_definitions(ctx, node))
    return False


def member_name(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """True when `node` carries an archive member's name (from namelist(), getmembers(), ...)."""
    node = unwrap_parens(node)
    if node is None or depth > 12:
        return False
    kind = node.type
    if kind == "call":
        function = node.child_by_field_name("function")
        name = qualified_name(ctx, function) or ""
        if _CLEANERS.search(name):
            return False
        if function is not None and function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) in MEMBER_METHODS:
            return True
    if kind == "identifier":
        for definition in reaching_definitions(ctx, node):
            if definition.kind == "loop":
                if member_name(ctx, definition.statement.child_by_field_name("right"), depth + 1):
                    return True
            elif definition.value is not None and member_name(ctx, definition.value, depth + 1):
                return True
        return False
    if kind in ("string", "integer", "float", "true", "false", "none", "comment"):
        return False
    return any(member_name(ctx, child, depth + 1) for child in node.named_children)


def _member_test(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    return bool(_CHECK_WORDS.search(ctx.text(condition)))


@register
class ArchiveExtractionWithoutMemberChecks(Rule):
    id = "PY-ZIPSLIP-001"
    name = "archive-extraction-without-member-checks"
    cwe = 22
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    # `unpack_archive`, tar `extract`/`extractall`, or a path sink whose path holds a member name, which
    # `member_name()` finds only through a member-listing call in the same unit (data flow is per unit)
    triggers = ("unpack_archive", "extract", *sorted(MEMBER_METHODS))
    fix_title = 'Extract with filter="data"'
    summary = "Archive extracted without checking member names stay inside the target folder (zip slip)"
    explanation = Explanation(
        what="An archive is extracted, or its members written, using the member names stored in the archive.",
        why=(
            "Every test archive has tidy names, so extraction works. Member names are chosen by whoever built the "
            "archive: `../`, absolute paths and symbolic links put files anywhere the process can write."
        ),
        hostile_input="A tar file with a member named `../../../home/app/.ssh/authorized_keys` plants an SSH key.",
        fix='Use `tar.extractall(dest, filter="data")`; when writing members by hand, resolve each target and check it is inside `dest`.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for match in ctx.matches(_CALLS):
            call = match["call"][0]
            method = ctx.text(match["function"][0].child_by_field_name("attribute"))
            name = qualified_name(ctx, match["function"][0]) or ""
            if name == "shutil.unpack_archive":
                if keyword_argument(ctx, call, "filter") is None:
                    yield self.finding(
                        ctx, call,
                        "`shutil.unpack_archive` without `filter=` extracts tar members as named: `../` and absolute names "
                        "escape the target folder (add filter=\"data\" on Python 3.12+)",
                        confidence=Confidence.MEDIUM,
                    )
                continue
            if method in ("extractall", "extract") and _is_tarfile(ctx, match["function"][0].child_by_field_name("object")):
                finding = self._tar_extract(ctx, call, method)
                if finding is not None:
                    yield finding
        reported: set[tuple] = set()
        for sink in path_sinks(ctx):
            path = unwrap_parens(sink.path)
            if sink.probe or not member_name(ctx, path) or checked_before(ctx, path, _member_test):
                continue
            # one finding per member path and function: `makedirs(dirname(target))` then `open(target)` is one flaw
            function = enclosing_function(path)
            carriers = frozenset(ctx.text(n) for n in ctx.captures("(identifier) @id", path).get("id", []) if member_name(ctx, n))
            key = (function.id if function is not None else None, carriers or ctx.text(path))
            if key in reported:
                continue
            reported.add(key)
            fix = ContainmentFix(
                ctx, sink, path,
                untrusted=lambda node: member_name(ctx, node),
                deny='raise ValueError("archive member escapes the target folder")',
                title="Check the path stays in its folder",
            ).build()
            yield self.finding(
                ctx, sink.call,
                f"path `{short(ctx.text(path))}` uses a member name from the archive without checking it stays inside the "
                "target folder: a member named `../../x` is written outside it",
                fixes=[fix] if fix else [],
            )

    def _tar_extract(self, ctx: AnalysisContext, call: Node, method: str) -> Finding | None:
        if keyword_argument(ctx, call, "filter") is not None or keyword_argument(ctx, call, "members") is not None:
            return None
        positional, _ = call_arguments(ctx, call)
        if method == "extractall" and len(positional) >= 2:
            return None  # members passed positionally: a vetted list
        if method == "extract" and positional and not member_name(ctx, positional[0]) and positional[0].type != "identifier":
            return None
        if method == "extract" and checked_before(ctx, call, _member_test):
            return None  # each member's target checked (and refused) before it is extracted
        edit = add_keyword(ctx, call, 'filter="data"')
        fixes = [Fix(self.fix_title, (edit,))] if edit is not None else []
        return self.finding(
            ctx, call,
            f"`{short(ctx.text(call))}` extracts tar members as named: `../`, absolute names and links can write outside "
            "the target folder",
            fixes=fixes,
        )
