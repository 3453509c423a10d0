"""JWT misuse in jsonwebtoken: JS-JWT-001 decode used instead of verify, JS-JWT-002 verify without pinned algorithms, JS-JWT-003 the `none` algorithm.

**JS-JWT-001.** `jwt.decode(token)` only base64-decodes: the signature is
never checked. Reported when the function that decodes never calls
`jwt.verify`, so the claims are trusted as they came; also jwt-simple's
`decode(token, key, noVerify)` with a truthy third argument (`'HS256'` there
is a classic mistake: it means "do not verify").

**JS-JWT-002.** `jwt.verify(token, key)` without `{ algorithms: [...] }`
lets the token header choose the algorithm; with a public key as the secret
an attacker can sign HS256 tokens with that public key (algorithm
confusion). Not reported when the options pin `algorithms`.

**JS-JWT-003.** `algorithm: "none"` / `algorithms: ["none"]` in `sign` or
`verify` options accepts unsigned tokens.

No automatic fixes: the right key and algorithm are deployment facts. Use
`jwt.verify(token, key, { algorithms: ["HS256"] })` (or `RS256`/`ES256` with
the public key) and never `decode` for authentication.
"""

from __future__ import annotations

import re
from typing import Iterator

from ...common.names import call_matches, calls_in
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import object_fields
from ...javascript.triggers import last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

DECODE = ("jsonwebtoken.decode", "jsonwebtoken.default.decode")
VERIFY = ("jsonwebtoken.verify", "jsonwebtoken.default.verify")
SIGN = ("jsonwebtoken.sign", "jsonwebtoken.default.sign")
JWT_SIMPLE_DECODE = ("jwt-simple.decode",)

@register
class JsJwtDecodeWithoutVerify(Rule):
    id = "JS-JWT-001"
    name = "jwt-decode-without-verify"
    cwe = 347
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(DECODE, JWT_SIMPLE_DECODE)
    summary = "jwt.decode() used to read claims for authentication; the signature is never verified"
    explanation = Explanation(
        what="`jwt.decode` returns the token's claims without checking its signature.",
        why="Login works with real tokens, so nothing looks wrong. Anyone can write a token with any claims: the server believes them.",
        hostile_input='A hand-made token with payload `{"sub": "1", "role": "admin"}` and any signature is accepted as the admin.',
        fix="Use `jwt.verify(token, secret, { algorithms: ['HS256'] })` and trust only what it returns.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call_matches(ctx, call, JWT_SIMPLE_DECODE):
                args = SYN.arguments(call)
                if len(args) >= 3 and ctx.text(args[2]) not in ("false", "undefined", "null", "0", '""', "''"):
                    yield self.finding(ctx, call, "JWT: jwt-simple's decode() with a truthy third argument (noVerify) skips the signature check")
                continue
            if not call_matches(ctx, call, DECODE):
                continue
            scope = SYN.enclosing_function(call) or ctx.unit
            if any(call_matches(ctx, c, VERIFY) for c in calls_in(ctx, scope)):
                continue
            yield self.finding(ctx, call, "JWT: jwt.decode() does not verify the signature; use jwt.verify() for anything you trust")

@register
class JsJwtVerifyWithoutAlgorithms(Rule):
    id = "JS-JWT-002"
    name = "jwt-verify-without-algorithms"
    cwe = 327
    owasp = "A02:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(VERIFY)
    summary = "jwt.verify() without an `algorithms` allow-list lets the token choose its algorithm"
    explanation = Explanation(
        what="`jwt.verify(token, key)` accepts whatever algorithm the token header names that fits the key type.",
        why=(
            "Tokens signed by your server verify, so it works. With asymmetric keys an attacker can switch the header "
            "to HS256 and sign with your public key (algorithm confusion); older library versions also accepted `none`."
        ),
        hostile_input='A token with header `{"alg": "HS256"}` signed with the server\'s RSA public key as the HMAC secret.',
        fix="Pin the algorithm: `jwt.verify(token, key, { algorithms: ['RS256'] })`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if not call_matches(ctx, call, VERIFY):
                continue
            args = SYN.arguments(call)
            options = args[2] if len(args) >= 3 else None
            if options is not None and SYN.unwrap(options).type not in ("object", "arrow_function", "function_expression"):
                continue  # options built elsewhere: unknown
            if "algorithms" in object_fields(ctx, options):
                continue
            yield self.finding(ctx, call, "JWT: jwt.verify() without `algorithms`; pin the expected algorithm")

@register
class JsJwtNoneAlgorithm(Rule):
    id = "JS-JWT-003"
    name = "jwt-none-algorithm"
    cwe = 347
    owasp = "A02:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    languages = ("javascript",)
    triggers = last_parts(VERIFY, SIGN)
    summary = "JWT signed or verified with the `none` algorithm (unsigned tokens)"
    explanation = Explanation(
        what="The `none` algorithm means the token carries no signature at all.",
        why="It makes local testing easy and everything works, but anyone can then mint tokens with any identity or role.",
        hostile_input='`eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.` (header `{"alg":"none"}`, payload `{"sub":"admin"}`) is accepted.',
        fix="Sign with `HS256` and a strong secret (or `RS256`/`ES256`) and verify with `algorithms: ['HS256']`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if not call_matches(ctx, call, VERIFY + SIGN):
                continue
            for arg in SYN.arguments(call)[2:]:
                options = object_fields(ctx, arg)
                for key in ("algorithm", "algorithms"):
                    value = options.get(key)
                    if value is not None and re.search(r"""['"`]none['"`]""", ctx.text(value), re.IGNORECASE):
                        yield self.finding(ctx, value, "JWT: the `none` algorithm accepts unsigned tokens")
