"""PY-DEP-001/002/003: imports of packages that are unknown, undeclared, or
look like a popular package.

AI assistants import libraries that do not exist or that sound like popular
ones, and attackers register exactly those names on PyPI ("slopsquatting",
after typosquatting): the next `pip install` of the missing module runs the
attacker's `setup.py` on a developer laptop or a CI runner. Every top-level
module of an `import x` / `from x import y` (relative imports are the
project's own) is checked against, in order: the standard library of the
selected interpreter, the project's own modules and packages, the declared
dependencies (pyproject.toml PEP 621 and Poetry, requirements*.txt with
`-r` includes, setup.cfg, setup.py literals, Pipfile; import names that
differ from distribution names, such as `yaml`/PyYAML and `sklearn`/
scikit-learn, come from the installed metadata or a bundled table), and the
selected environment's installed distributions.

- **PY-DEP-001 unknown dependency**: none of the above, and no known PyPI
  package: possibly hallucinated. Nothing to fix automatically; check the
  name on PyPI and in the library's documentation before installing anything.
- **PY-DEP-002 undeclared dependency**: installed (or a well-known package)
  but declared nowhere, so the next environment resolves it from whatever
  index and version it finds. The fix adds the distribution (not the import
  name: `import yaml` adds PyYAML) to the nearest manifest.
- **PY-DEP-003 look-alike name**: not declared, installed or local, and one
  character, a separator, a plural or a `python-`/`py` affix away from a
  popular PyPI package, or a popular distribution's name used as a module
  (`import scikit_learn`). The fix imports the popular package's module.

Names the project declares, installs or contains are never called
look-alikes, imports inside `try: ... except ImportError` (optional
dependencies) are only checked for look-alikes, and imports under
`if TYPE_CHECKING:` (read by the type checker, never run) are not
reported as undeclared: type-only packages belong to a typing or dev group
the manifest may not have. An unknown or look-alike name is still reported
there, since someone will install what the type checker asks for. The rules need the project
picture the server and the CLI gather; without it they stay silent. The
popular list is bundled (analyzers/data/pypi-popular.txt, dated, with its
source) and nothing is looked up on the network.
"""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from ....dependencies.names import normalise
from ....dependencies.resolve import UNDECLARED, UNKNOWN, LOOKALIKE, python_verdict
from ....dependencies.sites import ImportSite, replace_fix
from ....model import Confidence, Finding, Severity
from ...base import Explanation, register
from ...dependency_rule import DependencyRule

_IMPORTS = "[(import_statement) (import_from_statement)] @import"
_IMPORT_ERRORS = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")


