"""Transport and browser-policy misconfiguration: JS-TLS-001 certificate checks switched off, JS-CORS-001 any origin allowed with credentials.

**JS-TLS-001.** `rejectUnauthorized: false` (https/tls agents, axios,
`pg`/`mysql2` `ssl` options), `strictSSL: false`, and
`process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`, which turns off
certificate checking for the whole process. Fix: "Verify certificates" sets
`rejectUnauthorized: true` / removes the environment override; connections
to servers with valid certificates behave the same. For self-signed
internal services pass their CA with `ca:` instead.

**JS-CORS-001.** `cors({ origin: "*" | true | (o, cb) => cb(null, true),
credentials: true })`, and responses that set
`Access-Control-Allow-Origin` to `*` or to the request's own `Origin`
header together with `Access-Control-Allow-Credentials: true`. Any website
can then make authenticated requests and read the answers. No automatic fix:
list the allowed origins.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, dotted_name, method_name, unit_nodes
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import object_fields
from ...javascript.strings import literal_value
from ...javascript.triggers import last_parts
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

TLS_OPTIONS = {"rejectUnauthorized": "true", "strictSSL": "true"}
TLS_ENVIRONMENT = ("process.env.NODE_TLS_REJECT_UNAUTHORIZED",)
CORS_CALLS = ("cors", "@fastify/cors", "fastify-cors")
REGISTER = "register"
"""`fastify.register(cors, {...})`: a register call whose text mentions cors."""
HEADER_METHODS = ("setHeader", "header", "set", "append")
_FALSE = frozenset({"false", "0", '"0"', "'0'", '"false"', "'false'"})


@register
class JsTlsVerificationDisabled(Rule):
    id = "JS-TLS-001"
    name = "tls-verification-disabled"
    cwe = 295
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("javascript",)
    triggers = tuple(TLS_OPTIONS) + last_parts(TLS_ENVIRONMENT)  # the option key or the written environment variable
    fix_title = "Verify certificates"
    summary = "TLS certificate verification switched off (rejectUnauthorized: false, NODE_TLS_REJECT_UNAUTHORIZED=0)"
    explanation = Explanation(
        what="The client accepts any certificate, so it cannot tell the real server from an impostor.",
        why=(
            "It makes a self-signed or misconfigured endpoint work, so it gets copied into production. Anyone on the "
            "network path (Wi-Fi, proxy, compromised router, cloud neighbour) reads and changes the traffic, including "
            "credentials and tokens."
        ),
        hostile_input="A man-in-the-middle presents a self-signed certificate for `api.payments.example` and receives the API key.",
        fix="Keep verification on; for a private CA pass it with `ca: fs.readFileSync('ca.pem')`. Never set NODE_TLS_REJECT_UNAUTHORIZED=0.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for pair in unit_nodes(ctx, ("pair",)):
            key = ctx.text(pair.child_by_field_name("key")).strip("'\"")
            value = pair.child_by_field_name("value")
            if key in TLS_OPTIONS and value is not None and ctx.text(value) in _FALSE:
                fix = Fix("Verify certificates", (Edit(value.start_byte, value.end_byte, TLS_OPTIONS[key]),))
                yield self.finding(ctx, pair, f"TLS verification disabled: `{key}: {ctx.text(value)}` accepts any certificate", fixes=(fix,))
        for assignment in unit_nodes(ctx, ("assignment_expression",)):
            left = assignment.child_by_field_name("left")
            if dotted_name(ctx, left) in TLS_ENVIRONMENT and ctx.text(assignment.child_by_field_name("right")) in _FALSE:
                statement = assignment.parent
                fixes = ()
                if statement is not None and statement.type == "expression_statement":
                    end = statement.end_byte
                    if ctx.source[end : end + 2] == b"\r\n":
                        end += 2
                    elif ctx.source[end : end + 1] == b"\n":
                        end += 1
                    line_start = ctx.source.rfind(b"\n", 0, statement.start_byte) + 1
                    if not ctx.source[line_start : statement.start_byte].strip():
                        fixes = (Fix("Verify certificates (remove the override)", (Edit(line_start, end, ""),)),)
                yield self.finding(ctx, assignment, "TLS verification disabled for the whole process: NODE_TLS_REJECT_UNAUTHORIZED=0", fixes=fixes)


@register
class JsCorsAnyOriginWithCredentials(Rule):
    id = "JS-CORS-001"
    name = "cors-any-origin-with-credentials"
    cwe = 942
    owasp = "A05:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("javascript",)
    # the cors middleware, fastify's register, or the header-setting methods both headers need
    triggers = last_parts(CORS_CALLS) + (REGISTER,) + HEADER_METHODS
    summary = "CORS allows any origin (or reflects it) together with credentials"
    explanation = Explanation(
        what="The server tells browsers that every website may send credentialed requests and read the responses.",
        why=(
            "It silences the CORS errors the front-end had, so it looks like the fix. But any page a logged-in user "
            "visits can now call your API with their cookies and read their data."
        ),
        hostile_input="`evil.example` runs `fetch('https://api.your.app/me', { credentials: 'include' })` and reads the victim's profile.",
        fix="List allowed origins: `cors({ origin: ['https://app.example.com'], credentials: true })`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call_matches(ctx, call, CORS_CALLS) or (method_name(ctx, call) == REGISTER and "cors" in ctx.text(call).lower()):
                for arg in SYN.arguments(call):
                    options = object_fields(ctx, arg)
                    origin = options.get("origin")
                    credentials = options.get("credentials")
                    if origin is not None and credentials is not None and ctx.text(credentials) == "true" and self._any_origin(ctx, origin):
                        yield self.finding(ctx, call, "CORS: any origin is allowed together with credentials")
        headers = self._header_calls(ctx)
        credentials = [c for c, name, value in headers if name == "access-control-allow-credentials" and "true" in value]
        if credentials:
            for call, name, value in headers:
                if name == "access-control-allow-origin" and (value in ("*",) or re.search(r"(headers\.origin|get\(['\"]origin|header\(['\"]origin)", value, re.IGNORECASE)):
                    yield self.finding(ctx, call, "CORS: Access-Control-Allow-Origin is `*` or the request's own origin, with credentials allowed")

    @staticmethod
    def _any_origin(ctx: AnalysisContext, origin: Node) -> bool:
        origin = SYN.unwrap(origin)
        text = ctx.text(origin)
        if text in ("true", '"*"', "'*'", "`*`"):
            return True
        if SYN.is_function(origin):
            body = ctx.text(origin.child_by_field_name("body"))
            return bool(re.search(r"\(\s*null\s*,\s*(true|origin)\s*\)", body)) and not re.search(r"includes|indexOf|has\(|===|allow|white", body)
        return False

    @staticmethod
    def _header_calls(ctx: AnalysisContext) -> list[tuple[Node, str, str]]:
        out = []
        for call in calls_in(ctx):
            if method_name(ctx, call) not in HEADER_METHODS:
                continue
            args = SYN.arguments(call)
            if len(args) < 2:
                continue
            name = literal_value(ctx, args[0])
            if name is None:
                continue
            value = literal_value(ctx, args[1])
            out.append((call, name.lower(), value if value is not None else ctx.text(args[1])))
        return out
