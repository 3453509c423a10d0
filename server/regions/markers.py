"""`draftguard: ai-begin` / `draftguard: ai-end` comment markers.

Agents and people can fence AI-written code with two comments, in any comment
syntax of the language (the language registry's `line_comments` and
`block_comments`):

    # draftguard: ai-begin model=gpt-4o source=copilot
    ...code the AI wrote...
    # draftguard: ai-end

    /* draftguard: ai-begin */ ... /* draftguard: ai-end */

The region is the code between the two comments. Optional `key=value` words
after `ai-begin` name the `source` (or `tool`) and the `model`. A begin
without an end runs to the end of the file (so a half-typed pair checks more,
not less); a second begin inside an open region and a stray end are ignored.
Markers must be in comments: with a syntax tree the comment node is used
(markers in string literals are not markers), without one the marker must
follow a line-comment opener on its line or sit inside a block comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Tree

from draftguard.analyzers.languages import LanguageSpec

from .detection import stripped_span

MARKER_WORD = b"draftguard"
"""In every marker: a file without it has none (and needs no tree to find them)."""
_MARKER = re.compile(rb"draftguard:[ \t]*ai-(begin|end)\b((?:(?!draftguard:)[^\r\n])*)")
_PAIR = re.compile(r"([A-Za-z_][\w-]*)=(\"[^\"]*\"|'[^']*'|[^\s*>]+)")
_FALLBACK_LINE = ("#", "//")
_FALLBACK_BLOCK = (("/*", "*/"),)


@dataclass(frozen=True)
class MarkedSpan:
    start: int
    end: int
    begin_line: int
    """0-based line of the `ai-begin` comment."""
    end_line: int | None
    """0-based line of the `ai-end` comment; None when the region runs to the end of the file."""
    source: str | None = None
    model: str | None = None


def _comment_span(source: bytes, pos: int, line_start: int, spec: LanguageSpec | None, tree: Tree | None) -> tuple[int, int] | None:
    """[start, end) of the comment holding `pos`, None when `pos` is not in a comment."""
    if tree is not None:
        node = tree.root_node.descendant_for_byte_range(pos, pos + 1)
        while node is not None:
            if "comment" in node.type:
                return node.start_byte, node.end_byte
            if "string" in node.type:
                return None
            node = node.parent
    line_end = source.find(b"\n", pos)
    line_end = len(source) if line_end < 0 else line_end
    before = source[line_start:pos]
    for opener in spec.line_comments if spec else _FALLBACK_LINE:
        index = before.find(opener.encode())
        if index >= 0:
            return line_start + index, line_end
    for opener, closer in spec.block_comments if spec else _FALLBACK_BLOCK:
        last_open = source.rfind(opener.encode(), 0, pos)
        if last_open >= 0 and source.find(closer.encode(), last_open + len(opener), pos) < 0:
            close = source.find(closer.encode(), pos)
            return last_open, len(source) if close < 0 else close + len(closer)
    return None


def _attributes(tail: bytes) -> dict[str, str]:
    text = tail.decode("utf-8", "replace")
    return {key.lower(): value.strip("\"'") for key, value in _PAIR.findall(text)}


def scan_markers(source: bytes, spec: LanguageSpec | None, tree: Tree | None = None) -> list[MarkedSpan]:
    """Every fenced region of `source`, in order."""
    if MARKER_WORD not in source:
        return []
    spans: list[MarkedSpan] = []
    open_at: tuple[int, int, dict[str, str]] | None = None  # (content start, begin line, attributes)
    for match in _MARKER.finditer(source):
        pos = match.start()
        comment = _comment_span(source, pos, source.rfind(b"\n", 0, pos) + 1, spec, tree)
        if comment is None:
            continue
        line = source.count(b"\n", 0, pos)
        if match.group(1) == b"begin":
            if open_at is None:
                open_at = (comment[1], line, _attributes(match.group(2)))
            continue
        if open_at is None or comment[0] < open_at[0]:
            continue
        _add(spans, source, open_at, comment[0], line)
        open_at = None
    if open_at is not None:
        _add(spans, source, open_at, len(source), None)
    return spans


def _add(spans: list[MarkedSpan], source: bytes, open_at: tuple[int, int, dict[str, str]], end: int, end_line: int | None) -> None:
    content_start, begin_line, attributes = open_at
    span = stripped_span(source[content_start:end], content_start) if end > content_start else None
    if span is None:
        return
    spans.append(MarkedSpan(span[0], span[1], begin_line, end_line, attributes.get("source") or attributes.get("tool"), attributes.get("model")))
