"""The shared core (names, strings, taint) and JavaScript support (facts,
definitions, route handlers, import materializer, suppression comments)."""

from __future__ import annotations

import pytest

from draftguard.analyzers import analyze, apply_edits, parse
from draftguard.analyzers.common.names import callee_name, calls_in
from draftguard.analyzers.common.syntax import JAVASCRIPT, PYTHON
from draftguard.analyzers.common.taint import TaintSpec, is_safe_value, taint_of
from draftguard.analyzers.context import AnalysisContext
from draftguard.analyzers.engine import _load_language_support
from draftguard.analyzers.facts import compute_facts
from draftguard.analyzers.javascript.imports import materialize_imports
from draftguard.analyzers.javascript.routes import route_of
from draftguard.analyzers.javascript.sources import BASE, SAFE
from draftguard.analyzers.javascript.strings import built_string, literal_value


def contexts(source: str, language: str = "javascript"):
    data = source.encode()
    tree = parse(data, language)
    family = "python" if language == "python" else "javascript"
    _load_language_support(family)
    facts = compute_facts(family, data, tree.root_node)
    return [AnalysisContext(data, tree, language, facts, unit) for unit in tree.root_node.children], facts


def call_args(source: str, callee: str, language: str = "javascript"):
    """(ctx, argument nodes) of every call whose written callee is `callee`."""
    units, _ = contexts(source, language)
    syntax = PYTHON if language == "python" else JAVASCRIPT
    out = []
    for ctx in units:
        for call in calls_in(ctx):
            if ctx.text(syntax.callee(call)) == callee:
                out.append((ctx, syntax.arguments(call)))
    return out


def test_facts_resolve_require_import_destructuring_and_promisify() -> None:
    _, facts = contexts(
        'import * as cp from "node:child_process";\n'
        'import fsp, { readFile as rf } from "fs/promises";\n'
        'const { exec: run, spawn } = require("child_process");\n'
        'const join = require("path").join;\n'
        'const execAsync = util.promisify(run);\n'
        'const TABLE = "users";\nlet mutable = "x";\n'
    )
    imports = facts["imports"]
    assert imports["cp"] == "child_process" and imports["fsp"] == "fs/promises" and imports["rf"] == "fs/promises.readFile"
    assert imports["run"] == "child_process.exec" and imports["spawn"] == "child_process.spawn"
    assert imports["join"] == "path.join" and imports["execAsync"] == "child_process.exec"
    assert facts["constants"] == ["TABLE"] and facts["module_style"] == "esm"


def test_callee_names_resolve_through_imports() -> None:
    units, _ = contexts('const cp = require("child_process");\ncp.exec("ls");\n')
    ctx = units[1]
    assert [callee_name(ctx, c) for c in calls_in(ctx)] == ["child_process.exec"]


@pytest.mark.parametrize(
    "source, tainted",
    [
        ('app.get("/", (req, res) => { const { id } = req.params; sink(id); });', True),
        ('app.get("/", (req, res) => { const n = parseInt(req.query.n, 10); sink(n); });', False),
        ('app.get("/", (req, res) => { let q = "a"; if (x) { q = req.body.q; } sink(q); });', True),
        ('app.get("/", (req, res) => { const q = req.query.q; db.all("x", () => { sink(q); }); });', True),
        ('app.get("/", ({ body }, res) => { sink(body.name); });', True),
        ('app.get("/", (req, res) => { sink(req.query.q.length); });', False),
        ('app.get("/", (req, res) => { sink(req.query.q === "a"); });', False),
        ('function f() { const p = new URLSearchParams(location.search); sink(p.get("x")); }', True),
        ('export async function GET(request, { params }) { sink(params.id); }', True),
        ('function plain(id) { sink(id); }', False),
    ],
)
def test_taint_through_definitions_destructuring_closures_and_sanitisers(source: str, tainted: bool) -> None:
    ((ctx, args),) = call_args(source, "sink")
    assert (taint_of(ctx, args[0], BASE) is not None) is tainted


def test_the_same_taint_core_runs_on_python() -> None:
    spec = TaintSpec("py-test", source_names=frozenset({"request.args"}), sanitisers=frozenset({"int"}))
    source = "def view():\n    name = request.args['n']\n    num = int(request.args['k'])\n    sink(name, num)\n"
    ((ctx, args),) = call_args(source, "sink", "python")
    assert taint_of(ctx, args[0], spec).source == "request.args"
    assert taint_of(ctx, args[1], spec) is None


@pytest.mark.parametrize(
    "expr, safe",
    [("`a ${TABLE}`", True), ("`a ${n}`", True), ("`a ${name}`", False), ('"x" + ids.length', True), ("ok ? 1 : 2", True), ("ok ? 1 : name", False)],
)
def test_safe_values(expr: str, safe: bool) -> None:
    source = f'const TABLE = "t";\nfunction f(name, ok, ids) {{ const n = Number(name); sink({expr}); }}\n'
    ((ctx, args),) = call_args(source, "sink")
    assert is_safe_value(ctx, args[0], SAFE) is safe


