"""Source layout for fixes that add whole statements: indentation and newlines.

A fix that inserts `if note.user_id != current_user.id: abort(403)` after a
statement must use the file's newline style and the block's indentation
(spaces or tabs, whatever width the author used), or the fixed code would not
parse or would look foreign.
"""

from __future__ import annotations

from tree_sitter import Node

from ..common.edits import insert_lines
from ..context import AnalysisContext
from ..model import Edit


def line_start(ctx: AnalysisContext, node: Node) -> int:
    return ctx.source.rfind(b"\n", 0, node.start_byte) + 1


def line_indent(ctx: AnalysisContext, node: Node) -> str:
    """The whitespace before the first token on `node`'s first line."""
    start = line_start(ctx, node)
    line = ctx.source[start : node.start_byte]
    stripped = line[: len(line) - len(line.lstrip(b" \t"))]
    return stripped.decode("utf-8", "replace")


def indent_unit(ctx: AnalysisContext, statement: Node) -> str:
    """One level of indentation as used by the block around `statement`."""
    own = line_indent(ctx, statement)
    parent = statement.parent
    while parent is not None and parent.type not in ("function_definition", "class_definition", "if_statement", "for_statement", "while_statement", "with_statement", "try_statement"):
        parent = parent.parent
    if parent is not None:
        outer = line_indent(ctx, parent)
        if own.startswith(outer) and len(own) > len(outer):
            return own[len(outer) :]
    return "\t" if own.startswith("\t") else "    "


def insert_lines_after(ctx: AnalysisContext, statement: Node, lines: list[str]) -> Edit:
    """Insert `lines` (already indented) on new lines after `statement`."""
    end = ctx.source.find(b"\n", statement.end_byte)
    offset = len(ctx.source) if end < 0 else end + 1
    return insert_lines(ctx.source, offset, lines)[0]


def enclosing_statement(node: Node) -> Node | None:
    """The simple or compound statement that contains `node` directly in a block."""
    current = node
    while current.parent is not None and current.parent.type not in ("block", "module"):
        current = current.parent
    return current if current.parent is not None else None


def short(text: str, limit: int = 60) -> str:
    """Source text squeezed onto one line for a finding message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fresh_name(ctx: AnalysisContext, node: Node, candidates: tuple[str, ...]) -> str:
    """The first of `candidates` not yet bound in `node`'s function (or imported)."""
    from .dataflow import definitions, scope_of

    taken = set(definitions(ctx, scope_of(ctx, node))) | set(ctx.facts.get("imports", {}))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    index = 2
    while f"{candidates[0]}_{index}" in taken:
        index += 1
    return f"{candidates[0]}_{index}"
