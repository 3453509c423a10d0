"""PY-REDIRECT-001 open-redirect: the redirect target comes from the request.

**What it finds.** `redirect(x)` (Flask, Django), `HttpResponseRedirect(x)`,
`RedirectResponse(x)` (FastAPI/Starlette) and `Location` headers set by hand,
where `x` comes from the request (`request.args["next"]`, a form field, a
cookie, the `Referer` header, a route parameter) and nothing checked that it
stays on this site.

**Not reported.** Targets built from a fixed local path (`f"/users/{name}"`,
`url_for(...)`, `reverse(...)`), the current request's own URL or path
(`redirect(request.url)` after a POST), and targets checked before the
redirect: an allow-list (`if url not in ALLOWED_REDIRECTS`), a host test on
`urlparse(url).netloc`/`.hostname`, Django's `url_has_allowed_host_and_scheme()`,
or a relative-path test that also rejects `//host` URLs.
`url.startswith("/")` alone is not enough: `//evil.example` starts with `/` and
browsers read it as another host.

**Fix.** "Allow only local redirects" inserts a check right before the
redirect that replaces anything but a local target with `/`:
`if not url or not url.startswith("/") or urlparse(url.replace("\\\\", "/")).netloc: url = "/"`;
in Flask, absolute URLs of the app's own host (`request.host_url`, such as the
Referer) are accepted too. Local targets such as `/dashboard?tab=2` keep
working; `https://evil.example`, `//evil.example` and `/\\evil.example` go to
the home page instead.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.edits import insert_lines
from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.dataflow import reaching_definitions
from ....python.guards import checked_before, is_allow_list_test
from ....python.layout import (
    enclosing_statement,
    fresh_name,
    indent_unit,
    line_indent,
    line_start,
    short,
)
from ....python.names import call_arguments, dotted_name, qualified_name
from ....python.strings import Literal, built_string, unwrap_parens
from ....python.taint import taint_of
from ....python.taint_specs import REQUEST, URL
from ...base import Explanation, Rule, register

REDIRECT_CALLS = frozenset(
    {
        "flask.redirect", "werkzeug.utils.redirect", "werkzeug.redirect", "django.shortcuts.redirect",
        "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
        "django.http.response.HttpResponseRedirect", "fastapi.responses.RedirectResponse",
        "starlette.responses.RedirectResponse", "quart.redirect", "sanic.response.redirect",
    }
)
_UNRESOLVED = frozenset({"redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect", "RedirectResponse"})
_TARGET_KEYWORDS = ("location", "url", "to", "redirect_to")
LOCAL_BUILDERS = re.compile(r"(^|\.)(url_for|reverse|reverse_lazy|resolve_url|url_path_for)$")
_OWN_URL_SOURCES = frozenset(
    {"request.url", "request.path", "request.full_path", "request.base_url", "request.url_root", "request.host_url", "request.script_root"}
)
_HOST_TEST = re.compile(r"netloc|hostname|url_has_allowed_host_and_scheme|is_safe_url|safe_url|is_safe_redirect|is_local_url|is_relative")
_CALLS = "(call) @call"
_REMOTE = frozenset({REQUEST})


def _redirect_taint(ctx: AnalysisContext, node: Node | None):
    """Request data that can still carry a URL (HTML escaping does not neutralise it)."""
    return taint_of(ctx, node, sink=URL, kinds=_REMOTE)
_LOCATION_ASSIGN = "(assignment left: (subscript) @target right: (_) @value) @assign"


def _pins_host(ctx: AnalysisContext, node: Node) -> bool:
    """True when a built string starts with a fixed local path or a fixed origin."""
    built = built_string(ctx, node)
    if built is None or not built.segments:
        return False
    first = built.segments[0]
    if isinstance(first, Literal):
        return bool(re.match(r"^(/[^/\\]|https?://[^/]+/)", first.value))
    head = unwrap_parens(first.node)
    if head is not None and head.type == "call" and LOCAL_BUILDERS.search(qualified_name(ctx, head.child_by_field_name("function")) or ""):
        return True
    return head is not None and head.type in ("identifier", "attribute") and (ctx.text(head).split(".")[-1].isupper())


def _redirect_test(ctx: AnalysisContext, condition: Node, names: set[str]) -> bool:
    text = ctx.text(condition)
    if _HOST_TEST.search(text) or is_allow_list_test(ctx, condition, names):
        return True
    return "startswith" in text and ("//" in text or "netloc" in text)


def redirect_target(ctx: AnalysisContext, call: Node) -> Node | None:
    """The target argument if `call` is a redirect, else None."""
    function = call.child_by_field_name("function")
    name = qualified_name(ctx, function) or ""
    if name not in REDIRECT_CALLS:
        plain = dotted_name(ctx, function) or ""
        modules = set(ctx.facts.get("imported_modules", ()))
        if plain not in _UNRESOLVED or not modules & {"flask", "django", "fastapi", "starlette", "werkzeug", "quart"}:
            return None
    positional, keywords = call_arguments(ctx, call)
    if positional:
        return positional[0]
    return next((keywords[k] for k in _TARGET_KEYWORDS if k in keywords), None)


@register
class OpenRedirect(Rule):
    id = "PY-REDIRECT-001"
    name = "open-redirect"
    cwe = 601
    owasp = "A01:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    # the redirect calls' last names, and the `Location` header key (compared case-insensitively)
    triggers = tuple(sorted(last_parts(REDIRECT_CALLS) | _UNRESOLVED)) + ("location",)
    triggers_ignore_case = True
    fix_title = "Allow only local redirects"
    summary = "Redirect to a URL taken from the request without checking it stays on this site"
    explanation = Explanation(
        what="The handler redirects to a URL that the caller chose (a `next` parameter, a form field, the Referer).",
        why=(
            "The redirect works for every link the app itself builds, so it passes tests. But anyone can craft a "
            "link to your trusted domain that bounces the victim to their own site: a convincing phishing page "
            "after a real login, or a stolen OAuth code when the redirect is part of a login flow."
        ),
        hostile_input="`/login?next=https://evil.example/login` or `?next=//evil.example` sends the user to evil.example.",
        fix=(
            "Redirect only to local paths: accept the target when it starts with a single `/` and "
            "`urlparse(target).netloc` is empty, else fall back to a fixed page; or compare the host with an allow-list."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in ctx.captures(_CALLS).get("call", []):
            target = redirect_target(ctx, call)
            if target is not None:
                finding = self._judge(ctx, target, call)
                if finding is not None:
                    yield finding
        for match in ctx.matches(_LOCATION_ASSIGN):
            subscript = match["target"][0]
            key = subscript.child_by_field_name("subscript")
            if key is not None and ctx.text(key).strip("'\"").lower() == "location":
                finding = self._judge(ctx, match["value"][0], match["assign"][0])
                if finding is not None:
                    yield finding

    def _judge(self, ctx: AnalysisContext, target: Node, sink: Node) -> Finding | None:
        target = unwrap_parens(target)
        if target is None:
            return None
        taint = _redirect_taint(ctx, target)
        if taint is None or taint.source in _OWN_URL_SOURCES:
            return None
        if target.type == "call" and LOCAL_BUILDERS.search(qualified_name(ctx, target.child_by_field_name("function")) or ""):
            return None
        if _pins_host(ctx, target) or self._defined_pinned(ctx, target):
            return None
        if checked_before(ctx, target, _redirect_test):
            return None
        message = (
            f"redirect target `{short(ctx.text(target))}` comes from {taint.source} (line {taint.line}) and is not "
            "checked to stay on this site: a crafted link can send users to any other site"
        )
        fix = _local_only_fix(ctx, target, sink)
        return self.finding(ctx, sink, message, fixes=[fix] if fix else [])

    @staticmethod
    def _defined_pinned(ctx: AnalysisContext, target: Node) -> bool:
        if target.type != "identifier":
            return False
        defs = reaching_definitions(ctx, target)
        return bool(defs) and all(d.value is not None and (_pins_host(ctx, d.value) or _redirect_taint(ctx, d.value) is None) for d in defs)




def _local_only_fix(ctx: AnalysisContext, target: Node, sink: Node) -> Fix | None:
    statement = enclosing_statement(sink)
    if statement is None:
        return None
    start = line_start(ctx, statement)
    if ctx.source[start : statement.start_byte].strip():
        return None  # `if x: return redirect(y)` on one line: no room for a statement
    if target.type != "identifier" and "\n" in ctx.text(target):
        return None  # a multi-line expression would be copied awkwardly; leave it to the author
    indent = line_indent(ctx, statement)
    unit = indent_unit(ctx, statement)
    lines: list[str] = []
    edits: list[Edit] = []
    if target.type == "identifier":
        name = ctx.text(target)
    else:
        name = fresh_name(ctx, target, ("next_url", "redirect_target", "safe_target"))
        lines.append(f"{indent}{name} = {ctx.text(target)}")
        edits.append(Edit(target.start_byte, target.end_byte, name))
    if ctx.facts.get("imports", {}).get("request") == "flask.request":
        # same-host absolute URLs (the Referer, `url_for(..., _external=True)`) keep working
        lines.append(
            f'{indent}if not {name} or not {name}.startswith(("/", request.host_url)) '
            f'or urlparse({name}.replace("\\\\", "/")).netloc not in ("", request.host):'
        )
    else:
        lines.append(f'{indent}if not {name} or not {name}.startswith("/") or urlparse({name}.replace("\\\\", "/")).netloc:')
    lines.append(f'{indent}{unit}{name} = "/"')
    edits.extend(insert_lines(ctx.source, start, lines))
    return Fix(OpenRedirect.fix_title, tuple(edits), ("from urllib.parse import urlparse",))
