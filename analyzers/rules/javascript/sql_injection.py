"""JS-SQLI-001 sql-injection-string-built-query: SQL built with a template literal or `+`, then executed.

**What it finds.** A query passed to `pg` (`client.query`, `pool.query`),
`mysql`/`mysql2` (`query`, `execute`), `sqlite3` (`all`, `get`, `run`,
`each`, `exec`), `better-sqlite3` (`prepare`, `exec`), knex (`raw`,
`whereRaw`, ...), Sequelize (`sequelize.query`), TypeORM (`query`) or Prisma
(`$queryRawUnsafe`, `$executeRawUnsafe`) that was built from a non-constant
value with a template literal, `+`, `.concat()` or `[...].join()`, inline or
in a variable first (`const sql = \\`...${id}\\`; db.query(sql)`).

**Not reported.** Constant queries, placeholders with bound values, tagged
templates (`sql\\`...\\``, `prisma.$queryRaw\\`...\\``, `Prisma.sql`), module
constants such as a table name, and numbers (`parseInt(x)`, `Number(x)`).

**Fix.** "Parameterise query" replaces each value with the driver's
placeholder (`$1` for pg, `?` for mysql/mysql2/sqlite3/better-sqlite3/knex,
`?` with `replacements` for Sequelize) and passes the values separately; for
Prisma it turns `$queryRawUnsafe(\\`...\\`)` into the tagged
`$queryRaw\\`...\\``, which binds every `${value}`. Quotes around a value go
and `LIKE '%${q}%'` binds `` `%${q}%` ``. Table and column names cannot be
bound: those findings come without a fix (check them against an allow-list).
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import calls_in, method_name, qualified_name, receiver
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import BuiltArgument, built_argument, constant_text_of, is_safe, object_fields, values_stay_put
from ...javascript.sqlparam import CannotParameterise, parameterise
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

_SQL = re.compile(
    r"^\s*\(?\s*(select|insert|update|delete|with|create|drop|alter|replace|merge|pragma|truncate|grant|call|exec|values)\b"
    r"|\b(select\s[\s\S]+\sfrom|insert\s+into|update\s+[\w\".`]+\s+set|delete\s+from|\swhere\s)",
    re.IGNORECASE,
)
GENERIC_METHODS = frozenset({"query", "execute", "all", "get", "run", "each", "exec", "prepare", "raw", "queryRaw", "unsafe"})
RAW_METHODS = frozenset({"raw", "whereRaw", "orWhereRaw", "havingRaw", "orderByRaw", "groupByRaw", "joinRaw", "selectRaw", "fromRaw"})
PRISMA_UNSAFE = {"$queryRawUnsafe": "$queryRaw", "$executeRawUnsafe": "$executeRaw"}
DRIVER_STYLE = {
    "pg": "$", "pg-pool": "$", "postgres": "$", "@neondatabase/serverless": "$",
    "mysql": "?", "mysql2": "?", "mysql2/promise": "?", "sqlite3": "?", "better-sqlite3": "?", "sqlite": "?",
    "knex": "?", "sequelize": "?",
}
BETTER_SQLITE_RUN = frozenset({"all", "get", "run", "iterate", "pluck"})


def _style(ctx: AnalysisContext) -> tuple[str, str] | None:
    modules = set(ctx.facts.get("imported_modules", ()))
    for module, style in DRIVER_STYLE.items():
        if module in modules:
            return style, module
    return None


@register
class JsSqlInjection(Rule):
    id = "JS-SQLI-001"
    name = "sql-injection-string-built-query"
    cwe = 89
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = tuple(sorted(GENERIC_METHODS | RAW_METHODS | set(PRISMA_UNSAFE)))  # every sink is a method call with one of these names
    fix_title = "Parameterise query"
    summary = "SQL query built from non-constant values with a template literal, + or .concat() and sent to the database"
    explanation = Explanation(
        what="The SQL text is assembled from values at run time (`` `... WHERE id = ${id}` ``) and sent to the database as code.",
        why=(
            "It works for every normal value, so it passes tests and review; it only breaks when a value contains SQL. "
            "The database cannot tell data from query, so whoever controls the value controls the query: read other "
            "users' rows, bypass a login, change or drop tables."
        ),
        hostile_input="`?name=' OR '1'='1` returns every row; `?id=1; DROP TABLE users` destroys data on drivers that allow several statements.",
        fix=(
            "Keep the SQL constant and bind the values: `pool.query('SELECT * FROM users WHERE id = $1', [id])` (pg), "
            "`db.prepare('... WHERE id = ?').get(id)` (better-sqlite3), `conn.query('... = ?', [id])` (mysql), or a tagged "
            "template `prisma.$queryRaw\\`... ${id}\\``. Table or column names cannot be bound: map them through an allow-list."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression":
                continue
            kind = self._sink_kind(ctx, call)
            if kind is None:
                continue
            args = SYN.arguments(call)
            if not args:
                continue
            config = object_fields(ctx, args[0])
            query = config.get("sql") or config.get("text") or config.get("query") if config else args[0]
            if query is None:
                continue
            found = built_argument(ctx, query)
            if found is None:
                continue
            if kind == "generic" and not _SQL.search(found.built.constant_text() or constant_text_of(ctx, query)):
                continue
            yield self._report(ctx, call, kind, found)

    @staticmethod
    def _sink_kind(ctx: AnalysisContext, call: Node) -> str | None:
        method = method_name(ctx, call)
        if method is None:
            return None
        if method in PRISMA_UNSAFE:
            return "prisma"
        if method in RAW_METHODS:
            return "raw"
        if method == "query" and "sequelize" in (qualified_name(ctx, receiver(ctx, call)) or "").lower():
            return "sequelize"
        if method in GENERIC_METHODS:
            return "generic"
        return None

    def _report(self, ctx: AnalysisContext, call: Node, kind: str, found: BuiltArgument) -> Finding:
        how = {"template": "a template literal", "concat": "string concatenation", "join": "[...].join()"}.get(found.built.method, "string building")
        where = f" (built on line {found.definition.node.start_point.row + 1})" if found.definition is not None else ""
        message = f"SQL injection: query built with {how}{where} from non-constant values; bind them as parameters"
        fix = self._fix(ctx, call, kind, found)
        return self.finding(ctx, found.argument, message, fixes=(fix,) if fix is not None else ())

    # -- fix -----------------------------------------------------------------
    def _fix(self, ctx: AnalysisContext, call: Node, kind: str, found: BuiltArgument) -> Fix | None:
        if not found.single or SYN.unwrap(SYN.arguments(call)[0]).type == "object":
            return None
        method = method_name(ctx, call) or ""
        if kind == "prisma":
            return self._prisma_fix(ctx, call, method, found)
        detected = {"raw": ("?", "knex"), "sequelize": ("?", "sequelize")}.get(kind) or _style(ctx)
        if detected is None:
            return None
        style, module = detected
        try:
            rewrite = parameterise(ctx, found.built, style, lambda n: is_safe(ctx, n))
        except CannotParameterise:
            return None
        edits: list[Edit] = []
        if found.definition is not None:
            if not values_stay_put(ctx, found.definition, call, rewrite.values):
                return None
            edits.append(Edit(found.built.node.start_byte, found.built.node.end_byte, rewrite.query))
        else:
            edits.append(Edit(found.argument.start_byte, found.argument.end_byte, rewrite.query))
        params = "[" + ", ".join(rewrite.params) + "]"
        args = SYN.arguments(call)
        rest = args[1:]
        if module == "better-sqlite3" and method == "prepare":
            runner = _prepared_runner(ctx, call)
            if runner is None or rest:
                return None
            edits.append(Edit(runner.end_byte - 1, runner.end_byte - 1, ", ".join(rewrite.params)))
        elif kind == "sequelize":
            if not rest:
                edits.append(Edit(args[0].end_byte, args[0].end_byte, f", {{ replacements: {params} }}"))
            elif len(rest) == 1 and rest[0].type == "object" and "replacements" not in ctx.text(rest[0]) and "bind" not in ctx.text(rest[0]):
                brace = rest[0].start_byte + 1
                edits.append(Edit(brace, brace, f" replacements: {params}," if rest[0].named_child_count else f" replacements: {params} "))
            else:
                return None
        elif method == "exec" or (rest and SYN.unwrap(rest[0]).type not in ("arrow_function", "function_expression", "function")):
            return None  # exec takes no parameters; existing parameters: leave to a human
        else:
            edits.append(Edit(args[0].end_byte, args[0].end_byte, ", " + params))
        placeholder = "$1, $2, ..." if style == "$" else "?"
        return Fix(f"Parameterise query ({module} {placeholder} placeholders)", tuple(edits))

    def _prisma_fix(self, ctx: AnalysisContext, call: Node, method: str, found: BuiltArgument) -> Fix | None:
        args = SYN.arguments(call)
        if len(args) != 1 or found.definition is not None:
            return None
        try:
            rewrite = parameterise(ctx, found.built, "tagged", lambda n: False)
        except CannotParameterise:
            return None
        callee = SYN.callee(call)
        prop = callee.child_by_field_name("property")
        arguments = call.child_by_field_name("arguments")
        return Fix(
            f"Use the tagged template {PRISMA_UNSAFE[method]}`...` (binds every value)",
            (
                Edit(prop.start_byte, prop.end_byte, PRISMA_UNSAFE[method]),
                Edit(arguments.start_byte, arguments.end_byte, rewrite.query),
            ),
        )


def _prepared_runner(ctx: AnalysisContext, prepare_call: Node) -> Node | None:
    """`.all()` in `db.prepare(sql).all()`, when it takes no arguments yet."""
    member = prepare_call.parent
    if member is None or member.type != "member_expression":
        return None
    if ctx.text(member.child_by_field_name("property")) not in BETTER_SQLITE_RUN:
        return None
    runner = member.parent
    if runner is None or runner.type != "call_expression" or SYN.arguments(runner):
        return None
    return runner.child_by_field_name("arguments")
