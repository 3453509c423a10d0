"""What the dependency rules of both languages share: one verdict per import
site of a unit (computed once and shared by the three rules through the
context's memo), messages that name the manifests, and the two fixes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from ..model import DependencyChange, Edit, Fix
from .project import NODE_MANIFEST_KINDS, PYTHON_MANIFEST_KINDS, DependencyManifest
from .resolve import Verdict

EDITABLE_KINDS = tuple(k for k in PYTHON_MANIFEST_KINDS if k != "setup.py") + NODE_MANIFEST_KINDS


@dataclass(frozen=True)
class ImportSite:
    node: Node
    """What the finding underlines: the module name or the specifier string."""
    name_node: Node
    """The part a replacement edits: the top-level module identifier, or the string's content."""
    written: str
    """The module path or specifier as written."""
    verdict: Verdict
    guarded: bool
    """Inside `try: ... except ImportError` (Python) or `try { require() } catch` (JS): optional."""
    bare: bool = False
    """Python `import name` without alias: a rename must follow every use."""
    type_only: bool = False
    """Python `if TYPE_CHECKING:` import: never run, so not reported as undeclared."""


def sites(ctx, key: str, compute: Callable[[], list[ImportSite]]) -> list[ImportSite]:
    return ctx.memo(("dependency-sites", key), compute)


def manifest_names(manifests: tuple[DependencyManifest, ...]) -> str:
    names = list(dict.fromkeys(m.name for m in manifests))
    if not names:
        return "any manifest"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def add_dependency_fix(ecosystem: str, package: str, manifests: tuple[DependencyManifest, ...]) -> Fix | None:
    target = next((m for m in manifests if m.kind in EDITABLE_KINDS), None)
    if target is None:
        return None
    return Fix(f"Add {package} to {target.name}", (), dependency=DependencyChange(ecosystem, package, target.path, target.kind))


def replace_fix(title: str, node: Node, text: str, *, rename_from: str | None = None) -> Fix:
    if rename_from is not None:
        return Fix(title, (), renames=((rename_from, text),))
    return Fix(title, (Edit(node.start_byte, node.end_byte, text),))
