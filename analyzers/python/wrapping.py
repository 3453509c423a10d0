"""Fix edits that wrap values in a call: `escape(name)`, `escape_filter_chars(uid)`.

Escaping fixes keep the string exactly as it was built and only pass each
dangerous value through an escaping function, so benign values (which the
function leaves unchanged) produce the same text. Holes with a conversion or
a format spec (`{x!r}`, `{n:>5}`, `%5s`) are refused: wrapping them would
change what they print.
"""

from __future__ import annotations

from tree_sitter import Node

from ..model import Edit
from .strings import BuiltString, Hole

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
