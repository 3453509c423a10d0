"""What injection rules share beyond taint: reporting a query that is input as a whole."""

from __future__ import annotations

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Finding, Severity
from ....python.taint import taint_of
from ....python.taint_specs import REQUEST


class WholeQueryMixin:
    """For rules whose sink takes a query string: the query is request data
    as a whole (read from the request, or assembled out of sight, e.g. in a
    `StringIO` or a helper), so there is nothing to rewrite but it is still
    an injection."""

    def _whole_query(self, ctx: AnalysisContext, call: Node, query: Node, what: str, sink: str) -> Finding | None:
        taint = taint_of(ctx, query, sink=sink, kinds=frozenset({REQUEST}))
        if taint is None:
            return None
        message = f"{self.family_label}: the {what} comes from {taint.source} (line {taint.line}) as a whole; build it from constants and escaped values"
        return self.finding(ctx, call, message, severity=Severity.HIGH)  # type: ignore[attr-defined]
