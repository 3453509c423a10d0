"""PY-SQLI-001 sql-injection-string-built-query: SQL built from values, then executed.

**What it finds.** A query passed to a DB-API cursor (`execute`,
`executemany`, `executescript`), SQLAlchemy (`text()`, `Session.execute`,
`exec_driver_sql`), Django (`raw()`, `extra()`, `RawSQL`), pandas
(`read_sql`) or asyncpg (`fetch*`) that was built with an f-string, `%`, `+`,
`.format()` or `.join()` from a value that is not constant, inline or in a
variable first (`q = f"..."; cur.execute(q)`).

**Evidence.** Taint tracking (`python/taint.py`) rates each finding: request
data reaching the query makes it critical with high confidence (the message
names the source and its line); a value of unknown origin (a helper's
parameter) stays high/medium. A query that *is* request data as a whole, or
that a helper of the same file builds from request data
(`cur.execute(build_sql(request.args["q"]))`), is reported too, without a fix.

**Not reported.** Request values validated for SQL (an allow-list check such
as `if sort not in ALLOWED: abort(400)`, `request.args.get("n", type=int)`,
a tight `re.fullmatch`), constant strings, placeholders with bound parameters,
module constants (for example a table name in `TABLE = "users"`), numbers
(`int(x)`, parameters annotated `int`) and placeholder lists such as
`", ".join("?" * len(ids))`.

**Fix.** "Parameterise query" rewrites the string to the driver's placeholders
(`?` for sqlite3, `%s` for psycopg/MySQL/Django, `:name` for SQLAlchemy
`text()`, `$1` for asyncpg; the driver is detected from the imports) and
passes the values as parameters. Quoted values lose their quotes (`'{name}'`
becomes one placeholder) and `LIKE '%{q}%'` binds `f"%{q}%"`, so the query
means the same for benign input. Table and column names cannot be bound; for
those no automatic fix is offered: check them against an allow-list.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import last_parts
from ...context import AnalysisContext
from ...model import Confidence, Edit, Finding, Fix, Severity
from ...python.dataflow import (
    definitions,
    is_safe_value,
    reaching_definitions,
    scope_of,
)
from ...python.names import (
    call_arguments,
    calls_named,
    imports_module,
    last_name,
    method_name,
    qualified_name,
)
from ...python.sqlparam import (
    CannotParameterise,
    ParamStyle,
    detect_style,
    parameterise,
    params_dict,
    params_kwargs,
    params_tuple,
)
from ...python.strings import BuiltString, built_string, literal_value, unwrap_parens
from ...python.taint import sink_taint, taint_of, unsafe_holes
from ...python.taint_specs import REQUEST, SQL
from ..base import Explanation, Rule, register

_SQL_START = re.compile(
    r"^\s*(\(\s*)?(select|insert|update|delete|with|create|drop|alter|replace|merge|upsert|pragma|truncate|grant|revoke|call|exec|values|begin|set|show|describe|explain)\b",
    re.IGNORECASE,
)
_SQL_ANYWHERE = re.compile(r"\b(select\s.+\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|where\s)", re.IGNORECASE | re.DOTALL)

CURSOR_METHODS = {"execute", "executemany", "executescript", "exec_driver_sql", "mogrify"}
ASYNCPG_METHODS = {"fetch", "fetchrow", "fetchval", "execute", "executemany"}
QUERY_FUNCTIONS = {
    "sqlalchemy.text": "named",
    "sqlalchemy.sql.text": "named",
    "sqlalchemy.sql.expression.text": "named",
    "django.db.models.expressions.RawSQL": "format",
    "django.db.models.RawSQL": "format",
    "pandas.read_sql": "pandas",
    "pandas.read_sql_query": "pandas",
}
# Prefilter: every finding starts at a sink call of `_sink`, whose name is in
# the unit's text: a cursor/asyncpg method, the last part of a query function
# (`text`, `RawSQL`, `read_sql`; renamed imports of them are run by the
# prefilter's alias fact), `extra`, or for `.raw()` the receiver it requires
# (`...objects`, `..._manager`).
TRIGGERS = tuple(
    sorted(
        CURSOR_METHODS
        | ASYNCPG_METHODS
        | last_parts(QUERY_FUNCTIONS)
        | {"read_sql", "read_sql_query", "extra", "objects", "_manager"}
    )
)


_SINK_NAMES = frozenset(
    CURSOR_METHODS | ASYNCPG_METHODS | last_parts(QUERY_FUNCTIONS) | {"read_sql", "read_sql_query", "raw", "extra"}
)
"""The last part of the name of every call `_sink` can accept."""


def _looks_like_sql(ctx: AnalysisContext, built: BuiltString) -> bool:
    text = "".join(seg.value for seg in built.segments or [] if hasattr(seg, "value"))
    if not text:
        text = ctx.text(built.node)
        text = text.lstrip("rRbBuUfF'\"(")
    return bool(_SQL_START.search(text) or _SQL_ANYWHERE.search(text))


def _text_call_style(ctx: AnalysisContext, call: Node) -> str | None:
    name = qualified_name(ctx, call.child_by_field_name("function"))
    if name in QUERY_FUNCTIONS:
        return QUERY_FUNCTIONS[name]
    if name and name.endswith(".read_sql") or name in ("read_sql", "read_sql_query"):
        return "pandas"
    return None


class _Sink:
    """A call that sends its query argument to the database."""

    def __init__(self, call: Node, query: Node, kind: str):
        self.call = call
        self.query = query
        self.kind = kind  # cursor | text | raw | rawsql | extra | pandas | asyncpg | sa_execute


@register
class SqlInjectionStringBuiltQuery(Rule):
    id = "PY-SQLI-001"
    name = "sql-injection-string-built-query"
    cwe = 89
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Parameterise query"
    triggers = TRIGGERS
    summary = "SQL query built from non-constant values with an f-string, %, + or .format()"
    explanation = Explanation(
        what="The SQL text is assembled from values at run time and sent to the database as code.",
        why=(
            "It works for every normal value, which is why it passes tests and review: the query only breaks "
            "when a value contains SQL syntax. The database cannot tell the data from the query, so whoever "
            "controls the value controls the query: read other users' rows, bypass a login, modify or drop tables."
        ),
        hostile_input="`' OR '1'='1` as a name returns every row; `1; DROP TABLE users--` as an id can destroy data.",
        fix=(
            "Keep the SQL constant and pass values separately as bound parameters "
            "(`cur.execute(\"SELECT * FROM users WHERE id = ?\", (user_id,))`). Table or column names cannot be "
            "parameters: map them through an allow-list of known names."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, _name in calls_named(ctx, _SINK_NAMES):
            arguments = call.child_by_field_name("arguments")
            if arguments is None or arguments.type != "argument_list":
                continue  # f(x for x in y): no query argument
            sink = self._sink(ctx, call)
            if sink is None:
                continue
            finding = self._check_sink(ctx, sink)
            if finding is not None:
                yield finding

    # -- sinks ---------------------------------------------------------------
    def _sink(self, ctx: AnalysisContext, call: Node) -> _Sink | None:
        if last_name(ctx, call) not in _SINK_NAMES:
            return None  # most calls of a handler: no arguments to read, no names to resolve
        positional, keywords = call_arguments(ctx, call)
        style = _text_call_style(ctx, call)
        if style == "named":
            query = positional[0] if positional else keywords.get("text")
            return _Sink(call, query, "text") if query is not None else None
        if style == "format":
            query = positional[0] if positional else keywords.get("sql")
            return _Sink(call, query, "rawsql") if query is not None else None
        if style == "pandas":
            query = positional[0] if positional else keywords.get("sql")
            return _Sink(call, query, "pandas") if query is not None else None
        method = method_name(ctx, call)
        if method is None:
            return None
        if method == "raw" and positional:
            receiver = ctx.text(call.child_by_field_name("function").child_by_field_name("object"))
            if receiver.endswith("objects") or ".objects" in receiver or receiver.endswith("_manager"):
                return _Sink(call, positional[0], "raw")
            return None
        if method == "extra":
            where = keywords.get("where")
            if where is not None and where.type == "list":
                for item in where.named_children:
                    if built_string(ctx, item) is not None:
                        return _Sink(call, item, "extra")
            return None
        if method in CURSOR_METHODS or (method in ASYNCPG_METHODS and imports_module(ctx, "asyncpg")):
            query = positional[0] if positional else keywords.get("sql") or keywords.get("query") or keywords.get("operation")
            if query is None:
                return None
            if method in ("fetch", "fetchrow", "fetchval") or (imports_module(ctx, "asyncpg") and not detect_style(ctx)):
                return _Sink(call, query, "asyncpg")
            return _Sink(call, query, "cursor")
        return None

    # -- detection ------------------------------------------------------------
    def _check_sink(self, ctx: AnalysisContext, sink: _Sink) -> Finding | None:
        query = unwrap_parens(sink.query)
        if query is None:
            return None
        built = built_string(ctx, query)
        definition = None
        if built is None and query.type == "identifier":
            defs = reaching_definitions(ctx, query)
            builders = [(d, built_string(ctx, d.value)) for d in defs if d.kind in ("assign", "augment") and d.value is not None]
            dynamic = [(d, b) for d, b in builders if b is not None and _unsafe_holes(ctx, b)]
            if not dynamic:
                return self._tainted_query(ctx, sink, query)
            if not any(b is not None and _looks_like_sql(ctx, b) for _d, b in builders) and not self._query_literal_sql(ctx, defs) and sink.kind in ("cursor", "asyncpg", "pandas"):
                return None
            if len(defs) == 1 and len(dynamic) == 1:
                definition, built = dynamic[0]
            else:
                holes = [h for _d, b in dynamic for h in _unsafe_holes(ctx, b)]
                return self._report(ctx, sink, query, None, None, defs_line=dynamic[0][0].node.start_point.row + 1, holes=holes)
        if built is None:
            return self._tainted_query(ctx, sink, query)
        if not _unsafe_holes(ctx, built):
            return None
        if sink.kind in ("cursor", "asyncpg", "pandas") and not _looks_like_sql(ctx, built):
            return None
        return self._report(ctx, sink, query, built, definition)

    def _tainted_query(self, ctx: AnalysisContext, sink: _Sink, query: Node) -> Finding | None:
        """A query that is request data as a whole, or comes from a helper
        that builds it from request data (`cur.execute(build_sql(name))`)."""
        taint = taint_of(ctx, query, sink=SQL, kinds=frozenset({REQUEST}))
        if taint is None:
            return None
        message = f"SQL injection: the query text comes from {taint.source} (line {taint.line}); keep SQL constant and bind values"
        return self.finding(ctx, sink.query, message, severity=Severity.CRITICAL, confidence=Confidence.HIGH)

    @staticmethod
    def _query_literal_sql(ctx: AnalysisContext, defs) -> bool:
        for d in defs:
            value = literal_value(ctx, d.value) if d.value is not None else None
            if value and (_SQL_START.search(value) or _SQL_ANYWHERE.search(value)):
                return True
        return False

    def _report(self, ctx, sink: _Sink, query: Node, built: BuiltString | None, definition, defs_line: int | None = None, holes=None) -> Finding:
        where = ""
        if definition is not None:
            where = f" (built on line {definition.node.start_point.row + 1})"
        elif defs_line is not None:
            where = f" (built on line {defs_line})"
        method = {"fstring": "an f-string", "percent": "% formatting", "concat": "string concatenation", "format": ".format()", "join": ".join()"}
        how = method.get(built.method, "string building") if built is not None else "string building"
        taint = sink_taint(ctx, holes if holes is not None else _unsafe_holes(ctx, built), SQL)
        severity, confidence = self.severity, self.confidence
        if taint is not None:
            origin = f"{taint.source} (line {taint.line})"
            message = f"SQL injection: query built with {how}{where} from {origin}; use bound parameters"
            severity = Severity.CRITICAL if taint.kind == REQUEST else Severity.HIGH
            confidence = Confidence.HIGH
        else:
            message = f"SQL injection: query built with {how}{where} from non-constant values; use bound parameters"
        fixes = ()
        if built is not None:
            fix = self._fix(ctx, sink, query, built, definition)
            fixes = (fix,) if fix is not None else ()
        return self.finding(ctx, sink.query, message, fixes=fixes, severity=severity, confidence=confidence)

    # -- fix --------------------------------------------------------------------
    def _style_for(self, ctx: AnalysisContext, sink: _Sink) -> tuple[ParamStyle, str, bool]:
        """Paramstyle, title note, and whether to wrap the query in text()."""
        if sink.kind == "text":
            return ParamStyle("named", "sqlalchemy"), "SQLAlchemy :name", False
        if sink.kind in ("raw", "rawsql", "extra"):
            return ParamStyle("format", "django"), "Django %s", False
        if sink.kind == "asyncpg":
            return ParamStyle("dollar", "asyncpg"), "asyncpg $1", False
        detected = detect_style(ctx)
        if detected is not None:
            return detected, f"{detected.driver} {detected.label}", False
        if imports_module(ctx, "sqlalchemy", "flask_sqlalchemy", "sqlmodel"):
            return ParamStyle("named", "sqlalchemy"), "SQLAlchemy text() :name", True
        if sink.kind == "pandas":
            return ParamStyle("format", "unknown"), "%s, driver not detected", False
        return ParamStyle("format", "unknown"), "%s, driver not detected", False

    def _fix(self, ctx: AnalysisContext, sink: _Sink, query: Node, built: BuiltString, definition) -> Fix | None:
        if sink.kind == "extra" or sink.call.child_by_field_name("function") is None:
            return None
        method = method_name(ctx, sink.call)
        if method in ("executescript", "mogrify", "executemany"):
            return None
        style, note, wrap_text = self._style_for(ctx, sink)
        try:
            rewrite = parameterise(ctx, built, style)
        except CannotParameterise:
            return None
        if not rewrite.params:
            return None
        positional, keywords = call_arguments(ctx, sink.call)
        edits: list[Edit] = []
        imports: tuple[str, ...] = ()
        new_query = rewrite.query_source
        if wrap_text:
            new_query = f"text({new_query})"
            imports = ("from sqlalchemy import text",)

        # Where the parameter expressions go, and whether they may move there.
        if definition is not None:
            if not self._params_may_move(ctx, definition, sink, rewrite):
                return None
            edits.append(Edit(definition.value.start_byte, definition.value.end_byte, rewrite.query_source))
            if wrap_text:
                edits.append(Edit(query.start_byte, query.end_byte, f"text({ctx.text(query)})"))
        else:
            edits.append(Edit(built.node.start_byte, sink.query.end_byte if sink.query.end_byte > built.node.end_byte and unwrap_parens(sink.query) is built.node else built.node.end_byte, new_query))
            if unwrap_parens(sink.query).id != built.node.id:
                return None

        if sink.kind == "text":
            text_call = sink.call
            outer = text_call.parent.parent if text_call.parent is not None else None
            if (
                outer is not None
                and outer.type == "call"
                and text_call.parent.type == "argument_list"
                and method_name(ctx, outer) in ("execute", "exec_driver_sql")
                and len(call_arguments(ctx, outer)[0]) == 1
                and not call_arguments(ctx, outer)[1]
            ):
                edits.append(Edit(text_call.end_byte, text_call.end_byte, ", " + params_dict(rewrite.params)))
            else:
                edits.append(Edit(text_call.end_byte, text_call.end_byte, ".bindparams(" + params_kwargs(rewrite.params) + ")"))
        elif sink.kind == "pandas":
            if "params" in keywords:
                return None
            edits.append(Edit(sink.call.end_byte - 1, sink.call.end_byte - 1, _arg_sep(ctx, sink.call) + "params=" + (params_dict(rewrite.params) if style.kind == "named" else params_tuple(rewrite.params))))
        else:
            if len(positional) != 1 or set(keywords) - {"sql", "query", "operation"}:
                return None
            if keywords:
                return None
            if sink.kind == "raw" or sink.kind == "rawsql":
                params = "[" + ", ".join(src for _n, src in rewrite.params) + "]"
                edits.append(Edit(sink.query.end_byte, sink.query.end_byte, ", " + params))
            elif style.kind == "dollar":
                edits.append(Edit(sink.query.end_byte, sink.query.end_byte, ", " + ", ".join(src for _n, src in rewrite.params)))
            elif style.kind == "named":
                edits.append(Edit(sink.query.end_byte, sink.query.end_byte, ", " + params_dict(rewrite.params)))
            else:
                edits.append(Edit(sink.query.end_byte, sink.query.end_byte, ", " + params_tuple(rewrite.params)))
        return Fix(f"Parameterise query ({note} placeholders)", tuple(edits), imports)

    def _params_may_move(self, ctx: AnalysisContext, definition, sink: _Sink, rewrite) -> bool:
        """Parameters are evaluated at the sink instead of at the definition:
        allowed when they are plain names/attributes none of which is
        reassigned in between, and the definition is in the sink's scope."""
        if scope_of(ctx, definition.node).id != scope_of(ctx, sink.call).id:
            return False
        names: set[str] = set()
        for node in rewrite.value_nodes:
            base = _plain_reference_base(ctx, node)
            if base is None:
                return False
            names.add(base)
        defs = definitions(ctx, scope_of(ctx, sink.call))
        for name in names:
            for d in defs.get(name, []):
                if definition.statement.end_byte <= d.node.start_byte < sink.call.start_byte:
                    return False
        return True


def _unsafe_holes(ctx: AnalysisContext, built: BuiltString) -> list[Node]:
    return unsafe_holes(ctx, built, SQL)


def _plain_reference_base(ctx: AnalysisContext, node: Node | None) -> str | None:
    """`a`, `a.b`, `a["k"]`, `a[0]` -> "a"; anything that computes -> None."""
    node = unwrap_parens(node)
    while node is not None:
        if node.type == "identifier":
            return ctx.text(node)
        if node.type == "attribute":
            node = node.child_by_field_name("object")
        elif node.type == "subscript":
            index = node.child_by_field_name("subscript")
            if index is None or index.type not in ("string", "integer") or (index.type == "string" and any(c.type == "interpolation" for c in index.children)):
                return None
            node = node.child_by_field_name("value")
        else:
            return None
    return None


def _arg_sep(ctx: AnalysisContext, call: Node) -> str:
    args = call.child_by_field_name("arguments")
    inner = ctx.text(args)[1:-1].strip() if args is not None else ""
    return ", " if inner and not inner.endswith(",") else ("" if not inner else " ")
