"""PY-JWT-001/002/003: JSON Web Tokens decoded without checking who signed them.

**PY-JWT-001 jwt-signature-not-verified.** `jwt.decode(token, key,
options={"verify_signature": False})` (PyJWT 2, python-jose) or
`jwt.decode(token, key, verify=False)` (PyJWT 1): the claims are read but
anyone can have written them. Not reported when the same function also
decodes the token *with* verification (reading the header or issuer first to
pick the key is a legitimate two-step pattern).
Fix, when a key is passed: drop the option (and add `algorithms=` if missing).

**PY-JWT-002 jwt-decode-without-algorithms.** `jwt.decode(token, key)`
without `algorithms=`. python-jose and PyJWT 1 then accept whatever
algorithm the token's header names, which allows algorithm confusion (an
RS256 public key used as an HS256 secret); PyJWT 2 refuses the call at run
time. Fix: add `algorithms=[...]` with the algorithm the file signs with
(`jwt.encode(..., algorithm="RS256")` or an `ALGORITHM = "HS256"`
constant), else `["HS256"]`; check it matches how your tokens are signed.

**PY-JWT-003 jwt-none-algorithm.** `"none"` in `algorithms=[...]` of a
decode (unsigned tokens accepted), or `algorithm="none"` in an encode
(unsigned tokens issued). Fix for decode: remove `"none"` from the list,
which keeps every signed token working.

All three are flaws by themselves: no input needs to be traced.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import (
    add_keyword,
    has_splat,
    keyword_argument,
    remove_argument,
)
from ....python.dataflow import enclosing_function
from ....python.names import call_arguments, calls
from ....python.sensitive import string_literal_value
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

DECODE_CALLS = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode", "jwt.api_jws.decode"})
ENCODE_CALLS = frozenset({"jwt.encode", "jose.jwt.encode", "jwt.api_jwt.encode"})
DEFAULT_ALGORITHM = '"HS256"'

_ENCODE_ALGORITHM = re.compile(rb"\bencode\s*\([^()]*?\balgorithm\s*=\s*(\"[A-Za-z0-9]+\"|'[A-Za-z0-9]+'|[A-Za-z_][\w.]*)")
_ALGORITHM_CONSTANT = re.compile(rb"^([A-Z_]*ALGORITHM)\s*(?::\s*\w+\s*)?=\s*[\"'][A-Za-z0-9]+[\"']\s*$", re.MULTILINE)


def _jwt_part(source: bytes, unit: Node, _facts) -> tuple | None:
    """(mentions jwt, algorithm passed to an encode() call, ALGORITHM constant) of one statement."""
    text = source[unit.start_byte : unit.end_byte]
    # the searches only where their literal words occur (a regular expression scans every position)
    encode = _ENCODE_ALGORITHM.search(text) if b"encode" in text else None
    constant = _ALGORITHM_CONSTANT.search(text) if b"ALGORITHM" in text else None
    if constant is not None and constant.start() == 0 and source[source.rfind(b"\n", 0, unit.start_byte) + 1 : unit.start_byte].strip():
        constant = _ALGORITHM_CONSTANT.search(text, 1)  # the statement does not start its line
    if b"jwt" not in text and encode is None and constant is None:
        return None
    return b"jwt" in text, encode.group(1).decode() if encode else None, constant.group(1).decode() if constant else None


def _combine_jwt_parts(parts: list[tuple]) -> dict:
    """The algorithm this file signs tokens with, as source text, for the algorithms= fix."""
    if not any(mentions for mentions, _, _ in parts):
        return {}
    encode = next((value for _, value, _ in parts if value is not None), None)
    if encode is not None and encode.lower().strip("'\"") != "none":
        return {"jwt_algorithm": encode}
    constant = next((value for _, _, value in parts if value is not None), None)
    return {"jwt_algorithm": constant} if constant is not None else {}


register_unit_facts("python", combine=_combine_jwt_parts)(_jwt_part)


def _jwt_calls(ctx: AnalysisContext, names: frozenset[str] = DECODE_CALLS) -> Iterator[Node]:
    for call, name in calls(ctx):
        if name in names:
            yield call


def _options_dict(ctx: AnalysisContext, call: Node) -> Node | None:
    options = keyword_argument(ctx, call, "options")
    value = unwrap_parens(options.child_by_field_name("value")) if options is not None else None
    return value if value is not None and value.type == "dictionary" else None


def _signature_check_disabled(ctx: AnalysisContext, call: Node) -> Node | None:
    """The `verify=False` keyword or `"verify_signature": False` pair, if any."""
    verify = keyword_argument(ctx, call, "verify")
    if verify is not None and ctx.text(verify.child_by_field_name("value")) == "False":
        return verify
    options = _options_dict(ctx, call)
    if options is not None:
        for pair in options.named_children:
            if pair.type == "pair" and string_literal_value(ctx, pair.child_by_field_name("key")) == "verify_signature":
                if ctx.text(pair.child_by_field_name("value")) == "False":
                    return pair
    return None


def _has_key(ctx: AnalysisContext, call: Node) -> bool:
    positional, keywords = call_arguments(ctx, call)
    key = positional[1] if len(positional) > 1 else keywords.get("key")
    return key is not None and ctx.text(key) not in ("None", '""', "''")


def _algorithms_edit(ctx: AnalysisContext, call: Node) -> tuple[Edit | None, str]:
    algorithm = ctx.facts.get("jwt_algorithm") or DEFAULT_ALGORITHM
    return add_keyword(ctx, call, f"algorithms=[{algorithm}]"), algorithm.strip("'\"")


class _JwtRule(Rule):
    cwe = 347
    owasp = "A02:2021"
    languages = ("python",)


@register
class JwtSignatureNotVerified(_JwtRule):
    id = "PY-JWT-001"
    name = "jwt-signature-not-verified"
    triggers = ("verify",)  # `verify=False` or `"verify_signature": False`: no finding without one
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix_title = "Verify the signature"
    summary = "jwt.decode with signature verification switched off"
    explanation = Explanation(
        what="The token's claims are decoded without checking its signature.",
        why=(
            "Real tokens decode fine, so the login flow works. But the signature is the only thing that proves the "
            "server issued the token: without it, any client can write its own claims."
        ),
        hostile_input=(
            "Base64-encode `{\"alg\":\"HS256\"}.{\"sub\":\"admin\",\"role\":\"admin\"}` with any signature "
            "(`eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.x`) and send it as the bearer token."
        ),
        fix='`jwt.decode(token, key, algorithms=["HS256"])`: keep verification on (it is the default).',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in _jwt_calls(ctx):
            disabled = _signature_check_disabled(ctx, call)
            if disabled is None or self._verified_elsewhere(ctx, call):
                continue
            yield self.finding(
                ctx, call, "jwt.decode with signature verification disabled: anyone can forge these claims", fixes=self._fix(ctx, call, disabled)
            )

    @staticmethod
    def _verified_elsewhere(ctx: AnalysisContext, call: Node) -> bool:
        function = enclosing_function(call)
        if function is None:
            return False
        return any(other.id != call.id and _signature_check_disabled(ctx, other) is None for other in _jwt_calls(ctx) if (enclosing_function(other) or call).id == function.id)

    @staticmethod
    def _fix(ctx: AnalysisContext, call: Node, disabled: Node) -> tuple[Fix, ...]:
        if not _has_key(ctx, call) or has_splat(call):
            return ()
        edits: list[Edit] = []
        if disabled.type == "keyword_argument":
            edit = remove_argument(ctx, call, disabled)
        else:
            options = disabled.parent
            pairs = [p for p in options.named_children if p.type == "pair"]
            if len(pairs) == 1:
                edit = remove_argument(ctx, call, keyword_argument(ctx, call, "options"))
            else:
                index = next(i for i, p in enumerate(pairs) if p.id == disabled.id)
                edit = Edit(pairs[index - 1].end_byte, disabled.end_byte, "") if index else Edit(disabled.start_byte, pairs[1].start_byte, "")
        if edit is None:
            return ()
        edits.append(edit)
        title = "Verify the signature"
        if keyword_argument(ctx, call, "algorithms") is None:
            add, algorithm = _algorithms_edit(ctx, call)
            if add is None:
                return ()
            edits.append(add)
            title += f' (algorithms=["{algorithm}"]: must match how tokens are signed)'
        return (Fix(title, tuple(edits)),)


@register
class JwtDecodeWithoutAlgorithms(_JwtRule):
    id = "PY-JWT-002"
    name = "jwt-decode-without-algorithms"
    triggers = tuple(sorted(last_parts(DECODE_CALLS)))
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix_title = "Pin the accepted algorithms"
    summary = "jwt.decode without algorithms= (algorithm confusion)"
    explanation = Explanation(
        what="The token is verified with whatever algorithm its own header asks for.",
        why=(
            "Valid tokens verify, so it works. But the attacker writes the header: with python-jose or PyJWT 1, a "
            "token that says `HS256` is checked as an HMAC with your RSA *public* key as the secret, and the public "
            "key is public."
        ),
        hostile_input="A token with header `{\"alg\":\"HS256\"}` signed with HMAC-SHA256 using the server's published RSA public key PEM.",
        fix='Name the algorithms you issue: `jwt.decode(token, key, algorithms=["RS256"])`.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in _jwt_calls(ctx):
            if has_splat(call) or keyword_argument(ctx, call, "algorithms") is not None or _signature_check_disabled(ctx, call) is not None:
                continue
            positional, _ = call_arguments(ctx, call)
            if len(positional) > 2:
                continue  # algorithms passed positionally (PyJWT 1: decode(jwt, key, verify, algorithms))
            if not _has_key(ctx, call):
                continue
            add, algorithm = _algorithms_edit(ctx, call)
            fixes = (Fix(f'Accept only algorithms=["{algorithm}"] (must match how tokens are signed)', (add,)),) if add is not None else ()
            yield self.finding(ctx, call, "jwt.decode without algorithms=: the token's header chooses how it is verified", fixes=fixes)


@register
class JwtNoneAlgorithm(_JwtRule):
    id = "PY-JWT-003"
    name = "jwt-none-algorithm"
    triggers = ("algorithm",)  # the `algorithms=` of a decode or the `algorithm=` of an encode
    cwe = 327
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix_title = 'Remove "none" from the accepted algorithms'
    summary = 'JWT "none" algorithm accepted or used'
    explanation = Explanation(
        what='Tokens with `"alg": "none"` (no signature at all) are accepted or issued.',
        why=(
            'Signed tokens keep working, so nothing looks wrong. But a token whose header says `none` carries no '
            "signature, so anybody can make one with any claims."
        ),
        hostile_input='`eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.` (header `{"alg":"none"}`, claims `{"sub":"admin"}`, empty signature).',
        fix='Accept and issue only real algorithms: `algorithms=["HS256"]`, `algorithm="HS256"`.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in _jwt_calls(ctx):
            algorithms = keyword_argument(ctx, call, "algorithms")
            value = unwrap_parens(algorithms.child_by_field_name("value")) if algorithms is not None else None
            if value is None or value.type not in ("list", "tuple", "set"):
                continue
            items = [i for i in value.named_children if i.type != "comment"]
            nones = [i for i in items if (string_literal_value(ctx, i) or "").lower() == "none"]
            for item in nones:
                fixes = ()
                if len(nones) < len(items):
                    index = next(i for i, x in enumerate(items) if x.id == item.id)
                    edit = Edit(items[index - 1].end_byte, item.end_byte, "") if index else Edit(item.start_byte, items[1].start_byte, "")
                    fixes = (Fix('Remove "none" from the accepted algorithms', (edit,)),)
                yield self.finding(ctx, item, 'jwt.decode accepts "none": unsigned tokens pass verification', fixes=fixes)
        for call in _jwt_calls(ctx, ENCODE_CALLS):
            algorithm = keyword_argument(ctx, call, "algorithm")
            value = algorithm.child_by_field_name("value") if algorithm is not None else None
            if value is not None and (string_literal_value(ctx, value) or "").lower() == "none":
                yield self.finding(ctx, value, 'jwt.encode with algorithm "none" issues unsigned tokens anyone can forge')
