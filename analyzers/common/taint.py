"""A small intra-procedural taint helper over tree-sitter, for any language.

Sources, sanitisers and sinks are data (`TaintSpec`); a rule family states
them once and asks `taint_of(ctx, node, spec)` at its sink. Taint flows
through local definitions (including destructuring and closures, through the
language's `Flow`), string building, containers, members and subscripts of
tainted values, method calls on tainted receivers and calls with tainted
arguments. Comparisons, arithmetic, `typeof`/`!` and calls listed as
sanitisers stop it. Branches are not modelled: one tainted definition taints
the name, which errs on the side of reporting.

`is_safe_value(ctx, node, spec)` answers the complementary question SQL and
command rules need: can this value only be constant text or a number?
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import Flow, flow_for
from .names import dotted_name, name_matches, qualified_name

_COMPARISONS = frozenset(
    {"==", "!=", "===", "!==", "<", ">", "<=", ">=", "instanceof", "in", "is", "is not", "not in", "and", "or"}
)
_ARITHMETIC = frozenset({"-", "*", "/", "%", "**", "<<", ">>", ">>>", "&", "|", "^", "//"})
_NON_STRING_UNARY = frozenset({"typeof", "!", "-", "+", "~", "void", "delete", "not"})
POSITION_METHODS = frozenset({"slice", "substring", "substr", "at", "charAt", "charCodeAt", "codePointAt"})
"""Methods whose arguments are positions: `names.slice(from, to)` returns part
of `names`, never the numbers it was given, so only the receiver's taint flows."""


@dataclass(frozen=True)
class Taint:
    """Evidence that a value comes from untrusted input."""

    source: str  # e.g. "req.query", "route parameter id"
    line: int  # 1-based line of the source


@dataclass(frozen=True)
class TaintSpec:
    """What counts as input, and what makes input harmless, for one rule family.

    Names are dotted patterns resolved through imports (see `names.py`);
    `*.x` matches any receiver.
    """

    name: str
    source_names: frozenset[str] = frozenset()
    """Values that are input: `req.query`, `location.search`, `process.argv`."""
    source_calls: frozenset[str] = frozenset()
    """Calls whose result is input: `prompt`, `*.searchParams.get`, `req.get`."""
    sanitisers: frozenset[str] = frozenset()
    """Calls whose result is safe for this family's sinks."""
    safe_members: frozenset[str] = frozenset()
    """Properties that never carry a payload (`length`, `size`)."""
    safe_methods: frozenset[str] = frozenset()
    """Methods returning booleans/numbers (`includes`, `indexOf`, `test`)."""
    sanitiser_words: tuple[str, ...] = ()
    """Callee names containing one of these (`sanitizeUrl`, `escapeHtml`) are
    treated as sanitisers: code names its cleaning helpers."""
    opaque_calls: frozenset[str] = frozenset()
    """Calls whose result is not their arguments' data (file reads, database
    lookups, HTTP requests): input given to them does not flow out."""

    def extend(self, name: str, *, sources: Iterable[str] = (), source_calls: Iterable[str] = (),
               sanitisers: Iterable[str] = ()) -> "TaintSpec":
        return replace(
            self,
            name=name,
            source_names=self.source_names | frozenset(sources),
            source_calls=self.source_calls | frozenset(source_calls),
            sanitisers=self.sanitisers | frozenset(sanitisers),
        )


def taint_of(ctx: AnalysisContext, node: Node | None, spec: TaintSpec) -> Taint | None:
    """Evidence that `node` carries input according to `spec`, else None."""
    return _Walker(ctx, spec, flow_for(ctx.family)).taint(node, 0)


def is_tainted(ctx: AnalysisContext, node: Node | None, spec: TaintSpec) -> bool:
    return taint_of(ctx, node, spec) is not None


