"""PY-UPLOAD-001 upload-saved-with-client-filename and PY-UPLOAD-002 upload-without-size-limit.

**PY-UPLOAD-001.** An uploaded file is written under the name the *client*
sent: `file.save(os.path.join(UPLOAD_DIR, file.filename))`,
`open(f"uploads/{upload.filename}", "wb")` (FastAPI `UploadFile`),
`Path(MEDIA) / request.FILES["doc"].name`. The name is the attacker's text:
`../../app/templates/base.html` overwrites code or templates, `shell.php` or
`evil.html` lands in a folder the web server serves, and a name like
`report.pdf` can overwrite another user's file. Not reported: names passed
through `secure_filename()` (or `os.path.basename()`), server-generated names
(`uuid4().hex`), and Django storages, which clean names themselves.

Fix "Use secure_filename with an extension allow-list": the name is reduced
with `werkzeug.utils.secure_filename` (`os.path.basename` where werkzeug is not
used) and refused with 400 unless its extension is in `ALLOWED_EXTENSIONS`
(the module's own set or `allowed_file()` helper if it has one, else a new
set of common document and image types to adjust). Ordinary names such as
`photo.jpg` are saved exactly as before.

**PY-UPLOAD-002.** A Flask app in this file accepts uploads (`request.files`)
but never sets `MAX_CONTENT_LENGTH`, so Flask accepts request bodies of any
size: one client can fill the disk or memory with a single request. Not
reported when the configuration is loaded from elsewhere (`config.from_object`,
`from_pyfile`, `from_envvar`, `from_mapping`, `from_prefixed_env`). Fix
"Limit upload size": `app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024`
right after the app is created; larger uploads get 413.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.edits import insert_lines
from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.dataflow import enclosing_function, reaching_definitions
from ....python.frameworks import deny_statement
from ....python.layout import enclosing_statement, fresh_name, indent_unit, insert_lines_after, line_indent, line_start
from ....python.names import dotted_name, qualified_name
from ....python.strings import unwrap_parens
from ....python.taint import is_route_handler
from ...base import Explanation, Rule, register

_ATTRIBUTES = "(attribute attribute: (identifier) @name) @attribute"
_UPLOAD_SOURCES = re.compile(r"^(self\.)?request\.(files|FILES)\b")
_PATH_CALLS = re.compile(
    r"^(os\.path\.join|posixpath\.join|pathlib\.Path|Path|open|io\.open|codecs\.open|os\.open|shutil\.\w+|aiofiles\.open|os\.rename|os\.replace)$"
)
_CLEANERS = re.compile(r"(^|\.)(secure_filename|basename|get_valid_name|get_valid_filename|slugify|uuid\d?|token_hex|token_urlsafe)$")
DEFAULT_EXTENSIONS = '{"png", "jpg", "jpeg", "gif", "pdf", "txt"}'


def is_upload(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """True for an uploaded-file object: `request.files["f"]`, a FastAPI `UploadFile` parameter, ..."""
    node = unwrap_parens(node)
    if node is None or depth > 8:
        return False
    if node.type in ("subscript", "call", "attribute"):
        inner = node.child_by_field_name("value") if node.type == "subscript" else node.child_by_field_name("function") if node.type == "call" else node
        return bool(_UPLOAD_SOURCES.match(dotted_name(ctx, inner) or ""))
    if node.type != "identifier":
        return False
    for definition in reaching_definitions(ctx, node):
        if definition.kind == "param":
            if re.search(r"\bUploadFile\b|\bFileStorage\b|\bUploadedFile\b", definition.annotation):
                return True
        elif definition.kind == "loop":
            iterable = definition.statement.child_by_field_name("right")
            if iterable is not None and (_UPLOAD_SOURCES.match(ctx.text(iterable)) or is_upload(ctx, iterable, depth + 1)):
                return True
        elif definition.value is not None and is_upload(ctx, definition.value, depth + 1):
            return True
    return False


def _client_names(ctx: AnalysisContext) -> Iterator[Node]:
    for match in ctx.matches(_ATTRIBUTES):
        attribute = match["attribute"][0]
        name = ctx.text(match["name"][0])
        if name == "filename" or (name == "name" and "FILES" in ctx.text(attribute.child_by_field_name("object"))):
            if is_upload(ctx, attribute.child_by_field_name("object")):
                yield attribute


def _cleaned(ctx: AnalysisContext, node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type not in ("expression_statement", "return_statement", "block"):
        if parent.type == "call" and _CLEANERS.search(qualified_name(ctx, parent.child_by_field_name("function")) or ""):
            return True
        parent = parent.parent
    return False


def _path_use(ctx: AnalysisContext, node: Node, depth: int = 0) -> bool:
    """`node` (a client name, or a name holding one) ends up in a file path in this function."""
    parent = node.parent
    while parent is not None and parent.type not in ("expression_statement", "return_statement", "block", "with_clause"):
        if parent.type == "call":
            function = parent.child_by_field_name("function")
            name = qualified_name(ctx, function) or ""
            if _CLEANERS.search(name) or name.endswith("splitext"):
                return False  # cleaned, or only the extension is kept
            method = ctx.text(function.child_by_field_name("attribute")) if function is not None and function.type == "attribute" else ""
            if _PATH_CALLS.match(name) or method in ("save", "write_bytes", "write_text", "open", "joinpath"):
                return True
        if parent.type == "binary_operator" and parent.child_by_field_name("operator") is not None and parent.child_by_field_name("operator").type == "/":
            return True
        if parent.type == "assignment" and depth < 3:
            left = parent.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return any(_path_use(ctx, use, depth + 1) for use in _later_uses(ctx, left))
            return False
        parent = parent.parent
    return False


def _later_uses(ctx: AnalysisContext, target: Node) -> list[Node]:
    function = enclosing_function(target)
    scope = function if function is not None else ctx.unit
    name = ctx.text(target)
    uses = []
    reassigned_at: int | None = None
    for ident in ctx.captures("(identifier) @id", scope).get("id", []):
        if ident.start_byte <= target.end_byte or ctx.text(ident) != name:
            continue
        if reassigned_at is not None and ident.start_byte >= reassigned_at:
            break
        parent = ident.parent
        if parent is not None and parent.type == "assignment" and parent.child_by_field_name("left") is not None and parent.child_by_field_name("left").id == ident.id:
            reassigned_at = parent.end_byte  # `name = name.rsplit(...)[0]`: the uses on the right still count
            continue
        uses.append(ident)
    return uses


@register
class UploadSavedWithClientFilename(Rule):
    id = "PY-UPLOAD-001"
    name = "upload-saved-with-client-filename"
    cwe = 434
    owasp = "A04:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    # client names are `<upload>.filename`, or `.name` of an object whose text holds `FILES`
    triggers = ("filename", "FILES")
    fix_title = "Use secure_filename with an extension allow-list"
    summary = "Uploaded file saved under the file name the client sent"
    explanation = Explanation(
        what="An uploaded file is written to disk under the name that came with the upload.",
        why=(
            "Every test uploads `photo.jpg`, so it works. The name is attacker text: `../` walks out of the upload "
            "folder, `.html`/`.php`/`.svg` files become pages served from your domain, and a known name overwrites "
            "another user's file."
        ),
        hostile_input="A multipart upload with `filename=\"../../templates/base.html\"` overwrites the site template.",
        fix=(
            "Reduce the name with `secure_filename()` (or generate one), and accept only an allow-list of "
            "extensions: `if ext not in ALLOWED_EXTENSIONS: abort(400)`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for node in _client_names(ctx):
            if _cleaned(ctx, node) or not _path_use(ctx, node):
                continue
            message = (
                f"`{ctx.text(node)}` is the name the client sent and it is used as a file path: `../` in it escapes the "
                "upload folder and any extension (.html, .php, .svg) is accepted"
            )
            fix = _secure_name_fix(ctx, node)
            yield self.finding(ctx, node, message, fixes=[fix] if fix else [])


def _extension_check(ctx: AnalysisContext, name: str) -> tuple[str, list[str]]:
    """(condition that rejects `name`, module lines to add) following the module's conventions."""
    source = ctx.source.decode("utf-8", "replace")
    if re.search(r"^def allowed_file\(", source, re.MULTILINE):
        return f"not allowed_file({name})", []
    existing = re.search(r"^ALLOWED_EXTENSIONS\s*=\s*(.+)$", source, re.MULTILINE)
    if existing:
        if re.search(r"['\"]\.\w", existing.group(1)):
            return f"os.path.splitext({name})[1].lower() not in ALLOWED_EXTENSIONS", []
        return f'"." not in {name} or {name}.rsplit(".", 1)[1].lower() not in ALLOWED_EXTENSIONS', []
    return (
        f'"." not in {name} or {name}.rsplit(".", 1)[1].lower() not in ALLOWED_EXTENSIONS',
        [f"ALLOWED_EXTENSIONS = {DEFAULT_EXTENSIONS}  # the file types this app accepts"],
    )