def _statement_blocks(node: Node) -> Iterable[tuple[Node, Node]]:
    """(statement, child on the way) for every statement around `node` up to
    its function, class or module: the blocks an import sits in."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in ("function_definition", "class_definition", "module"):
        yield parent, child
        child, parent = parent, parent.parent


def _guarded(node: Node, source: bytes) -> bool:
    """Inside the body of a `try` that catches ImportError (or everything),
    or a `with suppress(ImportError)`."""
    for parent, child in _statement_blocks(node):
        if parent.type == "try_statement" and parent.child_by_field_name("body") == child:
            for clause in parent.children:
                if clause.type == "except_clause":
                    header = source[clause.start_byte : clause.end_byte].split(b":", 1)[0].decode("utf-8", "replace")
                    if header.strip() == "except" or any(name in header for name in _IMPORT_ERRORS):
                        return True
        if parent.type == "with_statement":
            clause = next((c for c in parent.children if c.type == "with_clause"), None)
            if clause is not None and b"ImportError" in source[clause.start_byte : clause.end_byte]:
                return True
    return False


def _type_checking_only(node: Node, source: bytes) -> bool:
    """Inside the body of `if TYPE_CHECKING:` (`typing.TYPE_CHECKING`,
    `t.TYPE_CHECKING`): the type checker reads the import, the program never
    runs it."""
    for parent, child in _statement_blocks(node):
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == child:
            condition = parent.child_by_field_name("condition")
            text = source[condition.start_byte : condition.end_byte] if condition is not None else b""
            if text == b"TYPE_CHECKING" or text.endswith(b".TYPE_CHECKING"):
                return True
    return False


def _module_nodes(stmt: Node) -> Iterable[tuple[Node, bool]]:
    """(dotted module name, bare) for each module the statement imports."""
    if stmt.type == "import_statement":
        for name in stmt.children_by_field_name("name"):
            if name.type == "aliased_import":
                inner = name.child_by_field_name("name")
                if inner is not None:
                    yield inner, False
            elif name.type == "dotted_name":
                yield name, True
    else:
        module = stmt.child_by_field_name("module_name")
        if module is not None and module.type == "dotted_name":
            yield module, False


def _python_sites(ctx) -> list[ImportSite]:
    if ctx.source.find(b"import", ctx.unit.start_byte, ctx.unit.end_byte) < 0:
        return []  # without reading the picture: a new one re-analyses only units with imports
    project = ctx.project
    deps = project.python if project is not None else None
    if deps is None:
        return []
    found = []
    for stmt in ctx.captures(_IMPORTS).get("import", []):
        for module, bare in _module_nodes(stmt):
            written = ctx.text(module)
            verdict = python_verdict(written, deps)
            if verdict.kind == "ok":
                continue
            first = module.named_children[0] if module.named_children else module
            optional = _guarded(stmt, ctx.source) or verdict.name in ctx.facts.get("optional_modules", ())
            found.append(ImportSite(module, first, written, verdict, optional, bare, _type_checking_only(stmt, ctx.source)))
    return found


class _DependencyRule(DependencyRule):
    languages = ("python",)
    ecosystem = "pypi"
    triggers = ("import",)  # every site is an import statement of the unit (`_python_sites` tests the same)

    def collect(self, ctx) -> list[ImportSite]:
        return _python_sites(ctx)


@register
class UnknownDependency(_DependencyRule):
    id = "PY-DEP-001"
    name = "unknown-dependency"
    cwe = 829
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "Import of a package that is not in the project, its dependencies, the environment or PyPI's popular packages: possibly hallucinated."
    verdict_kind = UNKNOWN
    explanation = Explanation(
        what="The imported module is not in the standard library, not part of the project, not declared, not installed in the selected environment, and not a known PyPI package.",
        why="The code may work in the author's head only: an AI assistant invented a plausible package name. Names like that are registered by attackers "
        "(slopsquatting) because the next person to see `ModuleNotFoundError` runs `pip install` with the very same name, and the package's install "
        "script runs with their rights (CWE-829: functionality from an untrusted control sphere).",
        hostile_input="Generated code says `import flask_jwt_auth_helper`; someone publishes `flask-jwt-auth-helper` on PyPI with a `setup.py` that "
        "reads `~/.aws/credentials` and `$GITHUB_TOKEN` and posts them out. The developer, or a CI job that installs whatever is imported, runs "
        "`pip install flask-jwt-auth-helper` and hands over the keys.",
        fix="Check the name on PyPI and in the documentation of the library you meant; import the real package and declare it in the project's "
        "manifest. Never install a package just because code imports it.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        deps = ctx.project.python
        where = f" (environment: {deps.environment})" if deps.environment else ""
        return self.finding(
            ctx,
            site.node,
            f"`{site.verdict.name}` is not in the standard library, the project, its declared dependencies or the selected environment{where}, "
            "and is no known PyPI package: possibly a hallucinated dependency",
            details={"module": site.verdict.name},
        )


@register
class UndeclaredDependency(_DependencyRule):
    id = "PY-DEP-002"
    name = "undeclared-dependency"
    cwe = 1357
    owasp = "A06:2021"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "Import of a package the project does not declare in its manifest."
    fix_title = "Add the distribution to the manifest"
    verdict_kind = UNDECLARED
    explanation = Explanation(
        what="The imported package is installed in the selected environment (or is a well-known PyPI package) but no manifest of the project declares it.",
        why="The code works on the machine where the package happens to be installed, so nothing looks wrong. But nobody reviewed, pinned or audits "
        "the dependency (CWE-1357: reliance on an insufficiently trustworthy component): the next environment installs it from whatever index and "
        "version it finds, vulnerability scanners never see it, and a transitive dependency it came with can disappear or change owner.",
        hostile_input="`import yaml` works because another tool installed PyYAML; a colleague sets up the project, gets `ModuleNotFoundError`, and "
        "runs `pip install yaml` - a different package - or installs from an internal mirror where an attacker has published a higher version "
        "(dependency confusion).",
        fix="Declare the distribution (its PyPI name, which can differ from the import name) in the project's manifest so it is pinned, reviewed and scanned.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        verdict = site.verdict
        named = f"`{verdict.name}`" + (f" (PyPI: {verdict.package})" if normalise(verdict.name) != verdict.package else "")
        return self.undeclared(
            ctx,
            site,
            ctx.project.python.manifests,
            named,
            "is installed but not declared in {where}",
            "is not declared in {where} and not installed in the selected environment",
        )


@register
class LookalikeDependency(_DependencyRule):
    id = "PY-DEP-003"
    name = "lookalike-dependency"
    cwe = 829
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "Import of a package whose name is a near miss of a popular PyPI package (typosquatting or slopsquatting)."
    fix_title = "Import the popular package"
    verdict_kind = LOOKALIKE
    explanation = Explanation(
        what="The imported name is not declared, installed or part of the project, and is one character, a separator, a plural or a common "
        "prefix or suffix away from a popular PyPI package (or is a popular distribution's name where its module is meant).",
        why="Near-miss names are the oldest supply-chain trap on PyPI: attackers register `reqeusts`, `python-requests` or `pandas2` and wait for "
        "a typo, and AI assistants now produce such names on their own. The code fails with ModuleNotFoundError, the obvious remedy is `pip "
        "install <that name>`, and the look-alike's install script runs with the developer's rights (CWE-829).",
        hostile_input="`import reqeusts` in generated code; `pip install reqeusts` installs an attacker's package that re-exports the real "
        "`requests` so everything keeps working, and adds a `.pth` file that uploads environment variables on every interpreter start.",
        fix="Import the popular package the code meant (the quick fix does, and names its module when it differs from the distribution), and declare it.",
    )

    def report(self, ctx, site: ImportSite) -> Finding:
        near = site.verdict.lookalike
        assert near is not None
        fixes = []
        if near.module:
            module_differs = normalise(near.module) != near.popular
            title = f"Import `{near.module}` (the module of the PyPI package {near.popular})" if module_differs else f"Replace with `{near.module}`"
            fixes.append(replace_fix(title, site.name_node, near.module, rename_from=site.verdict.name if site.bare else None))
        return self.finding(
            ctx,
            site.node,
            f"`{site.verdict.name}` looks like the popular PyPI package `{near.popular}` ({near.reason}) and is not declared, installed or "
            "part of the project: a typo or hallucinated name that an attacker can register",
            fixes=fixes,
            details={"module": site.verdict.name, "popular": near.popular},
        )
