"""The elements of a list built step by step, in the order the code adds them.

AI-written code often assembles an argument vector piecemeal::

    args = ["bash", "-c"]
    args.append(f"ls {folder}")
    subprocess.run(args)

or fills an empty list in branches (`argv.append("cmd.exe")` under
`if os.name == "nt"`, `argv.append("sh")` otherwise). Rules that judge a
call by the shape of its list (a shell with `-c` and a script) need the
elements wherever they were added. `list_elements` gives every element
expression the list may hold at a use, in source order: the items of the list
literals that reach the use, then the arguments of `append`/`insert` and the
items of `extend([...])` / `+= [...]` in the same scope before the use.
Branches are not told apart (both `cmd.exe` and `sh` appear), which is what a
caller looking for "a shell and `-c` somewhere before the script" wants.
"""

from __future__ import annotations

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import reaching_definitions, scope_of
from .strings import unwrap_parens
from .taint import container_mutations

_SEQUENCES = ("list", "tuple")


def list_elements(ctx: AnalysisContext, name_node: Node) -> list[Node] | None:
    """Element expressions of the list that `name_node` (an identifier) holds
    at its use, in source order; None when a reaching value is not a list
    built from literals and appends (a call's result, a parameter...)."""
    if name_node.type != "identifier":
        return None
    definitions = reaching_definitions(ctx, name_node)
    if not definitions:
        return None
    elements: list[tuple[int, Node]] = []
    for definition in definitions:
        value = unwrap_parens(definition.value) if definition.value is not None else None
        if value is None or value.type not in _SEQUENCES:
            return None
        operator = definition.statement.child_by_field_name("operator") if definition.kind == "augment" else None
        if operator is not None and ctx.text(operator) != "+=":
            return None
        elements.extend((item.start_byte, item) for item in value.named_children if item.type != "comment")
    name = ctx.text(name_node)
    for _base, start, value in container_mutations(ctx, scope_of(ctx, name_node)).get(name, ()):
        if start >= name_node.start_byte or value.type != "argument_list":
            continue
        method = value.prev_named_sibling
        verb = ctx.text(method.child_by_field_name("attribute")) if method is not None and method.type == "attribute" else ""
        args = [a for a in value.named_children if a.type != "comment"]
        if verb == "append" and len(args) == 1:
            elements.append((start, args[0]))
        elif verb == "insert" and len(args) == 2:
            elements.append((start, args[1]))
        elif verb == "extend" and len(args) == 1:
            items = unwrap_parens(args[0])
            if items.type not in _SEQUENCES:
                return None
            elements.extend((item.start_byte, item) for item in items.named_children if item.type != "comment")
        elif verb in ("append", "insert", "extend"):
            return None
    elements.sort(key=lambda pair: pair[0])
    return [node for _start, node in elements]
