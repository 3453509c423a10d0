"""What a rule sees while it checks one unit of a file."""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node, Query, QueryCursor, Tree

from .dependencies.project import ProjectDependencies
from .budget import MAX_TREE_DEPTH, deeper_than
from .facts import ModuleFacts
from .languages import LanguageSpec, get_spec, query


class AnalysisContext:
    """Source, tree, module facts and query helpers for one unit.

    `unit` is the top-level statement being checked (the root node for
    module-scope rules). Read node text through `text()`: `Node.text` is stale
    after `tree.edit()`, the source bytes never are.
    """

    __slots__ = ("source", "tree", "language", "spec", "facts", "unit", "_project", "_memo", "_too_deep")

    def __init__(self, source: bytes, tree: Tree, language: str, facts: ModuleFacts, unit: Node, project: ProjectDependencies | None = None):
        self.source = source
        self.tree = tree
        self.language = language
        self.spec: LanguageSpec = get_spec(language)
        self.facts = facts
        self.unit = unit
        self._project = project
        self._memo: dict = {}
        self._too_deep: bool | None = None

    @property
    def project(self) -> ProjectDependencies | None:
        """The project's dependency picture, when the caller has one. Read it
        only where it matters (a unit with imports): the read is recorded, and
        the units that made it are analysed again when the picture changes."""
        saw = getattr(self.facts, "saw_project", None)
        if saw is not None:
            saw()
        return self._project

    @property
    def root(self) -> Node:
        return self.tree.root_node

    @property
    def family(self) -> str:
        return self.spec.rule_family

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def captures(self, query_source: str, node: Node | None = None) -> dict[str, list[Node]]:
        """Captured nodes per capture name, each list in document order (outer
        node first). py-tree-sitter returns them in an order that varies from
        process to process (it collects them by node hash), and helpers that
        walk "the uses after this one" depend on the order. Rules of one unit
        often run the same query over the same node: it runs once, and every
        caller gets its own lists."""
        self._check_depth()
        target = node or self.unit
        key = ("captures", query_source, target.id, target.start_byte)
        found = self._memo.get(key)
        if found is None:
            shared = self._shared_matches(query_source, target)
            if shared is None:
                found = QueryCursor(query(self.language, query_source)).captures(target)
            else:
                found = {}
                for captures in shared:
                    for name, nodes in captures.items():
                        found.setdefault(name, []).extend(nodes)
            for nodes in found.values():
                nodes.sort(key=_document_order)
            self._memo[key] = found
        return {name: list(nodes) for name, nodes in found.items()}

    def matches(self, query_source: str, node: Node | None = None) -> Iterator[dict[str, list[Node]]]:
        """Query matches under `node` (default: the unit), run once per unit
        and node like `captures`."""
        self._check_depth()
        target = node or self.unit
        key = ("matches", query_source, target.id, target.start_byte)
        found = self._memo.get(key)
        if found is None:
            found = self._shared_matches(query_source, target)
            if found is None:
                found = [captures for _index, captures in QueryCursor(query(self.language, query_source)).matches(target)]
            self._memo[key] = found
        for captures in found:
            yield {name: list(nodes) for name, nodes in captures.items()}

    def _shared_matches(self, query_source: str, target: Node) -> list[dict[str, list[Node]]] | None:
        """The matches of a shared unit query (`share_unit_queries`) on the
        unit, from the one pass that runs all of them; None for any other
        query or node."""
        shared = _SHARED.get(self.language)
        if shared is None or target != self.unit or query_source not in shared.sources:
            return None
        grouped = self._memo.get(_SHARED_KEY)
        if grouped is None:
            grouped = self._memo[_SHARED_KEY] = shared.run(target)
        return grouped.get(query_source, [])

    def _check_depth(self) -> None:
        """Queries take time quadratic in nesting depth, in C code no time
        limit can interrupt: a unit nested too deeply is not queried at all
        (analyzers/budget.py); the engine reports the RecursionError."""
        if self._too_deep is None:
            self._too_deep = deeper_than(self.unit)
        if self._too_deep:
            raise RecursionError(f"nested more than {MAX_TREE_DEPTH} levels deep")

    def memo(self, key, compute):
        """Per-unit memo so several rules can share an expensive computation."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


class _SharedQueries:
    """The shared unit queries of one language, compiled into one query
    whose pattern indexes tell which source each match belongs to."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.sources: dict[str, None] = {}
        self._compiled: tuple[Query, list[str]] | None = None

    def add(self, source: str) -> None:
        if source not in self.sources:
            self.sources[source] = None
            self._compiled = None

    def run(self, node: Node) -> dict[str, list[dict[str, list[Node]]]]:
        if self._compiled is None:
            owners = [source for source in self.sources for _ in range(query(self.language, source).pattern_count)]
            self._compiled = query(self.language, "\n".join(self.sources)), owners
        combined, owners = self._compiled
        grouped: dict[str, list[dict[str, list[Node]]]] = {}
        for index, captures in QueryCursor(combined).matches(node):
            grouped.setdefault(owners[index], []).append(captures)
        return grouped


_SHARED: dict[str, _SharedQueries] = {}
_SHARED_KEY = ("shared-unit-queries",)


def share_unit_queries(language: str, *sources: str) -> None:
    """Declare queries that most units run over their whole unit (every
    call, every function definition, ...). A tree-sitter query costs about
    one walk of the unit whatever its pattern, so the first of them a unit
    asks for runs all of them in one walk, and the others are answered from
    it. Only plain patterns belong here (no predicates): each pattern gives
    the matches it would give alone, in the same order."""
    shared = _SHARED.setdefault(language, _SharedQueries(language))
    for source in sources:
        shared.add(source)


def _document_order(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte
