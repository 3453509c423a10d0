"""Edits that fixes in every language build the same way."""

from __future__ import annotations

from ..model import Edit


def insert_lines(source: bytes, offset: int, lines: list[str]) -> tuple[Edit, ...]:
    """Insert whole lines at `offset` (a line start, or the end of the file),
    using the file's own newline style."""
    if not lines:
        return ()
    newline = "\r\n" if b"\r\n" in source[:4096] else "\n"
    text = "".join(f"{line}{newline}" for line in lines)
    if offset == len(source) and source and not source.endswith(b"\n"):
        text = newline + text
    return (Edit(offset, offset, text),)


def newline_of(source: bytes) -> str:
    return "\r\n" if b"\r\n" in source[:4096] else "\n"
