"""Dotted names and call/attribute matching, for any language with a `Syntax`.

Rules describe what they look for as dotted patterns resolved through the
file's imports: `child_process.exec` matches `exec(...)` after
`const { exec } = require("child_process")` and `cp.exec(...)` after
`import * as cp from "node:child_process"`, exactly as `sqlite3.connect`
matches `db.connect(...)` after `import sqlite3 as db` in Python. A pattern
starting with `*.` matches any receiver (`*.innerHTML`, `*.query`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from tree_sitter import Node

from ..context import AnalysisContext
from .syntax import Syntax, descendants, syntax_for


def last_parts(*tables: Iterable[str]) -> frozenset[str]:
    """The last part of each dotted name in the tables (`hashlib.md5` ->
    `md5`): what a call looks like in a unit that imported its module or the
    name itself, so rules build their prefilter triggers and sink-name sets
    from their own tables of qualified names."""
    return frozenset(name.rsplit(".", 1)[-1] for table in tables for name in table)


def _syntax(ctx: AnalysisContext) -> Syntax:
    return syntax_for(ctx.family)


def dotted_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    """`a.b.c` for identifier/member chains (also `a["b"]` and `this.a`), else None."""
    if node is None:
        return None
    memo = ctx._memo
    key = ("dotted", node.id)
    if key not in memo:
        memo[key] = _dotted_name(ctx, node)
    return memo[key]


def _dotted_name(ctx: AnalysisContext, node: Node | None) -> str | None:
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
    if target is None and ctx.family == "javascript":
        from ..javascript.imports import local_requires

        target = local_requires(ctx).get(head)
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
    exact, tails = _compiled(patterns if isinstance(patterns, (tuple, frozenset)) else tuple(patterns))
    if name in exact:
        return True
    candidates = tails.get(name.rsplit(".", 1)[-1])
    return candidates is not None and any(name.endswith(tail) or name == tail[1:] for tail in candidates)


@lru_cache(maxsize=512)
def _compiled(patterns: tuple[str, ...] | frozenset[str]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Exact names, and `*.` tails grouped by their last part (a name can only
    match tails that end with its own last part)."""
    exact = frozenset(p for p in patterns if not p.startswith("*."))
    tails: dict[str, tuple[str, ...]] = {}
    for pattern in patterns:
        if pattern.startswith("*."):
            tail = pattern[1:]
            last = tail.rsplit(".", 1)[-1]
            tails[last] = tails.get(last, ()) + (tail,)
    return exact, tails


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
    if node is None or node.id == ctx.unit.id:
        return unit_nodes(ctx, _syntax(ctx).calls)
    return descendants(node, _syntax(ctx).calls)


def unit_nodes(ctx: AnalysisContext, types: Iterable[str]) -> list[Node]:
    """Nodes of `types` in the current unit, in source order. The unit is
    walked once and indexed by node type, so the many rules that each look for
    calls or assignments share one walk."""
    index: dict[str, list[Node]] = ctx.memo(("nodes-by-type", ctx.unit.id), lambda: _index(ctx.unit))
    wanted = [index.get(t, []) for t in types]
    if len(wanted) == 1:
        return list(wanted[0])
    return sorted((n for group in wanted for n in group), key=lambda n: (n.start_byte, -n.end_byte))


def _index(root: Node) -> dict[str, list[Node]]:
    index: dict[str, list[Node]] = {}
    for node in descendants(root):
        index.setdefault(node.type, []).append(node)
    return index


def imports_module(ctx: AnalysisContext, *modules: str) -> bool:
    imported = set(ctx.facts.get("imported_modules", ()))
    return any(m in imported for m in modules)
