"""JS-UPLOAD-001 unrestricted-file-upload: multer accepts any file of any size, or keeps the client's file name.

**What it finds.** `multer({...})` (or `multer()`) configured without
`limits` (no maximum file size or count) or without a `fileFilter` (any type
accepted, including `.html` and `.svg` served back from your origin), and
`multer.diskStorage` whose `filename` callback stores the client-supplied
`file.originalname` as the file name on disk.

**Not reported.** Configurations with both `limits` and `fileFilter`, and
storage callbacks that generate names (`crypto.randomUUID()`, `Date.now()`
plus a validated extension).

**Fix.** No automatic fix (the limits and types depend on the feature): add
`limits: { fileSize: 5 * 1024 * 1024, files: 1 }`, a `fileFilter` that
accepts only the expected MIME types and extensions, and generate stored
file names yourself.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import object_fields
from ...javascript.triggers import last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

MULTER = ("multer",)
DISK_STORAGE = ("multer.diskStorage",)


@register
class JsUnsafeUpload(Rule):
    id = "JS-UPLOAD-001"
    name = "unrestricted-file-upload"
    cwe = 434
    owasp = "A04:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(MULTER, DISK_STORAGE)
    summary = "multer upload without size limits or file filter, or stored under the client's file name"
    explanation = Explanation(
        what="The upload middleware accepts files of any size and type, or writes them under the name the client chose.",
        why=(
            "Uploading a profile picture works, so the feature looks finished. Without limits one request fills the "
            "disk or memory; without a filter an `.html`/`.svg` upload served from your origin is stored XSS; the "
            "client's file name can overwrite other users' files or carry `../`."
        ),
        hostile_input="A 10 GB upload, `avatar.html` containing `<script>`, or a file named `../../server.js`.",
        fix=(
            "`multer({ storage, limits: { fileSize: 5 * 1024 * 1024, files: 1 }, fileFilter: (req, file, cb) => "
            "cb(null, ['image/png', 'image/jpeg'].includes(file.mimetype)) })` and generate stored names "
            "(`crypto.randomUUID() + ext`)."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call_matches(ctx, call, MULTER):
                args = SYN.arguments(call)
                options = object_fields(ctx, args[0]) if args else {}
                if "dest" in options or "storage" in options or not args:
                    missing = [k for k in ("limits", "fileFilter") if k not in options]
                    if missing:
                        yield self.finding(ctx, call, f"Unrestricted upload: multer configured without {' and '.join(missing)}")
            elif call_matches(ctx, call, DISK_STORAGE):
                args = SYN.arguments(call)
                filename = object_fields(ctx, args[0]).get("filename") if args else None
                if filename is not None and self._keeps_original_name(ctx, filename):
                    yield self.finding(ctx, filename, "Unsafe upload: files are stored under the client-supplied originalname", severity=Severity.HIGH)

    @staticmethod
    def _keeps_original_name(ctx: AnalysisContext, callback: Node) -> bool:
        if not SYN.is_function(SYN.unwrap(callback)):
            return False
        for call in descendants(callback, ("call_expression",)):
            args = SYN.arguments(call)
            if len(args) == 2 and ctx.text(SYN.callee(call)) in ("cb", "callback", "done", "next"):
                name = ctx.text(args[1])
                if "originalname" in name and "basename" not in name and "extname" not in name:
                    return True
        return False
