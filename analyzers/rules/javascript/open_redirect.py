"""JS-REDIR-001 open-redirect-request-url: redirect target taken from request input.

**What it finds.** `res.redirect(x)` (Express, also with a status),
`reply.redirect`, Koa `ctx.redirect`, Next.js `redirect(x)` /
`NextResponse.redirect(x)`, and browser navigation (`location.href = x`,
`location.assign/replace(x)`, `window.open(x)`) where `x` comes from request
input or the page URL and nothing checks it first.

**Not reported.** Targets with a constant path prefix (`/users/${id}`,
`"/login?next=" + encodeURIComponent(x)`, or a configured base such as
`${config.baseUrl}/${path}`), the page the user came from
(`req.get("Referrer") || "/"`, Express's idiom for "back"), targets checked before the
redirect (`startsWith("/") && !startsWith("//")`, an allow-list, comparing
`new URL(x).host`), and constant URLs.

**Fix.** No automatic fix: accept only local paths
(`next.startsWith("/") && !next.startsWith("//") && !next.includes("\\\\")`)
or look the target up in an allow-list; fall back to a fixed page.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.guards import checked_before
from ...common.names import call_matches, calls_in, dotted_name, unit_nodes
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...common.strings import Hole
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.queries import evidence
from ...javascript.sources import URL
from ...javascript.strings import built_string, literal_value, plus_operands
from ...javascript.triggers import last_parts, shared_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

LOCATION_CALLS = ("*.location.assign", "*.location.replace", "location.assign", "location.replace")
REDIRECTS = (
    "*.redirect", "next/navigation.redirect", "next/navigation.permanentRedirect", "next/server.NextResponse.redirect",
    "NextResponse.redirect", "Response.redirect", "window.open",
) + LOCATION_CALLS
LOCATION_TARGETS = frozenset({"location", "window.location", "document.location", "location.href", "window.location.href", "document.location.href", "top.location", "top.location.href"})
_TARGET_CHECK = re.compile(r"startsWith\s*\(|\.host(name)?\b|includes\s*\(|\bhas\s*\(|allow|whitelist|safe|trusted|\.test\s*\(|indexOf\s*\(|===|!==|isRelative|isLocal", re.IGNORECASE)
_SAFE_PREFIX = re.compile(r"^(/[^/\\]|/$|\.\.?/|[a-z][a-z0-9+.-]*://[^/?#]+[/?#])", re.IGNORECASE)


def has_fixed_prefix(ctx: AnalysisContext, node: Node | None) -> bool:
    """Is the URL's origin fixed by the code: a constant local path, a
    constant `scheme://host/`, or a leading value that does not come from
    input (a configured base URL such as `${API_BASE}/users/${id}`)?"""
    node = SYN.unwrap(node)
    if node is None:
        return False
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        return bool(defs) and all(d.kind == "assign" and not d.path and has_fixed_prefix(ctx, d.value) for d in defs)
    if node.type == "new_expression" and dotted_name(ctx, node.child_by_field_name("constructor")) == "URL":
        args = SYN.arguments(node)
        return len(args) >= 2 and has_fixed_prefix(ctx, args[0]) and literal_value(ctx, args[1]) is not None
    built = built_string(ctx, node)
    if built is not None and built.segments:
        segments = built.segments
    elif node.type == "binary_expression" and ctx.text(node.child_by_field_name("operator")) == "+":
        segments = [Hole(operand) for operand in plus_operands(ctx, node)]
    else:
        return False
    prefix = ""
    for segment in segments:
        if isinstance(segment, Hole):
            if prefix in ("", "//") or prefix.endswith("://"):
                # the host comes from this value: fixed when the value is not input
                return evidence(ctx, segment.node, URL).taint is None and literal_value(ctx, segment.node) is None
            return bool(_SAFE_PREFIX.match(prefix))
        prefix += segment.value
        if _SAFE_PREFIX.match(prefix):
            return True
    return bool(_SAFE_PREFIX.match(prefix))


_REFERRER = re.compile(r"^referr?er$", re.IGNORECASE)


def is_referrer(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """`res.redirect(req.get("Referrer") || "/")`: back to the page the user
    came from. The browser sets that header, so a victim only returns to a
    page they were already on; it is Express's own idiom for "back"."""
    node = SYN.unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "binary_expression" and ctx.text(node.child_by_field_name("operator")) in ("||", "??"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        fallback_fixed = literal_value(ctx, right) is not None or has_fixed_prefix(ctx, right)
        return is_referrer(ctx, left, depth + 1) and (fallback_fixed or is_referrer(ctx, right, depth + 1))
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        return bool(defs) and all(d.kind == "assign" and not d.path and is_referrer(ctx, d.value, depth + 1) for d in defs)
    if node.type == "call_expression":
        args = SYN.arguments(node)
        return (
            call_matches(ctx, node, ("req.get", "req.header", "request.get", "request.header", "ctx.get", "*.headers.get"))
            and len(args) == 1 and _REFERRER.match(literal_value(ctx, args[0]) or "") is not None
        )
    if node.type == "subscript_expression":
        key = literal_value(ctx, node.child_by_field_name("index"))
        return key is not None and _REFERRER.match(key) is not None and (dotted_name(ctx, node.child_by_field_name("object")) or "").endswith("headers")
    if node.type == "member_expression":
        dotted = dotted_name(ctx, node) or ""
        return dotted in ("document.referrer", "window.document.referrer") or (
            dotted.endswith(("headers.referer", "headers.referrer")) and dotted.count(".") >= 2
        )
    return False


@register
class JsOpenRedirect(Rule):
    id = "JS-REDIR-001"
    name = "open-redirect-request-url"
    cwe = 601
    owasp = "A01:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("javascript",)
    # `location` rather than `assign`/`replace`/`href`: every LOCATION_CALLS and LOCATION_TARGETS name has it
    triggers = last_parts(set(REDIRECTS) - set(LOCATION_CALLS)) + shared_parts(LOCATION_CALLS, LOCATION_TARGETS)
    summary = "Redirect or navigation to a URL taken from request input without checking it"
    explanation = Explanation(
        what="The user is sent to whatever URL the request names (`?next=`, `?returnTo=`).",
        why=(
            "Returning to the previous page after login works, so it ships. But a link to your real domain can now "
            "forward victims to a look-alike phishing page, and `javascript:` targets run script in browser redirects."
        ),
        hostile_input="`https://your.app/login?next=https://your-app.evil.example/login` or `?next=//evil.example`.",
        fix="Accept only local paths (`next.startsWith('/') && !next.startsWith('//')`) or allow-listed hosts; otherwise redirect to a fixed page.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression" or not call_matches(ctx, call, REDIRECTS):
                continue
            args = SYN.arguments(call)
            if not args:
                continue
            target = args[-1] if len(args) == 2 and SYN.unwrap(args[0]).type == "number" else args[0]
            finding = self._check_target(ctx, call, target)
            if finding is not None:
                yield finding
        for assignment in unit_nodes(ctx, ("assignment_expression",)):
            if dotted_name(ctx, assignment.child_by_field_name("left")) in LOCATION_TARGETS:
                finding = self._check_target(ctx, assignment, assignment.child_by_field_name("right"))
                if finding is not None:
                    yield finding

    def _check_target(self, ctx: AnalysisContext, sink: Node, target: Node | None) -> Finding | None:
        found = evidence(ctx, target, URL)
        if found.taint is None or has_fixed_prefix(ctx, target) or is_referrer(ctx, target):
            return None
        names = {ctx.text(SYN.unwrap(target))} | {ctx.text(n) for n in descendants(SYN.unwrap(target), ("identifier",))}
        if checked_before(ctx, sink, names, _TARGET_CHECK):
            return None
        return self.finding(ctx, sink, f"Open redirect: target URL{found.origin} is not checked; allow local paths or known hosts only")
