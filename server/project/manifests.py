"""Read what a project declares: every manifest kind the dependency rules know.

Python: pyproject.toml (PEP 621 `[project]` dependencies and extras, PEP 735
`[dependency-groups]`, `[build-system] requires`, Poetry's dependency tables
and groups, PDM and uv development dependencies), requirements*.txt (with
`-r` includes, extras, markers, URLs, `-e` editable paths and VCS URLs with
`#egg=`), setup.cfg (`install_requires`, extras, tests and setup
requirements), setup.py (literal lists read with `ast`, never executed) and
Pipfile. npm: package.json (dependencies, devDependencies, peerDependencies,
optionalDependencies, bundleDependencies, workspaces) and pnpm-workspace.yaml.

Besides declared names, manifests tell which folders hold the project's own
modules (`package-dir`, `packages.find.where`, Poetry `packages`, path and
editable dependencies) and the project's own names. A manifest that cannot be
read or parsed declares nothing; it never stops the analysis.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from draftguard.analyzers.dependencies.names import normalise

from ..confine import read_text_confined

PYTHON_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile")
NODE_FILES = ("package.json",)
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_NODE_TABLES = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


@dataclass
class Manifest:
    path: Path
    ecosystem: str
    """`python` or `node`."""
    kind: str | None
    """The kind that can take new dependencies (see DependencyManifest), `setup.py`, or None."""
    declared: set[str] = field(default_factory=set)
    own_names: set[str] = field(default_factory=set)
    source_roots: list[Path] = field(default_factory=list)
    """Folders whose top-level modules belong to the project."""
    local_paths: list[Path] = field(default_factory=list)
    """Path and editable dependencies: other local projects."""
    workspaces: list[str] = field(default_factory=list)
    error: str | None = None


def _read_text(path: Path, boundary: Path | None) -> str | None:
    """A manifest's text; None when missing, too large, not a regular file, or
    reached through a link or `..` leading outside `boundary` (server/confine.py)."""
    return read_text_confined(path, MAX_MANIFEST_BYTES, boundary)


def requirement_name(spec: str) -> str | None:
    """The distribution a PEP 508 string or requirements line names."""
    spec = spec.strip()
    egg = _EGG.search(spec)
    if egg:
        return normalise(egg.group(1))
    if "://" in spec.split("@", 1)[0] or spec.startswith(("/", ".", "~")):
        return None
    match = _REQUIREMENT_NAME.match(spec)
    return normalise(match.group(1)) if match else None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str):
                yield item


def _names(specs: Iterable[str]) -> set[str]:
    return {n for n in (requirement_name(s) for s in specs) if n}


# -- pyproject.toml --------------------------------------------------------------------

def _pyproject(path: Path, text: str) -> Manifest:
    data = tomllib.loads(text)
    project = data.get("project") if isinstance(data.get("project"), dict) else None
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else None
    kind = None
    if project is not None and "dependencies" not in _strings(project.get("dynamic", [])):
        kind = "pyproject"
    elif poetry is not None:
        kind = "poetry"
    manifest = Manifest(path, "python", kind)
    base = path.parent
    if project is not None:
        if isinstance(project.get("name"), str):
            manifest.own_names.add(normalise(project["name"]))
        manifest.declared |= _names(_strings(project.get("dependencies", [])))
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for specs in extras.values():
                manifest.declared |= _names(_strings(specs))
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for specs in groups.values():
            manifest.declared |= _names(_strings(specs))
    build = data.get("build-system")
    if isinstance(build, dict):
        manifest.declared |= _names(_strings(build.get("requires", [])))
    if poetry is not None:
        if isinstance(poetry.get("name"), str):
            manifest.own_names.add(normalise(poetry["name"]))
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group = poetry.get("group")
        if isinstance(group, dict):
            tables += [g.get("dependencies") for g in group.values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                for name, spec in table.items():
                    if name.lower() != "python":
                        manifest.declared.add(normalise(name))
                    if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                        manifest.local_paths.append(base / spec["path"])
        for package in poetry.get("packages", []) if isinstance(poetry.get("packages"), list) else []:
            if isinstance(package, dict) and isinstance(package.get("from"), str):
                manifest.source_roots.append(base / package["from"])
    _setuptools_roots(tool.get("setuptools"), base, manifest)
    for name in ("pdm", "uv", "rye", "hatch"):
        section = tool.get(name)
        if not isinstance(section, dict):
            continue
        dev = section.get("dev-dependencies")
        if isinstance(dev, dict):  # PDM: groups of lists
            for specs in dev.values():
                manifest.declared |= _names(_strings(specs))
        else:
            manifest.declared |= _names(_strings(dev or []))
        sources = section.get("sources")
        if isinstance(sources, dict):
            for source in sources.values():
                if isinstance(source, dict) and isinstance(source.get("path"), str):
                    manifest.local_paths.append(base / source["path"])
    wheel = (((tool.get("hatch") or {}).get("build") or {}).get("targets") or {}).get("wheel") if isinstance(tool.get("hatch"), dict) else None
    if isinstance(wheel, dict):
        for package in _strings(wheel.get("packages", [])):
            manifest.source_roots.append((base / package).parent)
    return manifest


def _setuptools_roots(setuptools: Any, base: Path, manifest: Manifest) -> None:
    if not isinstance(setuptools, dict):
        return
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict):
        for folder in package_dir.values():
            if isinstance(folder, str):
                manifest.source_roots.append(base / folder)
    packages = setuptools.get("packages")
    if isinstance(packages, dict):
        find = packages.get("find")
        if isinstance(find, dict):
            for where in _strings(find.get("where", [])):
                manifest.source_roots.append(base / where)


# -- requirements files -----------------------------------------------------------------

def _logical_lines(text: str) -> Iterable[str]:
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _requirements(path: Path, text: str, seen: set[Path] | None = None, boundary: Path | None = None) -> Manifest:
    seen = seen if seen is not None else set()
    seen.add(path.resolve())
    manifest = Manifest(path, "python", "requirements")
    for line in _logical_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        option = re.match(r"^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s+|=)(.+)$", line)
        if option:
            flag, value = option.group(1), option.group(2).strip()
            if flag in ("-r", "--requirement"):
                included = (path.parent / value).resolve()
                text_included = _read_text(included, boundary) if included not in seen else None
                if text_included is not None:
                    nested = _requirements(included, text_included, seen, boundary)
                    manifest.declared |= nested.declared
                    manifest.local_paths += nested.local_paths
            elif flag in ("-e", "--editable"):
                name = requirement_name(value)
                if name:
                    manifest.declared.add(name)
                elif "://" not in value:
                    manifest.local_paths.append(path.parent / value)
            continue
        if line.startswith("-"):
            continue  # --index-url, --hash, --find-links, ...
        spec = re.split(r"\s+--", line, maxsplit=1)[0]
        name = requirement_name(spec)
        if name:
            manifest.declared.add(name)
        elif spec.startswith((".", "/")):
            manifest.local_paths.append(path.parent / spec.split(";")[0].strip())
    return manifest


def requirements_files(directory: Path) -> list[Path]:
    """requirements.txt first, then other requirements*.txt, then requirements/*.txt."""
    found = sorted(directory.glob("requirements*.txt"), key=lambda p: (p.name != "requirements.txt", p.name))
    folder = directory / "requirements"
    if folder.is_dir():
        found += sorted(folder.glob("*.txt"))
    return [p for p in found if p.is_file()]


# -- setup.cfg / setup.py / Pipfile ------------------------------------------------------

def _setup_cfg(path: Path, text: str) -> Manifest:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    has_options = parser.has_section("options")
    manifest = Manifest(path, "python", "setup.cfg" if has_options or parser.has_section("metadata") else None)
    if parser.has_option("metadata", "name"):
        manifest.own_names.add(normalise(parser.get("metadata", "name")))
    for key in ("install_requires", "tests_require", "setup_requires"):
        if parser.has_option("options", key):
            manifest.declared |= _names(re.split(r"[\n;]", parser.get("options", key)))
    if parser.has_section("options.extras_require"):
        for _key, value in parser.items("options.extras_require"):
            manifest.declared |= _names(value.splitlines())
    if parser.has_option("options", "package_dir"):
        for line in parser.get("options", "package_dir").splitlines():
            folder = line.split("=", 1)[-1].strip()
            if folder:
                manifest.source_roots.append(path.parent / folder)
    if parser.has_option("options.packages.find", "where"):
        manifest.source_roots.append(path.parent / parser.get("options.packages.find", "where").strip())
    return manifest


def _literal_strings(node: ast.AST, assigned: dict[str, ast.AST]) -> list[str]:
    if isinstance(node, ast.Name) and node.id in assigned:
        node = assigned[node.id]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_strings(node.left, assigned) + _literal_strings(node.right, assigned)
    return []


def _setup_py(path: Path, text: str) -> Manifest:
    """Literal arguments of `setup(...)`, read from the syntax tree; setup.py is never run."""
    manifest = Manifest(path, "python", "setup.py")
    tree = ast.parse(text, filename=str(path))
    assigned: dict[str, ast.AST] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            assigned[stmt.targets[0].id] = stmt.value
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "setup":
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg in ("install_requires", "tests_require", "setup_requires"):
                manifest.declared |= _names(_literal_strings(value, assigned))
            elif keyword.arg == "extras_require":
                if isinstance(value, ast.Name) and value.id in assigned:
                    value = assigned[value.id]
                if isinstance(value, ast.Dict):
                    for item in value.values:
                        manifest.declared |= _names(_literal_strings(item, assigned))
            elif keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                manifest.own_names.add(normalise(value.value))
            elif keyword.arg == "package_dir" and isinstance(value, ast.Dict):
                for folder in value.values:
                    if isinstance(folder, ast.Constant) and isinstance(folder.value, str):
                        manifest.source_roots.append(path.parent / folder.value)
    return manifest


def _pipfile(path: Path, text: str) -> Manifest:
    data = tomllib.loads(text)
    manifest = Manifest(path, "python", "pipfile")
    for section, table in data.items():
        if section in ("source", "requires", "scripts", "pipenv") or not isinstance(table, dict):
            continue
        for name, spec in table.items():
            manifest.declared.add(normalise(name))
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                manifest.local_paths.append(path.parent / spec["path"])
    return manifest


# -- package.json ------------------------------------------------------------------------

def _package_json(path: Path, text: str) -> Manifest:
    data = json.loads(text)
    manifest = Manifest(path, "node", "package.json")
    if not isinstance(data, dict):
        return manifest
    if isinstance(data.get("name"), str):
        manifest.own_names.add(data["name"])
    for table in _NODE_TABLES:
        if isinstance(data.get(table), dict):
            manifest.declared |= set(data[table])
    for key in ("bundleDependencies", "bundledDependencies"):
        manifest.declared |= set(_strings(data.get(key, [])))
    workspaces = data.get("workspaces")
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    manifest.workspaces = list(_strings(workspaces or []))
    return manifest


def pnpm_workspaces(directory: Path, boundary: Path | None = None) -> list[str]:
    text = _read_text(directory / "pnpm-workspace.yaml", boundary)
    if not text:
        return []
    globs, inside = [], False
    for line in text.splitlines():
        if re.match(r"^packages\s*:", line):
            inside = True
            continue
        if inside:
            item = re.match(r"^\s+-\s*['\"]?([^'\"#]+?)['\"]?\s*(?:#.*)?$", line)
            if item:
                globs.append(item.group(1))
            elif line.strip() and not line.startswith((" ", "\t")):
                inside = False
    return globs


_PARSERS = {"pyproject.toml": _pyproject, "setup.cfg": _setup_cfg, "setup.py": _setup_py, "Pipfile": _pipfile, "package.json": _package_json}


def read_manifest(path: Path, boundary: Path | None = None) -> Manifest | None:
    """The manifest at `path`, or None when the file is missing or unreadable
    or leads outside `boundary` (the project root: a manifest, or a
    requirements file it includes, never makes us read elsewhere).
    A file that does not parse comes back with `error` set and nothing declared."""
    text = _read_text(path, boundary)
    if text is None:
        return None
    if path.name.endswith(".txt"):
        return _requirements(path, text, boundary=boundary)
    parser = _PARSERS.get(path.name)
    if parser is None:
        return None
    try:
        return parser(path, text)
    except (ValueError, SyntaxError, configparser.Error, RecursionError) as exc:
        ecosystem = "node" if path.name in NODE_FILES else "python"
        return Manifest(path, ecosystem, None, error=f"{path.name}: {exc}")


def manifests_in(directory: Path, boundary: Path | None = None) -> list[Manifest]:
    """Every manifest directly in `directory`, in the order a new dependency
    should go: pyproject.toml, setup.cfg, requirements files, Pipfile, setup.py."""
    found: list[Manifest] = []
    for name in ("pyproject.toml", "setup.cfg"):
        manifest = read_manifest(directory / name, boundary)
        if manifest is not None:
            found.append(manifest)
    for path in requirements_files(directory):
        manifest = read_manifest(path, boundary)
        if manifest is not None:
            found.append(manifest)
    for name in ("Pipfile", "setup.py", "package.json"):
        manifest = read_manifest(directory / name, boundary)
        if manifest is not None:
            found.append(manifest)
    return found