def _secure_name_fix(ctx: AnalysisContext, node: Node) -> Fix | None:
    statement = enclosing_statement(node)
    if statement is None or ctx.source[line_start(ctx, statement) : statement.start_byte].strip():
        return None
    modules = set(ctx.facts.get("imported_modules", ()))
    if modules & {"flask", "werkzeug", "quart"}:
        cleaner, imports = "secure_filename", ("from werkzeug.utils import secure_filename",)
    else:
        cleaner, imports = "os.path.basename", ("import os",)
    function = enclosing_function(node)
    if function is not None and function.type == "function_definition" and is_route_handler(ctx, function):
        deny, deny_imports = deny_statement(ctx, 400, "File type not allowed")
    else:
        deny, deny_imports = 'raise ValueError("file type not allowed")', ()
    indent = line_indent(ctx, statement)
    unit = indent_unit(ctx, statement)
    edits: list[Edit] = []
    parent = node.parent
    assigned = parent is not None and parent.type == "assignment" and parent.child_by_field_name("right").id == node.id
    if assigned and parent.child_by_field_name("left").type == "identifier":
        name = ctx.text(parent.child_by_field_name("left"))
        condition, module_lines = _extension_check(ctx, name)
        edits.append(Edit(node.start_byte, node.end_byte, f"{cleaner}({ctx.text(node)})"))
        edits.append(insert_lines_after(ctx, statement, [f"{indent}if {condition}:", f"{indent}{unit}{deny}"]))
    else:
        name = fresh_name(ctx, node, ("filename", "safe_name", "upload_name"))
        condition, module_lines = _extension_check(ctx, name)
        lines = [f"{indent}{name} = {cleaner}({ctx.text(node)})", f"{indent}if {condition}:", f"{indent}{unit}{deny}"]
        edits.extend(insert_lines(ctx.source, line_start(ctx, statement), lines))
        edits.append(Edit(node.start_byte, node.end_byte, name))
    if "os.path" in condition:
        imports += ("import os",)
    if module_lines:
        unit_start = ctx.unit.start_byte
        edits.extend(insert_lines(ctx.source, unit_start, module_lines + ["", ""]))
    return Fix(UploadSavedWithClientFilename.fix_title, tuple(edits), imports + deny_imports)


