"""JS-HASH-001 weak-password-hash: passwords hashed with a fast digest (MD5, SHA-1, SHA-256, ...).

**What it finds.** `crypto.createHash(alg).update(password)` and
`crypto.createHmac`, the `md5`/`sha1`/`js-sha256` packages and CryptoJS
(`CryptoJS.MD5(password)`, `SHA256`), applied to a value whose name says it
is a password or passphrase; bcrypt with a cost below 10; and slow hashes
(`crypto.pbkdf2Sync`, `crypto.scryptSync`, `bcrypt.hash`) given the same salt
for every password (a literal, `Buffer.from("...")` or a constant).

**Not reported.** Fast hashes of non-secrets (file checksums, cache keys,
ETags), `bcrypt`/`argon2`/`scrypt`/`pbkdf2` with sane parameters, and a low
bcrypt cost in test code (tests lower it on purpose to run fast).

**Fix.** No automatic fix (stored hashes must be migrated): use `bcrypt.hash(password, 12)`,
`argon2.hash(password)` or `crypto.scrypt`, and re-hash on the next login.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, method_name
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.strings import literal_value
from ...javascript.testcode import in_test_code
from ...javascript.triggers import last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

PASSWORD = re.compile(r"pass(word|wd|phrase)?|pwd|\bpw\b", re.IGNORECASE)
FAST_DIGEST_CALLS = (
    "md5", "sha1", "sha256", "js-sha256", "js-sha256.sha256", "js-sha1", "crypto-js.MD5", "crypto-js.SHA1", "crypto-js.SHA256",
    "crypto-js.SHA512", "CryptoJS.MD5", "CryptoJS.SHA1", "CryptoJS.SHA256", "CryptoJS.SHA512", "crypto-js/md5", "crypto-js/sha256",
    "crypto-js/sha1",
)
SLOW_HASHES = (
    "crypto.pbkdf2Sync", "crypto.pbkdf2", "crypto.scryptSync", "crypto.scrypt", "bcrypt.hash", "bcrypt.hashSync",
    "bcryptjs.hash", "bcryptjs.hashSync",
)
DIGEST_UPDATE = "update"
"""`crypto.createHash(alg).update(password)`: reported at the `update` call."""
BCRYPT_HASH = ("bcrypt.hash", "bcrypt.hashSync", "bcryptjs.hash", "bcryptjs.hashSync", "bcrypt.genSalt", "bcrypt.genSaltSync", "bcryptjs.genSalt", "bcryptjs.genSaltSync")


def _is_password(ctx: AnalysisContext, node: Node | None) -> bool:
    node = SYN.unwrap(node)
    if node is None:
        return False
    text = ctx.text(node)
    if PASSWORD.search(text) and not re.search(r"hash|digest|reset|token|confirm_?url", text, re.IGNORECASE):
        return True
    if node.type == "identifier":
        return any(d.value is not None and _is_password(ctx, d.value) for d in reaching_definitions(ctx, node) if d.kind == "assign")
    return False


@register
class JsWeakPasswordHash(Rule):
    id = "JS-HASH-001"
    name = "weak-password-hash"
    cwe = 916
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = last_parts(FAST_DIGEST_CALLS, SLOW_HASHES, BCRYPT_HASH) + (DIGEST_UPDATE,)
    summary = "Password hashed with a fast digest (MD5/SHA-1/SHA-256) or bcrypt with a low cost"
    explanation = Explanation(
        what="Passwords are stored as a fast hash, which GPUs compute billions of times per second.",
        why=(
            "Login works and the database holds no plain text, so it looks secure. After a database leak every common "
            "password is cracked in minutes, and unsalted hashes are looked up in precomputed tables."
        ),
        hostile_input="A leaked `5f4dcc3b5aa765d61d8327deb882cf99` is `password`: found instantly in any MD5 lookup table.",
        fix="Use `bcrypt.hash(password, 12)` / `argon2.hash(password)` / `crypto.scrypt` and verify with the library's compare.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if method_name(ctx, call) == DIGEST_UPDATE:
                digest = SYN.unwrap(SYN.callee(call).child_by_field_name("object"))
                if digest is not None and digest.type == "call_expression" and call_matches(ctx, digest, ("crypto.createHash", "createHash", "crypto.createHmac")):
                    args = SYN.arguments(call)
                    if args and _is_password(ctx, args[0]):
                        algorithm = ctx.text(SYN.arguments(digest)[0]).strip("'\"`") if SYN.arguments(digest) else "?"
                        yield self.finding(ctx, call, f"Weak password hash: {algorithm} is a fast digest; use bcrypt, argon2 or scrypt")
            elif call_matches(ctx, call, FAST_DIGEST_CALLS):
                args = SYN.arguments(call)
                if args and _is_password(ctx, args[0]):
                    yield self.finding(ctx, call, "Weak password hash: a fast digest of a password; use bcrypt, argon2 or scrypt")
            else:
                yield from self._slow_hash(ctx, call)

    def _slow_hash(self, ctx: AnalysisContext, call: Node) -> Iterator[Finding]:
        args = SYN.arguments(call)
        if call_matches(ctx, call, SLOW_HASHES) and len(args) >= 2 and _is_password(ctx, args[0]) and _is_constant_salt(ctx, args[1]):
            yield self.finding(
                ctx, args[1],
                "Weak password hash: the same salt for every password, so equal passwords get equal hashes; "
                "use crypto.randomBytes(16) per password and store it with the hash",
            )
        elif call_matches(ctx, call, BCRYPT_HASH) and not in_test_code(ctx, call):
            rounds = args[-1] if args and "genSalt" in ctx.text(SYN.callee(call)) else (args[1] if len(args) >= 2 else None)
            rounds = SYN.unwrap(rounds)
            if rounds is not None and rounds.type == "number" and int(float(ctx.text(rounds))) < 10:
                yield self.finding(ctx, call, f"Weak password hash: bcrypt cost {ctx.text(rounds)} is too low; use 12 or more", severity=Severity.MEDIUM)


def _is_constant_salt(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """A salt that is the same on every run: a string literal, `Buffer.from("...")`,
    or a name bound only to those (module constants included). `bcrypt.hash(pw, 12)`
    passes a cost, not a salt."""
    node = SYN.unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type in ("string", "template_string"):
        return literal_value(ctx, node) is not None
    if node.type == "call_expression" and call_matches(ctx, node, ("Buffer.from", "Buffer.alloc")):
        first = SYN.arguments(node)[:1]
        return bool(first) and (SYN.unwrap(first[0]).type == "number" or _is_constant_salt(ctx, first[0], depth + 1))
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        if defs:
            return all(d.kind == "assign" and not d.path and _is_constant_salt(ctx, d.value, depth + 1) for d in defs)
        return ctx.text(node) in ctx.facts.get("string_constants", {})
    return False
