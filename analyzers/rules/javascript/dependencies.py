"""JS-DEP-001/002/003: imports of npm packages that are unknown, undeclared,
or look like a popular package.

The npm registry is where typosquatting began (`crossenv` for `cross-env`
stole npm tokens in 2017) and AI assistants add to it by importing packages
that do not exist, names that attackers then register ("slopsquatting"). A
package's `preinstall`/`postinstall` script runs on `npm install` with the
developer's or the CI runner's rights. Every module specifier of
`import ... from 'x'`, `import 'x'`, `export ... from 'x'`, `require('x')`,
dynamic `import('x')` and TypeScript's `import x = require('x')` is reduced to
its package (`lodash/fp` -> lodash, `@scope/pkg/sub` -> @scope/pkg) and
checked against: Node built-ins (`fs`, `node:test`), specifiers that name no
registry package (relative paths, URLs, `#imports`, `@/` and `~/` aliases),
aliases configured in tsconfig `paths` or a bundler, workspace packages and the
package's own name, the dependencies of every package.json up to the project
root (all four tables, and `@types/` packages for type imports), then
node_modules.

- **JS-DEP-001 unknown dependency**: none of the above and no known npm
  package: possibly hallucinated.
- **JS-DEP-002 undeclared dependency**: in node_modules (a hoisted transitive
  dependency, a "phantom dependency") or a well-known package, but not in
  package.json. The fix adds it to `dependencies`.
- **JS-DEP-003 look-alike name**: not declared, installed or local, and one
  character, a separator, a plural or a `node-`/`-js` affix away from a popular
  npm package. The fix imports the popular package instead.

`require()` inside `try { } catch` is an optional dependency and only checked
for look-alikes. The popular list is bundled (analyzers/data/npm-popular.txt,
dated, with its source); the rules never call the registry.
"""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from ...dependencies.resolve import LOOKALIKE, UNDECLARED, UNKNOWN, node_verdict
from ...dependencies.sites import ImportSite, replace_fix
from ...model import Confidence, Finding, Severity
from ..base import Explanation, register
from ..dependency_rule import DependencyRule

_STATIC = """
[
  (import_statement source: (string) @spec)
  (export_statement source: (string) @spec)
]
"""
_CALLS = "(call_expression function: [(identifier) (import)] @fn arguments: (arguments . (string) @spec .))"
_TS_REQUIRE = "(import_require_clause (string) @spec)"
IMPORT_WORDS = ("import", "require", "export")
"""Every import site is written with one of these (`import_require_clause` too)."""


def _content(node: Node) -> Node | None:
    return next((c for c in node.named_children if c.type == "string_fragment"), None)


def _guarded(node: Node) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "try_statement" and parent.child_by_field_name("body") == child:
            return True
        if parent.type in ("function_declaration", "method_definition", "class_declaration", "program"):
            return False
        child, parent = parent, parent.parent
    return False


def _specifiers(ctx) -> Iterable[Node]:
    yield from ctx.captures(_STATIC).get("spec", [])
    for match in ctx.matches(_CALLS):
        fn = match["fn"][0]
        if fn.type == "import" or ctx.text(fn) == "require":
            yield match["spec"][0]
    if ctx.language in ("typescript", "tsx"):
        yield from ctx.captures(_TS_REQUIRE).get("spec", [])


def _node_sites(ctx) -> list[ImportSite]:
    start, end = ctx.unit.start_byte, ctx.unit.end_byte
    if all(ctx.source.find(word.encode(), start, end) < 0 for word in IMPORT_WORDS):
        return []  # without reading the picture: a new one re-analyses only units with imports
    project = ctx.project
    deps = project.node if project is not None else None
    if deps is None:
        return []
    found = []
    for spec in _specifiers(ctx):
        content = _content(spec)
        if content is None:
            continue
        written = ctx.text(content)
        verdict = node_verdict(written, deps)
        if verdict.kind != "ok":
            found.append(ImportSite(spec, content, written, verdict, _guarded(spec)))
    return found


class _DependencyRule(DependencyRule):
    languages = ("javascript",)
    ecosystem = "npm"
    triggers = IMPORT_WORDS

    def collect(self, ctx) -> list[ImportSite]:
        return _node_sites(ctx)


