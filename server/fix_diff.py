"""Unified diffs of fixes, as reports show them (`--- a/…`, `+++ b/…`, one line of context).

A fix touches a few lines of a file, often in two places (an import at the
top, the call it rewrites further down). Diffing the whole file before and
after each fix cost more than analysing it, so each group of nearby edits is
diffed in a window of the lines around it, cut straight out of the source
bytes with the file's line index, and the hunk headers are moved to the
window's place in the file. Lines are the editor's (LSP) lines: they end at
`\\n`, `\\r\\n` or `\\r`, so hunk numbers match the line numbers a user sees
(`str.splitlines` would also break at form feeds and U+2028).
"""

from __future__ import annotations

import difflib
import re

from draftguard.analyzers import Edit, apply_edits

from .positions import LineIndex

CONTEXT = 1
"""Unchanged lines shown around each change."""
MAX_LINES = 60
"""A longer diff is shortened (a fix that rewrites a long block)."""
_SLACK = 8
"""Unchanged lines diffed on each side of a window beyond its context: a run
of inserted blank lines aligns as it would in a diff of the whole file."""
_GAP = 2 * (CONTEXT + _SLACK) + 1
"""Edits fewer lines apart than this share a window (their hunks may merge)."""
_BREAK = re.compile(r"\r\n|\r|\n")
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def fix_diff(source: bytes, edits: tuple[Edit, ...] | list[Edit], name: str, index: LineIndex | None = None) -> str:
    """The unified diff the edits make to `source` (file `name`); "" when they
    change nothing or cannot apply (overlapping, outside the file)."""
    ordered = sorted(edits, key=lambda e: (e.start_byte, e.end_byte))
    if not ordered or ordered[0].start_byte < 0 or any(e.end_byte > len(source) for e in ordered):
        return ""
    index = index if index is not None else LineIndex(source)
    lines: list[str] = []
    moved = 0  # lines the windows before this one added (negative: removed)
    try:
        for first, last, group in _windows(index, ordered):
            start = index.start_of(first)
            end = index.start_of(last + 1) if last + 1 < len(index) else len(source)
            before = _split(source[start:end].decode("utf-8", "replace"))
            after = _split(apply_edits(source[start:end], [e.shifted(-start) for e in group]).decode("utf-8", "replace"))
            hunks = difflib.unified_diff(before, after, n=CONTEXT, lineterm="")
            lines.extend(_moved(line, first, first + moved) if line.startswith("@@ ") else line for line in list(hunks)[2:])
            moved += len(after) - len(before)
    except ValueError:  # EditConflict: overlapping edits
        return ""
    if not lines:
        return ""
    lines = [f"--- a/{name}", f"+++ b/{name}", *lines]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + ["… (diff shortened)"]
    return "\n".join(lines)


def _windows(index: LineIndex, ordered: list[Edit]):
    """(first line, last line, edits) of each window: edits closer than `_GAP`
    lines share one, and each reaches `CONTEXT + _SLACK` lines beyond them."""
    reach = CONTEXT + _SLACK
    top = len(index) - 1
    windows: list[tuple[int, int, list[Edit]]] = []
    for edit in ordered:
        first, last = index.line_of(edit.start_byte), index.line_of(edit.end_byte)
        if windows and first - windows[-1][1] <= _GAP:
            low, high, group = windows[-1]
            windows[-1] = (low, max(high, last), group + [edit])
        else:
            windows.append((first, last, [edit]))
    return [(max(0, first - reach), min(top, last + reach), group) for first, last, group in windows]


def _split(text: str) -> list[str]:
    """The text's lines without their breaks (a final break ends the last line)."""
    lines = _BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _moved(header: str, old: int, new: int) -> str:
    """A window's hunk header, moved to where the window lies in the file before
    (`old` lines in) and after (`new` lines in) the fix."""
    match = _HUNK.match(header)
    return f"@@ -{int(match.group(1)) + old}{match.group(2) or ''} +{int(match.group(3)) + new}{match.group(4) or ''} @@{header[match.end():]}"
