"""The shared shape of the dependency rules (PY-DEP-*, JS-DEP-*): each
language collects its import sites once per unit, and each of the three rules
reports the sites whose verdict is its own. Optional imports (inside
`try`/`except ImportError` or `try`/`catch`) are only checked for look-alikes;
type-only imports (Python `if TYPE_CHECKING:`) are never undeclared."""

from __future__ import annotations

from typing import ClassVar, Iterable

from ..dependencies.project import DependencyManifest
from ..dependencies.resolve import LOOKALIKE, UNDECLARED
from ..dependencies.sites import ImportSite, add_dependency_fix, manifest_names, sites
from ..model import Confidence, Finding
from .base import Rule


class DependencyRule(Rule):
    verdict_kind: ClassVar[str] = ""
    ecosystem: ClassVar[str] = ""
    """`pypi` or `npm`: the registry a fix declares packages from."""

    def collect(self, ctx) -> list[ImportSite]:
        raise NotImplementedError

    def check(self, ctx) -> Iterable[Finding]:
        for site in sites(ctx, self.ecosystem, lambda: self.collect(ctx)):
            if site.verdict.kind != self.verdict_kind:
                continue
            if site.guarded and self.verdict_kind != LOOKALIKE:
                continue  # optional: only a look-alike name matters
            if site.type_only and self.verdict_kind == UNDECLARED:
                continue  # never run: not a run-time dependency
            yield self.report(ctx, site)

    def report(self, ctx, site: ImportSite) -> Finding:
        raise NotImplementedError

    def undeclared(self, ctx, site: ImportSite, manifests: tuple[DependencyManifest, ...], named: str, installed_as: str, missing_as: str) -> Finding:
        """`named` is installed (`installed_as`) or missing (`missing_as`) and
        not declared in `manifests`; the fix declares it in the nearest one."""
        verdict = site.verdict
        where = manifest_names(manifests)
        message = f"{named} {installed_as if verdict.installed else missing_as}".format(where=where)
        fix = add_dependency_fix(self.ecosystem, verdict.package, manifests)
        return self.finding(
            ctx,
            site.node,
            message,
            fixes=[fix] if fix is not None else [],
            confidence=Confidence.HIGH if verdict.installed else Confidence.MEDIUM,
            details={"name": verdict.name, "package": verdict.package},
        )
