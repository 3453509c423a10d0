"""Recognise strings built at run time and break them into a template.

AI code builds queries, commands and HTML with f-strings, `%`, `+`,
`.format()` and `.join()`. `built_string()` turns such an expression into
`Literal` and `Hole` segments (decoded string values and the expressions
spliced in), so rules can ask "is anything non-constant spliced in?" and fixes
can rebuild the string with placeholders.
"""

from __future__ import annotations

import ast
import re
import string as _string

from tree_sitter import Node

from ..common.strings import BuiltString, Hole, Literal, Segment, merge_literals
from ..context import AnalysisContext

__all__ = ["BuiltString", "Hole", "Literal", "Segment", "built_string", "literal_value", "unwrap_parens"]


def unwrap_parens(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def string_prefix(ctx: AnalysisContext, node: Node) -> str:
    start = node.child(0)
    if start is None or start.type != "string_start":
        return ""
    return ctx.text(start).rstrip("'\"").lower()


def _quote(ctx: AnalysisContext, node: Node) -> str:
    start = node.child(0)
    text = ctx.text(start) if start is not None else '"'
    return text.lstrip("rRbBuUfF") or '"'


def is_plain_string(node: Node) -> bool:
    return node.type == "string" and not any(c.type == "interpolation" for c in node.children)


def simple_literal(text: str, prefix: str) -> str | bool | None:
    """The value of a literal that needs no decoding (no backslash, no quote
    character inside, nothing Python would reject), as `ast.literal_eval`
    gives it; False for a bytes literal Python rejects (non-ASCII); None when
    the literal needs the full evaluation. Most strings of a file are plain
    text and docstrings, and evaluating each cost more than the rules that ask."""
    start = len(prefix)
    quote = text[start : start + 1]
    if quote not in ("'", '"'):
        return None
    width = 3 if len(text) >= start + 6 and text.startswith(quote * 3, start) and text.endswith(quote * 3) else 1
    if len(text) < start + 2 * width or not text.endswith(quote * width):
        return None
    body = text[start + width : len(text) - width]
    if quote in body or "\\" in body or "\x00" in body or "\r" in body or (width == 1 and "\n" in body):
        return None
    if "b" in prefix and not body.isascii():
        return False
    return body


_PLAIN_PREFIXES = ("", "r", "u")
"""Prefixes of a literal whose value can be its text (after `f` is dropped)."""


def _decode_piece(raw: str, prefix: str, quote: str) -> str | None:
    """Decode the raw text between the quotes of a (non-f) string literal."""
    literal_prefix = prefix.replace("f", "")
    literal = f"{literal_prefix}{quote}{raw}{quote}"
    if literal_prefix in _PLAIN_PREFIXES:
        simple = simple_literal(literal, literal_prefix)
        if isinstance(simple, str):
            return simple  # nothing to decode: what literal_eval gives, without compiling it
    try:
        value = ast.literal_eval(literal)
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def string_segments(ctx: AnalysisContext, node: Node) -> list[Segment] | None:
    """Segments of one `string` node (plain or f-string); None for bytes."""
    prefix = string_prefix(ctx, node)
    if "b" in prefix:
        return None
    quote = _quote(ctx, node)
    is_f = "f" in prefix
    segments: list[Segment] = []
    for child in node.children:
        if child.type == "string_content":
            raw = ctx.text(child)
            if is_f:
                raw = raw.replace("{{", "{").replace("}}", "}")
            value = _decode_piece(raw, prefix, quote)
            if value is None:
                return None
            segments.append(Literal(value))
        elif child.type == "interpolation":
            expr = child.child_by_field_name("expression")
            if expr is None:
                return None
            conversion = child.child_by_field_name("type_conversion")
            spec = child.child_by_field_name("format_specifier")
            segments.append(
                Hole(expr, ctx.text(conversion) if conversion else "", ctx.text(spec)[1:] if spec else "")
            )
    return merge_literals(segments)


def literal_value(ctx: AnalysisContext, node: Node | None) -> str | None:
    """The value of a constant string expression, else None."""
    node = unwrap_parens(node)
    if node is None:
        return None
    if node.type == "string":
        segs = string_segments(ctx, node)
        if segs is None or any(isinstance(s, Hole) for s in segs):
            return None
        return "".join(s.value for s in segs)  # type: ignore[union-attr]
    if node.type == "concatenated_string":
        parts = [literal_value(ctx, child) for child in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
    return None


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-#0 +]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])")


def _percent_segments(ctx: AnalysisContext, template: str, right: Node) -> tuple[list[Segment] | None, list[Node]]:
    right = unwrap_parens(right) or right
    directives = [m for m in _PERCENT.finditer(template) if m.group("conv") != "%"]
    if right.type == "tuple":
        values = [c for c in right.named_children if c.type != "comment"]
    elif right.type == "dictionary":
        values = []
        mapping: dict[str, Node] = {}
        for pair in right.named_children:
            if pair.type == "pair":
                key = literal_value(ctx, pair.child_by_field_name("key"))
                value = pair.child_by_field_name("value")
                if key is None or value is None:
                    return None, [p.child_by_field_name("value") for p in right.named_children if p.type == "pair"]
                mapping[key] = value
        holes = list(mapping.values())
        segs: list[Segment] = []
        pos = 0
        for m in _PERCENT.finditer(template):
            segs.append(Literal(template[pos : m.start()]))
            pos = m.end()
            if m.group("conv") == "%":
                segs.append(Literal("%"))
                continue
            key = m.group("key")
            if key is None or key not in mapping or m.group("width") == "*" or m.group("prec") == "*":
                return None, holes
            segs.append(Hole(mapping[key], conversion=m.group("conv")))
        segs.append(Literal(template[pos:]))
        return merge_literals(segs), holes
    else:
        values = [right]
    if any(m.group("key") is not None or m.group("width") == "*" or m.group("prec") == "*" for m in directives):
        return None, values
    if len(values) != len(directives) or right.type not in ("tuple",) and len(directives) != 1:
        return None, values
    if any(v.type in ("list_splat", "dictionary_splat") for v in values):
        return None, values
    segs = []
    pos = 0
    index = 0
    for m in _PERCENT.finditer(template):
        segs.append(Literal(template[pos : m.start()]))
        pos = m.end()
        if m.group("conv") == "%":
            segs.append(Literal("%"))
            continue
        spec = (m.group("flags") or "") + (m.group("width") or "") + (("." + m.group("prec")) if m.group("prec") else "")
        segs.append(Hole(values[index], conversion=m.group("conv"), spec=spec))
        index += 1
    segs.append(Literal(template[pos:]))
    return merge_literals(segs), values


def _format_segments(ctx: AnalysisContext, template: str, call: Node) -> tuple[list[Segment] | None, list[Node]]:
    args = call.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    splat = False
    for child in args.named_children if args is not None else []:
        if child.type == "keyword_argument":
            keywords[ctx.text(child.child_by_field_name("name"))] = child.child_by_field_name("value")
        elif child.type in ("list_splat", "dictionary_splat"):
            splat = True
        elif child.type != "comment":
            positional.append(child)
    holes = positional + list(keywords.values())
    if splat:
        return None, holes
    try:
        parsed = list(_string.Formatter().parse(template))
    except ValueError:
        return None, holes
    segs: list[Segment] = []
    auto = 0
    for literal, field_name, spec, conversion in parsed:
        segs.append(Literal(literal))
        if field_name is None:
            continue
        if field_name == "":
            if auto >= len(positional):
                return None, holes
            node = positional[auto]
            auto += 1
        elif field_name.isdigit():
            if int(field_name) >= len(positional):
                return None, holes
            node = positional[int(field_name)]
        elif field_name in keywords:
            node = keywords[field_name]
        else:
            return None, holes
        segs.append(Hole(node, f"!{conversion}" if conversion else "", spec or ""))
    return merge_literals(segs), holes


def _concat_parts(node: Node, out: list[Node]) -> None:
    node = unwrap_parens(node) or node
    if node.type == "binary_operator" and node.child_by_field_name("operator") is not None and node.child_by_field_name("operator").type == "+":
        _concat_parts(node.child_by_field_name("left"), out)
        _concat_parts(node.child_by_field_name("right"), out)
    else:
        out.append(node)


def _stringish(ctx: AnalysisContext, node: Node) -> bool:
    return node.type in ("string", "concatenated_string")


def _segments_of(ctx: AnalysisContext, node: Node) -> list[Segment] | None:
    if node.type == "string":
        return string_segments(ctx, node)
    if node.type == "concatenated_string":
        segs: list[Segment] = []
        for child in node.named_children:
            part = _segments_of(ctx, child)
            if part is None:
                return None
            segs.extend(part)
        return merge_literals(segs)
    return [Hole(node)]


def built_string(ctx: AnalysisContext, node: Node | None) -> BuiltString | None:
    """Describe `node` if it builds a string from dynamic parts, else None."""
    node = unwrap_parens(node)
    if node is None:
        return None
    multiline = "\n" in ctx.text(node)
    if node.type in ("string", "concatenated_string"):
        segs = _segments_of(ctx, node)
        if segs is None:
            return None
        holes = [s.node for s in segs if isinstance(s, Hole)]
        return BuiltString(node, "fstring", segs, holes, multiline) if holes else None
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        left = unwrap_parens(node.child_by_field_name("left"))
        right = node.child_by_field_name("right")
        if operator is not None and operator.type == "%" and left is not None and _stringish(ctx, left):
            template = literal_value(ctx, left)
            if template is None:
                inner = built_string(ctx, left)
                holes = (inner.holes if inner else []) + [right]
                return BuiltString(node, "percent", None, holes, multiline)
            segs, holes = _percent_segments(ctx, template, right)
            return BuiltString(node, "percent", segs, holes, multiline)
        if operator is not None and operator.type == "+":
            parts: list[Node] = []
            _concat_parts(node, parts)
            if not any(_stringish(ctx, p) for p in parts):
                return None
            segs = []
            for part in parts:
                part_segs = _segments_of(ctx, part)
                if part_segs is None:
                    return None
                segs.extend(part_segs)
            segs = merge_literals(segs)
            holes = [s.node for s in segs if isinstance(s, Hole)]
            return BuiltString(node, "concat", segs, holes, multiline) if holes else None
        return None
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is None or function.type != "attribute":
            return None
        method = ctx.text(function.child_by_field_name("attribute"))
        receiver = unwrap_parens(function.child_by_field_name("object"))
        if receiver is None or not _stringish(ctx, receiver):
            return None
        if method == "format":
            template = literal_value(ctx, receiver)
            if template is None:
                return None
            segs, holes = _format_segments(ctx, template, node)
            return BuiltString(node, "format", segs, holes, multiline) if holes else None
        if method == "join":
            args = node.child_by_field_name("arguments")
            holes = list(args.named_children) if args is not None else []
            return BuiltString(node, "join", None, holes, multiline) if holes else None
    return None
