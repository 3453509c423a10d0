"""The project's dependency picture for one file, as plain data.

The server and the CLI build it (server/project/) from the manifests on the
file's way up to the project root, the project's own modules, and what is
installed in the selected environment; analysis receives it through
`analyze(..., project=...)`. Its `fingerprint` enters every unit's cache key,
so findings change when a manifest or the environment does, and never
otherwise.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Mapping

from .data import distribution_modules
from .names import module_guesses, normalise

PYTHON_MANIFEST_KINDS = ("pyproject", "poetry", "requirements", "setup.cfg", "setup.py", "pipfile")
NODE_MANIFEST_KINDS = ("package.json",)


@dataclass(frozen=True)
class DependencyManifest:
    """A file that declares dependencies. `kind` is one of
    PYTHON_MANIFEST_KINDS or NODE_MANIFEST_KINDS; `pyproject` is PEP 621's
    `[project]`, `poetry` is `[tool.poetry]` in the same file."""

    path: str
    kind: str

    @property
    def name(self) -> str:
        return PurePath(self.path).name


def _freeze(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, DependencyManifest):
        return [value.path, value.kind]
    if isinstance(value, tuple):
        return [_freeze(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _freeze(v) for k, v in sorted(value.items())}
    return value


def _digest(parts: dict[str, Any]) -> str:
    encoded = json.dumps({k: _freeze(v) for k, v in parts.items()}, sort_keys=True, default=str).encode()
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()


@dataclass(frozen=True)
class PythonDependencies:
    declared: frozenset[str] = frozenset()
    """PEP 503 normalised distributions declared by the manifests, including
    the project's own distribution names."""
    manifests: tuple[DependencyManifest, ...] = ()
    """Manifests that govern the file, nearest first; the first takes new dependencies."""
    local: frozenset[str] = frozenset()
    """Top-level modules and packages of the project the file can import."""
    installed: Mapping[str, tuple[str, ...]] | None = None
    """Import name -> normalised distributions, from the selected environment's
    metadata; None while the environment is unknown."""
    importable: frozenset[str] = frozenset()
    """Top-level modules on the selected interpreter's path (with or without metadata)."""
    stdlib: frozenset[str] = frozenset()
    """The selected interpreter's standard library; empty: this interpreter's."""
    environment: str = ""
    """The selected interpreter, for messages."""
    test_code: bool = False
    """The file lives in a test folder (`test`, `tests`, `testing` below the
    project root). Test tooling is declared where no manifest reader looks
    (tox.ini, noxfile.py, CI files, nested requirement files), so undeclared
    imports there are not reported; unknown and look-alike names still are."""
    declared_modules: frozenset[str] = field(init=False, repr=False, compare=False)
    """Normalised import names the declared distributions plausibly provide."""

    def __post_init__(self) -> None:
        modules: set[str] = set()
        reverse = distribution_modules()
        for dist in self.declared:
            modules |= module_guesses(dist)
            if dist in reverse:
                modules.add(normalise(reverse[dist]))
        object.__setattr__(self, "declared_modules", frozenset(modules))

    @property
    def has_manifest(self) -> bool:
        return bool(self.manifests)


@dataclass(frozen=True)
class NodeDependencies:
    declared: frozenset[str] = frozenset()
    """Package names from package.json dependency tables (all kinds)."""
    manifests: tuple[DependencyManifest, ...] = ()
    installed: frozenset[str] | None = None
    """Packages found in node_modules folders on the way up; None when there is none."""
    local: frozenset[str] = frozenset()
    """Workspace packages, the package's own name, and folders that bare
    specifiers reach (TypeScript `baseUrl`)."""
    aliases: tuple[str, ...] = ()
    """Specifier prefixes resolved by configuration (tsconfig `paths`, bundler aliases)."""

    @property
    def has_manifest(self) -> bool:
        return bool(self.manifests)


@dataclass(frozen=True)
class ProjectDependencies:
    python: PythonDependencies | None = None
    node: NodeDependencies | None = None
    fingerprint: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        parts: dict[str, Any] = {}
        for key, picture in (("python", self.python), ("node", self.node)):
            if picture is not None:
                for name in picture.__dataclass_fields__:
                    if name != "declared_modules":
                        parts[f"{key}.{name}"] = getattr(picture, name)
        object.__setattr__(self, "fingerprint", _digest(parts))

    def __repr__(self) -> str:  # the pictures can be large; keys and logs need only the identity
        return f"ProjectDependencies({self.fingerprint})"
