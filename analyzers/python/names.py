"""Resolve the dotted names that calls and attributes refer to."""

from __future__ import annotations

import re

from tree_sitter import Node

from ..common.names import resolve_imported
from ..context import AnalysisContext, share_unit_queries


_PLAIN_DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_NOT_NAMES = ("True.", "False.", "None.")


def dotted_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    """`a.b.c` for identifier/attribute chains, None for anything else."""
    if node is None:
        return None
    kind = node.type
    if kind == "identifier":
        return ctx.text(node)
    if kind != "attribute":
        return None
    text = ctx.text(node)
    if _PLAIN_DOTTED.fullmatch(text) and not text.startswith(_NOT_NAMES):
        return text  # written without spaces, comments or calls: the text is the name
    parts: list[str] = []
    while node is not None:
        if node.type == "identifier":
            parts.append(ctx.text(node))
            return ".".join(reversed(parts))
        if node.type == "attribute":
            attr = node.child_by_field_name("attribute")
            parts.append(ctx.text(attr))
            node = node.child_by_field_name("object")
            continue
        return None
    return None


def qualified_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    """The dotted name with its first part replaced by what it was imported as.

    `from sqlalchemy import text as t; t(...)` resolves to `sqlalchemy.text`.
    Remembered per node for the unit: most rules ask for the names of the
    same calls.
    """
    if node is None:
        return None
    key = ("qualified", node.id)
    memo = ctx._memo
    if key in memo:
        return memo[key]
    dotted = dotted_name(ctx, node)
    found = memo[key] = None if dotted is None else qualify(ctx, dotted)
    return found


def qualify(ctx: AnalysisContext, dotted: str) -> str:
    """`np.zeros` -> `numpy.zeros` through the module's imports."""
    return resolve_imported(ctx, dotted)


def call_name(ctx: AnalysisContext, call: Node) -> str | None:
    return qualified_name(ctx, call.child_by_field_name("function"))


def method_name(ctx: AnalysisContext, call: Node) -> str | None:
    """The last attribute of a method call (`execute` in `cur.execute(...)`)."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "attribute":
        return ctx.text(function.child_by_field_name("attribute"))
    return None


def last_name(ctx: AnalysisContext, call: Node) -> str | None:
    """The last part of the name a call resolves to, cheaply: `execute` in
    `cur.execute(...)` (import aliases only rename the first part), and for a
    plain name the last part of what it was imported as (`t` from `from
    sqlalchemy import text as t` is `text`). Rules compare it with their sink
    names before they resolve names or read arguments."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "identifier":
        return (qualified_name(ctx, function) or "").rsplit(".", 1)[-1]
    return method_name(ctx, call)


def calls_named(ctx: AnalysisContext, names: frozenset[str], node: Node | None = None) -> list[tuple[Node, str | None]]:
    """`calls()` restricted to calls whose `last_name` is in `names`: the
    other calls' names are never resolved (for rules with a fixed set of
    sinks, most calls of a unit are not candidates)."""
    return [(call, call_name(ctx, call)) for call, last in _last_names(ctx, node) if last in names]


def _last_names(ctx: AnalysisContext, node: Node | None) -> list[tuple[Node, str | None]]:
    """Every call in the unit (or under `node`) with its `last_name`, worked
    out once for all the rules that look for their sinks among them."""

    def compute() -> list[tuple[Node, str | None]]:
        return [(call, last_name(ctx, call)) for call in ctx.captures(_CALLS, node).get("call", [])]

    return ctx.memo(("last-names", node.id if node is not None else None), compute)


def call_arguments(ctx: AnalysisContext, call: Node) -> tuple[list[Node], dict[str, Node]]:
    """Positional argument nodes and keyword argument value nodes of a call."""
    args = call.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    if args is None or args.type != "argument_list":
        return positional, keywords
    for child in args.named_children:
        if child.type == "keyword_argument":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[ctx.text(name)] = value
        elif child.type != "comment":
            positional.append(child)
    return positional, keywords


def imports_module(ctx: AnalysisContext, *modules: str) -> bool:
    imported = set(ctx.facts.get("imported_modules", ()))
    return any(m in imported for m in modules)


_IMPORTS = "[(import_statement) (import_from_statement)] @import"


def imports_module_here(ctx: AnalysisContext, *modules: str) -> bool:
    """`imports_module`, or an import of one of `modules` inside the current
    unit (handlers that import their driver locally: `import ldap3` in the body)."""
    if imports_module(ctx, *modules):
        return True

    def local() -> frozenset[str]:
        found = set()
        for statement in ctx.captures(_IMPORTS).get("import", []):
            if statement.type == "import_from_statement":
                module = statement.child_by_field_name("module_name")
                if module is not None:
                    found.add(ctx.text(module).split(".")[0])
            else:
                for name in statement.children_by_field_name("name"):
                    target = name.child_by_field_name("name") if name.type == "aliased_import" else name
                    found.add(ctx.text(target).split(".")[0])
        return frozenset(found)

    return bool(ctx.memo(("local-imports",), local) & set(modules))


_CALLS = "(call function: (_)) @call"
share_unit_queries("python", _CALLS)


def calls(ctx: AnalysisContext, node: Node | None = None) -> list[tuple[Node, str | None]]:
    """Every call in the unit (or under `node`) with its qualified name, in source order."""

    def compute() -> list[tuple[Node, str | None]]:
        found = ctx.captures(_CALLS, node).get("call", [])
        return [(call, call_name(ctx, call)) for call in sorted(found, key=lambda c: c.start_byte)]

    return ctx.memo(("calls", node.id if node is not None else None), compute)


def class_ancestors(ctx: AnalysisContext, class_name: str) -> set[str]:
    """Qualified names of the bases of a module-level class, followed through
    the other classes of the same file (`class A(B)`, `class B(yaml.SafeLoader)`)."""
    bases: dict[str, list[str]] = ctx.facts.get("class_bases", {})
    out: set[str] = set()
    pending = [class_name]
    while pending:
        current = pending.pop()
        for base in bases.get(current, ()):
            qualified = qualify(ctx, base)
            if qualified not in out:
                out.add(qualified)
                if base in bases:
                    pending.append(base)
    return out
