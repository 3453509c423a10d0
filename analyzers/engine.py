"""Run the registered rules over a parsed file.

The file is split into units (the root's top-level statements). Unit-scope
rules run per unit and their findings are cached under a key made of the unit's
text, its start column, the module facts' fingerprint and the configuration's
fingerprint, with positions stored relative to the unit. An edit therefore
re-runs rules only on the units whose text changed (or on all of them when a
module fact such as an import changed), and shifts the cached findings of the
others. Module-scope rules run on every analysis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Callable

from tree_sitter import Tree

from .budget import NESTED_TOO_DEEPLY
from .config import DEFAULT_CONFIG, AnalysisConfig
from .context import AnalysisContext
from .dependencies.project import ProjectDependencies
from .facts import compute_facts
from .languages import get_spec
from .model import Edit, Finding, Fix
from .rules import Rule, rules_for
from .suppression import is_suppressed

log = logging.getLogger(__name__)

ImportMaterializer = Callable[[bytes, Tree, tuple[str, ...]], tuple[Edit, ...]]
_IMPORT_MATERIALIZERS: dict[str, ImportMaterializer] = {}
RenameMaterializer = Callable[[bytes, Tree, tuple[tuple[str, str], ...]], tuple[Edit, ...]]
_RENAME_MATERIALIZERS: dict[str, RenameMaterializer] = {}


def register_import_materializer(family: str, fn: ImportMaterializer) -> None:
    _IMPORT_MATERIALIZERS[family] = fn


def register_rename_materializer(family: str, fn: RenameMaterializer) -> None:
    _RENAME_MATERIALIZERS[family] = fn


@dataclass
class AnalysisResult:
    findings: list[Finding]
    rule_errors: list[str] = field(default_factory=list)
    units_analyzed: int = 0
    units_reused: int = 0


class UnitCache:
    """Findings per unit from the previous analysis of one document.

    Only entries used by the latest analysis are kept, so memory stays
    proportional to the document, never to its history.
    """

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[tuple, tuple[Finding, ...]] = {}


def _run_rule(rule: Rule, ctx: AnalysisContext, errors: list[str]) -> list[Finding]:
    try:
        return list(rule.check(ctx))
    except RecursionError:
        errors.append(f"{rule.id}: {NESTED_TOO_DEEPLY}")
    except Exception as exc:  # a broken rule must never take the others down
        log.exception("rule %s failed", rule.id)
        errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
    return []


def _load_language_support(family: str) -> None:
    """Import the language helper package so its facts and hooks register."""
    import importlib

    try:
        importlib.import_module(f"{__package__}.{family}")
    except ModuleNotFoundError:
        pass


def analyze_detailed(
    source: bytes,
    tree: Tree,
    language: str,
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    cache: UnitCache | None = None,
    project: ProjectDependencies | None = None,
) -> AnalysisResult:
    """`project` is the dependency picture of the file's project (see
    dependencies.project); rules that need it stay silent without it."""
    spec = get_spec(language)
    family = spec.rule_family
    _load_language_support(family)
    rules = [r for r in rules_for(family) if config.rule_enabled(r.id, r.default_enabled)]
    unit_rules = [r for r in rules if r.scope == "unit"]
    module_rules = [r for r in rules if r.scope == "module"]
    root = tree.root_node
    facts = compute_facts(family, source, root)
    context_key = (language, facts.fingerprint, config.fingerprint, project.fingerprint if project is not None else None)
    result = AnalysisResult(findings=[])
    previous = cache.entries if cache is not None else {}
    current: dict[tuple, tuple[Finding, ...]] = {}

    for unit in root.children:
        key = (context_key, unit.start_point.column, source[unit.start_byte : unit.end_byte])
        relative = current.get(key)
        if relative is None:
            relative = previous.get(key)
        if relative is None:
            ctx = AnalysisContext(source, tree, language, facts, unit, project)
            found: list[Finding] = []
            for rule in unit_rules:
                found.extend(_run_rule(rule, ctx, result.rule_errors))
            relative = tuple(f.shifted(-unit.start_byte, -unit.start_point.row) for f in found)
            result.units_analyzed += 1
        else:
            result.units_reused += 1
        current[key] = relative
        result.findings.extend(f.shifted(unit.start_byte, unit.start_point.row) for f in relative)
    if cache is not None:
        cache.entries = current

    if module_rules:
        ctx = AnalysisContext(source, tree, language, facts, root, project)
        for rule in module_rules:
            result.findings.extend(_run_rule(rule, ctx, result.rule_errors))

    result.findings = _finalise(result.findings, source, tree, family, spec, config)
    return result


def analyze(
    source: bytes,
    tree: Tree,
    language: str,
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    cache: UnitCache | None = None,
    project: ProjectDependencies | None = None,
) -> list[Finding]:
    """All findings in one file, suppressions applied, sorted by position."""
    return analyze_detailed(source, tree, language, config=config, cache=cache, project=project).findings


def _finalise(findings, source, tree, family, spec, config) -> list[Finding]:
    seen: set[tuple] = set()
    out: list[Finding] = []
    materialize = _IMPORT_MATERIALIZERS.get(family)
    rename = _RENAME_MATERIALIZERS.get(family)
    for finding in sorted(findings, key=lambda f: (f.start_byte, f.end_byte, f.rule_id)):
        identity = (finding.rule_id, finding.start_byte, finding.end_byte)
        if identity in seen:
            continue
        seen.add(identity)
        if is_suppressed(source, finding.start_byte, finding.rule_id, spec, config.honour_nosec):
            continue
        override = config.severity_overrides.get(finding.rule_id)
        if override is not None:
            finding = replace(finding, severity=override)
        if any(fix.imports or fix.renames for fix in finding.fixes):
            finding = replace(finding, fixes=tuple(_completed(fix, source, tree, materialize, rename) for fix in finding.fixes))
        out.append(finding)
    return out


def _completed(fix: Fix, source: bytes, tree: Tree, materialize: ImportMaterializer | None, rename: RenameMaterializer | None) -> Fix:
    """The fix with the edits for its `imports` and `renames` added."""
    edits = fix.edits
    if fix.imports and materialize is not None:
        edits += materialize(source, tree, fix.imports)
    if fix.renames and rename is not None:
        edits += rename(source, tree, fix.renames)
    return replace(fix, edits=edits, imports=(), renames=())
