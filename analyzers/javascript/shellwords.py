"""Split a shell command built as a template into argv words, for the
`exec` -> `execFile` fix.

Only commands the shell would split plainly qualify: words separated by
blanks, optional single or double quotes around a word, and no shell syntax
(pipes, redirections, `;`, `&&`, `$(...)`, globs, variables, escapes) in the
constant text. Anything else raises `NotPlain` and the finding has no fix.
"""

from __future__ import annotations

from tree_sitter import Node

from ..common.strings import BuiltString, Hole, Literal

_SHELL_SYNTAX = set("|&;<>()$`\\*?[]{}~!#\n\r")


class NotPlain(ValueError):
    pass


Word = list[str | Node]  # literal text pieces and value nodes


def split_words(built: BuiltString) -> list[Word]:
    if built.segments is None:
        raise NotPlain("unknown layout")
    words: list[Word] = []
    current: Word = []
    started = False
    quote: str | None = None
    for segment in built.segments:
        if isinstance(segment, Hole):
            current.append(segment.node)
            started = True
            continue
        for ch in segment.value:
            if quote is not None:
                if ch == quote:
                    quote = None
                elif ch in _SHELL_SYNTAX or (quote == '"' and ch in "$`\\"):
                    raise NotPlain("shell syntax inside quotes")
                else:
                    _append(current, ch)
                continue
            if ch in "'\"":
                quote = ch
                started = True
            elif ch in " \t":
                if started:
                    words.append(current)
                current, started = [], False
            elif ch in _SHELL_SYNTAX:
                raise NotPlain(f"shell syntax {ch!r}")
            else:
                _append(current, ch)
                started = True
    if quote is not None:
        raise NotPlain("unbalanced quote")
    if started:
        words.append(current)
    return words


def _append(word: Word, ch: str) -> None:
    if word and isinstance(word[-1], str):
        word[-1] += ch
    else:
        word.append(ch)


def unquoted_holes(built: BuiltString) -> bool:
    """Is any value outside quotes (so the shell would split it on blanks)?"""
    quote: str | None = None
    for segment in built.segments or ():
        if isinstance(segment, Hole):
            if quote is None:
                return True
            continue
        for ch in segment.value:
            if quote is None and ch in "'\"":
                quote = ch
            elif ch == quote:
                quote = None
    return False


__all__ = ["NotPlain", "Word", "split_words", "unquoted_holes", "Literal"]