def source_of_name(ctx: AnalysisContext, node: Node, spec: TaintSpec) -> str | None:
    """The source pattern a member chain starts with (`req.query` for `req.query.id`)."""
    dotted = dotted_name(ctx, node)
    if dotted is None:
        return None
    parts = dotted.split(".")
    for end in range(1, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if name_matches(prefix, spec.source_names):
            return prefix
    return None


class _Walker:
    __slots__ = ("ctx", "spec", "flow", "syn")

    def __init__(self, ctx: AnalysisContext, spec: TaintSpec, flow: Flow):
        self.ctx = ctx
        self.spec = spec
        self.flow = flow
        self.syn = flow.syntax

    def taint(self, node: Node | None, depth: int) -> Taint | None:
        node = self.syn.unwrap(node)
        if node is None or depth > 40:
            return None
        memo = self.ctx._memo
        key = ("common-taint", self.spec.name, node.id)
        if key in memo:
            return memo[key]
        memo[key] = None  # cycles (x = x + y) end here
        result = self._taint(node, depth)
        memo[key] = result
        return result

    def _taint(self, node: Node, depth: int) -> Taint | None:
        syn, kind = self.syn, node.type
        line = node.start_point.row + 1
        if kind in syn.literals or kind == "comment" or syn.is_function(node):
            return None
        if kind in syn.strings:
            for child in node.named_children:
                if child.type in syn.interpolations:
                    found = self._any(child.named_children, depth)
                    if found is not None:
                        return found
            return None
        if kind in syn.identifiers:
            source = source_of_name(self.ctx, node, self.spec)
            if source is not None:
                return Taint(source, line)
            return self._identifier(node, depth)
        if kind in syn.members or kind in syn.subscripts:
            if kind in syn.members:
                prop = node.child_by_field_name(syn.member_property)
                if prop is not None and self.ctx.text(prop) in self.spec.safe_members:
                    return None  # `req.query.q.length` is a number
            source = source_of_name(self.ctx, node, self.spec)
            if source is not None:
                return Taint(source, line)
            if kind in syn.members:
                return self.taint(node.child_by_field_name(syn.member_object), depth + 1)
            return self.taint(node.child_by_field_name(syn.subscript_object), depth + 1)
        if kind in syn.calls:
            return self._call(node, depth)
        if kind in ("binary_expression", "binary_operator", "boolean_operator", "comparison_operator"):
            operator = node.child_by_field_name("operator")
            op = self.ctx.text(operator) if operator is not None else ""
            if op in _COMPARISONS and op not in ("and", "or") or op in _ARITHMETIC or kind == "comparison_operator":
                return None
            return self._any((node.child_by_field_name("left"), node.child_by_field_name("right")), depth)
        if kind in ("unary_expression", "not_operator", "update_expression"):
            operator = node.child_by_field_name("operator")
            if operator is None or self.ctx.text(operator) in _NON_STRING_UNARY or kind != "unary_expression":
                return None
        if kind in ("ternary_expression", "conditional_expression"):
            parts = node.named_children
            branches = (node.child_by_field_name("consequence"), node.child_by_field_name("alternative"))
            if branches == (None, None) and len(parts) == 3:
                branches = (parts[0], parts[2])
            return self._any(branches, depth)
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            return self.taint(node.child_by_field_name("right"), depth + 1)
        return self._any(node.named_children, depth)

    def _any(self, nodes: Iterable[Node | None], depth: int) -> Taint | None:
        for child in nodes:
            if child is None or self.syn.is_function(child):
                continue
            found = self.taint(child, depth + 1)
            if found is not None:
                return found
        return None

    def _identifier(self, node: Node, depth: int) -> Taint | None:
        for definition in self.flow.reaching_definitions(self.ctx, node):
            if definition.kind == "param":
                found = self.flow.parameter_taint(self.ctx, definition)
            elif definition.kind == "loop":
                found = self.taint(definition.value, depth + 1)
            else:
                found = self.taint(definition.value, depth + 1)
            if found is not None:
                return found
        return None

    def _call(self, node: Node, depth: int) -> Taint | None:
        ctx, spec, syn = self.ctx, self.spec, self.syn
        callee = syn.unwrap(syn.callee(node))
        names = (qualified_name(ctx, callee), dotted_name(ctx, callee))
        if any(name_matches(n, spec.sanitisers) for n in names):
            return None
        last = (names[1] or names[0] or "").rsplit(".", 1)[-1].lower()
        if last and any(word in last for word in spec.sanitiser_words):
            return None
        if any(name_matches(n, spec.source_calls) for n in names):
            return Taint(f"{names[1] or names[0]}()", node.start_point.row + 1)
        if any(name_matches(n, spec.opaque_calls) for n in names):
            return None
        if callee is not None and callee.type in syn.members:
            method = ctx.text(callee.child_by_field_name(syn.member_property))
            if method in spec.safe_methods:
                return None
            found = self.taint(callee.child_by_field_name(syn.member_object), depth + 1)
            if found is not None or method in POSITION_METHODS:
                return found
        return self._any(syn.arguments(node), depth)


# -- constants ---------------------------------------------------------------


@dataclass(frozen=True)
class SafeValues:
    """Calls and properties whose result can only be a number or boolean."""

    calls: frozenset[str] = field(default_factory=frozenset)
    members: frozenset[str] = field(default_factory=frozenset)
    methods: frozenset[str] = field(default_factory=frozenset)


def is_safe_value(ctx: AnalysisContext, node: Node | None, safe: SafeValues, depth: int = 0) -> bool:
    """True when `node` can only produce constant text, a number or a boolean.

    Literals, module constants (facts `constants`, or UPPER_CASE names),
    numeric conversions, arithmetic and comparisons, and names whose every
    reaching definition is itself safe.
    """
    flow = flow_for(ctx.family)
    syn = flow.syntax
    node = syn.unwrap(node)
    if node is None or depth > 16:
        return False
    kind = node.type
    again = lambda child: is_safe_value(ctx, child, safe, depth + 1)  # noqa: E731
    if kind in syn.literals:
        return True
    if kind in syn.strings:
        return all(all(again(e) for e in c.named_children) for c in node.named_children if c.type in syn.interpolations)
    if kind in syn.identifiers:
        name = ctx.text(node)
        if name in ctx.facts.get("constants", ()) or (name.isupper() and len(name) > 1):
            return True
        defs = flow.reaching_definitions(ctx, node)
        if not defs:
            return name in ("undefined", "NaN", "Infinity")
        return all(d.kind in ("assign", "augment") and d.value is not None and again(d.value) for d in defs)
    if kind in syn.members:
        prop = ctx.text(node.child_by_field_name(syn.member_property))
        if prop in safe.members or (prop.isupper() and len(prop) > 1):
            return True
        dotted = qualified_name(ctx, node)
        return dotted is not None and dotted in ctx.facts.get("constants", ())
    if kind in ("binary_expression", "binary_operator", "boolean_operator", "comparison_operator"):
        operator = node.child_by_field_name("operator")
        op = ctx.text(operator) if operator is not None else ""
        if op in _COMPARISONS and op not in ("and", "or") or kind == "comparison_operator":
            return True
        if op == "*" and any(_is_literal_string(ctx, c, syn) for c in (node.child_by_field_name("left"), node.child_by_field_name("right"))):
            return True  # "?" * n: placeholder lists
        return again(node.child_by_field_name("left")) and again(node.child_by_field_name("right"))
    if kind in ("unary_expression", "not_operator"):
        operator = node.child_by_field_name("operator")
        return operator is not None and ctx.text(operator) in _NON_STRING_UNARY - {"delete"} or again(node.child_by_field_name("argument"))
    if kind in ("ternary_expression", "conditional_expression"):
        parts = node.named_children
        branches = (node.child_by_field_name("consequence"), node.child_by_field_name("alternative"))
        if branches == (None, None) and len(parts) == 3:
            branches = (parts[0], parts[2])
        return all(b is not None and again(b) for b in branches)
    if kind in ("array", "list", "tuple"):
        return all(again(c) for c in node.named_children)
    if kind in syn.calls:
        callee = syn.unwrap(syn.callee(node))
        names = (qualified_name(ctx, callee), dotted_name(ctx, callee))
        if any(name_matches(n, safe.calls) for n in names):
            return True
        if callee is not None and callee.type in syn.members:
            method = ctx.text(callee.child_by_field_name(syn.member_property))
            if method in safe.methods:
                return True
            if method in ("join", "map", "fill", "repeat", "toString", "trim", "toUpperCase", "toLowerCase"):
                args = syn.arguments(node)
                if method == "map":
                    return False
                return again(callee.child_by_field_name(syn.member_object)) and all(again(a) for a in args)
        return False
    return False


def _is_literal_string(ctx: AnalysisContext, node: Node | None, syn) -> bool:
    node = syn.unwrap(node)
    return node is not None and node.type in syn.strings and not any(c.type in syn.interpolations for c in node.children)