@register
class UploadWithoutSizeLimit(Rule):
    id = "PY-UPLOAD-002"
    name = "upload-without-size-limit"
    cwe = 770
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    triggers = ("Flask",)  # reported on the `app = Flask(...)` statement only
    fix_title = "Limit upload size"
    summary = "Flask app accepts uploads but never sets MAX_CONTENT_LENGTH"
    explanation = Explanation(
        what="This Flask app reads uploaded files but sets no limit on the size of a request body.",
        why=(
            "Without `MAX_CONTENT_LENGTH` Flask reads bodies of any size. Uploads of normal files work, so nothing "
            "looks wrong, until one client sends a multi-gigabyte body and fills the disk or memory."
        ),
        hostile_input="`curl -F file=@/dev/zero-10GB https://app/upload` ties up a worker and fills the temporary folder.",
        fix='Set `app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024` (or the size you need); larger uploads get 413.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        app = _flask_app(ctx.source, ctx.unit, ctx.facts)
        if app is None or ctx.facts.get("first_flask_app") != app[2]:
            return
        uploads = ctx.facts.get("flask_upload_config", {})
        if not uploads.get("reads_files") or uploads.get("sets_limit") or uploads.get("loads_config"):
            return
        name, call, _text = app
        line = f'{name}.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # larger uploads are refused with 413'
        fix = Fix(self.fix_title, (insert_lines_after(ctx, ctx.unit, [line]),))
        yield self.finding(
            ctx, call, f"`{name}` accepts file uploads but sets no MAX_CONTENT_LENGTH: request bodies of any size are read", fixes=[fix],
        )


_CONFIG_LOADED = re.compile(rb"config\.(from_object|from_pyfile|from_envvar|from_mapping|from_prefixed_env|from_file|update)\(")


def _flask_app(source: bytes, statement: Node, facts) -> tuple[str, Node, str] | None:
    """(name, call, statement text) when a top-level statement is `name = flask.Flask(...)`."""
    expression = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    if expression is None or expression.type != "assignment":
        return None
    call = unwrap_parens(expression.child_by_field_name("right"))
    left = expression.child_by_field_name("left")
    if call is None or call.type != "call" or left is None or left.type != "identifier":
        return None
    ctx = AnalysisContext(source, None, "python", facts, statement)  # type: ignore[arg-type]
    if qualified_name(ctx, call.child_by_field_name("function")) != "flask.Flask":
        return None
    return ctx.text(left), call, ctx.text(statement)


def _upload_part(source: bytes, unit: Node, _facts) -> tuple[bool, bool, bool] | None:
    text = source[unit.start_byte : unit.end_byte]
    part = (bool(re.search(rb"request\.files\b", text)), b"MAX_CONTENT_LENGTH" in text, bool(_CONFIG_LOADED.search(text)))
    return part if any(part) else None


def _combine_upload(parts: list[tuple[bool, bool, bool]]) -> dict:
    return {"flask_upload_config": {
        "reads_files": any(p[0] for p in parts), "sets_limit": any(p[1] for p in parts), "loads_config": any(p[2] for p in parts),
    }}


def _app_part(source: bytes, unit: Node, facts) -> str | None:
    if b"Flask(" not in source[unit.start_byte : unit.end_byte]:
        return None
    app = _flask_app(source, unit, facts)
    return app[2] if app is not None else None


def _combine_apps(parts: list[str]) -> dict:
    """The first Flask app of the file (the one the limit belongs to)."""
    return {"first_flask_app": parts[0]} if parts else {}


register_unit_facts("python", combine=_combine_upload)(_upload_part)
register_unit_facts("python", combine=_combine_apps, stage=1)(_app_part)
