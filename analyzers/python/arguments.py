"""Read and edit the arguments of one call, for rules and their fixes.

Fixes that add `timeout=`, drop `Loader=` or flip `verify=False` all need the
same careful byte edits: keep the commas right whether the call is empty,
single-line, multi-line or ends with a trailing comma, so the fixed code
parses and keeps the author's layout.
"""

from __future__ import annotations

from tree_sitter import Node

from ..context import AnalysisContext
from ..model import Edit


def argument_list(call: Node) -> Node | None:
    args = call.child_by_field_name("arguments")
    return args if args is not None and args.type == "argument_list" else None


def _arguments(call: Node) -> list[Node]:
    args = argument_list(call)
    if args is None:
        return []
    return [child for child in args.named_children if child.type != "comment"]


def keyword_argument(ctx: AnalysisContext, call: Node, name: str) -> Node | None:
    """The whole `name=value` node of a call, or None."""
    for child in _arguments(call):
        if child.type == "keyword_argument" and ctx.text(child.child_by_field_name("name")) == name:
            return child
    return None


def argument_value(ctx: AnalysisContext, call: Node, name: str, position: int | None = None) -> Node | None:
    """The value passed as keyword `name`, or as the positional argument at `position`."""
    keyword = keyword_argument(ctx, call, name)
    if keyword is not None:
        return keyword.child_by_field_name("value")
    if position is None:
        return None
    positional = [a for a in _arguments(call) if a.type not in ("keyword_argument", "list_splat", "dictionary_splat")]
    if any(a.type == "list_splat" for a in _arguments(call)[: position + 1]):
        return None
    return positional[position] if position < len(positional) else None


def has_splat(call: Node) -> bool:
    """`*args` or `**kwargs` in the call: they may carry any keyword."""
    return any(a.type in ("list_splat", "dictionary_splat") for a in _arguments(call))


def add_keyword(ctx: AnalysisContext, call: Node, text: str) -> Edit | None:
    """An edit appending `text` (e.g. `timeout=10`) as the call's last argument."""
    args = argument_list(call)
    if args is None or args.child_count == 0 or ctx.text(args.children[-1]) != ")":
        return None
    close = args.children[-1]
    present = _arguments(call)
    if not present:
        return Edit(close.start_byte, close.start_byte, text)
    last = present[-1]
    trailing = next((c for c in args.children if c.type == "," and c.start_byte >= last.end_byte), None)
    if trailing is None:
        return Edit(last.end_byte, last.end_byte, f", {text}")
    if close.start_point.row > last.end_point.row:
        newline = "\r\n" if b"\r\n" in ctx.source[last.end_byte : close.start_byte] else "\n"
        return Edit(trailing.end_byte, trailing.end_byte, f"{newline}{_indent_of(ctx, last)}{text},")
    return Edit(trailing.end_byte, trailing.end_byte, f" {text}")


def remove_argument(ctx: AnalysisContext, call: Node, argument: Node) -> Edit | None:
    """An edit deleting one argument together with the comma that joins it."""
    present = _arguments(call)
    index = next((i for i, a in enumerate(present) if a.id == argument.id), None)
    if index is None:
        return None
    args = argument_list(call)
    if index > 0:
        return Edit(present[index - 1].end_byte, argument.end_byte, "")
    if len(present) > 1:
        return Edit(argument.start_byte, present[1].start_byte, "")
    trailing = next((c for c in args.children if c.type == "," and c.start_byte >= argument.end_byte), None)
    end = trailing.end_byte if trailing is not None else argument.end_byte
    return Edit(argument.start_byte, end, "")


def _indent_of(ctx: AnalysisContext, node: Node) -> str:
    line_start = ctx.source.rfind(b"\n", 0, node.start_byte) + 1
    line = ctx.source[line_start : node.start_byte].decode("utf-8", "replace")
    return line[: len(line) - len(line.lstrip())]
