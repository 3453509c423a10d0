"""The dependency picture of each file, composed from per-folder facts and cached.

A file's picture is made of the folders from its own up to the project root
(not above, except to find a repository boundary when there is no root):
their manifests, their modules and node_modules, their TypeScript and bundler
aliases, plus the selected Python environment. Folder facts are read once and
kept until `invalidate()` names a file in that folder (the server calls it for
`workspace/didChangeWatchedFiles`); composed pictures are kept per folder, so
a keystroke never touches the disk. The index pickles without its caches, so
CLI workers each build their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from draftguard.analyzers import DependencyManifest, NodeDependencies, ProjectDependencies, PythonDependencies
from draftguard.analyzers.dependencies.names import normalise

from ..confine import inside, read_text_confined
from .environment import PythonEnvironment
from .layout import bundler_aliases, node_modules_packages, plain_entries, python_entries, python_modules_below, typescript_resolution
from .manifests import MAX_MANIFEST_BYTES, Manifest, manifests_in, pnpm_workspaces, read_manifest

MAX_DEPTH = 40
MAX_WORKSPACE_FOLDERS = 2_000
# Files whose change alters a picture; watched by the server.
MANIFEST_NAMES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "package.json", "pnpm-workspace.yaml", "tsconfig.json", "jsconfig.json")
LOCK_NAMES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock")


def is_dependency_file(path: Path) -> bool:
    name = path.name
    return name in MANIFEST_NAMES or name in LOCK_NAMES or (name.startswith("requirements") and name.endswith(".txt")) or (
        path.parent.name == "requirements" and name.endswith(".txt")
    ) or name.startswith(("vite.config", "webpack.config", "svelte.config", "babel.config", ".babelrc"))


def workspace_folders(directory: Path, patterns: Iterable[str], boundary: Path | None) -> list[Path]:
    """Folders the npm/pnpm `workspaces` globs name, inside `boundary`.

    The globs come from the repository: patterns climbing out (`..`, absolute)
    are skipped, a pattern is walked with at most one `**` (each more one
    multiplies the folders pathlib visits), matches through links out are
    dropped, and the count is bounded."""
    found: list[Path] = []
    for pattern in patterns:
        pattern = pattern.strip().rstrip("/")
        parts = pattern.split("/")
        if not pattern or pattern.startswith(("!", "/")) or ".." in parts or parts.count("**") > 1:
            continue
        try:
            for candidate in directory.glob(pattern):
                if len(found) >= MAX_WORKSPACE_FOLDERS:
                    return found
                if candidate.is_dir() and inside(boundary, candidate):
                    found.append(candidate)
        except (OSError, ValueError):
            continue
    return found


@dataclass
class FolderFacts:
    manifests: list[Manifest]
    python_modules: frozenset[str]
    """Importable names in the folder and in its src/."""
    node_modules: frozenset[str] | None
    baseurl_names: frozenset[str]
    aliases: tuple[str, ...]
    workspace_names: frozenset[str]
    plain_names: frozenset[str]
    """Folder names and file stems of the folder and its src/ (bare specifiers of bundlers with `modules: ['src']`)."""


TEST_FOLDERS = frozenset({"test", "tests", "testing"})


class ProjectIndex:
    def __init__(self, root: Path | str | None, environment: PythonEnvironment | None = None):
        self.root = Path(root).resolve() if root is not None else None
        self.environment = environment
        self.generation = 0
        self._folders: dict[Path, FolderFacts] = {}
        self._pictures: dict[Path, ProjectDependencies] = {}
        self._roots: dict[Path, frozenset[str]] = {}
        self._everywhere: frozenset[str] | None = None

    # pickled into CLI workers without caches
    def __getstate__(self) -> dict:
        return {"root": self.root, "environment": self.environment, "generation": self.generation}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["root"], state["environment"])
        self.generation = state["generation"]

    def __repr__(self) -> str:
        env = self.environment.label if self.environment is not None else "pending"
        return f"ProjectIndex({self.root}, environment={env}, generation={self.generation})"

    # -- invalidation --------------------------------------------------------------
    def set_environment(self, environment: PythonEnvironment | None) -> None:
        self.environment = environment
        self._pictures.clear()
        self.generation += 1

    def invalidate(self, paths: Iterable[Path]) -> None:
        """Forget what the folders of `paths` said (a manifest, lock file or
        module was created, changed or deleted there)."""
        for path in paths:
            path = Path(path)
            for folder in (path.parent, path.parent.parent):
                self._folders.pop(folder, None)
                self._roots.pop(folder, None)
            if path.name in ("package.json", "pnpm-workspace.yaml"):
                self._folders.clear()  # workspace membership can change anywhere
            if path.suffix in (".py", ".pyi", ".pyx") or path.name == "__init__.py":
                self._everywhere = None
        self._pictures.clear()
        self.generation += 1

    def invalidate_all(self) -> None:
        self._everywhere = None
        self._folders.clear()
        self._roots.clear()
        self._pictures.clear()
        self.generation += 1

    # -- folders -----------------------------------------------------------------------
    def chain(self, directory: Path) -> list[Path]:
        """`directory` and the folders above it that belong to the project, nearest first."""
        directory = directory.resolve()
        folders: list[Path] = []
        for folder in (directory, *directory.parents):
            folders.append(folder)
            if len(folders) >= MAX_DEPTH:
                break
            if self.root is not None:
                if folder == self.root:
                    break
                if self.root not in folder.parents:
                    if (folder / ".git").exists():
                        break
                    continue
            elif (folder / ".git").exists():
                break
        return folders

    def folder(self, directory: Path) -> FolderFacts:
        facts = self._folders.get(directory)
        if facts is None:
            facts = self._folders[directory] = self._read_folder(directory)
        return facts

    def boundary(self, directory: Path) -> Path:
        """What reads for `directory` must stay inside, links and `..`
        resolved: the project root, or for a folder outside it (a file opened
        from elsewhere) that folder itself."""
        if self.root is not None and (directory == self.root or self.root in directory.parents):
            return self.root
        return directory

    def _read_folder(self, directory: Path) -> FolderFacts:
        boundary = self.boundary(directory)
        manifests = manifests_in(directory, boundary)
        src = directory / "src"
        modules = python_entries(directory, boundary) | (python_entries(src, boundary) if src.is_dir() else frozenset())
        baseurl, ts_aliases = typescript_resolution(directory, boundary)
        workspaces: set[str] = set()
        globs = [g for m in manifests if m.ecosystem == "node" for g in m.workspaces] + pnpm_workspaces(directory, boundary)
        for candidate in workspace_folders(directory, globs, boundary):
            manifest = read_manifest(candidate / "package.json", boundary)
            if manifest is not None:
                workspaces |= manifest.own_names
        plain = plain_entries(directory, boundary) | (plain_entries(src, boundary) if src.is_dir() else frozenset())
        return FolderFacts(
            manifests=manifests,
            python_modules=modules,
            node_modules=node_modules_packages(directory),
            baseurl_names=baseurl,
            aliases=tuple(a for a in ts_aliases + bundler_aliases(directory, boundary) if a not in ("*", "")),
            workspace_names=frozenset(workspaces),
            plain_names=plain,
        )

    def _modules_under(self, folder: Path) -> frozenset[str]:
        """Importable names of a source root or local path dependency (and its src/)."""
        folder = folder.resolve()
        found = self._roots.get(folder)
        if found is None:
            src = folder / "src"
            boundary = self.root  # a source root or path dependency outside the project is not read
            found = python_entries(folder, boundary) | (python_entries(src, boundary) if src.is_dir() else frozenset())
            self._roots[folder] = found
        return found

    def modules_anywhere(self) -> frozenset[str]:
        """Every module and package name anywhere under the root: tests and
        tools put folders on sys.path (`tests/test_apps/cliapp`), so a name the
        project itself defines is never called unknown or a look-alike."""
        if self._everywhere is None:
            self._everywhere = python_modules_below(self.root) if self.root is not None else frozenset()
        return self._everywhere

    # -- pictures ----------------------------------------------------------------------
    def dependencies_for(self, path: Path | str) -> ProjectDependencies:
        """The picture for a file at `path` (it need not exist)."""
        directory = Path(path).resolve().parent
        picture = self._pictures.get(directory)
        if picture is None:
            picture = self._pictures[directory] = self._compose(directory)
        return picture

    def _compose(self, directory: Path) -> ProjectDependencies:
        chain = self.chain(directory)
        folders = [self.folder(f) for f in chain]
        manifests = [m for facts in folders for m in facts.manifests]
        python = [m for m in manifests if m.ecosystem == "python"]
        node = [m for m in manifests if m.ecosystem == "node"]

        local: set[str] = set()
        for facts in folders:
            local |= facts.python_modules
        for manifest in python:
            for folder in manifest.source_roots + manifest.local_paths:
                local |= self._modules_under(folder)
        local |= self.modules_anywhere()
        declared = {d for m in python for d in m.declared | m.own_names}
        env = self.environment
        python_picture = PythonDependencies(
            declared=frozenset(declared),
            manifests=tuple(DependencyManifest(str(m.path), m.kind) for m in python if m.kind is not None),
            local=frozenset(local),
            installed=None if env is None else env.modules,
            importable=frozenset() if env is None else env.importable,
            stdlib=frozenset() if env is None else env.stdlib,
            environment="" if env is None else env.label,
            test_code=self._in_test_folder(directory),
        )

        installed_sets = [f.node_modules for f in folders if f.node_modules is not None]
        node_local: set[str] = set()
        aliases: list[str] = []
        for facts in folders:
            node_local |= facts.workspace_names | facts.baseurl_names
            aliases.extend(facts.aliases)
        for manifest in node:
            node_local |= manifest.own_names
        nearest_package = next((i for i, facts in enumerate(folders) if any(m.ecosystem == "node" for m in facts.manifests)), 0)
        node_local |= folders[nearest_package].plain_names
        node_picture = NodeDependencies(
            declared=frozenset(d for m in node for d in m.declared),
            manifests=tuple(DependencyManifest(str(m.path), m.kind) for m in node if m.kind is not None),
            installed=frozenset().union(*installed_sets) if installed_sets else None,
            local=frozenset(node_local),
            aliases=tuple(dict.fromkeys(aliases)),
        )
        return ProjectDependencies(python=python_picture, node=node_picture)

    def _in_test_folder(self, directory: Path) -> bool:
        """`directory` is, or is inside, a `test`/`tests`/`testing` folder below the root."""
        if self.root is None:
            return False
        try:
            parts = directory.relative_to(self.root).parts
        except ValueError:
            return False
        return any(part.lower() in TEST_FOLDERS for part in parts)

    def installed_version(self, ecosystem: str, package: str, near: Path | None = None) -> str | None:
        """The installed version of `package`, for the lower bound a fix declares."""
        if ecosystem == "pypi":
            env = self.environment
            return env.distributions.get(normalise(package)) if env is not None else None
        for folder in self.chain(near or self.root or Path.cwd()):
            manifest = folder / "node_modules" / package / "package.json"
            if manifest.is_file():
                text = read_text_confined(manifest, MAX_MANIFEST_BYTES, self.boundary(folder))
                try:
                    version = json.loads(text).get("version") if text is not None else None
                except (ValueError, AttributeError):
                    return None
                return version if isinstance(version, str) else None
        return None
