"""JS-SSRF-001 ssrf-request-controlled-url: the server fetches a URL whose host comes from the request.

**What it finds.** `fetch`, `axios` (`axios(url)`, `axios.get/post/...`,
`axios({ url })`), `got`, `needle`, `superagent`, `node-fetch`, `undici`
`request`, and `http(s).get/request` given a URL from request input whose
scheme or host is not fixed by the code; and headless browsers and HTML
renderers (Puppeteer/Playwright `page.goto`/`setContent`, PhantomJS
`openUrl`, `wkhtmltopdf`) driven by request input, which fetch whatever the
page or HTML points at from inside your network.

**Not reported.** URLs with a constant origin and path prefix
(`` `https://api.example.com/users/${id}` ``), URLs checked before the call
(allow-list of hosts, `new URL(x).hostname === ...`), and constant URLs.

**Fix.** No automatic fix: parse the URL, allow only `https:` and an
allow-list of hosts, and refuse private, loopback and link-local addresses
(resolve the name first, then connect to the checked address).
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.guards import checked_before
from ...common.names import call_matches, calls_in
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import evidence
from ...javascript.sources import URL
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register
from ...javascript.triggers import first_parts
from .open_redirect import has_fixed_prefix

HTTP_CALLS = (
    "fetch", "node-fetch", "node-fetch.default", "axios", "axios.get", "axios.post", "axios.put", "axios.patch", "axios.delete",
    "axios.head", "axios.request", "got", "got.get", "got.post", "needle", "needle.get", "superagent.get", "superagent.post",
    "request", "request.get", "undici.request", "undici.fetch", "http.get", "http.request", "https.get", "https.request",
    "*.$fetch", "ky", "ky.get",
)
HEADLESS_CALLS = ("*.goto", "*.setContent", "*.openUrl", "*.navigate", "wkhtmltopdf", "wkhtmltoimage.generate", "html-pdf.create", "*.printToPDF")
_HOST_CHECK = re.compile(r"\.host(name)?\b|origin|allow|whitelist|trusted|includes\s*\(|\bhas\s*\(|startsWith\s*\(|isPrivate|isSafe|\.test\s*\(", re.IGNORECASE)


@register
class JsSsrf(Rule):
    id = "JS-SSRF-001"
    name = "ssrf-request-controlled-url"
    cwe = 918
    owasp = "A10:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("javascript",)
    # the client (`axios`, `http`, `got`: not `get`, `request`, `create`) or, for `*.goto`-style patterns, the method
    triggers = first_parts(HTTP_CALLS, HEADLESS_CALLS)
    summary = "Server-side HTTP request to a URL whose host comes from request input"
    explanation = Explanation(
        what="The server requests a URL the client chose (`?url=`, a webhook or image URL in the body).",
        why=(
            "Fetching a link preview or webhook works, so it ships. The server sits inside your network: the client "
            "makes it call internal admin APIs, databases with HTTP interfaces, or the cloud metadata service, and "
            "reads the answers."
        ),
        hostile_input="`?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/` returns cloud credentials.",
        fix="Allow only `https:` and an allow-list of hosts (`new URL(u).hostname`), refuse private/loopback/link-local addresses after resolving, and do not follow redirects blindly.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression" or not call_matches(ctx, call, HTTP_CALLS + HEADLESS_CALLS):
                continue
            args = SYN.arguments(call)
            if not args:
                continue
            target = self._url_argument(ctx, args[0])
            if target is None:
                continue
            found = evidence(ctx, target, URL)
            if found.taint is None or has_fixed_prefix(ctx, target):
                continue
            names = {ctx.text(SYN.unwrap(target))} | {ctx.text(n) for n in descendants(SYN.unwrap(target), ("identifier",))}
            if checked_before(ctx, call, names, _HOST_CHECK):
                continue
            yield self.finding(ctx, call, f"SSRF: the server requests a URL{found.origin} whose host is not fixed or checked")

    @staticmethod
    def _url_argument(ctx: AnalysisContext, arg: Node) -> Node | None:
        arg = SYN.unwrap(arg)
        if arg.type == "object":
            for pair in arg.named_children:
                if pair.type == "pair" and ctx.text(pair.child_by_field_name("key")).strip("'\"") in ("url", "uri", "baseURL", "host", "hostname"):
                    return pair.child_by_field_name("value")
            return None
        return arg
