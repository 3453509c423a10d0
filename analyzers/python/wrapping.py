"""Fix edits that wrap values in a call: `escape(name)`, `escape_filter_chars(uid)`.

Escaping fixes keep the string exactly as it was built and only pass each
dangerous value through an escaping function, so benign values (which the
function leaves unchanged) produce the same text. Holes with a conversion or
a format spec (`{x!r}`, `{n:>5}`, `%5s`) are refused: wrapping them would
change what they print.
"""

from __future__ import annotations

import keyword
import re

from tree_sitter import Node

from ..context import AnalysisContext
from ..model import Edit
from .strings import BuiltString, Hole, literal_value, unwrap_parens

_PLAIN = ("", "s", "!s")


def wrap(node: Node, function: str) -> list[Edit]:
    """Edits turning the expression `node` into `function(node)`."""
    return [Edit(node.start_byte, node.start_byte, f"{function}("), Edit(node.end_byte, node.end_byte, ")")]


def wrap_holes(built: BuiltString, holes: list[Node], function: str) -> list[Edit] | None:
    """Wrap each of `holes` (dynamic parts of `built`) in `function(...)`, or
    None when one of them has a conversion or format spec."""
    if built.segments is None or not holes:
        return None
    specs = {seg.node.id: seg for seg in built.segments if isinstance(seg, Hole)}
    for hole in holes:
        seg = specs.get(hole.id)
        if seg is None or seg.conversion not in _PLAIN or seg.spec:
            return None
    edits: list[Edit] = []
    for hole in sorted(holes, key=lambda n: n.start_byte):
        edits.extend(wrap(hole, function))
    return edits


def suggest_name(ctx: AnalysisContext, node: Node, taken: set[str], reserved: frozenset[str] = frozenset()) -> str:
    """A variable name for the value `node` computes, when a fix passes it
    separately (template and XPath variables): `name` for `name`,
    `user.email`, `request.args["name"]` and `request.args.get("name")`;
    `value` otherwise; suffixed to stay unique."""
    node = unwrap_parens(node)
    candidate = None
    if node.type == "identifier":
        candidate = ctx.text(node)
    elif node.type == "attribute":
        candidate = ctx.text(node.child_by_field_name("attribute"))
    elif node.type == "subscript":
        candidate = literal_value(ctx, node.child_by_field_name("subscript"))
    elif node.type == "call":
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        candidate = literal_value(ctx, first) if first is not None else None
    if not candidate or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", candidate) or keyword.iskeyword(candidate) or candidate in reserved:
        candidate = "value"
    name, suffix = candidate, 2
    while name in taken:
        name, suffix = f"{candidate}{suffix}", suffix + 1
    return name
