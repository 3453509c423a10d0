"""Which files a scan covers: supported languages, minus ignored and excluded.

Directories are walked without following links. A file or directory is left
out when a `.gitignore` on its way (or `.git/info/exclude`) ignores it, when a
configured exclude pattern matches it, or when it is a tool or dependency
folder (`node_modules`, virtual environments, caches). Matching uses
`pathspec`'s implementation of git's wildmatch rules, not our own, run by RE2
(linear time: the patterns come from the repository). Files named
explicitly are scanned even when git ignores them (pre-commit and editors pass
them on purpose) but configured excludes still apply to them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

import pathspec
import re2
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from draftguard.analyzers import spec_for_path

from .confine import read_confined

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".draftguard", "node_modules", "bower_components", "__pycache__",
        ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
        ".eggs", "site-packages", "dist", "build", ".next", ".nuxt", ".cache",
    }
)


MAX_IGNORE_FILE_BYTES = 1024 * 1024
MAX_PATTERN_CHARS = 4096
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


class UnusablePattern(ValueError):
    """A pattern too long or too large to match in bounded time and memory."""


def _linear_pattern(line: str) -> GitIgnoreSpecPattern:
    """pathspec's reading of one gitignore line, matched by RE2.

    pathspec translates wildmatch into a Python regular expression, and
    Python's backtracking engine takes time exponential in the number of `*`
    on a path that almost matches (`*a*a*a*a*a*a*a*ab` against a 60-letter
    name: 20 s; one more `*a`: minutes). The patterns come from repositories
    (`.gitignore`) and their configuration, so a cloned repository could hang
    every scan. RE2 matches in time linear in the path, with the same
    regular expression; each line compiles alone, so git's semantics
    (pathspec's simple backend, last match wins) are kept exactly."""
    if len(line) > MAX_PATTERN_CHARS:
        raise UnusablePattern(f"longer than {MAX_PATTERN_CHARS} characters")
    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
    except ValueError as exc:  # "!" alone and the like: git ignores such a line
        raise UnusablePattern(f"not a valid pattern ({exc})") from None
    if include is None or regex is None:
        return GitIgnoreSpecPattern(None)
    try:
        compiled = re2.compile(regex, _RE2_OPTIONS)
    except re2.error as exc:
        raise UnusablePattern(f"too large to match ({exc})") from None
    pattern = GitIgnoreSpecPattern(compiled, include)
    pattern.pattern = line
    return pattern


def check_patterns(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(pattern, why) for each pattern that cannot be used."""
    problems = []
    for line in lines:
        try:
            _linear_pattern(line)
        except UnusablePattern as exc:
            problems.append((line[:80], str(exc)))
    return problems


def _spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec | None:
    """The patterns as one spec; a pattern that cannot be matched safely is
    left out (a path it would ignore is scanned instead)."""
    patterns = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                patterns.append(_linear_pattern(line))
            except UnusablePattern:
                continue
    return pathspec.GitIgnoreSpec(patterns, backend="simple") if patterns else None


class IgnoreRules:
    """Answers "is this path left out?" for absolute paths."""

    def __init__(self, excludes: Sequence[tuple[Sequence[str], Path]] = (), respect_gitignore: bool = True):
        """`excludes`: groups of gitignore-style patterns, each relative to its
        own directory (the configuration file's, or the working directory for
        patterns given on the command line)."""
        self.excludes = [(spec, root.resolve()) for patterns, root in excludes if (spec := _spec(patterns)) is not None]
        self.respect_gitignore = respect_gitignore
        self._gitignores: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self._tops: dict[Path, Path | None] = {}

    # -- configured excludes ------------------------------------------------------
    def excluded(self, path: Path, is_dir: bool) -> bool:
        for spec, root in self.excludes:
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                continue
            if rel != "." and spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False

    def excluded_with_parents(self, path: Path, is_dir: bool) -> bool:
        """For paths named explicitly: excluded themselves or by a folder above."""
        return self.excluded(path, is_dir) or any(self.excluded(parent, True) for parent in path.parents)

    # -- gitignore ------------------------------------------------------------------
    def _repo_top(self, directory: Path) -> Path | None:
        if directory in self._tops:
            return self._tops[directory]
        top: Path | None = None
        if (directory / ".git").exists():
            top = directory
        elif directory.parent != directory:
            top = self._repo_top(directory.parent)
        self._tops[directory] = top
        return top

    def _gitignore(self, directory: Path) -> pathspec.GitIgnoreSpec | None:
        if directory not in self._gitignores:
            lines: list[str] = []
            for name in (".gitignore",) + ((".git/info/exclude",) if (directory / ".git").is_dir() else ()):
                # Like git (2.32+), never through a link out of the folder; and bounded.
                raw = read_confined(directory / name, MAX_IGNORE_FILE_BYTES, directory)
                if raw is not None:
                    lines += raw.decode("utf-8", "replace").splitlines()
            self._gitignores[directory] = _spec(lines)
        return self._gitignores[directory]

    def gitignored(self, path: Path, is_dir: bool, walk_root: Path | None = None) -> bool:
        if not self.respect_gitignore:
            return False
        parent = path.parent
        top = self._repo_top(parent) or walk_root or parent
        chain = [parent, *parent.parents]
        try:
            chain = chain[: chain.index(top) + 1]
        except ValueError:
            chain = [parent]
        verdict = False
        for directory in reversed(chain):
            spec = self._gitignore(directory)
            if spec is None:
                continue
            rel = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
            include = spec.check_file(rel).include
            if include is not None:
                verdict = include
        return verdict

    def skipped(self, path: Path, is_dir: bool, walk_root: Path | None = None) -> bool:
        if is_dir and path.name in DEFAULT_EXCLUDED_DIRS:
            return True
        return self.excluded(path, is_dir) or self.gitignored(path, is_dir, walk_root)


def discover(paths: Sequence[str | os.PathLike], rules: IgnoreRules) -> list[Path]:
    """Supported source files under `paths`, in a stable order, without duplicates.

    Paths keep the form they were given in (relative stays relative) so
    reports show what the user typed.
    """
    seen: set[Path] = set()
    found: list[Path] = []

    def add(display: Path, absolute: Path) -> None:
        if absolute not in seen:
            seen.add(absolute)
            found.append(display)

    for raw in paths:
        given = Path(raw)
        absolute = given.resolve()
        if given.is_file():
            if spec_for_path(given.name) is not None and not rules.excluded_with_parents(absolute, False):
                add(given, absolute)
            continue
        if not given.is_dir() or rules.excluded_with_parents(absolute, True):
            continue
        stack = [(given, absolute)]
        while stack:
            display_dir, abs_dir = stack.pop()
            try:
                entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
            except OSError:
                continue
            subdirs = []
            for entry in entries:
                try:
                    if entry.is_symlink():
                        continue
                    is_dir = entry.is_dir()
                    # a FIFO or device named like source would block or never end
                    if not is_dir and (spec_for_path(entry.name) is None or not entry.is_file()):
                        continue
                except OSError:
                    continue
                abs_entry = abs_dir / entry.name
                if rules.skipped(abs_entry, is_dir, absolute):
                    continue
                if is_dir:
                    subdirs.append((display_dir / entry.name, abs_entry))
                else:
                    add(display_dir / entry.name, abs_entry)
            stack.extend(reversed(subdirs))
    return found
