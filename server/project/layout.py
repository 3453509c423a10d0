"""The project's own modules, and what makes a bare specifier local.

Python: every module or package a file can import without installing it:
the top-level `.py` files and package folders (with `__init__.py`, or
namespace folders holding Python files) of the file's folder and each folder
above it up to the project root (a script's siblings, a test importing the
package beside it), of their `src/` folders and of the source roots the
manifests name.

JavaScript/TypeScript: node_modules contents, TypeScript `baseUrl` entries and
`paths` aliases (tsconfig.json / jsconfig.json, JSON with comments, one level
of `extends`), aliases in bundler configuration (`alias: {...}` in
vite/webpack/svelte/babel configuration files, read as text, never run), and
workspace package names.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..confine import inside, read_text_confined
from .manifests import MAX_MANIFEST_BYTES

_PY_SUFFIXES = (".py", ".pyi", ".pyw", ".pyx", ".so", ".pyd")
_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages", "dist-packages", ".git", ".hg", ".svn", ".tox", ".nox"}
_BUNDLER_CONFIGS = tuple(
    f"{stem}.{ext}" for stem in ("vite.config", "vitest.config", "webpack.config", "svelte.config", "babel.config", "rollup.config", "astro.config", "nuxt.config", "quasar.config")
    for ext in ("js", "ts", "mjs", "mts", "cjs", "cts")
) + (".babelrc", ".babelrc.js")


def _scandir(directory: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


def _is_venv(entry: os.DirEntry) -> bool:
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _has_python(directory: str) -> bool:
    for entry in _scandir(Path(directory)):
        name = entry.name
        if name.endswith(_PY_SUFFIXES):
            return True
        if entry.is_dir(follow_symlinks=False) and os.path.exists(os.path.join(entry.path, "__init__.py")):
            return True
    return False


def _linked_out(entry: os.DirEntry, boundary: Path | None) -> bool:
    """A symbolic link leading outside `boundary`: never followed."""
    try:
        return entry.is_symlink() and not inside(boundary, entry.path)
    except OSError:
        return True


def python_entries(directory: Path, boundary: Path | None = None) -> frozenset[str]:
    """Top-level import names that `directory`, placed on sys.path, provides."""
    names: set[str] = set()
    if not inside(boundary, directory):
        return frozenset()
    for entry in _scandir(directory):
        name = entry.name
        if name.startswith(".") or _linked_out(entry, boundary):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if name in _SKIP_DIRS or not name.isidentifier() or _is_venv(entry):
                continue
            if os.path.exists(os.path.join(entry.path, "__init__.py")) or _has_python(entry.path):
                names.add(name)
        elif name.endswith(_PY_SUFFIXES):
            stem = name.split(".", 1)[0]
            if stem.isidentifier():
                names.add(stem)
    return frozenset(names)


MAX_WALK_FILES = 50_000


def python_modules_below(root: Path) -> frozenset[str]:
    """Names of all Python modules and packages below `root` (bounded walk;
    hidden, dependency and virtual-environment folders left out)."""
    names: set[str] = set()
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))]
        for name in files:
            seen += 1
            if name.endswith(_PY_SUFFIXES):
                stem = name.split(".", 1)[0]
                if stem.isidentifier():
                    names.add(stem)
                    parent = os.path.basename(folder)
                    if parent.isidentifier():
                        names.add(parent)
        if seen > MAX_WALK_FILES:
            break
    return frozenset(names)


def plain_entries(directory: Path, boundary: Path | None = None) -> frozenset[str]:
    """Folder names and file stems of `directory` (what a bare specifier can reach through baseUrl)."""
    names: set[str] = set()
    if not inside(boundary, directory):
        return frozenset()
    for entry in _scandir(directory):
        if entry.name.startswith(".") or entry.name == "node_modules" or _linked_out(entry, boundary):
            continue
        names.add(entry.name if entry.is_dir() else entry.name.split(".", 1)[0])
    return frozenset(n for n in names if n)


def node_modules_packages(directory: Path) -> frozenset[str] | None:
    """Packages in `directory`/node_modules (scoped ones as `@scope/name`), or None without one."""
    folder = directory / "node_modules"
    if not folder.is_dir():
        return None
    names: set[str] = set()
    for entry in _scandir(folder):
        name = entry.name
        if name.startswith("."):
            continue
        if name.startswith("@"):
            names.update(f"{name}/{inner.name}" for inner in _scandir(Path(entry.path)) if not inner.name.startswith("."))
        else:
            names.add(name)
    return frozenset(names)


def _read_small(path: Path, boundary: Path | None) -> str | None:
    return read_text_confined(path, MAX_MANIFEST_BYTES, boundary)


_JSONC_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def load_jsonc(text: str) -> object:
    """JSON with comments and trailing commas (tsconfig.json)."""
    stripped = _JSONC_TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    stripped = re.sub(r",(\s*[}\]])", r"\1", stripped)
    return json.loads(stripped)


def _compiler_options(path: Path, boundary: Path | None, depth: int = 0) -> tuple[dict, Path]:
    """compilerOptions of a tsconfig, merged over the one it `extends` (relative
    paths inside `boundary` only)."""
    text = _read_small(path, boundary)
    if text is None:
        return {}, path.parent
    try:
        data = load_jsonc(text)
    except ValueError:
        return {}, path.parent
    if not isinstance(data, dict):
        return {}, path.parent
    options = data.get("compilerOptions") if isinstance(data.get("compilerOptions"), dict) else {}
    extends = data.get("extends")
    if isinstance(extends, str) and extends.startswith(".") and depth < 3:
        target = (path.parent / extends).resolve()
        if target.suffix != ".json":
            target = target.with_name(target.name + ".json") if not target.is_dir() else target / "tsconfig.json"
        parent, parent_dir = _compiler_options(target, boundary, depth + 1)
        base = dict(parent)
        if "baseUrl" in parent and "baseUrl" not in options:
            base["baseUrl"] = str(parent_dir / parent["baseUrl"])
        return {**base, **options}, path.parent
    return options, path.parent


def typescript_resolution(directory: Path, boundary: Path | None = None) -> tuple[frozenset[str], tuple[str, ...]]:
    """(names reachable through baseUrl, `paths` aliases) of the tsconfig.json or jsconfig.json in `directory`."""
    names: set[str] = set()
    aliases: list[str] = []
    for config in ("tsconfig.json", "jsconfig.json"):
        path = directory / config
        if not path.is_file():
            continue
        options, base = _compiler_options(path, boundary)
        base_url = options.get("baseUrl")
        if isinstance(base_url, str):
            names |= plain_entries((base / base_url).resolve(), boundary)
        paths = options.get("paths")
        if isinstance(paths, dict):
            aliases.extend(str(key) for key in paths)
    return frozenset(names), tuple(aliases)


_ALIAS_BLOCK = re.compile(r"\balias(?:es)?\s*:\s*([\[{])")
_ALIAS_KEY = re.compile(r"""(?:^|[,{\s])(['"`]?)([@~#$\w][\w@~#$./-]*)\1\s*:""")
_FIND_KEY = re.compile(r"""\bfind\s*:\s*['"`]([^'"`]+)['"`]""")


def _balanced(text: str, start: int) -> str:
    opening = text[start]
    closing = "}" if opening == "{" else "]"
    depth = 0
    for index in range(start, min(len(text), start + 20_000)):
        char = text[index]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    return text[start + 1 :]


def bundler_aliases(directory: Path, boundary: Path | None = None) -> tuple[str, ...]:
    """Alias names in bundler and compiler configuration files of `directory` (read as text)."""
    found: list[str] = []
    for name in _BUNDLER_CONFIGS:
        text = _read_small(directory / name, boundary)
        if not text:
            continue
        for block in _ALIAS_BLOCK.finditer(text):
            body = _balanced(text, block.start(1))
            if block.group(1) == "[":
                found.extend(m.group(1) for m in _FIND_KEY.finditer(body))
                continue
            depth = 0
            top_level = []
            for char in body:
                depth += char in "{[("
                depth -= char in "}])"
                top_level.append(char if depth == 0 else " ")
            found.extend(m.group(2) for m in _ALIAS_KEY.finditer("".join(top_level)))
    return tuple(dict.fromkeys(a for a in found if a not in ("find", "replacement")))
