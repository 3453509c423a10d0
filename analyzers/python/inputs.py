"""Remote input: taint that a *client of the service* controls.

`taint_of()` also reports the process's own inputs (`sys.argv`, `input()`,
the environment). For command injection those matter; for SSRF, ReDoS,
deserialisation or XML entity expansion they do not: whoever sets an
environment variable or runs a command-line tool already controls the process.
Rules about attacks *on* a service ask `remote_taint()` instead.
"""

from __future__ import annotations

from tree_sitter import Node

from ..context import AnalysisContext
from .taint import Taint, taint_of
from .taint_specs import REQUEST

LOCAL_SOURCE_PREFIXES = ("os.", "sys.", "input()", "raw_input()", "getpass")


def is_local_source(taint: Taint) -> bool:
    return taint.source.startswith(LOCAL_SOURCE_PREFIXES)


def remote_taint(ctx: AnalysisContext, node: Node | None) -> Taint | None:
    """Taint of `node` when it comes from a request or a route parameter."""
    return taint_of(ctx, node, kinds=frozenset({REQUEST}))
