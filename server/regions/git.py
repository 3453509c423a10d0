"""The git questions region tracking asks, answered through `server/git.py`.

`server/git.py` runs git safely (argument list, no shell, timeout, prompts,
fsmonitor and external drivers off). The editor calls git on open and save,
so these helpers use a short timeout, only commands that read no index and
apply no filters (`rev-parse`, `cat-file blob`, `check-ignore --no-index`,
`config --get`), and turn every failure (no git, not a repository, timeout,
unknown revision) into None: git is optional here.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..git import GitError, run_git
from ..git import repo_root as _repo_root

TIMEOUT_SECONDS = 5.0


def _ask(args: list[str], cwd: str | os.PathLike) -> str | None:
    try:
        return run_git(args, cwd, TIMEOUT_SECONDS)
    except (GitError, OSError):
        return None


def repo_root(path: str | os.PathLike) -> Path | None:
    """The work tree containing `path` (a file or folder), or None."""
    folder = Path(path)
    if not folder.is_dir() and not folder.parent.is_dir():
        return None
    return _repo_root(path)


def head_revision(root: Path) -> str | None:
    out = _ask(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    return out.strip() or None if out is not None else None


def blob_at(root: Path, revision: str, relative: str) -> bytes | None:
    """The file's bytes at `revision`, or None when it did not exist there."""
    if not revision or revision.startswith("-") or any(c in revision for c in ":\n\0"):
        return None
    out = _ask(["cat-file", "blob", f"{revision}:{relative}"], root)
    return None if out is None else out.encode("utf-8", "surrogateescape")


def is_ignored(root: Path, relative: str) -> bool:
    return _ask(["check-ignore", "--quiet", "--no-index", "--", relative], root) is not None


def user_name(cwd: str | os.PathLike) -> str | None:
    out = _ask(["config", "--get", "user.name"], cwd)
    return (out.strip() or None) if out is not None else None


def relative_to(root: Path, path: str | os.PathLike) -> str | None:
    """`path` relative to `root` in git's form (forward slashes), None when outside."""
    try:
        relative = Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return None
    return relative.as_posix()
