"""PY-CORS-001 cors-any-origin-with-credentials: every website may send credentialed requests and read the answers.

**What it finds.**

* FastAPI/Starlette `CORSMiddleware` (`app.add_middleware(CORSMiddleware, ...)`
  or `Middleware(CORSMiddleware, ...)`) with `allow_credentials=True` and
  `allow_origins=["*"]`, or an `allow_origin_regex` that any origin matches
  (`".*"`, `"https?://.*"`): for a request with cookies Starlette answers
  with the caller's own origin.
* Flask-CORS `CORS(app, supports_credentials=True)` /
  `@cross_origin(supports_credentials=True)` with the origins left at their
  default `"*"` or set to `"*"` (`origins="*"`, `resources={r"/api/*":
  {"origins": "*"}}`): Flask-CORS then echoes the request's origin.
* django-cors-headers: `CORS_ALLOW_ALL_ORIGINS = True` (or the older
  `CORS_ORIGIN_ALLOW_ALL = True`) in a module that sets
  `CORS_ALLOW_CREDENTIALS = True`.

**Not reported.** Any origin without credentials (a public API), listed
origins, origins read from configuration, and test code.

No automatic fix: only the author knows the front-end's origins.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.names import calls, qualified_name
from ....python.sensitive import in_test_code
from ....python.strings import literal_value, unwrap_parens
from ...base import Explanation, Rule, register

MIDDLEWARE_WRAPPERS = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin"})
DJANGO_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
_PROBE_ORIGINS = ("https://attacker.example", "http://evil.test")
_ASSIGNMENTS = "(expression_statement (assignment left: (identifier) @name right: (true))) @assignment"
_DJANGO_CREDENTIALS = re.compile(rb"^\s*CORS_ALLOW_CREDENTIALS\s*=\s*True\b", re.MULTILINE)


def _credentials_part(source: bytes, unit: Node, _facts) -> bool | None:
    text = source[unit.start_byte : unit.end_byte]
    return True if b"CORS_ALLOW_CREDENTIALS" in text and _DJANGO_CREDENTIALS.search(text) else None


def _combine_credentials(parts: list[bool]) -> dict:
    return {"cors_allow_credentials": bool(parts)}


register_unit_facts("python", combine=_combine_credentials)(_credentials_part)


def _is_true(node: Node | None) -> bool:
    node = unwrap_parens(node)
    return node is not None and node.type == "true"


def _any_origin(ctx: AnalysisContext, node: Node | None) -> bool:
    """`"*"`, or a list/tuple/set holding `"*"`."""
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type in ("list", "tuple", "set"):
        return any(literal_value(ctx, item) == "*" for item in node.named_children)
    return literal_value(ctx, node) == "*"


def _matches_anything(ctx: AnalysisContext, node: Node | None) -> bool:
    """An `allow_origin_regex` that an arbitrary site's origin matches."""
    pattern = literal_value(ctx, unwrap_parens(node)) if node is not None else None
    if not pattern:
        return False
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return all(compiled.fullmatch(origin) for origin in _PROBE_ORIGINS)


def _flask_origins_open(ctx: AnalysisContext, call: Node) -> bool:
    """Flask-CORS allows every origin: `origins="*"`, or origins left at
    their default `"*"` (globally or in a `resources` entry)."""
    origins = argument_value(ctx, call, "origins")
    if origins is not None:
        return _any_origin(ctx, origins)
    resources = unwrap_parens(argument_value(ctx, call, "resources"))
    if resources is None:
        return True
    if resources.type != "dictionary":  # paths only (`r"/api/*"`, a list of them): every origin; a variable: unknown
        return literal_value(ctx, resources) is not None or resources.type in ("list", "tuple")
    for pair in resources.named_children:
        options = unwrap_parens(pair.child_by_field_name("value")) if pair.type == "pair" else None
        if options is None or options.type != "dictionary":
            continue
        entry = next((p.child_by_field_name("value") for p in options.named_children if p.type == "pair" and literal_value(ctx, p.child_by_field_name("key")) == "origins"), None)
        if entry is None or _any_origin(ctx, entry):
            return True
    return False


@register
class CorsAnyOriginWithCredentials(Rule):
    id = "PY-CORS-001"
    name = "cors-any-origin-with-credentials"
    # CORSMiddleware, flask_cors.CORS and the django settings all contain `CORS`; the decorator is `cross_origin`
    triggers = ("CORS", "cross_origin")
    cwe = 942
    owasp = "A05:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    summary = "CORS allows any origin (or echoes it) together with credentials"
    explanation = Explanation(
        what="The server tells browsers that every website may send requests with the user's cookies and read the responses.",
        why=(
            "It makes the front-end's CORS errors go away, so it looks like the fix, and every request from the "
            "app still works. But the browser's same-origin protection is now off for this API: any page a "
            "logged-in user visits can call it with their session and read their data, or act as them."
        ),
        hostile_input="`evil.example` runs `fetch('https://api.your.app/me', { credentials: 'include' })` in a visitor's browser and reads their profile.",
        fix=(
            "List the front-end's origins (`allow_origins=[\"https://app.example.com\"]`, `CORS(app, origins=[...], "
            "supports_credentials=True)`, `CORS_ALLOWED_ORIGINS = [...]`), read them from configuration, and keep "
            "`*` for APIs that need no credentials."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            finding = self._check_call(ctx, call, name or "")
            if finding is not None and not in_test_code(ctx, call):
                yield finding
        if ctx.facts.get("cors_allow_credentials"):
            for match in ctx.matches(_ASSIGNMENTS):
                if ctx.text(match["name"][0]) in DJANGO_ALLOW_ALL and match["assignment"][0].parent.type == "module":
                    yield self.finding(ctx, match["assignment"][0], "CORS: django-cors-headers allows every origin while CORS_ALLOW_CREDENTIALS = True: any website can read your users' data with their cookies")

    def _check_call(self, ctx: AnalysisContext, call: Node, name: str) -> Finding | None:
        if name in FLASK_CORS:
            if _is_true(argument_value(ctx, call, "supports_credentials")) and _flask_origins_open(ctx, call):
                return self.finding(ctx, call, "CORS: Flask-CORS echoes any origin with supports_credentials=True: any website can read your users' data with their cookies")
            return None
        function = call.child_by_field_name("function")
        is_add = function is not None and function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) == "add_middleware"
        if not (is_add or name in MIDDLEWARE_WRAPPERS):
            return None
        middleware = argument_value(ctx, call, "middleware_class", 0) or argument_value(ctx, call, "cls")
        if middleware is None or not (qualified_name(ctx, unwrap_parens(middleware)) or "").endswith("CORSMiddleware"):
            return None
        if not _is_true(argument_value(ctx, call, "allow_credentials")):
            return None
        if _any_origin(ctx, argument_value(ctx, call, "allow_origins")) or _matches_anything(ctx, argument_value(ctx, call, "allow_origin_regex")):
            return self.finding(ctx, call, "CORS: CORSMiddleware allows any origin with allow_credentials=True: any website can read your users' data with their cookies")
        return None
