"""JS-RAND-001 insecure-random-for-secret: `Math.random()` used to make tokens, passwords, keys or codes.

**What it finds.** `Math.random()` in an expression assigned to, returned
as, or passed as something whose name says it is secret (`token`,
`password`, `secret`, `apiKey`, `salt`, `nonce`, `otp`, `resetCode`,
`sessionId`, `inviteCode`, ...), or inside a function so named
(`generateToken()`).

**Not reported.** `Math.random()` for UI, sampling, jitter and shuffling
unrelated to secrets.

**Fix.** "Use crypto" rewrites `Math.random().toString(36).slice(2)`-style
tokens to `crypto.randomBytes(16).toString("hex")` and
`Math.floor(Math.random() * n)` to `crypto.randomInt(n)`, adding the
`crypto` import; in browser and React code (no Node `crypto` module) tokens
become `crypto.randomUUID()` from Web Crypto. Values stay strings/integers of the same kind, now
unpredictable.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, dotted_name, method_name
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.triggers import last_parts
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

SECRET_NAME = re.compile(
    r"(token|passw(or)?d|passwd|pwd|secret|api_?key|apikey|salt|nonce|otp|one_?time|reset|invite|session_?id|sessionid|"
    r"csrf|xsrf|verification|verify_?code|auth_?code|access_?code|pin\b|private_?key|signing|credential)",
    re.IGNORECASE,
)
MATH_RANDOM = ("Math.random",)
_TO_STRING_CHAIN = frozenset({"toString", "substring", "substr", "slice", "padStart", "toUpperCase"})
_BROWSER_HINT = re.compile(r"\b(document|window|localStorage|sessionStorage)\.")


def _context_name(ctx: AnalysisContext, node: Node) -> str:
    """Names around the expression: variable, property, parameter, function."""
    names = []
    current = node.parent
    while current is not None:
        # the nearest binding names the value; only unnamed values take the function's name
        if current.type == "variable_declarator":
            return ctx.text(current.child_by_field_name("name"))
        elif current.type == "pair":
            return ctx.text(current.child_by_field_name("key"))
        elif current.type in ("assignment_expression", "augmented_assignment_expression"):
            return ctx.text(current.child_by_field_name("left"))
        elif current.type == "call_expression" and current.id != node.id:
            names.append(ctx.text(SYN.callee(current)))
        elif SYN.is_function(current):
            name = current.child_by_field_name("name")
            if name is None and current.parent is not None and current.parent.type in ("variable_declarator", "pair"):
                name = current.parent.child_by_field_name("name") or current.parent.child_by_field_name("key")
            names.append(ctx.text(name) if name is not None else "")
            break
        elif current.type.endswith("_statement") and current.type != "return_statement":
            break
        current = current.parent
    return " ".join(names)


@register
class JsInsecureRandom(Rule):
    id = "JS-RAND-001"
    name = "insecure-random-for-secret"
    cwe = 338
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(MATH_RANDOM)
    fix_title = "Use crypto.randomBytes / crypto.randomInt"
    summary = "Math.random() used to generate a token, password, key, salt or one-time code"
    explanation = Explanation(
        what="`Math.random()` is a fast, predictable generator (xorshift128+), not a source of secrets.",
        why=(
            "The tokens look random and tests pass. But its state can be recovered from a few outputs, so an attacker "
            "who sees some tokens (their own reset links, invite codes) predicts the next ones: other users' reset "
            "tokens, session ids or one-time codes."
        ),
        hostile_input="Request three password resets for your own account, recover the generator state, predict the admin's reset token.",
        fix="Use `crypto.randomBytes(32).toString('hex')`, `crypto.randomUUID()` or `crypto.randomInt(n)` (Web: `crypto.getRandomValues`).",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if not call_matches(ctx, call, MATH_RANDOM):
                continue
            outer = _outermost_expression(ctx, call)
            if not SECRET_NAME.search(_context_name(ctx, outer)):
                continue
            fix = self._fix(ctx, call, outer)
            yield self.finding(ctx, call, "Insecure randomness: Math.random() is predictable; use crypto.randomBytes/randomInt for secrets", fixes=(fix,) if fix else ())

    @staticmethod
    def _fix(ctx: AnalysisContext, call: Node, outer: Node) -> Fix | None:
        browser = _is_browser_code(ctx)
        imports = () if browser else ("crypto from crypto",)
        if ctx.facts.get("imports", {}).get("crypto") not in (None, "crypto"):
            return None
        # Math.floor(Math.random() * n)
        product = call.parent
        if product is not None and product.type == "binary_expression" and ctx.text(product.child_by_field_name("operator")) == "*":
            factor = product.child_by_field_name("right") if product.child_by_field_name("left").id == call.id else product.child_by_field_name("left")
            floor = product.parent
            while floor is not None and floor.type == "parenthesized_expression":
                floor = floor.parent
            if floor is not None and floor.type == "arguments":
                floor = floor.parent
            if floor is not None and floor.type == "call_expression" and dotted_name(ctx, SYN.callee(floor)) in ("Math.floor", "Math.trunc") and not browser:
                return Fix("Use crypto.randomInt(n)", (Edit(floor.start_byte, floor.end_byte, f"crypto.randomInt({ctx.text(factor)})"),), imports)
            return None
        # Math.random().toString(36).slice(2) and friends
        chain = call
        while chain.parent is not None and chain.parent.type == "member_expression" and chain.parent.parent is not None and chain.parent.parent.type == "call_expression":
            method = method_name(ctx, chain.parent.parent)
            if method not in _TO_STRING_CHAIN:
                break
            chain = chain.parent.parent
        if chain.id != call.id and method_name(ctx, chain) in ("substring", "substr", "slice", "toString"):
            if browser:  # Web Crypto: a global in browsers (and in Node 19+)
                return Fix("Use crypto.randomUUID()", (Edit(chain.start_byte, chain.end_byte, "crypto.randomUUID()"),))
            return Fix('Use crypto.randomBytes(16).toString("hex")', (Edit(chain.start_byte, chain.end_byte, 'crypto.randomBytes(16).toString("hex")'),), imports)
        return None


BROWSER_MODULES = frozenset({"react", "react-dom", "vue", "svelte", "@angular/core", "preact", "solid-js", "jquery"})
NODE_MODULES = frozenset({"fs", "path", "crypto", "child_process", "http", "https", "express", "os", "net", "fs/promises", "koa", "fastify"})


def _is_browser_code(ctx: AnalysisContext) -> bool:
    """Browser (or React) code has Web Crypto but no Node `crypto` module."""
    modules = set(ctx.facts.get("imported_modules", ()))
    if modules & NODE_MODULES:
        return False
    if ctx.language == "tsx" or modules & BROWSER_MODULES:
        return True
    return bool(_BROWSER_HINT.search(ctx.source.decode("utf-8", "replace")))


def _outermost_expression(ctx: AnalysisContext, node: Node) -> Node:
    current = node
    while current.parent is not None and current.parent.type in (
        "member_expression", "call_expression", "binary_expression", "parenthesized_expression", "arguments", "template_substitution",
        "template_string", "array", "ternary_expression", "unary_expression",
    ):
        current = current.parent
    return current
