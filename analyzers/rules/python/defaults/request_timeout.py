"""PY-TIMEOUT-001 request-without-timeout: an outgoing HTTP request that can wait forever.

**What it finds.** `requests.get/post/...`, `requests.request()` and the same
methods on a `requests.Session` without `timeout=`; `urllib.request.urlopen()`
without a timeout; `httpx` calls and clients given `timeout=None` explicitly.

**Not reported.** httpx calls without `timeout=` (httpx applies a 5-second
default), calls that pass `**kwargs` (the timeout may be inside), aiohttp
(its sessions default to a 5-minute total timeout), `session.send()`, and
test code (test functions and classes, modules that import a test framework):
a test that hangs is a failed test run, not a stalled production worker.

**Fix.** "Add timeout" appends `timeout=10` (seconds, for connect and each
read); `timeout=None` becomes `timeout=10`. Responses that arrive within ten
seconds are unchanged; a stalled peer now raises a timeout error instead of
holding the worker forever. Raise the number for slow, trusted endpoints.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword, argument_value, has_splat, keyword_argument
from ....python.http_clients import REQUEST_MODULES, URLLIB_NAMES, http_call, is_client_constructor
from ....python.names import calls
from ....python.sensitive import in_test_code
from ...base import Explanation, Rule, register

DEFAULT_TIMEOUT = "10"


@register
class RequestWithoutTimeout(Rule):
    id = "PY-TIMEOUT-001"
    name = "request-without-timeout"
    cwe = 400
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Add timeout"
    # an `http_call`, or an httpx client constructor
    # every finding is an `http_call` (or an httpx client constructor): see http_clients.REQUEST_MODULES
    triggers = URLLIB_NAMES
    trigger_modules = REQUEST_MODULES
    summary = "HTTP request without a timeout (requests and urllib wait forever by default)"
    explanation = Explanation(
        what="The request has no timeout, and `requests` and `urllib` have no default one: they wait as long as the peer keeps the connection open.",
        why=(
            "Against a healthy service it returns in milliseconds, so it passes every test. When the peer stalls "
            "(overload, a network partition, or an attacker who accepts the connection and never answers) each "
            "call pins a worker thread or process until all of them hang and the whole service stops responding."
        ),
        hostile_input="A URL or upstream that accepts the TCP connection and then sends one byte every minute keeps the worker forever.",
        fix="Pass `timeout=` on every request (`requests.get(url, timeout=10)`), or `(connect, read)` like `timeout=(3.05, 27)`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            request = http_call(ctx, call)
            if request is not None and request.method != "send" and request.method != "Request":
                finding = self._check_request(ctx, call, request.library)
            elif name in ("httpx.Client", "httpx.AsyncClient") or is_client_constructor(ctx, call) == "httpx":
                finding = self._explicit_none(ctx, call, "httpx client")
            else:
                finding = None
            if finding is not None and not in_test_code(ctx, call):
                yield finding

    def _check_request(self, ctx: AnalysisContext, call: Node, library: str) -> Finding | None:
        if library == "httpx":
            return self._explicit_none(ctx, call, "httpx request")
        if library not in ("requests", "urllib"):
            return None
        position = 2 if library == "urllib" else None
        timeout = argument_value(ctx, call, "timeout", position)
        if timeout is not None:
            return self._explicit_none(ctx, call, f"{library} request")
        if has_splat(call):
            return None
        edit = add_keyword(ctx, call, f"timeout={DEFAULT_TIMEOUT}")
        fixes = (Fix(f"Add timeout={DEFAULT_TIMEOUT}", (edit,)),) if edit is not None else ()
        message = f"{library} request without a timeout: a stalled server blocks this worker forever; pass timeout="
        return self.finding(ctx, call, message, fixes=fixes)

    def _explicit_none(self, ctx: AnalysisContext, call: Node, what: str) -> Finding | None:
        keyword = keyword_argument(ctx, call, "timeout")
        value = keyword.child_by_field_name("value") if keyword is not None else None
        if value is None or value.type != "none":
            return None
        fix = Fix(f"Set timeout={DEFAULT_TIMEOUT}", (Edit(value.start_byte, value.end_byte, DEFAULT_TIMEOUT),))
        message = f"{what} with timeout=None waits forever on a stalled server; set a timeout"
        return self.finding(ctx, call, message, fixes=(fix,))