@register
class UnknownDependency(_DependencyRule):
    id = "JS-DEP-001"
    name = "unknown-dependency"
    cwe = 829
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "Import of a package that is not built in, local, declared, installed or a known npm package: possibly hallucinated."
    verdict_kind = UNKNOWN
    explanation = Explanation(
        what="The imported package is not a Node built-in, not part of the project, not in any package.json on the way to the project root, not in node_modules, and not a known npm package.",
        why="An AI assistant may have invented a plausible package name. Attackers register such names (slopsquatting) because the next step "
        "after `Cannot find module` is `npm install <name>`, and an install script runs with the developer's rights (CWE-829).",
        hostile_input="Generated code says `import { verifyToken } from 'express-jwt-validator'`; an attacker publishes that name with a "
        "`postinstall` script that copies `~/.npmrc` tokens and `.env` files to their server; `npm install express-jwt-validator` runs it.",
        fix="Check the package on npm and in the documentation of the library you meant, import the real one and add it to package.json; never install a name just because code imports it.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        return self.finding(
            ctx,
            site.node,
            f"`{site.verdict.name}` is not a Node built-in, part of the project, declared in package.json or installed in node_modules, "
            "and is no known npm package: possibly a hallucinated dependency",
            details={"package": site.verdict.name},
        )


@register
class UndeclaredDependency(_DependencyRule):
    id = "JS-DEP-002"
    name = "undeclared-dependency"
    cwe = 1357
    owasp = "A06:2021"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "Import of a package that package.json does not declare (phantom dependency)."
    fix_title = "Add the package to package.json"
    verdict_kind = UNDECLARED
    explanation = Explanation(
        what="The imported package is in node_modules (usually hoisted there as a dependency of another package) or is a well-known npm package, but package.json does not declare it.",
        why="It works today because the package manager happened to hoist it, so nothing looks wrong. Nobody chose, pinned or audits its version "
        "(CWE-1357): `npm audit` attributes it to someone else, an update of the parent silently changes or removes it, and with a different "
        "package manager (pnpm, Yarn PnP) or a fresh install it is simply missing.",
        hostile_input="`require('minimist')` works because a build tool depends on it; the tool drops it, a developer runs `npm i minimist` "
        "from an unpinned mirror, and gets whatever version an attacker who took over the name last published.",
        fix="Add the package to `dependencies` in package.json (the quick fix does) and let the lockfile pin it.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        return self.undeclared(
            ctx,
            site,
            ctx.project.node.manifests,
            f"`{site.verdict.name}`",
            "is in node_modules but not declared in {where} (a phantom dependency)",
            "is not declared in {where} and not installed in node_modules",
        )


@register
class LookalikeDependency(_DependencyRule):
    id = "JS-DEP-003"
    name = "lookalike-dependency"
    cwe = 829
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "Import of a package whose name is a near miss of a popular npm package (typosquatting or slopsquatting)."
    fix_title = "Import the popular package"
    verdict_kind = LOOKALIKE
    explanation = Explanation(
        what="The imported package is not declared, installed or part of the project, and its name is one character, a separator, a plural or a `node-`/`-js` affix away from a popular npm package.",
        why="Typosquats of popular packages are published on npm every week (`crossenv`, `electorn`, `loadsh`), and AI assistants produce "
        "near-miss names on their own. The code fails with `Cannot find module`, `npm install <that name>` looks like the fix, and the "
        "look-alike's install script runs with the developer's rights (CWE-829).",
        hostile_input="`const _ = require('lodahs')`; `npm install lodahs` installs a package that re-exports lodash so the app keeps "
        "working, while its `postinstall` script exfiltrates `~/.npmrc` and `~/.ssh`.",
        fix="Import the popular package that was meant (the quick fix does) and add it to package.json.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        near = site.verdict.lookalike
        assert near is not None
        replacement = near.popular + site.written[len(site.verdict.name) :]
        return self.finding(
            ctx,
            site.node,
            f"`{site.verdict.name}` looks like the popular npm package `{near.popular}` ({near.reason}) and is not declared, installed "
            "or part of the project: a typo or hallucinated name that an attacker can register",
            fixes=[replace_fix(f"Replace with '{replacement}'", site.name_node, replacement)],
            details={"package": site.verdict.name, "popular": near.popular},
        )
