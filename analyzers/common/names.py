"""Dotted names and call/attribute matching, for any language with a `Syntax`.

Rules describe what they look for as dotted patterns resolved through the
file's imports: `child_process.exec` matches `exec(...)` after
`const { exec } = require("child_process")` and `cp.exec(...)` after
`import * as cp from "node:child_process"`, exactly as `sqlite3.connect`
matches `db.connect(...)` after `import sqlite3 as db` in Python. A pattern
starting with `*.` matches any receiver (`*.innerHTML`, `*.query`).
"""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from ..context import AnalysisContext
from .syntax import Syntax, descendants, syntax_for


def _syntax(ctx: AnalysisContext) -> Syntax:
    return syntax_for(ctx.family)


def dotted_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    """`a.b.c` for identifier/member chains (also `a["b"]` and `this.a`), else None."""
    syn = _syntax(ctx)
    parts: list[str] = []
    node = syn.unwrap(node)
    while node is not None:
        if node.type in syn.identifiers or node.type in ("this", "self", "super"):
            parts.append(ctx.text(node))
            return ".".join(reversed(parts))
        if node.type in syn.members:
            prop = node.child_by_field_name(syn.member_property)
            if prop is None:
                return None
            parts.append(ctx.text(prop))
            node = syn.unwrap(node.child_by_field_name(syn.member_object))
            continue
        if node.type in syn.subscripts:
            index = node.child_by_field_name(syn.subscript_index)
            key = constant_key(ctx, index)
            if key is None:
                return None
            parts.append(key)
            node = syn.unwrap(node.child_by_field_name(syn.subscript_object))
            continue
        return None
    return None


def constant_key(ctx: AnalysisContext, node: Node | None) -> str | None:
    """The text of a plain string literal used as a key (`"b"` in `a["b"]`)."""
    syn = _syntax(ctx)
    node = syn.unwrap(node)
    if node is None or node.type not in syn.strings:
        return None
    if any(c.type in syn.interpolations for c in node.children):
        return None
    text = ctx.text(node)
    if len(text) >= 2 and text[0] in "'\"`" and text[-1] == text[0]:
        return text[1:-1]
    return None


def qualified_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    """The dotted name with its first part replaced by what it was imported as."""
    return resolve_imported(ctx, dotted_name(ctx, node))


def resolve_imported(ctx: AnalysisContext, dotted: str | None) -> str | None:
    """`cp.exec` -> `child_process.exec` when `cp` is bound to child_process."""
    if dotted is None:
        return None
    imports: dict[str, str] = ctx.facts.get("imports", {})
    head, _, rest = dotted.partition(".")
    target = imports.get(head)
    if target is None:
        return dotted
    return f"{target}.{rest}" if rest else target


def callee_name(ctx: AnalysisContext, call: Node) -> str | None:
    return qualified_name(ctx, _syntax(ctx).callee(call))


def method_name(ctx: AnalysisContext, call: Node) -> str | None:
    """The last property of a method call (`query` in `pool.query(...)`)."""
    syn = _syntax(ctx)
    callee = syn.unwrap(syn.callee(call))
    if callee is not None and callee.type in syn.members:
        return ctx.text(callee.child_by_field_name(syn.member_property))
    return None


def receiver(ctx: AnalysisContext, call: Node) -> Node | None:
    """`pool` in `pool.query(...)`."""
    syn = _syntax(ctx)
    callee = syn.unwrap(syn.callee(call))
    if callee is not None and callee.type in syn.members:
        return callee.child_by_field_name(syn.member_object)
    return None


def name_matches(name: str | None, patterns: Iterable[str]) -> bool:
    """`name` equals a pattern, or a `*.x.y` pattern's tail matches its tail."""
    if not name:
        return False
    for pattern in patterns:
        if pattern.startswith("*."):
            tail = pattern[1:]
            if name.endswith(tail) or name == tail[1:]:
                return True
        elif name == pattern:
            return True
    return False


def call_matches(ctx: AnalysisContext, call: Node, patterns: Iterable[str]) -> bool:
    """Does the callee of `call` match one of the dotted `patterns`?

    Both the import-resolved name and the written name are tried, so
    `exec` bound by destructuring `require("child_process")` matches
    `child_process.exec` and `*.exec`.
    """
    patterns = tuple(patterns)
    callee = _syntax(ctx).callee(call)
    return name_matches(qualified_name(ctx, callee), patterns) or name_matches(dotted_name(ctx, callee), patterns)


def calls_in(ctx: AnalysisContext, node: Node | None = None) -> Iterable[Node]:
    """Every call node under `node` (the unit by default), in source order."""
    return descendants(node or ctx.unit, _syntax(ctx).calls)


def imports_module(ctx: AnalysisContext, *modules: str) -> bool:
    imported = set(ctx.facts.get("imported_modules", ()))
    return any(m in imported for m in modules)
