"""JS-PATH-001 path-traversal-request-path: a file path from request input used without a containment check.

**What it finds.** `fs`/`fs.promises` calls (`readFile`, `createReadStream`,
`writeFile`, `unlink`, `rm`, `readdir`, ...), Express `res.sendFile` /
`res.download` and `fs-extra` equivalents whose path comes from request
input (`req.params.name`, `req.query.file`, uploaded file names), directly or
through `path.join`/`path.resolve`/templates, with no check before the call
that the resolved path stays inside the intended directory. A
`path.join`/`path.resolve` of request input whose result goes elsewhere (an
archive extractor, a helper) is reported at the join.

**Not reported.** `path.basename(x)` and `sanitize-filename`, paths checked
with `resolved.startsWith(base)` (or `path.relative` / `..` tests) before
use, `res.sendFile(name, { root })` (Express rejects paths leaving `root`),
and constant paths.

**Fix.** "Resolve and check the prefix" (for `path.join(base, ...)` /
`path.resolve(base, ...)` arguments): resolves the path once, refuses it
with a 403 (or an error outside route handlers) unless it starts with the
resolved base directory plus the separator, and uses the checked path.
Benign names read the same file; `../` sequences are refused.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.guards import checked_before
from ...common.names import call_matches, calls_in, qualified_name
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.queries import evidence
from ...javascript.routes import route_of
from ...javascript.sources import PATH
from ...javascript.triggers import first_parts, last_parts
from ...model import Edit, Finding, Fix, Severity, Confidence
from ..base import Explanation, Rule, register

FS_FUNCTIONS = (
    "readFile", "readFileSync", "createReadStream", "createWriteStream", "writeFile", "writeFileSync", "appendFile",
    "appendFileSync", "unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync", "readdir", "readdirSync", "open",
    "openSync", "stat", "statSync", "lstat", "access", "accessSync", "copyFile", "copyFileSync", "rename", "renameSync",
    "mkdir", "mkdirSync", "existsSync", "readJson", "readJsonSync", "writeJson", "outputFile", "remove", "removeSync",
    "move", "copy", "truncate", "chmod", "symlink",
)
FS_MODULES = ("fs", "fs/promises", "fs.promises", "fs-extra", "graceful-fs", "fs.default")
SINKS = tuple(f"{m}.{f}" for m in FS_MODULES for f in FS_FUNCTIONS)
RESPONSE_METHODS = ("*.sendFile", "*.download", "*.sendfile")
PATH_BUILDERS = ("path.join", "path.resolve", "path.posix.join", "path.win32.join", "node:path.join")
_CONTAINMENT = re.compile(r"startsWith\s*\(|\.\.|path\.relative|relative\s*\(|isAbsolute|indexOf\s*\(|includes\s*\(|\.test\s*\(|normalize|===|!==")


@register
class JsPathTraversal(Rule):
    id = "JS-PATH-001"
    name = "path-traversal-request-path"
    cwe = 22
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("javascript",)
    # the module of every fs sink and path builder (`fs`, `fs/promises`, `path`: not `open`, `rm`, `join`), and the response methods
    triggers = first_parts(SINKS, PATH_BUILDERS) + last_parts(RESPONSE_METHODS)
    fix_title = "Resolve the path and check it stays inside the base directory"
    summary = "File path built from request input reaches fs/res.sendFile without a containment check"
    explanation = Explanation(
        what="A file name or path from the request is joined to a directory and opened, served, written or deleted.",
        why=(
            "It works for `report.pdf`, so it passes tests. `path.join` happily resolves `..`: the client chooses any "
            "file the server can read or write, such as configuration, keys or source code, or overwrites files."
        ),
        hostile_input="`GET /files/..%2F..%2F.env` or `?name=../../../etc/passwd` returns files outside the upload folder.",
        fix=(
            "Resolve the path and refuse it unless it stays inside the base directory: "
            "`const p = path.resolve(BASE, name); if (!p.startsWith(path.resolve(BASE) + path.sep)) return res.sendStatus(403);`. "
            "Use `path.basename()` when only a file name is expected, or `res.sendFile(name, { root: BASE })`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        sink_arguments: list[Node] = []
        for call in calls_in(ctx):
            if call.type != "call_expression":
                continue
            args = SYN.arguments(call)
            if not args:
                continue
            if call_matches(ctx, call, PATH_BUILDERS):
                continue
            is_response = call_matches(ctx, call, RESPONSE_METHODS)
            if not is_response and not call_matches(ctx, call, SINKS):
                continue
            if is_response and any(_has_root_option(ctx, a) for a in args[1:]):
                continue
            target = SYN.unwrap(args[0])
            sink_arguments.append(target)
            found = evidence(ctx, target, PATH)
            if found.taint is None or self._contained(ctx, call, target):
                continue
            fix = self._fix(ctx, call, target)
            yield self.finding(
                ctx, target,
                f"Path traversal: file path{found.origin} reaches {qualified_name(ctx, SYN.callee(call))}() without a check that it stays inside the base directory",
                fixes=(fix,) if fix is not None else (),
            )
        yield from self._unsunk_joins(ctx, sink_arguments)

    def _unsunk_joins(self, ctx: AnalysisContext, sink_arguments: list[Node]) -> Iterator[Finding]:
        """`path.join(base, input)` whose result goes somewhere other than a
        file-system call we check (a helper, an archive extractor, a response):
        the join is where the traversal happens, so report it there."""
        sink_texts = {ctx.text(a) for a in sink_arguments}
        for call in calls_in(ctx):
            if call.type != "call_expression" or not call_matches(ctx, call, PATH_BUILDERS):
                continue
            parts = SYN.arguments(call)
            if len(parts) < 2 or evidence(ctx, parts[0], PATH).taint is not None:
                continue
            found = next((e for e in (evidence(ctx, p, PATH) for p in parts[1:]) if e.taint is not None), None)
            if found is None or any(a.start_byte <= call.start_byte and call.end_byte <= a.end_byte for a in sink_arguments):
                continue
            holder = call.parent
            if holder is not None and holder.type == "variable_declarator" and ctx.text(holder.child_by_field_name("name")) in sink_texts:
                continue
            if self._contained(ctx, call, call) or (holder is not None and holder.type == "variable_declarator" and self._checked_later(ctx, holder)):
                continue
            yield self.finding(ctx, call, f"Path traversal: path built from request input{found.origin} with {ctx.text(SYN.callee(call))}() and no containment check", confidence=Confidence.MEDIUM)

    @staticmethod
    def _checked_later(ctx: AnalysisContext, declarator: Node) -> bool:
        name = ctx.text(declarator.child_by_field_name("name"))
        scope = SYN.enclosing_function(declarator) or ctx.unit
        after = ctx.source[declarator.end_byte : scope.end_byte].decode("utf-8", "replace")
        return bool(re.search(rf"\b{re.escape(name)}\s*\.\s*(startsWith\s*\(|indexOf\s*\([^)]*\)\s*[!=]==?\s*0)|relative\([^)]*\b{re.escape(name)}\b", after))

    @staticmethod
    def _contained(ctx: AnalysisContext, call: Node, target: Node) -> bool:
        names = _names_in(ctx, target)
        for ident in [n for n in descendants(target, ("identifier",))]:
            for d in reaching_definitions(ctx, ident):
                if d.value is not None:
                    names |= _names_in(ctx, d.value)
        return checked_before(ctx, call, names, _CONTAINMENT)

    def _fix(self, ctx: AnalysisContext, call: Node, target: Node) -> Fix | None:
        builder, variable = target, None
        if builder.type == "identifier":
            defs = reaching_definitions(ctx, builder)
            if len(defs) != 1 or defs[0].kind != "assign" or defs[0].path or defs[0].statement.type != "variable_declarator":
                return None
            variable, builder = defs[0], SYN.unwrap(defs[0].value)
        if builder is None or builder.type != "call_expression" or not call_matches(ctx, builder, PATH_BUILDERS):
            return None
        parts = SYN.arguments(builder)
        fixed = 0
        while fixed < len(parts) and evidence(ctx, parts[fixed], PATH).taint is None:
            fixed += 1
        if fixed == 0 or fixed == len(parts):
            return None
        statement = _statement_of(variable.statement if variable is not None else call)
        if statement is None or statement.parent is None or statement.parent.type != "statement_block":
            return None
        line_start = ctx.source.rfind(b"\n", 0, statement.start_byte) + 1
        indent = ctx.source[line_start : statement.start_byte].decode("utf-8", "replace")
        if indent.strip():
            return None
        base = ", ".join(ctx.text(p) for p in parts[:fixed])
        newline = "\r\n" if b"\r\n" in ctx.source[:4096] else "\n"
        refusal = self._refusal(ctx, call)
        title = f"Resolve the path and refuse it outside path.resolve({base})"
        if variable is not None:
            # `const file = path.join(base, input)`: resolve it there and check it right after
            name = variable.name
            check = f"{newline}{indent}if (!{name}.startsWith(path.resolve({base}) + path.sep)) {{{newline}{indent}  {refusal}{newline}{indent}}}"
            callee = SYN.callee(builder)
            return Fix(title, (Edit(callee.start_byte, callee.end_byte, "path.resolve"), Edit(statement.end_byte, statement.end_byte, check)), ("path from path",))
        function = SYN.enclosing_function(call)
        name = _fresh_name(ctx, function or ctx.unit, "safePath")
        rest = ", ".join(ctx.text(p) for p in parts)
        lines = [
            f"const {name} = path.resolve({rest});",
            f"if (!{name}.startsWith(path.resolve({base}) + path.sep)) {{",
            f"  {refusal}",
            "}",
        ]
        text = "".join(f"{line}{newline}{indent}" for line in lines)
        return Fix(
            title,
            (Edit(statement.start_byte, statement.start_byte, text), Edit(target.start_byte, target.end_byte, name)),
            ("path from path",),
        )

    @staticmethod
    def _refusal(ctx: AnalysisContext, call: Node) -> str:
        route = route_of(ctx, call)
        if route is not None and route.kind in ("express", "next-api"):
            params = route.function.child_by_field_name("parameters")
            names = [ctx.text(p) for p in descendants(params, ("identifier",))] if params is not None else []
            response = next((n for n in names if n in ("res", "response", "reply")), None)
            if response is not None:
                return f'return {response}.status(403).send("Forbidden");'
        if route is not None and route.kind == "next-route":
            return 'return new Response("Forbidden", { status: 403 });'
        return 'throw new Error("path outside the allowed directory");'


def _names_in(ctx: AnalysisContext, node: Node) -> set[str]:
    names = {ctx.text(node)}
    for ident in descendants(node, ("identifier", "member_expression")):
        names.add(ctx.text(ident))
    return names


def _has_root_option(ctx: AnalysisContext, node: Node) -> bool:
    node = SYN.unwrap(node)
    if node is not None and node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        node = SYN.unwrap(defs[-1].value) if defs and defs[-1].kind == "assign" and not defs[-1].path else None
    return node is not None and node.type == "object" and any(
        c.type == "pair" and ctx.text(c.child_by_field_name("key")).strip("'\"") == "root" for c in node.named_children
    )


def _statement_of(node: Node) -> Node | None:
    while node is not None and not (node.type.endswith("_statement") or node.type in ("lexical_declaration", "variable_declaration")):
        node = node.parent
    return node


def _fresh_name(ctx: AnalysisContext, scope: Node, wanted: str) -> str:
    text = ctx.text(scope)
    name, index = wanted, 2
    while re.search(rf"\b{re.escape(name)}\b", text):
        name, index = f"{wanted}{index}", index + 1
    return name
