"""Rename a module everywhere in a file, for fixes that correct a misspelt
bare `import name`: the import and every `name.attr` use must change together.

Occurrences are found with a byte search and checked against the tree, so the
cost is proportional to the occurrences, not to the file: the engine runs this
on every analysis while such a fix is offered.
"""

from __future__ import annotations

import re

from tree_sitter import Node, Tree

from ..model import Edit

_SKIP_PARENTS = {"import_from_statement", "keyword_argument"}


def _is_module_reference(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
        return False  # `x.name`: another object's attribute
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
        return False
    if parent.type == "dotted_name":
        if parent.named_children[0] != node:
            return False  # `import pkg.name`: a submodule, not our module
        holder = parent.parent
        if holder is not None and holder.type == "aliased_import":
            holder = holder.parent
        return holder is not None and holder.type == "import_statement"
    return parent.type not in _SKIP_PARENTS


def materialize_renames(source: bytes, tree: Tree, renames: tuple[tuple[str, str], ...]) -> tuple[Edit, ...]:
    root = tree.root_node
    edits: list[Edit] = []
    for old, new in renames:
        pattern = re.compile(rb"(?<![\w.])" + re.escape(old.encode()) + rb"(?!\w)")
        for match in pattern.finditer(source):
            node = root.descendant_for_byte_range(match.start(), match.end())
            if node is not None and node.type == "identifier" and node.start_byte == match.start() and node.end_byte == match.end() and _is_module_reference(node):
                edits.append(Edit(match.start(), match.end(), new))
    return tuple(edits)
