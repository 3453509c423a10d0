"""The rule contract and the registry every rule module registers with.

A rule is a class in its own module (or a small family module). The module
docstring is the rule's documentation page; `explanation` is what the hover
shows: what is wrong, why it is dangerous although the code works, a concrete
hostile input, and the fix.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable

from tree_sitter import Node

from ..model import Confidence, Finding, Fix, Severity
from ..taxonomy import OWASP_2021

if TYPE_CHECKING:
    from ..context import AnalysisContext


@dataclass(frozen=True)
class Explanation:
    """Hover and report text. Markdown is allowed in every field."""

    what: str
    why: str
    hostile_input: str
    fix: str


class Rule:
    """Base class for rules. Subclasses set the metadata and implement check().

    `scope = "unit"` rules look at one top-level statement at a time and their
    findings are cached per statement; `scope = "module"` rules see the whole
    tree and run on every analysis (keep them cheap).
    """

    id: ClassVar[str]
    name: ClassVar[str]
    cwe: ClassVar[int]
    owasp: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    languages: ClassVar[tuple[str, ...]]
    summary: ClassVar[str]
    explanation: ClassVar[Explanation]
    scope: ClassVar[str] = "unit"
    default_enabled: ClassVar[bool] = True
    fix_title: ClassVar[str] = ""
    """Name of the quick fix the rule offers, if any (README and SARIF)."""
    triggers: ClassVar[tuple[str, ...] | None] = None
    """Strings at least one of which occurs in the text of every unit the
    rule can report in (the last part of each dotted name it resolves); the
    engine skips the rule on other units (analyzers/prefilter.py). None: the
    rule runs everywhere."""
    triggers_ignore_case: ClassVar[bool] = False
    trigger_modules: ClassVar[tuple[str, ...]] = ()
    """Modules the rule's calls go through (`requests`): their names are
    triggers, and names imported from them run the rule where used."""

    def check(self, ctx: "AnalysisContext") -> Iterable[Finding]:
        raise NotImplementedError(f"{type(self).__name__} must implement check()")

    @classmethod
    def documentation(cls) -> str:
        module = sys.modules.get(cls.__module__)
        return (module.__doc__ or cls.summary).strip() if module else cls.summary

    def finding(
        self,
        ctx: "AnalysisContext",
        node: Node,
        message: str,
        *,
        fixes: Iterable[Fix] = (),
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        end_node: Node | None = None,
        details: dict | None = None,
    ) -> Finding:
        last = end_node or node
        return Finding(
            rule_id=self.id,
            message=message,
            start_byte=node.start_byte,
            end_byte=last.end_byte,
            start_point=(node.start_point.row, node.start_point.column),
            end_point=(last.end_point.row, last.end_point.column),
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            cwe=self.cwe,
            owasp=self.owasp,
            fixes=tuple(fixes),
            details=tuple(sorted((details or {}).items())),
        )


class RuleDefinitionError(TypeError):
    pass


_REGISTRY: dict[str, Rule] = {}
_REQUIRED = ("id", "name", "cwe", "owasp", "severity", "confidence", "languages", "summary", "explanation")


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: validate a rule's metadata and add it to the registry."""
    missing = [attr for attr in _REQUIRED if not hasattr(cls, attr)]
    if missing:
        raise RuleDefinitionError(f"rule {cls.__name__} lacks {', '.join(missing)}")
    if cls.owasp not in OWASP_2021:
        raise RuleDefinitionError(f"rule {cls.id}: unknown OWASP id {cls.owasp!r}")
    if cls.scope not in ("unit", "module"):
        raise RuleDefinitionError(f"rule {cls.id}: scope must be 'unit' or 'module'")
    existing = _REGISTRY.get(cls.id)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise RuleDefinitionError(f"duplicate rule id {cls.id}")
    _REGISTRY[cls.id] = cls()
    return cls


_loaded = False


def _load_rule_modules() -> None:
    """Import every module under analyzers/rules so their @register runs."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    package = importlib.import_module(__package__)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{__package__}."):
        importlib.import_module(info.name)


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(_REGISTRY.values(), key=lambda r: r.id)


def get_rule(rule_id: str) -> Rule | None:
    _load_rule_modules()
    return _REGISTRY.get(rule_id)


def rules_for(family: str) -> list[Rule]:
    return [r for r in all_rules() if family in r.languages]
