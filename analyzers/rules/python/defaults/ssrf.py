"""PY-SSRF-001 server-side-request-forgery: the server fetches a URL the client chose.

**What it finds.** An outgoing request (`requests`, `httpx`, `urllib.request`,
`urllib3`, `aiohttp`, and their session/client objects) whose URL comes from
a request (query, form, JSON body, header, route parameter) and controls the
scheme or the host: the whole URL, a string that starts with the input, a
base URL concatenated without a `/` after the host, or `urljoin(base, input)`
(an absolute input replaces the base).

**Not reported.** URLs whose scheme and host are fixed by a literal prefix
such as `f"https://api.example.com/users/{user_id}"` or by a module constant
followed by a path (`f"{API_BASE}/users/{user_id}"`), and URLs checked before
the request in the same function against an allow-list: membership of the
URL or its parsed host in an allow-list (`urlparse(url).hostname in
ALLOWED_HOSTS`), equality with a constant, `startswith()` with a prefix that
includes the host and a `/`, a full regular-expression match, or a validator
whose name says so (`is_allowed_url(url)`). A scheme-only check such as
`url.startswith("http")` is not an allow-list. URLs from the environment or
the command line are not client input.

No automatic fix: the allow-list is application knowledge.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.dataflow import reaching_definitions
from ....python.guards import allow_list_checked
from ....python.http_clients import REQUEST_MODULES, URLLIB_NAMES, http_call
from ....python.inputs import remote_taint
from ....python.names import calls, qualified_name
from ....python.strings import Hole, Literal, built_string, unwrap_parens
from ...base import Explanation, Rule, register

URL_JOINERS = frozenset({"urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin"})
REQUEST_OBJECTS = frozenset({"urllib.request.Request", "urllib2.Request"})


def _is_request_object(ctx: AnalysisContext, node: Node | None) -> bool:
    """`urlopen(req)` where `req = Request(url, ...)`: the Request is reported instead."""
    node = unwrap_parens(node)
    if node is not None and node.type == "identifier":
        return any(_is_request_object(ctx, d.value) for d in reaching_definitions(ctx, node))
    return node is not None and node.type == "call" and qualified_name(ctx, node.child_by_field_name("function")) in REQUEST_OBJECTS


def _host_pinned(ctx: AnalysisContext, url: Node, depth: int = 0) -> bool:
    """True when the scheme and host of `url` are fixed before any input."""
    url = unwrap_parens(url)
    if url is None or depth > 4:
        return False
    if url.type == "identifier":
        definitions = reaching_definitions(ctx, url)
        return bool(definitions) and all(d.value is not None and _host_pinned(ctx, d.value, depth + 1) for d in definitions)
    if url.type == "call" and (qualified_name(ctx, url.child_by_field_name("function")) or "") in URL_JOINERS:
        return False
    built = built_string(ctx, url)
    if built is None or not built.segments:
        return False
    first = built.segments[0]
    if isinstance(first, Literal):
        scheme, sep, rest = first.value.partition("://")
        return bool(sep) and "/" in rest and "@" not in rest.split("/")[0]
    if isinstance(first, Hole) and len(built.segments) > 1 and remote_taint(ctx, first.node) is None:
        following = built.segments[1]
        # `{API_BASE}/users/{id}`: a trusted base followed by a path separator
        return isinstance(following, Literal) and following.value.startswith("/")
    return False


@register
class ServerSideRequestForgery(Rule):
    id = "PY-SSRF-001"
    name = "server-side-request-forgery"
    cwe = 918
    owasp = "A10:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # every finding is an `http_call` (or an httpx client constructor): see http_clients.REQUEST_MODULES
    triggers = URLLIB_NAMES
    trigger_modules = REQUEST_MODULES
    summary = "Outgoing request to a URL taken from the client without an allow-list check"
    explanation = Explanation(
        what="The server makes an HTTP request to a URL (or a host) that the client supplied.",
        why=(
            "Fetching a link preview, a webhook or an avatar URL works for every public URL, so it passes tests. "
            "But the request leaves from inside your network with your server's identity: the client can point it "
            "at the cloud metadata service, admin panels on localhost, internal APIs and databases that trust the "
            "server, and read the answers or probe the network."
        ),
        hostile_input="`?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/` returns the instance's cloud credentials.",
        fix=(
            "Parse the URL and check its scheme and host against an allow-list before the request "
            "(`u = urlparse(url); if u.scheme != \"https\" or u.hostname not in ALLOWED_HOSTS: abort(400)`), "
            "or take only an identifier from the client and build the URL from a fixed base."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, _name in calls(ctx):
            request = http_call(ctx, call)
            if request is None or request.url is None:
                continue
            url = request.url
            if request.method == "urlopen" and _is_request_object(ctx, url):
                continue
            taint = remote_taint(ctx, url)
            if taint is None or _host_pinned(ctx, url) or allow_list_checked(ctx, url):
                continue
            message = f"SSRF: {request.library} request to a URL from {taint.source} (line {taint.line}) with no allow-list check of its host"
            yield self.finding(ctx, call, message)
