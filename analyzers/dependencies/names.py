"""Package names: PEP 503 normalisation, the guesses that link a PyPI
distribution to the module it installs, and npm specifier parsing."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$", re.IGNORECASE)

# Namespace packages shared by many distributions (`google-cloud-storage`
# installs `google.cloud.storage`): a declared distribution starting with one
# of these provides that top-level name.
NAMESPACE_ROOTS = frozenset(
    {"google", "azure", "zope", "jaraco", "sphinxcontrib", "backports", "opentelemetry", "ruamel", "plone", "collective", "z3c", "repoze", "paste", "oslo", "flufl", "aws"}
)
_DIST_PREFIXES = ("python-", "py-", "py")
_DIST_SUFFIXES = ("-python", "-py", "-py3", "-client", "-sdk", "-api", "-binary", "-lib", "-bindings", "-headless", "-cffi")


def normalise(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_` and `.` become one `-`."""
    return _SEPARATORS.sub("-", name).lower()


def module_guesses(distribution: str) -> set[str]:
    """Top-level import names a distribution plausibly installs, in the form
    `normalise(import name)`: `python-dotenv` -> dotenv, `pyserial` ->
    serial, `discord.py` -> discord, `google-cloud-storage` -> google."""
    name = normalise(distribution)
    guesses = {name}
    for prefix in _DIST_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            guesses.add(name[len(prefix) :].lstrip("-"))
    for suffix in _DIST_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            guesses.add(name[: -len(suffix)])
    parts = name.split("-")
    if len(parts) > 1:
        if parts[-1] == "py":  # discord.py, "pytest-xdist" is left alone
            guesses.add("-".join(parts[:-1]))
        if parts[0] in NAMESPACE_ROOTS:
            guesses.add(parts[0])
        guesses.add("".join(parts))
    return guesses


def npm_package(specifier: str) -> str | None:
    """The package a bare module specifier names (`lodash/fp` -> lodash,
    `@scope/pkg/sub` -> @scope/pkg), or None when the specifier does not name
    a registry package: relative and absolute paths, URLs and protocols
    (`node:`, `npm:`, `virtual:`), `#imports`, loader chains and aliases that
    are no valid package name (`@/components`, `~/lib`, `$lib`)."""
    if not specifier or specifier[0] in "./#~$!" or ":" in specifier or "!" in specifier or "?" in specifier:
        return None
    parts = specifier.split("/")
    if specifier.startswith("@"):
        if len(parts) < 2 or not parts[1]:
            return None
        name = f"{parts[0]}/{parts[1]}"
    else:
        name = parts[0]
    if len(name) > 214 or not _NPM_NAME.match(name):
        return None
    return name


def types_package(package: str) -> str:
    """The DefinitelyTyped package for `package`: `@types/node`, `@types/babel__core`."""
    if package.startswith("@"):
        scope, _, name = package[1:].partition("/")
        return f"@types/{scope}__{name}"
    return f"@types/{package}"
