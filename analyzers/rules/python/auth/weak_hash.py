"""PY-HASH-002 weak-hash-algorithm: MD5 or SHA-1 used where collisions matter.

**What it finds.** `hashlib.md5()`, `hashlib.sha1()`, `hashlib.new("md5")`
(also `md4`, `sha`), PyCryptodome's `MD5.new()` / `SHA1.new()` and
cryptography's `hashes.MD5()` / `hashes.SHA1()`. Both are broken for
collision resistance: two different inputs with the same digest can be made
on a laptop (MD5) or a rented cluster (SHA-1, "SHAttered"), so a digest no
longer proves which data it came from (signatures, integrity checks,
deduplication of untrusted uploads, tokens derived from data).

**Severity.** Medium when the hashed data comes from a request or the digest
is named for a security purpose (token, signature, session, integrity, ...),
low otherwise: MD5 for a cache key is common and mostly harmless, but the
code should say so.

**Not reported.** Truncated digests used as short ids (`md5(x).hexdigest()[:8]`),
calls that say they are not for security
(`hashlib.md5(data, usedforsecurity=False)`, Python 3.9+); digests bound to
a name that says what they are for when that is not security (`cache_key`,
`etag`, `bucket`, `shard`, `gravatar`/`avatar` URLs, whose API requires
MD5); HMAC (`hmac.new(key, msg, hashlib.md5)`: HMAC does not rely on
collision resistance); passwords (PY-HASH-001 reports those).

**Fixes.** "Use SHA-256" swaps the algorithm: output stays a digest of the
same type (hex string or bytes) but changes value and length, so digests
stored or compared elsewhere must be recomputed (said in the title). For a
use that really is not about security, "Mark as not for security" adds
`usedforsecurity=False`, which keeps every digest identical and documents
the intent (and keeps the code working on FIPS-mode systems).
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import (
    add_keyword,
    argument_value,
    has_splat,
    keyword_argument,
)
from ....python.dataflow import enclosing_function
from ....python.names import calls
from ....python.sensitive import identifier_words, string_literal_value
from ....python.taint import is_tainted
from ...base import Explanation, Rule, register
from .weak_password_hash import hashes_a_password

WEAK = {"md5": "MD5", "sha1": "SHA-1", "md4": "MD4", "sha": "SHA-1", "md5-sha1": "MD5"}
CONSTRUCTORS = {
    "hashlib.md5": "md5", "hashlib.sha1": "sha1",
    "Crypto.Hash.MD5.new": "md5", "Crypto.Hash.SHA1.new": "sha1", "Crypto.Hash.SHA.new": "sha1",
    "Cryptodome.Hash.MD5.new": "md5", "Cryptodome.Hash.SHA1.new": "sha1",
    "cryptography.hazmat.primitives.hashes.MD5": "md5", "cryptography.hazmat.primitives.hashes.SHA1": "sha1",
}
NON_SECURITY_WORDS = frozenset(
    {"cache", "etag", "bucket", "shard", "partition", "gravatar", "avatar", "color", "colour", "dedupe", "dedup",
     "template", "filename", "slug", "version", "tag"}
)
SECURITY_WORDS = frozenset({"token", "sign", "signature", "signed", "secret", "auth", "verify", "integrity", "session", "csrf", "otp", "nonce", "mac", "hmac", "certificate", "cert"})


def _truncated(ctx: AnalysisContext, call: Node) -> bool:
    """`md5(x).hexdigest()[:8]`: a short identifier, not a security digest."""
    node = call
    for _ in range(3):
        parent = node.parent
        if parent is None:
            return False
        if parent.type == "subscript" and parent.child_by_field_name("value") is not None and parent.child_by_field_name("value").id == node.id:
            return "slice" in [c.type for c in parent.named_children]
        node = parent
    return False


def _purpose_names(ctx: AnalysisContext, call: Node) -> list[str]:
    """Names that say what the digest is for: the target it is bound to, and the enclosing function."""
    names: list[str] = []
    node, parent = call, call.parent
    while parent is not None and parent.type not in ("expression_statement", "block", "module", "function_definition"):
        if parent.type == "assignment":
            names.append(ctx.text(parent.child_by_field_name("left")))
            break
        if parent.type == "keyword_argument":
            names.append(ctx.text(parent.child_by_field_name("name")))
            break
        node, parent = parent, parent.parent
    function = enclosing_function(call)
    if function is not None and function.type == "function_definition":
        names.append(ctx.text(function.child_by_field_name("name")))
    return names


@register
class WeakHashAlgorithm(Rule):
    id = "PY-HASH-002"
    name = "weak-hash-algorithm"
    triggers = tuple(sorted(last_parts(CONSTRUCTORS) | {"new"}))  # `new`: hashlib.new("md5")
    cwe = 328
    owasp = "A02:2021"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Use SHA-256"
    summary = "MD5 or SHA-1 digest (collisions can be forged)"
    explanation = Explanation(
        what="Data is hashed with MD5 or SHA-1, whose collision resistance is broken.",
        why=(
            "The digest looks unique and every test passes. But anyone can craft two different inputs with the same "
            "MD5 (in seconds) or SHA-1 (for about $45k of cloud time), so a digest that is signed, compared for "
            "integrity or used as an identifier for untrusted data can be matched by different, hostile data."
        ),
        hostile_input=(
            "An attacker uploads a harmless PDF that is approved by its MD5, then swaps in a malicious PDF crafted with "
            "the same MD5 (a chosen-prefix collision): every check keyed on the digest still passes."
        ),
        fix="Use `hashlib.sha256` (or SHA-3/BLAKE2); if the digest is only a cache key or ETag, say so with `usedforsecurity=False`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            algorithm, name_node = self._algorithm(ctx, call, name)
            if algorithm is None:
                continue
            used_for_security = keyword_argument(ctx, call, "usedforsecurity")
            if used_for_security is not None and ctx.text(used_for_security.child_by_field_name("value")) == "False":
                continue
            purposes = [set(identifier_words(n)) for n in _purpose_names(ctx, call)]
            if any(words & NON_SECURITY_WORDS for words in purposes) or _truncated(ctx, call):
                continue
            data = argument_value(ctx, call, "data", 1 if name == "hashlib.new" else 0) or argument_value(ctx, call, "string", None)
            if hashes_a_password(ctx, call, data):
                continue  # a password: PY-HASH-001's finding, with a password-hash fix
            security = is_tainted(ctx, data) or any(words & SECURITY_WORDS for words in purposes)
            yield self.finding(
                ctx, call, f"{WEAK[algorithm]} is broken for collisions; use SHA-256 (or pass usedforsecurity=False if this is not a security use)",
                fixes=self._fixes(ctx, call, name, name_node, algorithm),
                severity=Severity.MEDIUM if security else Severity.LOW,
            )

    @staticmethod
    def _algorithm(ctx: AnalysisContext, call: Node, name: str | None) -> tuple[str | None, Node | None]:
        if name in CONSTRUCTORS:
            return CONSTRUCTORS[name], call.child_by_field_name("function")
        if name == "hashlib.new":
            literal = argument_value(ctx, call, "name", 0)
            value = (string_literal_value(ctx, literal) or "").lower().replace("_", "")
            if value in WEAK:
                return value, literal
        return None, None

    @staticmethod
    def _fixes(ctx: AnalysisContext, call: Node, name: str, name_node: Node, algorithm: str) -> tuple[Fix, ...]:
        fixes: list[Fix] = []
        title = "Use SHA-256 (digests change value and length: recompute stored ones)"
        if name == "hashlib.new":
            quote = ctx.text(name_node)[-1]
            fixes.append(Fix(title, (Edit(name_node.start_byte, name_node.end_byte, f"{quote}sha256{quote}"),)))
        elif name.startswith("hashlib."):
            function = ctx.text(name_node)
            fixes.append(Fix(title, (Edit(name_node.start_byte, name_node.end_byte, function.rsplit(".", 1)[0] + ".sha256" if "." in function else "hashlib.sha256"),), imports=() if "." in function else ("import hashlib",)))
        elif name.startswith("cryptography."):
            function = ctx.text(name_node)
            fixes.append(Fix(title, (Edit(name_node.start_byte, name_node.end_byte, function.rsplit(".", 1)[0] + ".SHA256" if "." in function else "SHA256"),), imports=() if "." in function else ("from cryptography.hazmat.primitives.hashes import SHA256",)))
        if name.startswith("hashlib.") and not has_splat(call):
            add = add_keyword(ctx, call, "usedforsecurity=False")
            if add is not None:
                fixes.append(Fix("Mark as not for security (usedforsecurity=False; digests unchanged)", (add,)))
        return tuple(fixes)
