"""Rewrite a string-built SQL query into placeholders plus bound parameters.

Works on the `Literal`/`Hole` segments of `strings.built_string()`. It reads
the SQL text around each hole to decide what the hole is:

* a value outside quotes (`id = {uid}`) becomes one placeholder, the
  expression becomes a parameter;
* a quoted SQL string holding holes (`name = '{n}'`, `LIKE '%{q}%'`) becomes one
  placeholder, the quotes go, and the parameter is the hole or an f-string of
  the quoted text (so `%` wildcards keep working);
* a hole whose value is constant (module constants, placeholder lists) stays
  spliced in, since it cannot carry input;
* anything that cannot be bound as a parameter (table or column names,
  `IN ({list})`, holes in comments or quoted identifiers, conversions such as
  `!r`) makes the rewrite refuse, and the rule offers no automatic fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..context import AnalysisContext
from .dataflow import is_safe_value
from .names import qualified_name
from .pystr import render
from .strings import BuiltString, Hole, Literal, Segment, unwrap_parens


@dataclass(frozen=True)
class ParamStyle:
    kind: str  # qmark | format | named | dollar
    driver: str

    @property
    def label(self) -> str:
        return {"qmark": "?", "format": "%s", "named": ":name", "dollar": "$1"}[self.kind]


QMARK_DRIVERS = ("sqlite3", "aiosqlite", "pysqlite2", "duckdb", "pyodbc")
FORMAT_DRIVERS = ("psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql", "mariadb", "django", "aiomysql", "pg8000")


def detect_style(ctx: AnalysisContext) -> ParamStyle | None:
    imported = set(ctx.facts.get("imported_modules", ()))
    for driver in QMARK_DRIVERS:
        if driver in imported:
            return ParamStyle("qmark", driver)
    for driver in FORMAT_DRIVERS:
        if driver in imported:
            return ParamStyle("format", driver)
    if "asyncpg" in imported:
        return ParamStyle("dollar", "asyncpg")
    return None


@dataclass
class Rewrite:
    query_source: str
    params: list[tuple[str, str]]  # (suggested name, expression source)
    value_nodes: list  # the expressions the parameters evaluate


class CannotParameterise(Exception):
    """The query has a hole that cannot be a bound parameter."""


_IDENTIFIER_CONTEXT = re.compile(
    r"(?is)(?:\b(?:from|join|into|update|table|exists|by|select|distinct|as|on\s+table|index|view|database|schema|column)\s*|\.)$"
)
_IN_LIST = re.compile(r"(?is)\bin\s*\(\s*$")
_NAMED_COLLISION = re.compile(r"(?<![:\w]):[A-Za-z_]")


def _unwrap_str_call(ctx: AnalysisContext, node):
    node = unwrap_parens(node)
    if node is not None and node.type == "call" and qualified_name(ctx, node.child_by_field_name("function")) == "str":
        args = node.child_by_field_name("arguments")
        named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if len(named) == 1 and named[0].type != "keyword_argument":
            return named[0]
    return node


def _hole_source(ctx: AnalysisContext, hole: Hole) -> str:
    text = ctx.text(hole.node)
    if hole.node.type in ("conditional_expression", "lambda", "named_expression") or "\n" in text:
        return f"({' '.join(text.split())})"
    return text


def _check_conversion(hole: Hole, percent: bool) -> None:
    if percent:
        if hole.conversion not in ("s", "d", "i") or hole.spec:
            raise CannotParameterise("printf directive with formatting")
    elif hole.conversion or hole.spec:
        raise CannotParameterise("conversion or format spec on a spliced value")


def _param_name(ctx: AnalysisContext, node, taken: set[str]) -> str:
    node = unwrap_parens(node)
    base = "param"
    if node is not None:
        if node.type == "identifier":
            base = ctx.text(node)
        elif node.type == "attribute":
            base = ctx.text(node.child_by_field_name("attribute"))
        elif node.type == "subscript":
            index = node.child_by_field_name("subscript")
            text = ctx.text(index).strip("'\"") if index is not None else ""
            base = text if text.isidentifier() else base
        elif node.type == "call":
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is not None and first.type == "string":
                text = ctx.text(first).strip("'\"")
                base = text if text.isidentifier() else base
    base = re.sub(r"\W", "_", base) or "param"
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def parameterise(ctx: AnalysisContext, built: BuiltString, style: ParamStyle) -> Rewrite:
    """Return the rewritten query literal and its parameters, or raise."""
    if built.segments is None:
        raise CannotParameterise("the query's pieces cannot be laid out")
    percent = built.method == "percent"
    out: list[tuple[str, str]] = []  # ("lit"|"expr"|"ph", text)
    params: list[tuple[str, str]] = []
    taken: set[str] = set()
    quoted: list[Segment] | None = None  # pieces of an open single-quoted SQL string
    state = "normal"  # normal | squote | dquote | line_comment | block_comment
    before = ""  # SQL text seen so far in normal state (for context checks)

    value_nodes: list = []

    def add_param(node, source: str, nodes=None) -> None:
        value_nodes.extend(nodes or [node])
        name = _param_name(ctx, node, taken)
        params.append((name, source))
        index = len(params)
        out.append(("ph", {"qmark": "?", "format": "%s", "named": f":{name}", "dollar": f"${index}"}[style.kind]))

    def flush_quoted() -> None:
        pieces = quoted or []
        holes = [p for p in pieces if isinstance(p, Hole)]
        if all(is_safe_value(ctx, h.node) for h in holes):
            out.append(("lit", "'"))
            for p in pieces:
                if isinstance(p, Literal):
                    out.append(("lit", p.value))
                else:
                    out.append(("expr", ctx.text(p.node)))
            out.append(("lit", "'"))
            return
        for h in holes:
            _check_conversion(h, percent)
        if len(pieces) == 1 and isinstance(pieces[0], Hole):
            add_param(pieces[0].node, _hole_source(ctx, pieces[0]))
            return
        fparts: list[tuple[str, str]] = []
        for p in pieces:
            if isinstance(p, Literal):
                fparts.append(("lit", p.value.replace("''", "'")))
            else:
                fparts.append(("expr", _hole_source(ctx, p)))
        rendered = render(fparts)
        if rendered is None:
            raise CannotParameterise("quoted value cannot be rebuilt")
        first_hole = next(p for p in pieces if isinstance(p, Hole))
        add_param(first_hole.node, rendered, [h.node for h in holes])

    for seg in built.segments:
        if isinstance(seg, Hole):
            if state == "squote":
                quoted.append(seg)  # type: ignore[union-attr]
                continue
            if state != "normal":
                raise CannotParameterise("value spliced into a comment or quoted identifier")
            if is_safe_value(ctx, seg.node):
                out.append(("expr", ctx.text(seg.node) if not percent else ctx.text(seg.node)))
                before += "0"
                continue
            _check_conversion(seg, percent)
            if _IDENTIFIER_CONTEXT.search(before.rstrip()) or before.rstrip().endswith("."):
                raise CannotParameterise("a table or column name cannot be a bound parameter")
            if _IN_LIST.search(before):
                raise CannotParameterise("an IN (...) list needs one placeholder per item")
            value = _unwrap_str_call(ctx, seg.node)
            source = ctx.text(value) if value is not seg.node else _hole_source(ctx, seg)
            add_param(value, source)
            before += "?"
            continue
        text = seg.value
        i = 0
        while i < len(text):
            ch = text[i]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if state == "normal":
                if ch == "'":
                    state = "squote"
                    quoted = []
                elif ch == '"':
                    state = "dquote"
                    out.append(("lit", ch))
                elif ch == "-" and nxt == "-":
                    state = "line_comment"
                    out.append(("lit", ch))
                elif ch == "/" and nxt == "*":
                    state = "block_comment"
                    out.append(("lit", ch))
                else:
                    out.append(("lit", ch))
                    before += ch
            elif state == "squote":
                if ch == "'" and nxt == "'":
                    quoted.append(Literal("''"))  # type: ignore[union-attr]
                    i += 2
                    continue
                if ch == "'":
                    state = "normal"
                    flush_quoted()
                    quoted = None
                    before += "?"
                else:
                    quoted.append(Literal(ch))  # type: ignore[union-attr]
            else:
                out.append(("lit", ch))
                if state == "dquote" and ch == '"':
                    state = "normal"
                elif state == "line_comment" and ch == "\n":
                    state = "normal"
                elif state == "block_comment" and ch == "/" and text[i - 1] == "*":
                    state = "normal"
            i += 1
    if state == "squote":
        raise CannotParameterise("unterminated quoted value")

    parts: list[tuple[str, str]] = []
    for kind, text in _coalesce(out):
        if kind == "lit":
            if style.kind == "format":
                text = text.replace("%", "%%")
            elif style.kind == "named" and _NAMED_COLLISION.search(text):
                raise CannotParameterise("literal ':name' text would be read as a bind parameter")
            parts.append(("lit", text))
        elif kind == "ph":
            parts.append(("lit", text))
        else:
            parts.append(("expr", text))
    # placeholders were emitted as literal text; keep literal '%s' unescaped
    rendered = render(parts, preferred_quote=_preferred_quote(ctx, built), triple=built.multiline and any("\n" in t for k, t in parts if k == "lit"))
    if rendered is None:
        raise CannotParameterise("query literal cannot be rendered")
    return Rewrite(rendered, params, value_nodes)


def _coalesce(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for kind, text in items:
        if merged and merged[-1][0] == kind == "lit":
            merged[-1] = ("lit", merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def _preferred_quote(ctx: AnalysisContext, built: BuiltString) -> str:
    text = ctx.text(built.node).lstrip("rRbBuUfF(")
    return "'" if text.startswith("'") else '"'


def params_tuple(params: list[tuple[str, str]]) -> str:
    sources = [src for _name, src in params]
    return f"({sources[0]},)" if len(sources) == 1 else "(" + ", ".join(sources) + ")"


def params_dict(params: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f'"{name}": {src}' for name, src in params) + "}"


def params_kwargs(params: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name}={src}" for name, src in params)
