"""Shared checks for JavaScript sinks that take a string argument: find the
string, follow a variable to the place it was built, and decide whether a
dynamic part could carry input (not a constant, not a number)."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..common.strings import BuiltString
from ..common.taint import SafeValues, Taint, TaintSpec, is_safe_value, taint_of
from ..context import AnalysisContext
from ..model import Confidence
from .flow import SYN, Definition, definitions, reaching_definitions
from .sources import SAFE
from .strings import built_string


@dataclass(frozen=True)
class BuiltArgument:
    """A sink argument that is a built string, inline or through a variable."""

    argument: Node
    built: BuiltString
    definition: Definition | None  # where it was built, when through a variable
    single: bool  # exactly one definition reaches the sink (fixable)


def is_safe(ctx: AnalysisContext, node: Node | None, safe: SafeValues = SAFE) -> bool:
    return is_safe_value(ctx, node, safe)


def dynamic(ctx: AnalysisContext, built: BuiltString, safe: SafeValues = SAFE) -> bool:
    return not all(is_safe(ctx, hole, safe) for hole in built.holes)


def built_argument(ctx: AnalysisContext, argument: Node | None, safe: SafeValues = SAFE) -> BuiltArgument | None:
    """The built string behind `argument` if any part of it is dynamic."""
    node = SYN.unwrap(argument)
    if node is None:
        return None
    built = built_string(ctx, node)
    if built is not None:
        return BuiltArgument(node, built, None, True) if dynamic(ctx, built, safe) else None
    if node.type != "identifier":
        return None
    defs = reaching_definitions(ctx, node)
    found = [
        (d, b)
        for d in defs
        if d.kind in ("assign", "augment") and not d.path and (b := built_string(ctx, d.value)) is not None and dynamic(ctx, b, safe)
    ]
    if not found:
        return None
    definition, built = found[-1]
    return BuiltArgument(node, built, definition, len(defs) == 1 and len(found) == 1)


def constant_text_of(ctx: AnalysisContext, argument: Node | None) -> str:
    """All literal text that flows into `argument` (for "does it look like SQL?")."""
    node = SYN.unwrap(argument)
    if node is None:
        return ""
    built = built_string(ctx, node)
    if built is not None:
        return built.constant_text()
    if node.type in ("string", "template_string"):
        return ctx.text(node)
    if node.type == "identifier":
        parts = []
        for d in reaching_definitions(ctx, node):
            if d.value is not None and not d.path:
                parts.append(constant_text_of(ctx, d.value) if d.value.type != "identifier" else "")
        return " ".join(parts)
    return ""


def values_stay_put(ctx: AnalysisContext, definition: Definition, sink: Node, values: tuple[Node, ...]) -> bool:
    """May the values spliced in at `definition` be evaluated at `sink` instead?

    Yes when each is a plain name or member chain whose base is not assigned
    between the two places, and both are in the same function.
    """
    here, there = SYN.enclosing_function(definition.statement), SYN.enclosing_function(sink)
    if (here.id if here is not None else None) != (there.id if there is not None else None):
        return False
    for value in values:
        base = SYN.unwrap(value)
        while base is not None and base.type in ("member_expression", "subscript_expression"):
            if base.type == "subscript_expression" and SYN.unwrap(base.child_by_field_name("index")).type not in ("string", "number"):
                return False
            base = SYN.unwrap(base.child_by_field_name("object"))
        if base is None or base.type not in ("identifier", "this"):
            return False
        if base.type == "identifier":
            name = ctx.text(base)
            scope = SYN.enclosing_function(sink) or ctx.unit
            for d in definitions(ctx, scope).get(name, []):
                if definition.statement.end_byte <= d.node.start_byte < sink.start_byte:
                    return False
    return True


@dataclass(frozen=True)
class Evidence:
    """What a finding can say about where a value came from."""

    taint: Taint | None

    @property
    def origin(self) -> str:
        """` from req.query (line 4)`, or nothing when no source was found."""
        return f" from {self.taint.source} (line {self.taint.line})" if self.taint is not None else ""

    @property
    def confidence(self) -> Confidence | None:
        """High when the value provably comes from input; the rule's default otherwise."""
        return Confidence.HIGH if self.taint is not None else None


def evidence(ctx: AnalysisContext, node: Node | None, spec: TaintSpec) -> Evidence:
    return Evidence(taint_of(ctx, node, spec))


def object_fields(ctx: AnalysisContext, node: Node | None) -> dict[str, Node]:
    """`{ a: 1, "b": x, c }` -> {"a": <1>, "b": <x>, "c": <c>}; {} for anything but an object literal."""
    node = SYN.unwrap(node)
    out: dict[str, Node] = {}
    if node is None or node.type != "object":
        return out
    for child in node.named_children:
        if child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is not None and value is not None:
                out[ctx.text(key).strip("'\"")] = value
        elif child.type == "shorthand_property_identifier":
            out[ctx.text(child)] = child
    return out
