"""Strings built at run time, as a template of constant and dynamic parts.

AI code builds SQL, shell commands, HTML and URLs with f-strings, template
literals, `+`, `%`, `.format()` and `.join()`. Each language's string helper
(`python/strings.py`, `javascript/strings.py`) turns such an expression into a
`BuiltString` made of `Literal` and `Hole` segments, so rules can ask "is
anything non-constant spliced in, and where?" and fixes can rebuild the
string with placeholders, the same way in every language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tree_sitter import Node


@dataclass(frozen=True)
class Literal:
    value: str


@dataclass(frozen=True)
class Hole:
    node: Node
    conversion: str = ""
    spec: str = ""


Segment = Literal | Hole


@dataclass
class BuiltString:
    """A string expression with dynamic parts.

    `segments` is None when the pieces cannot be laid out exactly (for example
    `"..." % args` with a tuple variable); `holes` always lists every dynamic
    expression found.
    """

    node: Node
    method: str
    segments: list[Segment] | None
    holes: list[Node] = field(default_factory=list)
    multiline: bool = False

    def constant_text(self) -> str:
        """The literal parts joined, holes left out (for "does it look like SQL?")."""
        return "".join(s.value for s in self.segments or () if isinstance(s, Literal))

    def template(self, placeholder: Callable[[int, Hole], str]) -> str | None:
        """The string with each hole replaced by `placeholder(index, hole)`."""
        if self.segments is None:
            return None
        out: list[str] = []
        index = 0
        for segment in self.segments:
            if isinstance(segment, Literal):
                out.append(segment.value)
            else:
                out.append(placeholder(index, segment))
                index += 1
        return "".join(out)


def merge_literals(segments: list[Segment]) -> list[Segment]:
    """Join adjacent literals and drop empty ones."""
    merged: list[Segment] = []
    for seg in segments:
        if isinstance(seg, Literal) and merged and isinstance(merged[-1], Literal):
            merged[-1] = Literal(merged[-1].value + seg.value)
        elif not (isinstance(seg, Literal) and seg.value == ""):
            merged.append(seg)
    return merged
