"""Recognise JavaScript strings built at run time: template literals with
`${...}`, `+` chains containing a string, `"...".concat(x)` and
`[..].join(sep)`, as `BuiltString`s of `Literal` and `Hole` segments
(`common/strings.py`). Tagged templates (`sql\\`...\\``, `Prisma.sql`) are
not built strings: the tag receives the values separately and binds them.
"""

from __future__ import annotations

import json
import re

from tree_sitter import Node

from ..common.strings import BuiltString, Hole, Literal, Segment, merge_literals
from ..common.syntax import JAVASCRIPT as SYN
from ..context import AnalysisContext

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")


def decode_escapes(raw: str) -> str:
    def replace(match: re.Match) -> str:
        body = match.group(1)
        if body[0] == "u":
            return chr(int(body[2:-1] if body.startswith("u{") else body[1:], 16))
        if body[0] == "x":
            return chr(int(body[1:], 16))
        if body in ("\n", "\r\n", "\r", "\u2028", "\u2029"):
            return ""
        return _ESCAPES.get(body, body)

    return _ESCAPE.sub(replace, raw)


def is_tagged(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "call_expression" and parent.child_by_field_name("arguments") is not None and parent.child_by_field_name("arguments").id == node.id


def string_segments(ctx: AnalysisContext, node: Node) -> list[Segment] | None:
    """Segments of a `string` or `template_string` node."""
    if node.type == "string":
        return [Literal(decode_escapes(ctx.text(node)[1:-1]))]
    if node.type != "template_string":
        return None
    segments: list[Segment] = []
    for child in node.children:
        if child.type in ("string_fragment", "escape_sequence"):
            segments.append(Literal(decode_escapes(ctx.text(child))))
        elif child.type == "template_substitution":
            expr = child.named_children[0] if child.named_children else None
            if expr is None:
                return None
            segments.append(Hole(expr))
    return merge_literals(segments)


def literal_value(ctx: AnalysisContext, node: Node | None) -> str | None:
    """The value of a constant string expression (also `"a" + "b"`), else None."""
    node = SYN.unwrap(node)
    if node is None:
        return None
    if node.type in ("string", "template_string"):
        segments = string_segments(ctx, node)
        if segments is None or any(isinstance(s, Hole) for s in segments):
            return None
        return "".join(s.value for s in segments)  # type: ignore[union-attr]
    if node.type == "binary_expression" and ctx.text(node.child_by_field_name("operator")) == "+":
        parts = plus_operands(ctx, node)
        if any(p.type == "binary_expression" for p in parts):
            return None
        values = [literal_value(ctx, p) for p in parts]
        return None if any(v is None for v in values) else "".join(values)  # type: ignore[arg-type]
    return None


def plus_operands(ctx: AnalysisContext, node: Node) -> list[Node]:
    """`a + b + c` -> [a, b, c], without recursion (AI code concatenates long chains)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = SYN.unwrap(stack.pop())
        if current is None:
            continue
        if current.type == "binary_expression" and ctx.text(current.child_by_field_name("operator")) == "+":
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        else:
            out.append(current)
    return out


def built_string(ctx: AnalysisContext, node: Node | None) -> BuiltString | None:
    """`node` as a string built from dynamic parts, or None when it is not one."""
    node = SYN.unwrap(node)
    if node is None:
        return None
    multiline = "\n" in ctx.text(node)
    if node.type == "template_string":
        if is_tagged(node):
            return None
        segments = string_segments(ctx, node)
        holes = [s.node for s in segments or () if isinstance(s, Hole)]
        return BuiltString(node, "template", segments, holes, multiline) if holes else None
    if node.type == "binary_expression" and ctx.text(node.child_by_field_name("operator")) == "+":
        operands = plus_operands(ctx, node)
        if not any(o.type in ("string", "template_string") for o in operands):
            return None
        segments: list[Segment] = []
        for operand in operands:
            if operand.type in ("string", "template_string") and not is_tagged(operand):
                segments.extend(string_segments(ctx, operand) or [Hole(operand)])
            else:
                segments.append(Hole(operand))
        segments = merge_literals(segments)
        holes = [s.node for s in segments if isinstance(s, Hole)]
        return BuiltString(node, "concat", segments, holes, multiline) if holes else None
    if node.type == "call_expression":
        callee = SYN.unwrap(node.child_by_field_name("function"))
        if callee is not None and ctx.text(callee) in ("util.format", "format"):
            return _format_string(ctx, node, multiline)
        if callee is None or callee.type != "member_expression":
            return None
        method = ctx.text(callee.child_by_field_name("property"))
        receiver = SYN.unwrap(callee.child_by_field_name("object"))
        args = SYN.arguments(node)
        if method == "concat" and receiver is not None and receiver.type in ("string", "template_string"):
            segments = list(string_segments(ctx, receiver) or [Hole(receiver)])
            for arg in args:
                segments.extend(string_segments(ctx, arg) if arg.type == "string" else [Hole(arg)])
            segments = merge_literals(segments)
            holes = [s.node for s in segments if isinstance(s, Hole)]
            return BuiltString(node, "concat", segments, holes, multiline) if holes else None
        if method == "join" and receiver is not None and receiver.type == "array":
            separator = literal_value(ctx, args[0]) if args else ","
            if separator is None:
                return None
            segments = []
            for index, item in enumerate(receiver.named_children):
                if index:
                    segments.append(Literal(separator))
                inner = built_string(ctx, item)
                if inner is not None and inner.segments is not None:
                    segments.extend(inner.segments)
                elif literal_value(ctx, item) is not None:
                    segments.append(Literal(literal_value(ctx, item)))
                else:
                    segments.append(Hole(item))
            segments = merge_literals(segments)
            holes = [s.node for s in segments if isinstance(s, Hole)]
            return BuiltString(node, "join", segments, holes, multiline) if holes else None
    return None


_FORMAT = re.compile(r"%[sdifjoOc%]")


def _format_string(ctx: AnalysisContext, call: Node, multiline: bool) -> BuiltString | None:
    """`util.format("... %s ...", a)`: %s/%d/... take the arguments in order."""
    args = SYN.arguments(call)
    template = literal_value(ctx, args[0]) if args else None
    if template is None:
        return None
    values = list(args[1:])
    segments: list[Segment] = []
    position = 0
    for match in _FORMAT.finditer(template):
        segments.append(Literal(template[position : match.start()]))
        position = match.end()
        if match.group() == "%%":
            segments.append(Literal("%"))
        elif values:
            segments.append(Hole(values.pop(0)))
        else:
            segments.append(Literal(match.group()))
    segments.append(Literal(template[position:]))
    segments.extend(Hole(v) for v in values)  # extra arguments are appended with spaces
    segments = merge_literals(segments)
    holes = [s.node for s in segments if isinstance(s, Hole)]
    return BuiltString(call, "format", segments if not values else None, holes, multiline) if holes else None


def js_string(value: str, template: bool = False) -> str:
    """Source text of a JavaScript string literal holding `value`."""
    if template:
        escaped = value.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
        return f"`{escaped}`"
    return json.dumps(value, ensure_ascii=False)
