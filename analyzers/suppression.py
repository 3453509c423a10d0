"""Inline suppression comments: `# draftguard: ignore[RULE-ID]` and `# nosec`.

A suppression applies to findings that start on the comment's own line, or on
the line after a line holding nothing but the comment. `ignore` without a list
silences every rule; `ignore[A, B]` only those. Bandit's `# nosec` silences
everything on the line when the configuration asks us to honour it.
"""

from __future__ import annotations

import re

from .languages import LanguageSpec

_IGNORE = re.compile(r"draftguard:\s*ignore(?:\[([A-Za-z0-9_,\- ]*)\])?")
_NOSEC = re.compile(r"\bnosec\b")


def _line_bounds(source: bytes, offset: int) -> tuple[int, int]:
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    return start, (len(source) if end < 0 else end)


def _comment_text(line: str, spec: LanguageSpec) -> tuple[str, bool] | None:
    """The comment part of a line and whether the line is only that comment."""
    best: int | None = None
    for prefix in spec.line_comments + tuple(open_ for open_, _close in spec.block_comments):
        index = line.find(prefix)
        if index >= 0 and (best is None or index < best):
            best = index
    if best is None:
        return None
    return line[best:], not line[:best].strip()


def _rules_silenced(comment: str, honour_nosec: bool) -> set[str] | None:
    """None: nothing silenced; empty set: everything silenced; else the ids."""
    match = _IGNORE.search(comment)
    if match:
        if match.group(1) is None:
            return set()
        return {part.strip() for part in match.group(1).split(",") if part.strip()} or set()
    if honour_nosec and _NOSEC.search(comment):
        return set()
    return None


def is_suppressed(source: bytes, start_byte: int, rule_id: str, spec: LanguageSpec, honour_nosec: bool) -> bool:
    line_start, line_end = _line_bounds(source, start_byte)
    candidates = [(line_start, line_end, False)]
    if line_start > 0:
        prev_start, prev_end = _line_bounds(source, line_start - 1)
        candidates.append((prev_start, prev_end, True))
    for begin, end, must_be_alone in candidates:
        line = source[begin:end].decode("utf-8", "replace")
        if "draftguard" not in line and "nosec" not in line:
            continue
        found = _comment_text(line, spec)
        if found is None:
            continue
        comment, alone = found
        if must_be_alone and not alone:
            continue
        silenced = _rules_silenced(comment, honour_nosec)
        if silenced is not None and (not silenced or rule_id in silenced):
            return True
    return False


def suppression_comment(rule_id: str, spec: LanguageSpec) -> str:
    """The comment text a "suppress" code action inserts."""
    return f"{spec.line_comments[0]} draftguard: ignore[{rule_id}]"
