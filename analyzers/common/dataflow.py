"""Definitions of local names, the one thing taint and constant analysis need
from each language.

A language registers a `Flow` (its `Syntax`, how to find the definitions of a
name that reach a use, and which parameters carry input by themselves) in a
module `analyzers/<family>/flow.py` exposing `FLOW`. Everything else (walking
expressions, sources, sanitisers, constants) is shared in `taint.py`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

from tree_sitter import Node

from .syntax import Syntax

if TYPE_CHECKING:
    from ..context import AnalysisContext
    from .taint import Taint


class Definition(Protocol):
    """What the shared helpers read from a language's definition records."""

    kind: str  # assign | augment | param | loop | with | other
    name: str
    node: Node  # the identifier being defined
    value: Node | None  # right-hand side, default value or iterable
    statement: Node


@dataclass(frozen=True)
class Flow:
    syntax: Syntax
    reaching_definitions: Callable[["AnalysisContext", Node], list]
    """Definitions of an identifier that may reach this use of it."""
    parameter_taint: Callable[["AnalysisContext", Definition], "Taint | None"]
    """Parameters that are input by position (route parameters, page props)."""


def flow_for(family: str) -> Flow:
    module = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.{family}.flow")
    return module.FLOW
