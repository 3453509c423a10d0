"""Render Python string literals for code that fixes write."""

from __future__ import annotations

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str, quote: str, triple: bool) -> str:
    if ch == "\\":
        return "\\\\"
    if triple and ch == "\n":
        return "\n"
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch == quote and not triple:
        return "\\" + ch
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"\\x{ord(ch):02x}"
    return ch


def choose_quote(texts: list[str], preferred: str = '"') -> str:
    joined = "".join(texts)
    if preferred not in joined:
        return preferred
    other = "'" if preferred == '"' else '"'
    return other if other not in joined else preferred


def render(parts: list[tuple[str, str]], *, preferred_quote: str = '"', triple: bool = False) -> str | None:
    """Render literal and expression parts as a Python (f-)string literal.

    `parts` holds ("lit", text) and ("expr", source) items; expression sources
    are placed in `{}` verbatim, so the result is an f-string when any exists.
    Returns None when no quote character can enclose the expressions.
    """
    exprs = [src for kind, src in parts if kind == "expr"]
    literals = [text for kind, text in parts if kind == "lit"]
    quote = choose_quote(literals + exprs, preferred_quote)
    if any(quote in src or "\\" in src or "\n" in src for src in exprs):
        return None
    is_f = bool(exprs)
    fence = quote * 3 if triple else quote
    out: list[str] = []
    for kind, text in parts:
        if kind == "expr":
            out.append("{" + text + "}")
            continue
        piece = "".join(_escape_char(ch, quote, triple) for ch in text)
        if triple:
            piece = piece.replace(quote * 3, (("\\" + quote) * 3))
            if piece.endswith(quote):
                piece = piece[:-1] + "\\" + quote
        if is_f:
            piece = piece.replace("{", "{{").replace("}", "}}")
        out.append(piece)
    return ("f" if is_f else "") + fence + "".join(out) + fence
