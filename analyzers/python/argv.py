"""Turn a shell command string built in Python into an argument list.

`os.system(f"ping -c 1 {host}")` hands the whole string to `/bin/sh`; the
safe equivalent passes `["ping", "-c", "1", host]` to `subprocess` without a
shell. The literal parts are split the way the shell splits them (POSIX
quoting rules, via `shlex`), with each hole kept as one argument (or spliced
into the word it sits in, as an f-string). The rewrite is refused whenever the
literal text uses anything the shell would interpret beyond word splitting and
quotes: pipes, redirections, `;`/`&&`, `$` expansions, globs, backticks,
escapes, comments, brace expansion, leading `VAR=value` assignments. Then the
argument list means exactly what the shell ran for benign values (values
without spaces or shell syntax), while a hostile value stays one inert argument.
"""

from __future__ import annotations

import re
import shlex
from typing import Callable

from ..context import AnalysisContext
from .pystr import render
from .strings import Hole, Literal, Segment

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
SHELL_SYNTAX = frozenset("|&;<>()$`\\*?[]{}~#!\n\r")
_PLAIN_CONVERSIONS = ("", "s", "!s")


def argv_sources(
    ctx: AnalysisContext, segments: list[Segment] | None, hole_source: Callable[[Hole], str]
) -> list[str] | None:
    """Python source of each argument, or None when the shell would do more
    than split words and remove quotes."""
    if not segments:
        return None
    pieces: list[str] = []
    for index, segment in enumerate(segments):
        if isinstance(segment, Literal):
            if any(ch in SHELL_SYNTAX for ch in segment.value) or _OPEN in segment.value or _CLOSE in segment.value:
                return None
            pieces.append(segment.value)
        else:
            if segment.conversion not in _PLAIN_CONVERSIONS or segment.spec:
                return None
            pieces.append(f"{_OPEN}{index}{_CLOSE}")
    try:
        tokens = shlex.split("".join(pieces))
    except ValueError:
        return None
    if not tokens or re.match(r"^\w+=", tokens[0]):
        return None
    out: list[str] = []
    for token in tokens:
        parts = _MARK.split(token)
        if len(parts) == 3 and parts[0] == "" and parts[2] == "":
            out.append(hole_source(segments[int(parts[1])]))  # type: ignore[arg-type]
            continue
        rendered_parts: list[tuple[str, str]] = []
        for position, part in enumerate(parts):
            if position % 2 == 0:
                if part:
                    rendered_parts.append(("lit", part))
            else:
                rendered_parts.append(("expr", ctx.text(segments[int(part)].node)))  # type: ignore[union-attr]
        rendered = render(rendered_parts)
        if rendered is None:
            return None
        out.append(rendered)
    return out
