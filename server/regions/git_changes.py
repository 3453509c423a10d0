"""Lines that differ from git HEAD: the `uncommitted` provenance.

Agents often write files on disk rather than through the editor, so no
change stream shows their code arriving. What is not yet committed is the
next best evidence: the `changed` scope treats those lines as unreviewed
regions. The comparison is against the text the editor holds (which may be
ahead of the disk), line by line with line endings normalised, so CRLF
checkouts do not flag every line. A file that is not in HEAD (new or
untracked) is new in full; an ignored file, a file outside any repository, or
a machine without git yields nothing.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from . import git
from .detection import iter_lines, stripped_span


@dataclass(frozen=True)
class HeadVersion:
    root: Path
    relative: str
    revision: str | None
    """None in a repository without commits."""
    blob: bytes | None
    """The file at HEAD; None when HEAD does not have it."""


def head_version(path: str | os.PathLike) -> HeadVersion | None:
    """What HEAD holds for `path`, or None when the mode is off for it."""
    root = git.repo_root(path)
    if root is None:
        return None
    relative = git.relative_to(root, path)
    if relative is None:
        return None
    revision = git.head_revision(root)
    blob = git.blob_at(root, revision, relative) if revision else None
    if blob is None and git.is_ignored(root, relative):
        return None
    return HeadVersion(root, relative, revision, blob)


def _lines(text: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in text.split(b"\n")]


def changed_spans(head: bytes | None, current: bytes) -> list[tuple[int, int]]:
    """Byte spans of `current` covering the lines that are not in `head`
    (whole lines without surrounding whitespace); everything when `head` is None."""
    if head is None:
        span = stripped_span(current)
        return [span] if span else []
    old, new = _lines(head), _lines(current)
    starts = [start for start, _end, _line in iter_lines(current)]
    spans: list[tuple[int, int]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert") and j2 > j1:
            begin = starts[j1]
            end = starts[j2] - 1 if j2 < len(starts) else len(current)
            span = stripped_span(current[begin:end], begin)
            if span is not None:
                spans.append(span)
    return spans
