"""Ask git which lines changed: the basis of `--since REV` and changed scopes.

git runs with an argument list (never a shell), a timeout, prompts off,
fsmonitor, lazy fetches of partial clones, external diff and textconv drivers
disabled, and for the one command that reads the working tree (`git diff`
against it) every filter driver the repository configures switched off: a
repository's own `.git/config` (anything can be in it when the folder came
from an archive) would otherwise make git run its programs for us. A revision
given by the user is resolved to a commit id first and refused if it looks
like an option.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

GIT_TIMEOUT = 30.0
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}

ChangedLines = dict[Path, frozenset[int] | None]
"""Absolute file path -> 1-based changed line numbers; None means every line
(a file added or untracked since the revision)."""


class GitError(Exception):
    """git is missing, timed out, or refused; the message says which."""


def run_git(args: list[str], cwd: str | os.PathLike, timeout: float = GIT_TIMEOUT, config: dict[str, str] | None = None) -> str:
    """git's output; `config` adds settings through GIT_CONFIG_COUNT (no
    quoting problem with unusual names, unlike `-c`)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1", "LC_ALL": "C"}
    if config:
        existing = env.get("GIT_CONFIG_COUNT", "")
        count = int(existing) if existing.isdigit() else 0
        for offset, (key, value) in enumerate(config.items()):
            env[f"GIT_CONFIG_KEY_{count + offset}"] = key
            env[f"GIT_CONFIG_VALUE_{count + offset}"] = value
        env["GIT_CONFIG_COUNT"] = str(count + len(config))
    try:
        proc = subprocess.run(  # noqa: S603 - an argument list, no shell; options and revisions are checked by the callers
            ["git", "-c", "core.quotePath=false", "-c", "core.fsmonitor=false", *args],  # noqa: S607 - the user's git, found on PATH like every git tool
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {timeout:g} s") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit code {proc.returncode}'}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def repo_root(path: str | os.PathLike) -> Path | None:
    """Top directory of the work tree holding `path`, or None outside git."""
    start = Path(path)
    cwd = start if start.is_dir() else start.parent
    try:
        return Path(run_git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    except GitError:
        return None


def resolve_revision(root: Path, rev: str) -> str:
    if not rev or rev.startswith("-"):
        raise GitError(f"not a revision: {rev!r}")
    try:
        return run_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).strip()
    except GitError:
        raise GitError(f"unknown revision {rev!r} in {root}") from None


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual file names ("a\\tb", octal bytes)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 3 < len(body) + 1:
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def parse_unified_diff(text: str, root: Path) -> ChangedLines:
    """Added/modified line numbers per new-side file of a `--unified=0` diff."""
    changed: dict[Path, set[int] | None] = {}
    current: Path | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            current = None if target == "/dev/null" else (root / target.removeprefix("b/"))
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("--- /dev/null"):
            pass
        elif current is not None and line.startswith("@@"):
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                lines = changed[current]
                if lines is not None:
                    lines.update(range(start, start + count))
    return {path: (frozenset(lines) if lines is not None else None) for path, lines in changed.items()}


def filters_off(root: Path, timeout: float = GIT_TIMEOUT) -> dict[str, str]:
    """Settings that switch off every filter driver (`filter.<driver>.clean`,
    `.process`, `.smudge`) the repository's configuration defines: git runs
    clean filters on working-tree files it compares. Reading the configuration
    runs nothing."""
    try:
        listed = run_git(["config", "--null", "--get-regexp", r"^filter\."], root, timeout)
    except GitError:  # exit code 1: no filter configured
        return {}
    drivers = {entry.split("\n", 1)[0][len("filter.") :].rpartition(".")[0] for entry in listed.split("\0") if entry}
    return {f"filter.{driver}.{setting}": value for driver in sorted(drivers - {""}) for setting, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))}


def changed_lines(root: Path, rev: str, timeout: float = GIT_TIMEOUT) -> ChangedLines:
    """Lines of the working tree that differ from `rev`, plus untracked files."""
    commit = resolve_revision(root, rev)
    diff = run_git(
        ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--ignore-submodules=all", "--unified=0", "-M", "--src-prefix=a/", "--dst-prefix=b/", commit, "--"],
        root,
        timeout,
        config=filters_off(root, timeout),
    )
    result = parse_unified_diff(diff, root)
    untracked = run_git(["ls-files", "--others", "--exclude-standard", "-z"], root, timeout)
    for name in filter(None, untracked.split("\0")):
        result[root / name] = None
    return result
