"""Declare a dependency in a manifest's text: one small insertion, the rest of
the file untouched (comments, order, formatting).

Pure text in, one `Edit` (byte offsets into the manifest) out; the server
reads the manifest and turns the edit into a WorkspaceEdit on that file, the
CLI shows it as a diff. Supported kinds: `pyproject` (PEP 621
`[project] dependencies`), `poetry` (`[tool.poetry.dependencies]`),
`requirements`, `setup.cfg` (`[options] install_requires`), `pipfile`
(`[packages]`) and `package.json` (`dependencies`, in name order).
"""

from __future__ import annotations

import json
import re

from ..model import Edit

_TABLE = re.compile(rb"^[ \t]*\[\[?([^\]\n]+)\]\]?[ \t]*(?:#.*)?$", re.MULTILINE)


class ManifestEditError(ValueError):
    """The manifest's text is not in a shape we can edit safely."""


def _newline(source: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in source else b"\n"


def _append_line(source: bytes, line: str) -> Edit:
    nl = _newline(source)
    prefix = b"" if not source or source.endswith(b"\n") else nl
    return Edit(len(source), len(source), (prefix + line.encode() + nl).decode())


def _table_span(source: bytes, name: str) -> tuple[int, int] | None:
    """Byte span of a TOML/INI table's body: after its header line up to the next header."""
    headers = list(_TABLE.finditer(source))
    for index, match in enumerate(headers):
        if match.group(1).strip().decode("utf-8", "replace").replace(" ", "") == name:
            start = source.find(b"\n", match.end())
            start = len(source) if start < 0 else start + 1
            end = headers[index + 1].start() if index + 1 < len(headers) else len(source)
            return start, end
    return None


def _last_content_end(source: bytes, start: int, end: int) -> int:
    """End of the last non-blank, non-comment line in [start, end), after its newline."""
    position = start
    for match in re.finditer(rb"[^\n]*\n?", source[start:end]):
        line = match.group(0)
        stripped = line.strip()
        if stripped and not stripped.startswith((b"#", b";")):
            position = start + match.end()
        if not line:
            break
    return position


def _insert_key_line(source: bytes, table: str, line: str) -> Edit:
    span = _table_span(source, table)
    nl = _newline(source).decode()
    if span is None:
        lead = "" if not source or source.endswith(b"\n\n") else (nl if source.endswith(b"\n") else nl + nl)
        return Edit(len(source), len(source), f"{lead}[{table}]{nl}{line}{nl}")
    at = _last_content_end(source, *span)
    if at == span[0]:
        at = span[0]
    prefix = "" if at == 0 or source[at - 1 : at] == b"\n" else nl
    return Edit(at, at, f"{prefix}{line}{nl}")


def _skip_string(source: bytes, i: int) -> int:
    quote = source[i : i + 1]
    if source[i : i + 3] in (b'"""', b"'''"):
        end = source.find(source[i : i + 3], i + 3)
        return len(source) if end < 0 else end + 3
    i += 1
    while i < len(source):
        ch = source[i : i + 1]
        if ch == b"\\" and quote == b'"':
            i += 2
            continue
        if ch == quote or ch == b"\n":
            return i + 1
        i += 1
    return i


def _closing_bracket(source: bytes, open_at: int) -> int:
    """Index of the `]` matching the `[` at `open_at` (TOML strings and comments skipped)."""
    depth, i = 0, open_at
    while i < len(source):
        ch = source[i : i + 1]
        if ch in (b'"', b"'"):
            i = _skip_string(source, i)
            continue
        if ch == b"#":
            end = source.find(b"\n", i)
            i = len(source) if end < 0 else end
            continue
        if ch == b"[":
            depth += 1
        elif ch == b"]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ManifestEditError("unterminated array")


def _add_to_toml_array(source: bytes, table: str, key: str, item: str) -> Edit:
    span = _table_span(source, table)
    quoted = json.dumps(item)
    nl = _newline(source).decode()
    if span is None:
        raise ManifestEditError(f"no [{table}] table")
    match = re.compile(rb"^([ \t]*)" + re.escape(key.encode()) + rb"[ \t]*=[ \t]*\[", re.MULTILINE).search(source, span[0], span[1])
    if match is None:
        at = _last_content_end(source, *span)
        prefix = "" if source[at - 1 : at] == b"\n" else nl
        return Edit(at, at, f"{prefix}{key} = [{quoted}]{nl}")
    open_at = match.end() - 1
    close = _closing_bracket(source, open_at)
    inner = source[open_at + 1 : close]
    if not inner.strip():
        return Edit(open_at + 1, close, quoted)
    if b"\n" not in inner:
        before = inner.rstrip()
        sep = "" if before.endswith(b",") else ","
        at = open_at + 1 + len(before)
        return Edit(at, at, f"{sep} {quoted}")
    # multi-line: the new item on its own line after the last one, indented
    # like it, keeping the file's trailing-comma style and end-of-line comments
    last_end = _last_token_end(source, open_at, close)
    lines = [ln for ln in inner.split(b"\n") if ln.strip() and not ln.strip().startswith(b"#")]
    indent = (re.match(rb"[ \t]*", lines[-1]).group(0) if lines else b"    ").decode() or "    "
    has_comma = source[last_end - 1 : last_end] == b","
    eol = source.find(b"\n", last_end)
    eol = close if eol < 0 or eol > close else eol
    tail = source[last_end:eol].decode("utf-8", "replace").rstrip()
    if has_comma:
        return Edit(last_end, eol, f"{tail}{nl}{indent}{quoted},")
    return Edit(last_end, eol, f",{tail}{nl}{indent}{quoted}")


def _last_token_end(source: bytes, open_at: int, close: int) -> int:
    """End of the last item or comma inside the array (comments skipped)."""
    last, i = open_at + 1, open_at + 1
    while i < close:
        ch = source[i : i + 1]
        if ch in (b'"', b"'"):
            i = _skip_string(source, i)
            last = i
            continue
        if ch == b"#":
            end = source.find(b"\n", i)
            i = close if end < 0 else end
            continue
        if not ch.isspace():
            last = i + 1
        i += 1
    return last


def _requirement(package: str, version: str | None) -> str:
    return f"{package}>={version}" if version else package


def _add_setup_cfg(source: bytes, package: str) -> Edit:
    nl = _newline(source).decode()
    span = _table_span(source, "options")
    if span is None:
        lead = "" if not source or source.endswith(b"\n") else nl
        return Edit(len(source), len(source), f"{lead}{nl}[options]{nl}install_requires ={nl}    {package}{nl}")
    match = re.compile(rb"^install_requires[ \t]*=[^\n]*\n?", re.MULTILINE).search(source, span[0], span[1])
    if match is None:
        return Edit(span[0], span[0], f"install_requires ={nl}    {package}{nl}")
    end = match.end()
    inline = source[match.start() : match.end()].split(b"=", 1)[1].strip()
    while end < span[1]:
        line_end = source.find(b"\n", end)
        line_end = span[1] if line_end < 0 else line_end + 1
        line = source[end:line_end]
        if line.strip() and not line[:1].isspace():
            break
        if not line.strip():
            break
        end = line_end
    if end == match.end() and inline:
        # `install_requires = a` on one line: continue it on the next
        at = match.end() if source[match.end() - 1 : match.end()] == b"\n" else match.end()
        prefix = "" if source[at - 1 : at] == b"\n" else nl
        return Edit(at, at, f"{prefix}    {package}{nl}")
    prefix = "" if source[end - 1 : end] == b"\n" else nl
    return Edit(end, end, f"{prefix}    {package}{nl}")


# -- package.json ----------------------------------------------------------------------

_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def _json_entries(source: bytes, open_at: int) -> tuple[list[tuple[str, int, int]], int]:
    """Keys of the object opening at `open_at`: (key, key start, value end) and its `}` index."""
    entries: list[tuple[str, int, int]] = []
    depth = 0
    key: tuple[str, int] | None = None
    expect_key = True
    for match in _JSON_TOKEN.finditer(source, open_at):
        token = match.group(0)
        if token in (b"{", b"["):
            depth += 1
            continue
        if token in (b"}", b"]"):
            depth -= 1
            if depth == 0:
                if key is not None:
                    entries.append((key[0], key[1], _previous_value_end(source, match.start())))
                return entries, match.start()
            continue
        if depth != 1:
            continue
        if token == b",":
            if key is not None:
                entries.append((key[0], key[1], _previous_value_end(source, match.start())))
            key, expect_key = None, True
        elif token == b":":
            expect_key = False
        elif expect_key and token.startswith(b'"'):
            key = (json.loads(token), match.start())
    raise ManifestEditError("unterminated object")


def _previous_value_end(source: bytes, index: int) -> int:
    while index > 0 and source[index - 1 : index].isspace():
        index -= 1
    return index


def _line_indent(source: bytes, index: int) -> str:
    start = source.rfind(b"\n", 0, index) + 1
    return re.match(rb"[ \t]*", source[start:]).group(0).decode()


def _add_package_json(source: bytes, package: str, version: str | None, section: str = "dependencies") -> Edit:
    try:
        data = json.loads(source)
    except ValueError as exc:
        raise ManifestEditError(f"package.json is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestEditError("package.json is not an object")
    spec = json.dumps(f"^{version}" if version else "*")
    name = json.dumps(package)
    nl = _newline(source).decode()
    root_open = source.index(b"{")
    entries, root_close = _json_entries(source, root_open)
    target = next((e for e in entries if e[0] == section), None)
    if target is None:
        unit = _line_indent(source, entries[0][1]) if entries else "  "
        if not entries:
            return Edit(root_open + 1, root_close, f"{nl}{unit}{json.dumps(section)}: {{{nl}{unit * 2}{name}: {spec}{nl}{unit}}}{nl}")
        at = entries[-1][2]
        return Edit(at, at, f",{nl}{unit}{json.dumps(section)}: {{{nl}{unit * 2}{name}: {spec}{nl}{unit}}}")
    open_at = source.index(b"{", target[1])
    deps, close = _json_entries(source, open_at)
    outer = _line_indent(source, target[1])
    if not deps:
        unit = outer or "  "
        return Edit(open_at + 1, close, f"{nl}{outer}{unit}{name}: {spec}{nl}{outer}")
    indent = _line_indent(source, deps[0][1])
    one_line = source.count(b"\n", open_at, close) == 0
    following = next((e for e in deps if e[0] > package), None)
    if one_line:
        if following is not None:
            return Edit(following[1], following[1], f"{name}: {spec}, ")
        return Edit(deps[-1][2], deps[-1][2], f", {name}: {spec}")
    if following is not None:
        return Edit(following[1], following[1], f"{name}: {spec},{nl}{indent}")
    return Edit(deps[-1][2], deps[-1][2], f",{nl}{indent}{name}: {spec}")


def add_dependency(source: bytes, kind: str, package: str, version: str | None = None, *, section: str = "dependencies") -> Edit:
    """The edit that declares `package` in a manifest of `kind` whose text is `source`.

    `version` (installed version, when known) becomes a lower bound
    (`>=1.2`, npm `^1.2.3`); Poetry and Pipfile get `"*"` without one.
    Raises ManifestEditError when the text is not in an editable shape."""
    if kind == "requirements":
        return _append_line(source, _requirement(package, version))
    if kind == "pyproject":
        return _add_to_toml_array(source, "project", "dependencies", _requirement(package, version))
    if kind == "poetry":
        value = json.dumps(f">={version}" if version else "*")
        return _insert_key_line(source, "tool.poetry.dependencies", f"{_toml_key(package)} = {value}")
    if kind == "pipfile":
        value = json.dumps(f">={version}" if version else "*")
        return _insert_key_line(source, "packages", f"{_toml_key(package)} = {value}")
    if kind == "setup.cfg":
        return _add_setup_cfg(source, _requirement(package, version))
    if kind == "package.json":
        return _add_package_json(source, package, version, section)
    raise ManifestEditError(f"cannot add dependencies to a manifest of kind {kind!r}")


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)
