"""Run the registered rules over a parsed file.

The file is split into units (the root's top-level statements). Unit-scope
rules see one unit at a time, and whatever they need from the rest of the
file comes from the module facts (`facts`). Two ways to run them:

- without a cache (the CLI, one-off scans): compute the facts, run the rules
  on every unit, done;
- with a `DocumentAnalysis` as cache (the language server, one per open
  document): `incremental` re-runs only the units an edit touched or whose
  facts changed, and shifts everyone else's findings. Both give the same
  findings for the same text; tests compare them after random edits.

Module-scope rules run on every analysis over the whole tree.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from typing import Callable, Generator

from tree_sitter import Tree

from .budget import NESTED_TOO_DEEPLY
from .config import DEFAULT_CONFIG, AnalysisConfig
from .context import AnalysisContext
from .dependencies.project import ProjectDependencies
from .facts import compute_facts, unit_providers
from .incremental import AnalysisResult, DocumentAnalysis, Setup, TreeNeeded, sorted_unique
from .languages import get_spec
from .model import Edit, Finding, Fix
from .prefilter import applicable_rules
from .rules import Rule, rules_for
from .suppression import is_suppressed

log = logging.getLogger(__name__)

ImportMaterializer = Callable[[bytes, Tree, tuple[str, ...]], tuple[Edit, ...]]
_IMPORT_MATERIALIZERS: dict[str, ImportMaterializer] = {}
RenameMaterializer = Callable[[bytes, Tree, tuple[tuple[str, str], ...]], tuple[Edit, ...]]
_RENAME_MATERIALIZERS: dict[str, RenameMaterializer] = {}

UnitCache = DocumentAnalysis
"""The per-document cache the server keeps (the former name)."""

__all__ = ["AnalysisResult", "DocumentAnalysis", "UnitCache", "analyze", "analyze_detailed", "analysis_steps", "provisional_findings", "register_import_materializer", "register_rename_materializer"]


def register_import_materializer(family: str, fn: ImportMaterializer) -> None:
    _IMPORT_MATERIALIZERS[family] = fn


def register_rename_materializer(family: str, fn: RenameMaterializer) -> None:
    _RENAME_MATERIALIZERS[family] = fn


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


class _Imports:
    """Fix imports and renames turned into edits, per set of statements,
    remembered until an edit lands before the last byte they depend on or an
    import changes (a DocumentAnalysis carries the same two fields)."""

    def __init__(self) -> None:
        self.materialized: dict[tuple, tuple] = {}
        self.import_horizon = 0


def _setup(language: str, config: AnalysisConfig, project: ProjectDependencies | None = None) -> Setup:
    spec = get_spec(language)
    family = spec.rule_family
    _load_language_support(family)
    rules = [r for r in rules_for(family) if config.rule_enabled(r.id, r.default_enabled)]
    materialize = _IMPORT_MATERIALIZERS.get(family)
    rename = _RENAME_MATERIALIZERS.get(family)
    overrides = dict(config.severity_overrides)
    honour_nosec = config.honour_nosec

    def complete(finding: Finding, source: bytes, tree: Tree, cache) -> Finding:
        override = overrides.get(finding.rule_id)
        if override is not None:
            finding = replace(finding, severity=override)
        if any(fix.imports or fix.renames for fix in finding.fixes):
            finding = replace(finding, fixes=tuple(_completed(fix, source, tree, materialize, rename, cache) for fix in finding.fixes))
        return finding

    def suppressed(finding: Finding, source: bytes) -> bool:
        return is_suppressed(source, finding.start_byte, finding.rule_id, spec, honour_nosec)

    return Setup(
        language=language,
        family=family,
        unit_rules=tuple(r for r in rules if r.scope == "unit"),
        module_rules=tuple(r for r in rules if r.scope == "module"),
        context=(language, config.fingerprint, tuple(p.name for p in unit_providers(family))),
        project=project,
        output=(tuple(sorted((k, int(v)) for k, v in overrides.items())), honour_nosec),
        run_rule=_run_rule,
        complete=complete,
        suppressed=suppressed,
        select_rules=applicable_rules if config.prefilter else _every_rule,
    )


def _every_rule(rules: tuple, _ctx: AnalysisContext) -> tuple:
    return rules


def analysis_steps(
    source: bytes,
    tree: Tree,
    language: str,
    cache: DocumentAnalysis,
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    project: ProjectDependencies | None = None,
) -> Generator[None, None, AnalysisResult]:
    """The incremental analysis as a generator: it yields between units and
    returns the result (StopIteration.value). Closing it early leaves the
    cache as it was. `project` is the dependency picture of the file's
    project (see dependencies.project); rules that need it stay silent
    without it."""
    return cache.run(source, tree, _setup(language, config, project))


def provisional_findings(
    source: bytes,
    language: str,
    cache: DocumentAnalysis,
    parse_region: Callable[[int, int], Tree],
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    project: ProjectDependencies | None = None,
) -> list[Finding] | None:
    """Findings of the present text while its whole tree is not parsed yet:
    the edited statements parsed and analysed on their own, the rest as last
    analysed (see DocumentAnalysis.provisional); None when not possible."""
    return cache.provisional(source, _setup(language, config, project), parse_region)


def analyze_detailed(
    source: bytes,
    tree: Tree,
    language: str,
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    cache: DocumentAnalysis | None = None,
    project: ProjectDependencies | None = None,
) -> AnalysisResult:
    if cache is not None:
        steps = analysis_steps(source, tree, language, cache, config=config, project=project)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
    setup = _setup(language, config, project)
    root = tree.root_node
    facts = compute_facts(setup.family, source, root)
    result = AnalysisResult(findings=[])
    found: list[Finding] = []
    for unit in root.children:
        if unit.end_byte == unit.start_byte:
            continue  # an empty error node: nothing to analyse
        ctx = AnalysisContext(source, tree, language, facts, unit, project)
        for rule in setup.select_rules(setup.unit_rules, ctx):
            found.extend(_run_rule(rule, ctx, result.rule_errors))
        result.units_analyzed += 1
    if setup.module_rules:
        ctx = AnalysisContext(source, tree, language, facts, root, project)
        for rule in setup.module_rules:
            found.extend(_run_rule(rule, ctx, result.rule_errors))
    imports = _Imports()
    result.findings = [
        f for f in (setup.complete(f, source, tree, imports) for f in sorted_unique(found)) if not setup.suppressed(f, source)
    ]
    return result


def analyze(
    source: bytes,
    tree: Tree,
    language: str,
    *,
    config: AnalysisConfig = DEFAULT_CONFIG,
    cache: DocumentAnalysis | None = None,
    project: ProjectDependencies | None = None,
) -> list[Finding]:
    """All findings in one file, suppressions applied, sorted by position."""
    return analyze_detailed(source, tree, language, config=config, cache=cache, project=project).findings


def _completed(fix: Fix, source: bytes, tree: Tree, materialize: ImportMaterializer | None, rename: RenameMaterializer | None, cache) -> Fix:
    """The fix with the edits for its `imports` and `renames` added."""
    edits = fix.edits
    if fix.imports and materialize is not None:
        added = cache.materialized.get(fix.imports)
        if added is None:
            if tree is None:
                raise TreeNeeded(fix.imports)
            added = cache.materialized[fix.imports] = materialize(source, tree, fix.imports)
            horizon = max([4096, *(e.end_byte + 1 for e in added)])
            if any(e.start_byte >= len(source) for e in added):
                horizon = sys.maxsize  # appended at the end: any edit can move it
            cache.import_horizon = max(cache.import_horizon, horizon)
        edits += added
    if fix.renames and rename is not None:
        key = ("renames", fix.renames)
        added = cache.materialized.get(key)
        if added is None:
            if tree is None:
                raise TreeNeeded(fix.renames)
            added = cache.materialized[key] = rename(source, tree, fix.renames)
            cache.import_horizon = sys.maxsize  # renames reach anywhere in the file
        edits += added
    return replace(fix, edits=edits, imports=(), renames=())