def test_built_strings_template_concat_join_and_tagged() -> None:
    source = 'sink(`a ${x} b`, "c" + y + "d", ["e", z].join(" "), sql`s ${w}`, "plain" + "const", x + 1);\n'
    ((ctx, args),) = call_args(source, "sink")
    built = [built_string(ctx, a) for a in args]
    assert [b.constant_text() if b else None for b in built] == ["a  b", "cd", "e ", None, None, None]
    assert literal_value(ctx, args[4]) == "plainconst"


def test_route_handlers_express_next_nest_and_middleware() -> None:
    units, _ = contexts(
        'router.get("/a/:id", requireAuth, requireAdmin, async (req, res) => { sink(); });\n'
        "export async function POST(request) { sink(); }\n"
        "export default function handler(req, res) { sink(); }\n"
        "function helper() { sink(); }\n"
    )
    routes = []
    for ctx in units:
        for call in calls_in(ctx):
            if ctx.text(JAVASCRIPT.callee(call)) == "sink":
                routes.append(route_of(ctx, call))
    assert routes[0].kind == "express" and routes[0].path == "/a/:id" and [units[0].text(m) for m in routes[0].middleware] == ["requireAuth", "requireAdmin"]
    assert routes[1].kind == "next-route" and routes[2].kind == "next-api" and routes[3] is None


@pytest.mark.parametrize(
    "source, expected",
    [
        ('"use strict";\nconst fs = require("fs");\nrun();\n', '"use strict";\nconst fs = require("fs");\nconst crypto = require("crypto");\nrun();\n'),
        ('import fs from "fs";\nrun();\n', 'import fs from "fs";\nimport * as crypto from "crypto";\nrun();\n'),
        ('const crypto = require("crypto");\nrun();\n', 'const crypto = require("crypto");\nrun();\n'),
    ],
)
def test_import_materializer_matches_module_style(source: str, expected: str) -> None:
    data = source.encode()
    edits = materialize_imports(data, parse(data, "javascript"), ("crypto from crypto",))
    assert apply_edits(data, edits).decode() == expected


def test_named_import_materialized_for_typescript_and_crlf() -> None:
    data = b'import { exec } from "child_process";\r\nexec("ls");\r\n'
    edits = materialize_imports(data, parse(data, "typescript"), ("{ execFile } from child_process",))
    assert apply_edits(data, edits) == b'import { exec } from "child_process";\r\nimport { execFile } from "child_process";\r\nexec("ls");\r\n'


VULNERABLE = 'app.get("/u", (req, res) => {\n  db.query(`SELECT * FROM users WHERE id = ${req.query.id}`);\n});\n'


@pytest.mark.parametrize(
    "comment, silenced",
    [
        ("  // draftguard: ignore[JS-SQLI-001]\n", True),
        ("  // draftguard: ignore[JS-XSS-001]\n", False),
        ("  /* draftguard: ignore */\n", True),
        ("", False),
    ],
)
def test_suppression_comments_in_javascript_and_typescript(comment: str, silenced: bool) -> None:
    lines = VULNERABLE.splitlines(keepends=True)
    source = "".join(lines[:1] + [comment] + lines[1:]).encode()
    for language in ("javascript", "typescript", "tsx"):
        fired = [f for f in analyze(source, parse(source, language), language) if f.rule_id == "JS-SQLI-001"]
        assert (len(fired) == 0) is silenced, language


def test_same_line_suppression() -> None:
    source = VULNERABLE.replace("}`);\n", "}`); // draftguard: ignore[JS-SQLI-001]\n", 1).encode()
    assert not [f for f in analyze(source, parse(source, "typescript"), "typescript") if f.rule_id == "JS-SQLI-001"]


def test_typescript_syntax_is_seen_through() -> None:
    source = b'app.get("/u", async (req: Request, res: Response) => {\n  const id = (req.query.id as string)!;\n  await pool.query(`DELETE FROM t WHERE id = ${id}`);\n});\n'
    assert [f.rule_id for f in analyze(source, parse(source, "typescript"), "typescript")] == ["JS-SQLI-001"]


def test_broken_code_does_not_crash() -> None:
    source = b'app.get("/u", (req, res) => {\n  db.query(`SELECT ${req.query.id\n'
    for language in ("javascript", "typescript", "tsx"):
        analyze(source, parse(source, language), language)


def test_long_concatenation_chains_are_analysed_not_skipped() -> None:
    chain = " + ".join(["req.query.a"] * 3000)
    source = f"app.get('/x', (req, res) => {{ db.query('SELECT * FROM t WHERE a = ' + {chain}); }});\n".encode()
    from draftguard.analyzers import analyze_detailed

    result = analyze_detailed(source, parse(source, "javascript"), "javascript")
    assert not result.rule_errors
    assert [f.rule_id for f in result.findings] == ["JS-SQLI-001"]
