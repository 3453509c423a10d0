"""Where does an imported name come from? One verdict per import.

Python (`import a.b`, `from a import b`; relative imports never reach here):
the standard library, then the project's own modules, then declared
distributions (under the distribution's name, a bundled or installed import
name mapping, or a plausible guess such as `python-dotenv` -> dotenv, and
namespace packages such as `google.cloud.storage` -> google-cloud-storage),
then the selected environment.

JavaScript/TypeScript: Node built-ins (`fs`, `node:test`), specifiers that are
no registry package (paths, URLs, `#imports`, aliases), configured aliases,
workspace packages, declared packages (or their `@types/` package), then
node_modules.

What is left is `undeclared` (installed, or a well-known package, but not
declared), `lookalike` (a near miss of a popular package) or `unknown`
(possibly hallucinated).
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import distribution_modules, import_names, is_node_builtin, popular, python_stdlib
from .lookalike import Lookalike, find_lookalike, is_popular, not_a_module, preferred_module
from .names import normalise, npm_package, types_package
from .project import NodeDependencies, PythonDependencies

OK, UNDECLARED, LOOKALIKE, UNKNOWN = "ok", "undeclared", "lookalike", "unknown"


@dataclass(frozen=True)
class Verdict:
    kind: str
    name: str
    """The top-level module (Python) or package (npm) as written."""
    package: str = ""
    """The registry package to declare (`undeclared`): `pyyaml` for `import yaml`."""
    installed: bool = False
    lookalike: Lookalike | None = None


_OK = Verdict(OK, "")


def _declared_python(parts: list[str], deps: PythonDependencies, candidates: tuple[str, ...]) -> bool:
    if any(c in deps.declared for c in candidates) or normalise(parts[0]) in deps.declared_modules:
        return True
    # namespace packages: google.cloud.storage -> google-cloud-storage
    return any(normalise("-".join(parts[:k])) in deps.declared for k in range(2, len(parts) + 1))


def _distribution_as_module(name: str) -> Lookalike | None:
    """`import python_dateutil`, `import scikit_learn`, `import pyyaml`: a
    popular distribution's name used where its module (`dateutil`, `sklearn`,
    `yaml`) is meant. The import-name table lists the modules of a
    distribution that are named otherwise, not whether its own name is one
    too: `matplotlib` also ships `mpl_toolkits`, `pytest` ships `_pytest`,
    `setuptools` ships `pkg_resources`, and all three are imported by their own
    name. So the name counts as the distribution's only when it cannot be a
    module: it has a separator, it is the module with a `py` affix (`pyyaml`),
    it ends in a digit (`beautifulsoup4`, `pywin32`), or it is
    one of lookalike._NOT_MODULES."""
    dist = normalise(name)
    module = preferred_module(dist)
    if module is None or dist not in popular("pypi") or normalise(module) == dist:
        return None
    if not_a_module(dist, module):
        return Lookalike(name, dist, f"the name of the distribution, which is imported as `{module}`", module)
    return None


def python_verdict(dotted: str, deps: PythonDependencies) -> Verdict:
    parts = dotted.split(".")
    top = parts[0]
    if not top or top in python_stdlib(deps.stdlib or None) or top in deps.local:
        return _OK
    installed_dists = tuple(deps.installed.get(top, ())) if deps.installed is not None else ()
    bundled = import_names().get(top, ())
    candidates = (*installed_dists, *bundled, normalise(top))
    if _declared_python(parts, deps, candidates):
        return _OK
    package = (installed_dists or bundled or (normalise(top),))[0]
    if deps.installed is None:
        return _OK  # the environment is not known yet: say nothing rather than guess
    if top in deps.installed or top in deps.importable:
        return Verdict(UNDECLARED, top, package, installed=True) if _undeclared_counts(deps) else _OK
    if top.startswith("_"):
        return _OK  # private extension modules and build outputs (`_version`), never a registry name
    near = _distribution_as_module(top) or find_lookalike(top, "pypi")
    if near is not None:
        return Verdict(LOOKALIKE, top, lookalike=near)
    if is_popular(top, "pypi") or any(b in popular("pypi") for b in bundled):
        return Verdict(UNDECLARED, top, package) if _undeclared_counts(deps) else _OK
    return Verdict(UNKNOWN, top)


def _undeclared_counts(deps: PythonDependencies) -> bool:
    """An undeclared import is reported where a manifest governs the file and
    the file is not test code (see `PythonDependencies.test_code`)."""
    return deps.has_manifest and not deps.test_code


def _aliased(specifier: str, aliases: tuple[str, ...]) -> bool:
    for alias in aliases:
        if alias.endswith("*"):
            if specifier.startswith(alias[:-1]):
                return True
        elif specifier == alias or specifier.startswith(alias.rstrip("/") + "/"):
            return True
    return False


def node_verdict(specifier: str, deps: NodeDependencies) -> Verdict:
    if is_node_builtin(specifier) and not specifier.endswith("/"):
        return _OK
    package = npm_package(specifier)
    if package is None or _aliased(specifier, deps.aliases) or package in deps.local:
        return _OK
    typed = types_package(package)
    if package in deps.declared or typed in deps.declared:
        return _OK
    if deps.installed is not None and (package in deps.installed or typed in deps.installed):
        return Verdict(UNDECLARED, package, package, installed=True) if deps.has_manifest else _OK
    near = find_lookalike(package, "npm")
    if near is not None:
        return Verdict(LOOKALIKE, package, lookalike=near)
    if is_popular(package, "npm"):
        return Verdict(UNDECLARED, package, package) if deps.has_manifest else _OK
    return Verdict(UNKNOWN, package)
