"""PY-PATH-001 path-traversal: a file path built from request data reaches the file system.

**What it finds.** Request data or a URL segment used as (part of) a path for
`open()`, `io.open`/`codecs.open`, `os.remove`/`os.rename`/`os.listdir`/...,
`shutil` copies, moves and deletes, `pathlib.Path` reads and writes
(`(BASE / name).read_text()`), Flask `send_file()`, Starlette/FastAPI
`FileResponse`, and `send_from_directory()` when the *directory* comes from
the request (its second argument is checked by Flask itself). Existence and
size checks (`os.path.exists`, `Path.exists()`) are reported with lower
severity: they still tell an attacker which files exist.

**Not reported.** Names passed through `secure_filename()`,
`os.path.basename()` or `safe_join()`; paths checked before use: `".." in
name` with an early exit, a containment test after resolving
(`os.path.realpath(p).startswith(BASE)`, `os.path.commonpath`,
`Path.is_relative_to`, `relative_to` in a `try`), an allow-list or a strict
pattern; numbers; uploaded files' own names (PY-UPLOAD-001 covers them).

**Fix.** "Check the path stays in its folder" inserts, before the file
operation, a test that resolves the final path and compares it with the
resolved base folder (`os.path.realpath(path).startswith(os.path.realpath(BASE) + os.sep)`,
or `Path.resolve().is_relative_to(...)` for pathlib) and refuses the request
otherwise (404 in a web handler, `PermissionError` elsewhere). Offered when
the base folder is visible: `os.path.join(BASE, name)`, `Path(BASE) / name`,
`f"{BASE}/{name}"`. Names inside the folder, including sub-folders, work as
before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node

from ....common.edits import insert_lines
from ....common.names import last_parts
from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.dataflow import enclosing_function, reaching_definitions
from ....python.frameworks import deny_statement
from ....python.guards import (
    checked_before,
    identifiers,
    is_allow_list_test,
    related_names,
)
from ....python.layout import (
    enclosing_statement,
    fresh_name,
    indent_unit,
    line_indent,
    line_start,
    short,
)
from ....python.names import call_arguments, qualified_name
from ....python.strings import Hole, Literal, built_string, unwrap_parens
from ....python.taint import is_route_handler, taint_of
from ....python.taint_specs import PATH, REQUEST
from ...base import Explanation, Rule, register

# function -> (positional index, keyword) of the path argument(s)
PATH_FUNCTIONS: dict[str, tuple[tuple[int, str], ...]] = {
    "open": ((0, "file"),), "io.open": ((0, "file"),), "codecs.open": ((0, "filename"),), "os.open": ((0, "path"),),
    "os.remove": ((0, "path"),), "os.unlink": ((0, "path"),), "os.rmdir": ((0, "path"),), "os.removedirs": ((0, "name"),),
    "os.makedirs": ((0, "name"),), "os.mkdir": ((0, "path"),), "os.listdir": ((0, "path"),), "os.scandir": ((0, "path"),),
    "os.rename": ((0, "src"), (1, "dst")), "os.renames": ((0, "old"), (1, "new")), "os.replace": ((0, "src"), (1, "dst")),
    "os.truncate": ((0, "path"),), "os.walk": ((0, "top"),), "os.chown": ((0, "path"),),
    "shutil.copy": ((0, "src"), (1, "dst")), "shutil.copy2": ((0, "src"), (1, "dst")), "shutil.copyfile": ((0, "src"), (1, "dst")),
    "shutil.copytree": ((0, "src"), (1, "dst")), "shutil.move": ((0, "src"), (1, "dst")), "shutil.rmtree": ((0, "path"),),
    "flask.send_file": ((0, "path_or_file"),), "flask.helpers.send_file": ((0, "path_or_file"),),
    "flask.send_from_directory": ((0, "directory"),), "werkzeug.utils.send_file": ((0, "path_or_file"),),
    "fastapi.responses.FileResponse": ((0, "path"),), "starlette.responses.FileResponse": ((0, "path"),),
    "django.http.FileResponse": (),
}
PROBE_FUNCTIONS = {
    "os.path.exists": ((0, "path"),), "os.path.isfile": ((0, "path"),), "os.path.isdir": ((0, "s"),),
    "os.path.getsize": ((0, "filename"),), "os.stat": ((0, "path"),), "os.path.lexists": ((0, "path"),),
}
PATH_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "touch", "mkdir", "iterdir", "rename", "replace", "glob", "rglob"}
)
PROBE_METHODS = frozenset({"exists", "is_file", "is_dir", "stat"})
PATH_SINK_NAMES = tuple(
    sorted(last_parts(PATH_FUNCTIONS, PROBE_FUNCTIONS) | PATH_METHODS | PROBE_METHODS)
)
"""The last names of every call `path_sinks()` recognises: a unit without one has no path sink."""
_CHECK_WORDS = re.compile(r"\.\.|startswith|commonpath|commonprefix|is_relative_to|relative_to|isabs|fullmatch|isalnum|isidentifier|secure_filename")
_CHECK_CALLS = re.compile(r"(^|\.)(relative_to|is_relative_to|commonpath|safe_join|secure_filename|basename)$")
_CALLS = "(call) @call"
_REMOTE = frozenset({REQUEST})


def _path_taint(ctx: AnalysisContext, node: Node | None):
    """Request data that can still carry a path (`basename`/`secure_filename` neutralise it, escaping does not)."""
    return taint_of(ctx, node, sink=PATH, kinds=_REMOTE)


@dataclass
class PathSink:
    call: Node
    path: Node
    probe: bool


def _is_pathlib(ctx: AnalysisContext, node: Node) -> bool:
    """`Path(...)`, `BASE / name` with a Path on the left, or a name assigned one."""
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type == "call":
        return (qualified_name(ctx, node.child_by_field_name("function")) or "") in ("pathlib.Path", "pathlib.PurePath", "Path")
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        return operator is not None and operator.type == "/" and _is_pathlib(ctx, node.child_by_field_name("left"))
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        if not defs:
            return ctx.text(node) in _module_paths(ctx)
        return all(d.value is not None and _is_pathlib(ctx, d.value) for d in defs)
    return False


def _module_paths(ctx: AnalysisContext) -> frozenset[str]:
    """Module-level names assigned a `Path(...)` (`EXPORTS = Path("/srv/exports")`), from the
    module fact: a unit that reads it is analysed again when another unit changes it."""
    return frozenset(ctx.facts.get("module_paths", ()))


def _module_paths_part(source: bytes, unit: Node, _facts) -> list[str] | None:
    assignment = unit.named_children[0] if unit.type == "expression_statement" and unit.named_children else None
    if assignment is None or assignment.type != "assignment":
        return None
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or left.type != "identifier" or right is None:
        return None
    if not re.match(rb"(pathlib\.)?Path\(", source[right.start_byte : right.end_byte]):
        return None
    return [source[left.start_byte : left.end_byte].decode("utf-8", "replace")]


def _combine_module_paths(parts: list[list[str]]) -> dict:
    return {"module_paths": sorted({name for part in parts for name in part})}


register_unit_facts("python", combine=_combine_module_paths)(_module_paths_part)


def path_sinks(ctx: AnalysisContext) -> Iterator[PathSink]:
    for call in ctx.captures(_CALLS).get("call", []):
        function = call.child_by_field_name("function")
        name = qualified_name(ctx, function) or ""
        spec = PATH_FUNCTIONS.get(name) or PROBE_FUNCTIONS.get(name)
        if spec:
            positional, keywords = call_arguments(ctx, call)
            for index, keyword in spec:
                value = positional[index] if index < len(positional) else keywords.get(keyword)
                if value is not None:
                    yield PathSink(call, value, name in PROBE_FUNCTIONS)
            continue
        if function is not None and function.type == "attribute":
            method = ctx.text(function.child_by_field_name("attribute"))
            receiver = function.child_by_field_name("object")
            if (method in PATH_METHODS or method in PROBE_METHODS) and _is_pathlib(ctx, receiver):
                yield PathSink(call, receiver, method in PROBE_METHODS)


def _through_safe_call(ctx: AnalysisContext, node: Node, depth: int = 0) -> bool:
    """The value went through safe_join/basename/secure_filename on its way here."""
    node = unwrap_parens(node)
    if node is None or depth > 8:
        return False
    if node.type == "call" and _CHECK_CALLS.search(qualified_name(ctx, node.child_by_field_name("function")) or ""):
        return True
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        return bool(defs) and all(d.value is not None and _through_safe_call(ctx, d.value, depth + 1) for d in defs)
    return False


def _path_test(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    return bool(_CHECK_WORDS.search(ctx.text(condition))) or is_allow_list_test(ctx, condition, names)


def _contained_by_call(ctx: AnalysisContext, path: Node) -> bool:
    """`p.resolve().relative_to(base)` (in a try) or `commonpath([...])` before the sink."""
    function = enclosing_function(path)
    scope = function if function is not None else ctx.unit
    names = related_names(ctx, path)
    for call in ctx.captures(_CALLS, scope).get("call", []):
        if call.start_byte >= path.start_byte:
            continue
        name = qualified_name(ctx, call.child_by_field_name("function")) or ""
        if re.search(r"(^|\.)(relative_to|is_relative_to|commonpath)$", name) and identifiers(ctx, call) & names:
            return True
    return False


@register
class PathTraversal(Rule):
    id = "PY-PATH-001"
    name = "path-traversal"
    cwe = 22
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    triggers = PATH_SINK_NAMES  # findings are path sinks only
    fix_title = "Check the path stays in its folder"
    summary = "File path built from request data without keeping it inside its folder"
    explanation = Explanation(
        what="A file name or path from the request is joined into a path and opened, sent, written or deleted.",
        why=(
            "It works for every name the UI offers, so tests pass. But `..` segments and absolute paths walk "
            "out of the intended folder: `os.path.join(BASE, '/etc/passwd')` even discards BASE entirely."
        ),
        hostile_input="`GET /download?name=../../etc/passwd` (or `%2e%2e%2f` encoded) reads any file the server can read.",
        fix=(
            "Resolve the final path and check it is still inside the base folder "
            "(`os.path.realpath(p).startswith(os.path.realpath(BASE) + os.sep)`), use `send_from_directory()` / "
            "`safe_join()`, or reduce the name with `secure_filename()`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        seen: set[int] = set()
        for sink in path_sinks(ctx):
            if sink.call.id in seen:
                continue
            finding = self._judge(ctx, sink)
            if finding is not None:
                seen.add(sink.call.id)
                yield finding

    def _judge(self, ctx: AnalysisContext, sink: PathSink) -> Finding | None:
        path = unwrap_parens(sink.path)
        taint = _path_taint(ctx, path)
        if taint is None or taint.source in ("request.files", "request.FILES"):
            return None
        if _through_safe_call(ctx, path) or checked_before(ctx, path, _path_test) or _contained_by_call(ctx, path):
            return None
        what = "checks for" if sink.probe else "opens"
        message = (
            f"path `{short(ctx.text(path))}` {what} a file named by {taint.source} (line {taint.line}) without keeping it "
            "inside its folder: `../` or an absolute path reaches any file"
        )
        fix = ContainmentFix(ctx, sink, path).build()
        return self.finding(
            ctx, sink.call, message, fixes=[fix] if fix else [], severity=Severity.MEDIUM if sink.probe else None,
        )


class ContainmentFix:
    """Insert a resolve-and-compare check before the file operation.

    `untrusted(node)` says which parts of the path are the untrusted name (request
    data by default, archive member names for zip slip); the rest is the base
    folder. `deny` overrides the refusal statement.
    """

    def __init__(self, ctx: AnalysisContext, sink: PathSink, path: Node, *, untrusted=None, deny: str | None = None, title: str = ""):
        self.ctx = ctx
        self.sink = sink
        self.path = path
        self.untrusted = untrusted or (lambda node: _path_taint(ctx, node) is not None)
        self.deny = deny
        self.title = title or PathTraversal.fix_title

    def build(self) -> Fix | None:
        ctx = self.ctx
        statement = enclosing_statement(self.sink.call)
        if statement is None or ctx.source[line_start(ctx, statement) : statement.start_byte].strip():
            return None
        if self.path.type == "call" and (qualified_name(ctx, self.path.child_by_field_name("function")) or "") == "os.path.dirname":
            # `os.makedirs(os.path.dirname(target))`: checking `target` covers its folder
            positional, _ = call_arguments(ctx, self.path)
            if len(positional) == 1 and positional[0].type == "identifier":
                self.path = positional[0]
        expression = self.path
        if expression.type == "identifier":
            defs = reaching_definitions(ctx, expression)
            if len(defs) != 1 or defs[0].value is None:
                return None
            expression = unwrap_parens(defs[0].value)
        base, pathlib_style = self._base(expression)
        if base is None or "\n" in ctx.text(self.path):
            return None
        indent = line_indent(ctx, statement)
        unit = indent_unit(ctx, statement)
        lines: list[str] = []
        edits: list[Edit] = []
        target = ctx.text(self.path)
        if self.path.type != "identifier":
            target = fresh_name(ctx, self.path, ("path", "file_path", "target_path"))
            lines.append(f"{indent}{target} = {ctx.text(self.path)}")
            replaced = self.path
            while replaced.parent is not None and replaced.parent.type == "parenthesized_expression":
                replaced = replaced.parent
            edits.append(Edit(replaced.start_byte, replaced.end_byte, target))
        imports: tuple[str, ...] = ()
        if pathlib_style:
            path_name = "Path" if ctx.facts.get("imports", {}).get("Path") == "pathlib.Path" else "pathlib.Path"
            if path_name == "pathlib.Path":
                imports += ("import pathlib",)
            lines.append(f"{indent}if not {target}.resolve().is_relative_to({path_name}({base}).resolve()):")
        else:
            imports += ("import os",)
            lines.append(f"{indent}if not os.path.realpath({target}).startswith(os.path.realpath({base}) + os.sep):")
        function = enclosing_function(self.sink.call)
        if self.deny is not None:
            deny, deny_imports = self.deny, ()
        elif function is not None and function.type == "function_definition" and is_route_handler(ctx, function):
            deny, deny_imports = deny_statement(ctx, 404, "File not found")
        else:
            deny, deny_imports = 'raise PermissionError("path escapes its base folder")', ()
        lines.append(f"{indent}{unit}{deny}")
        edits.extend(insert_lines(ctx.source, line_start(ctx, statement), lines))
        return Fix(self.title, tuple(edits), imports + deny_imports)

    def _base(self, expression: Node) -> tuple[str | None, bool]:
        """The untainted base folder expression of the path, and whether it is pathlib."""
        ctx = self.ctx
        if expression.type == "call" and (qualified_name(ctx, expression.child_by_field_name("function")) or "") in ("os.path.join", "posixpath.join"):
            positional, _ = call_arguments(ctx, expression)
            if len(positional) >= 2 and not self.untrusted(positional[0]):
                return ctx.text(positional[0]), False
            return None, False
        if expression.type == "binary_operator" and _is_pathlib(ctx, expression):
            left = unwrap_parens(expression.child_by_field_name("left"))
            while left is not None and left.type == "binary_operator" and self.untrusted(left):
                left = unwrap_parens(left.child_by_field_name("left"))
            if left is not None and not self.untrusted(left):
                if left.type == "call" and _is_pathlib(ctx, left):
                    positional, _ = call_arguments(ctx, left)
                    return (ctx.text(positional[0]) if len(positional) == 1 else ctx.text(left)), True
                return ctx.text(left), True
            return None, True
        built = built_string(ctx, expression)
        if built is not None and built.segments and len(built.segments) >= 2:
            first, second = built.segments[0], built.segments[1]
            if isinstance(first, Hole) and isinstance(second, Literal) and second.value.startswith("/"):
                if not self.untrusted(first.node) and first.node.type in ("identifier", "attribute"):
                    return ctx.text(first.node), False
        return None, False
