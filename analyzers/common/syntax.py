"""How each grammar spells the constructs the shared helpers walk.

tree-sitter grammars name the same idea differently (`call` in Python,
`call_expression` in JavaScript; `attribute` vs `member_expression`). A
`Syntax` lists those names once per rule family so `names`, `strings` and
`taint` can be written without knowing the language.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node


@dataclass(frozen=True)
class Syntax:
    family: str
    calls: frozenset[str]
    """Node types of calls; `function`/`constructor` field is the callee."""
    callee_fields: tuple[str, ...]
    members: frozenset[str]
    """`a.b`: object field `member_object`, property field `member_property`."""
    member_object: str
    member_property: str
    subscripts: frozenset[str]
    subscript_object: str
    subscript_index: str
    identifiers: frozenset[str]
    literals: frozenset[str]
    """Node types that are constant by themselves (numbers, booleans, null)."""
    strings: frozenset[str]
    """String nodes; constant unless they contain an `interpolations` child."""
    interpolations: frozenset[str]
    wrappers: frozenset[str]
    """Nodes that only wrap one expression (parentheses, `await`, TS `as`)."""
    functions: frozenset[str]
    arguments_field: str = "arguments"
    keyword_arguments: frozenset[str] = frozenset()

    def unwrap(self, node: Node | None) -> Node | None:
        while node is not None and node.type in self.wrappers and node.named_child_count >= 1:
            # `<T>x` keeps the expression last; every other wrapper keeps it first
            node = node.named_children[-1] if node.type == "type_assertion" else node.named_children[0]
        return node

    def callee(self, call: Node) -> Node | None:
        for field in self.callee_fields:
            found = call.child_by_field_name(field)
            if found is not None:
                return found
        return None

    def arguments(self, call: Node) -> list[Node]:
        args = call.child_by_field_name(self.arguments_field)
        if args is None:
            return []
        return [a for a in args.named_children if a.type != "comment"]

    def is_function(self, node: Node) -> bool:
        return node.type in self.functions

    def enclosing_function(self, node: Node) -> Node | None:
        parent = node.parent
        while parent is not None:
            if parent.type in self.functions:
                return parent
            parent = parent.parent
        return None


PYTHON = Syntax(
    family="python",
    calls=frozenset({"call"}),
    callee_fields=("function",),
    members=frozenset({"attribute"}),
    member_object="object",
    member_property="attribute",
    subscripts=frozenset({"subscript"}),
    subscript_object="value",
    subscript_index="subscript",
    identifiers=frozenset({"identifier"}),
    literals=frozenset({"integer", "float", "true", "false", "none"}),
    strings=frozenset({"string", "concatenated_string"}),
    interpolations=frozenset({"interpolation"}),
    wrappers=frozenset({"parenthesized_expression", "await"}),
    functions=frozenset({"function_definition", "lambda"}),
    keyword_arguments=frozenset({"keyword_argument"}),
)

JAVASCRIPT = Syntax(
    family="javascript",
    calls=frozenset({"call_expression", "new_expression"}),
    callee_fields=("function", "constructor"),
    members=frozenset({"member_expression"}),
    member_object="object",
    member_property="property",
    subscripts=frozenset({"subscript_expression"}),
    subscript_object="object",
    subscript_index="index",
    identifiers=frozenset({"identifier", "shorthand_property_identifier"}),
    literals=frozenset({"number", "true", "false", "null", "undefined", "regex"}),
    strings=frozenset({"string", "template_string"}),
    interpolations=frozenset({"template_substitution"}),
    wrappers=frozenset(
        {
            "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
            "non_null_expression", "type_assertion",
        }
    ),
    functions=frozenset(
        {
            "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
            "generator_function_declaration", "generator_function",
        }
    ),
)

def descendants(root: Node, types: frozenset[str] | set[str] | tuple[str, ...] | None = None):
    """`root` and every node below it (of `types`, when given), in source order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if types is None or node.type in types:
            yield node
        stack.extend(reversed(node.children))


_BY_FAMILY = {s.family: s for s in (PYTHON, JAVASCRIPT)}


def syntax_for(family: str) -> Syntax:
    return _BY_FAMILY[family]
