"""Turn a string-built SQL query into placeholders plus bound values.

Given the `BuiltString` of a query, `parameterise()` returns the query text
with each dynamic value replaced by the driver's placeholder (`?` for
mysql/mysql2/sqlite3/better-sqlite3/knex/sequelize, `$1..$n` for pg, or a
`${value}` substitution for tagged templates such as Prisma's `$queryRaw`)
and the JavaScript expressions to bind. Quotes around a value go (`'${name}'`
becomes one placeholder) and `LIKE '%${q}%'` binds `` `%${q}%` ``, so the
query means the same for benign input. Values in identifier positions (table
and column names, `IN (...)` lists, `LIMIT`) cannot be bound: no rewrite then.
Constant values (module constants such as a table name) stay spliced in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from ..common.strings import BuiltString, Hole, Literal
from ..context import AnalysisContext
from .strings import js_string


class CannotParameterise(ValueError):
    pass


@dataclass(frozen=True)
class Rewrite:
    query: str  # JavaScript source of the new query expression
    params: tuple[str, ...]  # JavaScript source of each bound value, in order
    values: tuple[Node, ...]  # the expressions that moved into params


_KEYWORD = re.compile(
    r"\b(select|from|where|values|set|order\s+by|group\s+by|having|on|and|or|not|limit|offset|into|update|join|in|like|between|when|then|else|returning|table)\b",
    re.IGNORECASE,
)
_VALUE_KEYWORDS = frozenset({"where", "values", "set", "having", "on", "and", "or", "not", "like", "between", "when", "then", "else"})
_COMPARISON_BEFORE = re.compile(r"(=|<>|!=|<|>|\blike|\bis)\s*$", re.IGNORECASE)
_QUOTES = "'\""


def _value_position(before: str, after: str) -> bool:
    """Is a bare value between `before` and `after` a bindable value (not an
    identifier, keyword or list)?"""
    if after.lstrip().startswith(".") or before.rstrip().endswith("."):
        return False
    if _COMPARISON_BEFORE.search(before):
        return True
    keywords = _KEYWORD.findall(before)
    if not keywords:
        return False
    last = re.sub(r"\s+", " ", keywords[-1].lower())
    if last == "in" or before.rstrip().endswith("("):
        return last == "values" or bool(re.search(r"values\s*\([^)]*$", before, re.IGNORECASE)) and last != "in"
    return last in _VALUE_KEYWORDS


def _quote_state(text: str, state: str | None) -> str | None:
    """Which quote is open after `text`, starting with `state` open."""
    for ch in text:
        if state is None and ch in _QUOTES:
            state = ch
        elif state is not None and ch == state:
            state = None  # '' inside a string closes and reopens: same result
    return state


def parameterise(
    ctx: AnalysisContext,
    built: BuiltString,
    style: str,
    is_safe: Callable[[Node], bool],
) -> Rewrite:
    """style: `?`, `$` (numbered) or `tagged` (`${value}` in a tagged template)."""
    if built.segments is None:
        raise CannotParameterise("query layout unknown")
    segments = list(built.segments)
    constant = "".join(s.value for s in segments if isinstance(s, Literal))
    if style == "?" and "?" in constant or style == "$" and re.search(r"\$\d", constant):
        raise CannotParameterise("query already has placeholders")
    pieces: list[tuple[str, str]] = []  # ("lit", sql text) or ("hole", js source)
    params: list[str] = []
    values: list[Node] = []
    state: str | None = None
    seen = ""
    for i, seg in enumerate(segments):
        if isinstance(seg, Literal):
            pieces.append(("lit", seg.value))
            state = _quote_state(seg.value, state)
            seen += seg.value
            continue
        source = ctx.text(seg.node)
        if is_safe(seg.node):
            pieces.append(("hole", source))
            continue
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        if isinstance(nxt, Hole):
            raise CannotParameterise("adjacent values")
        if state is None:
            if not _value_position(seen, nxt.value if isinstance(nxt, Literal) else ""):
                raise CannotParameterise("value in identifier position")
            value = source
        else:
            # inside quotes: the quoted region must hold exactly this one value
            if not pieces or pieces[-1][0] != "lit" or state not in pieces[-1][1]:
                raise CannotParameterise("quoted region holds several values")
            opening = pieces[-1][1]
            quote_at = opening.rfind(state)
            prefix = opening[quote_at + 1 :]
            if not isinstance(nxt, Literal) or state not in nxt.value:
                raise CannotParameterise("quoted region holds several values")
            close_at = nxt.value.index(state)
            suffix = nxt.value[:close_at]
            if any(q in prefix + suffix for q in _QUOTES) or "\\" in prefix + suffix:
                raise CannotParameterise("quoted text too complex")
            before_quote = seen[: len(seen) - len(prefix) - 1]
            if not _value_position(before_quote, ""):
                raise CannotParameterise("quoted value in identifier position")
            pieces[-1] = ("lit", opening[:quote_at])
            value = js_string_template(prefix, source, suffix) if prefix or suffix else source
            segments[i + 1] = Literal(nxt.value[close_at + 1 :])
            state = None
        if style == "tagged":
            pieces.append(("hole", value))
        else:
            pieces.append(("lit", f"${len(params) + 1}" if style == "$" else "?"))
        params.append(value)
        values.append(seg.node)
    if not params:
        raise CannotParameterise("nothing to bind")
    if style == "tagged" or built.multiline or any(kind == "hole" for kind, _ in pieces):
        text = "".join(_escape_literal(v) if kind == "lit" else "${" + v + "}" for kind, v in pieces)
        return Rewrite("`" + text + "`", tuple(params), tuple(values))
    return Rewrite(js_string("".join(v for _k, v in pieces)), tuple(params), tuple(values))


def _escape_literal(value: str) -> str:
    """Literal text for the inside of a template literal."""
    return value.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def js_string_template(prefix: str, source: str, suffix: str) -> str:
    return "`" + _escape_literal(prefix) + "${" + source + "}" + _escape_literal(suffix) + "`"


__all__ = ["CannotParameterise", "Rewrite", "parameterise", "js_string"]
