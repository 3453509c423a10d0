"""Which findings a scan reports: changed lines, AI regions, scope.

Filters narrow what is reported, never what is analysed. The CLI
(`--since`, `--ai-only`, `--scope`) and the editor's workspace scan use the
same ones, so "changed" and "aiRegions" mean the same everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .git import ChangedLines, GitError, changed_lines
from .scan import FileResult, Reported

Keep = Callable[[FileResult, Reported], bool]
Filter = tuple[str, Keep]
"""A human description ("lines changed since main") and the predicate."""


def on_changed_lines(changes: ChangedLines) -> Keep:
    def keep(file: FileResult, reported: Reported) -> bool:
        lines = changes.get(Path(file.path).resolve(), frozenset())
        if lines is None:
            return True
        return any(line + 1 in lines for line in range(reported.span.start_line, reported.span.end_line + 1))

    return keep


def in_ai_region(file: FileResult, reported: Reported) -> bool:
    """Inside an AI-written region nobody has reviewed yet (the editor's rule)."""
    return reported.ai_region is True and not reported.ai_reviewed


def since_filter(git_root: Path, rev: str) -> Filter:
    """Raises GitError for an unknown revision or a git failure."""
    return (f"lines changed since {rev}", on_changed_lines(changed_lines(git_root, rev)))


def scope_filters(scope: str, git_root: Path | None) -> list[Filter]:
    if scope == "aiRegions":
        return [("findings in AI-written regions", in_ai_region)]
    if scope == "changed":
        uncommitted: Keep = lambda f, r: False  # noqa: E731 - outside git nothing is uncommitted
        if git_root is not None:
            try:
                uncommitted = on_changed_lines(changed_lines(git_root, "HEAD"))
            except GitError:
                pass  # no commit yet, or git missing: only AI regions count
        return [("findings in AI-written regions or uncommitted lines", lambda f, r: in_ai_region(f, r) or uncommitted(f, r))]
    return []


def kept(file: FileResult, filters: list[Filter]) -> list[Reported]:
    """The findings of `file` every filter keeps."""
    return [r for r in file.findings if all(keep(file, r) for _name, keep in filters)]


def apply_filters(files: list[FileResult], filters: list[Filter]) -> int:
    """Drop the findings a filter rejects (in place); returns how many."""
    dropped = 0
    if not filters:
        return 0
    for file in files:
        remaining = kept(file, filters)
        dropped += len(file.findings) - len(remaining)
        file.findings = remaining
    return dropped


def repo_top(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git` (no subprocess)."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None
