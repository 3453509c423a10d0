"""PY-TLS-001 tls-verification-disabled and PY-TLS-002 weak-tls-protocol: TLS that does not protect.

**PY-TLS-001 finds** certificate or host-name checks switched off:
`verify=False` (requests, httpx, boto3 and every client that copied the name;
also `verify_ssl`, `verify_certs`, `ssl_verify`, `validate_certs`), aiohttp's
`ssl=False`, `session.verify = False`, `ssl._create_unverified_context()`,
`ssl._create_default_https_context = ssl._create_unverified_context`,
`ctx.check_hostname = False`, `ctx.verify_mode = ssl.CERT_NONE`,
`cert_reqs=ssl.CERT_NONE` / `"CERT_NONE"`, and `ssl.wrap_socket()` without
`cert_reqs` (its default is `CERT_NONE`). No input evidence is needed: the
setting is the flaw. Context switches inside `if <parameter>:` are a library
or wrapper applying its caller's choice and are left to the caller's
`verify=False`, which is reported. `self.check_hostname = False` in a class
that implements a context object is skipped too. Protocol constants inside a mapping table
(`{ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}`, `table[ssl.PROTOCOL_TLSv1] = ...`)
are not a choice either.

**PY-TLS-002 finds** obsolete protocol versions and weak ciphers:
`ssl.PROTOCOL_SSLv2/SSLv3/TLSv1/TLSv1_1`, pyOpenSSL's `*_METHOD` for those,
`minimum_version`/`maximum_version` set to `TLSVersion.TLSv1`, `TLSv1_1`,
`SSLv3` or `MINIMUM_SUPPORTED`, and `set_ciphers()` strings that enable RC4,
DES, 3DES, MD5, NULL, EXPORT or anonymous suites.

**Not reported.** `verify=True` or a CA bundle path, `ssl.create_default_context()`,
`check_hostname = True`, `CERT_REQUIRED`, `PROTOCOL_TLS_CLIENT`/`_SERVER`,
`minimum_version = TLSVersion.TLSv1_2`, and cipher strings that only exclude
weak suites (`"HIGH:!aNULL:!RC4"`).

**Fixes.** "Enable certificate verification" turns `False` into `True`,
`CERT_NONE` into `CERT_REQUIRED`, and `_create_unverified_context()` into
`create_default_context()`. Servers with a valid certificate behave exactly as
before; a forged or self-signed certificate is now refused. "Require TLS 1.2"
raises `minimum_version` to `TLSVersion.TLSv1_2`. Protocol constants such as
`PROTOCOL_TLSv1` get no automatic fix, because the replacement depends on
whether the context is a client (`PROTOCOL_TLS_CLIENT`) or a server one.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext, share_unit_queries
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, keyword_argument
from ....python.dataflow import definitions, enclosing_function
from ....python.guards import identifiers
from ....python.http_clients import client_library
from ....python.names import calls, dotted_name, qualified_name
from ....python.strings import literal_value, unwrap_parens
from ...base import Explanation, Rule, register

VERIFY_KEYWORDS = frozenset({"verify", "verify_ssl", "verify_certs", "ssl_verify", "validate_certs"})
UNVERIFIED_CONTEXTS = frozenset({"ssl._create_unverified_context", "ssl._create_stdlib_context"})
_ASSIGNMENTS = "(assignment left: (attribute) @target right: (_) @value) @assignment"
_KEYWORDS = "(keyword_argument name: (identifier) @name value: (_) @value) @keyword"
share_unit_queries("python", _KEYWORDS)
_ATTRIBUTES = "(attribute) @attribute"
_CONTEXT_SAFE_ARGUMENTS = frozenset({"purpose", "cafile", "capath", "cadata"})

WEAK_PROTOCOLS = frozenset(
    {
        "ssl.PROTOCOL_SSLv2", "ssl.PROTOCOL_SSLv3", "ssl.PROTOCOL_TLSv1", "ssl.PROTOCOL_TLSv1_1",
        "OpenSSL.SSL.SSLv2_METHOD", "OpenSSL.SSL.SSLv3_METHOD", "OpenSSL.SSL.TLSv1_METHOD", "OpenSSL.SSL.TLSv1_1_METHOD",
    }
)
WEAK_VERSIONS = frozenset({"SSLv3", "TLSv1", "TLSv1_1", "MINIMUM_SUPPORTED"})
WEAK_CIPHER_WORDS = frozenset({"ALL", "LOW", "EXPORT", "aNULL", "eNULL", "COMPLEMENTOFALL"})
WEAK_CIPHER_PARTS = ("RC4", "DES", "MD5", "NULL", "EXP", "ADH", "AECDH", "IDEA", "SEED")


def _is_false(ctx: AnalysisContext, node: Node | None) -> bool:
    node = unwrap_parens(node)
    return node is not None and (node.type == "false" or (node.type == "integer" and ctx.text(node) == "0"))


def _flip_to_true(value: Node) -> Fix:
    return Fix("Enable certificate verification", (Edit(value.start_byte, value.end_byte, "True"),))


def _cert_none_fix(ctx: AnalysisContext, value: Node) -> Fix | None:
    value = unwrap_parens(value)
    if value.type == "attribute":
        attribute = value.child_by_field_name("attribute")
        return Fix("Enable certificate verification", (Edit(attribute.start_byte, attribute.end_byte, "CERT_REQUIRED"),))
    if value.type == "identifier":
        return Fix("Enable certificate verification", (Edit(value.start_byte, value.end_byte, "CERT_REQUIRED"),))
    if literal_value(ctx, value) in ("CERT_NONE", "NONE"):  # urllib3 accepts both spellings
        quote = ctx.text(value)[-1]
        return Fix("Enable certificate verification", (Edit(value.start_byte, value.end_byte, f"{quote}CERT_REQUIRED{quote}"),))
    return None


def _is_cert_none(ctx: AnalysisContext, value: Node | None) -> bool:
    value = unwrap_parens(value)
    if value is None:
        return False
    name = qualified_name(ctx, value) if value.type in ("attribute", "identifier") else None
    return name in ("ssl.CERT_NONE", "CERT_NONE") or literal_value(ctx, value) in ("CERT_NONE", "NONE")


def _honours_caller_choice(ctx: AnalysisContext, node: Node) -> bool:
    """Inside `if <parameter test>:` of its function: an HTTP library or wrapper
    applying its caller's `verify=False`. The caller that passes it is reported."""
    function = enclosing_function(node)
    if function is None:
        return False
    parameters = {name for name, found in definitions(ctx, function).items() if any(d.kind == "param" for d in found)}
    parent = node.parent
    while parent is not None and parent.id != function.id:
        if parent.type in ("if_statement", "elif_clause"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and identifiers(ctx, condition) & (parameters - {"self", "cls"}):
                return True
        parent = parent.parent
    return False


@register
class TlsVerificationDisabled(Rule):
    id = "PY-TLS-001"
    name = "tls-verification-disabled"
    # the keywords and attributes it judges, and the last parts of the calls
    triggers = tuple(
        sorted(
            VERIFY_KEYWORDS
            | {"ssl", "cert_reqs", "check_hostname", "verify_mode", "_create_default_https_context", "wrap_socket"}
            | last_parts(UNVERIFIED_CONTEXTS)
        )
    )
    cwe = 295
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Enable certificate verification"
    summary = "TLS certificate or host-name verification switched off (verify=False, CERT_NONE, unverified context)"
    explanation = Explanation(
        what="The connection is encrypted but the peer's certificate (or its host name) is not checked.",
        why=(
            "Everything still works, which is why `verify=False` survives the \"just make the SSL error go away\" "
            "moment into production. Without verification anyone on the path (public Wi-Fi, a compromised router, "
            "a malicious proxy or DNS answer) can present their own certificate, read the traffic including tokens "
            "and passwords, and change the responses."
        ),
        hostile_input="A machine on the same network answers for `api.example.com` with a self-signed certificate and relays everything, logging the `Authorization` header.",
        fix=(
            "Keep verification on (`verify=True`, `ssl.create_default_context()`, `CERT_REQUIRED`, `check_hostname = True`). "
            "For an internal CA, pass its bundle: `verify=\"/etc/ssl/internal-ca.pem\"` or `cafile=`."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for match in ctx.matches(_KEYWORDS):
            yield from self._keyword(ctx, match["keyword"][0], ctx.text(match["name"][0]), match["value"][0])
        for match in ctx.matches(_ASSIGNMENTS):
            yield from self._assignment(ctx, match["assignment"][0], match["target"][0], match["value"][0])
        for call, name in calls(ctx):
            if name in UNVERIFIED_CONTEXTS:
                yield self._unverified_context(ctx, call)
            elif name == "ssl.wrap_socket" and argument_value(ctx, call, "cert_reqs", 4) is None:
                yield self.finding(ctx, call, "ssl.wrap_socket() does not verify certificates by default (cert_reqs=CERT_NONE); use SSLContext.wrap_socket with a default context")

    def _keyword(self, ctx: AnalysisContext, keyword: Node, name: str, value: Node) -> Iterator[Finding]:
        if name in VERIFY_KEYWORDS and _is_false(ctx, value):
            yield self.finding(ctx, keyword, f"TLS certificate verification disabled ({name}=False): traffic can be intercepted", fixes=(_flip_to_true(value),))
        elif name == "ssl" and _is_false(ctx, value) and self._is_aiohttp_call(ctx, keyword):
            yield self.finding(ctx, keyword, "aiohttp ssl=False skips certificate verification: traffic can be intercepted", fixes=(_flip_to_true(value),))
        elif name == "cert_reqs" and _is_cert_none(ctx, value):
            fix = _cert_none_fix(ctx, value)
            yield self.finding(ctx, keyword, "cert_reqs=CERT_NONE accepts any certificate: traffic can be intercepted", fixes=(fix,) if fix else ())

    def _is_aiohttp_call(self, ctx: AnalysisContext, keyword: Node) -> bool:
        call = keyword.parent.parent if keyword.parent is not None else None
        if call is None or call.type != "call":
            return False
        function = call.child_by_field_name("function")
        name = qualified_name(ctx, function) or ""
        if name.startswith("aiohttp."):
            return True
        return function.type == "attribute" and client_library(ctx, function.child_by_field_name("object")) == "aiohttp"

    def _assignment(self, ctx: AnalysisContext, assignment: Node, target: Node, value: Node) -> Iterator[Finding]:
        if _honours_caller_choice(ctx, assignment):
            return
        attribute = ctx.text(target.child_by_field_name("attribute"))
        receiver = target.child_by_field_name("object")
        if attribute == "verify" and _is_false(ctx, value):
            receiver_text = ctx.text(receiver).lower()
            if client_library(ctx, receiver) == "requests" or "session" in receiver_text or "client" in receiver_text:
                yield self.finding(ctx, assignment, "TLS certificate verification disabled for every request of this session", fixes=(_flip_to_true(value),))
        elif attribute == "check_hostname" and _is_false(ctx, value) and ctx.text(receiver) != "self":
            yield self.finding(ctx, assignment, "check_hostname = False accepts a valid certificate for any other host", fixes=(_flip_to_true(value),))
        elif attribute == "verify_mode" and _is_cert_none(ctx, value):
            fix = _cert_none_fix(ctx, value)
            yield self.finding(ctx, assignment, "verify_mode = CERT_NONE accepts any certificate: traffic can be intercepted", fixes=(fix,) if fix else ())
        elif dotted_name(ctx, target) in ("ssl._create_default_https_context",) and qualified_name(ctx, value) in UNVERIFIED_CONTEXTS:
            yield self.finding(ctx, assignment, "Certificate verification disabled for every HTTPS connection of the process (ssl._create_default_https_context)")

    def _unverified_context(self, ctx: AnalysisContext, call: Node) -> Finding:
        function = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        fixes = ()
        keywords = [ctx.text(a.child_by_field_name("name")) for a in args.named_children if a.type == "keyword_argument"] if args else []
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")] if args else []
        if function.type == "attribute" and not positional and set(keywords) <= _CONTEXT_SAFE_ARGUMENTS:
            attribute = function.child_by_field_name("attribute")
            fixes = (Fix("Use ssl.create_default_context()", (Edit(attribute.start_byte, attribute.end_byte, "create_default_context"),)),)
        return self.finding(ctx, call, "ssl._create_unverified_context() accepts any certificate: traffic can be intercepted", fixes=fixes)


@register
class WeakTlsProtocol(Rule):
    id = "PY-TLS-002"
    name = "weak-tls-protocol"
    triggers = tuple(sorted(last_parts(WEAK_PROTOCOLS) | {"minimum_version", "maximum_version", "set_ciphers"}))
    cwe = 327
    owasp = "A02:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Require TLS 1.2"
    summary = "Obsolete SSL/TLS protocol version or weak cipher suite"
    explanation = Explanation(
        what="The TLS configuration allows SSLv2/SSLv3/TLS 1.0/TLS 1.1 or cipher suites with broken primitives.",
        why=(
            "Old servers and clients still negotiate these, so the connection works. But the protocols have "
            "practical attacks (POODLE, BEAST, downgrade) and the ciphers (RC4, DES, export grade, NULL, anonymous) "
            "give no real confidentiality or authentication; an attacker on the path forces the weakest option both "
            "sides accept."
        ),
        hostile_input="A man-in-the-middle strips the client's TLS 1.3 offer so both sides fall back to TLS 1.0 with a CBC suite, then runs a padding-oracle attack on the session cookie.",
        fix=(
            "Use `ssl.create_default_context()` (or `PROTOCOL_TLS_CLIENT`/`PROTOCOL_TLS_SERVER`) and set "
            "`ctx.minimum_version = ssl.TLSVersion.TLSv1_2`; leave ciphers at the library default."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for attribute in ctx.captures(_ATTRIBUTES).get("attribute", []):
            name = qualified_name(ctx, attribute)
            if name in WEAK_PROTOCOLS and not _in_mapping_table(attribute):
                yield self.finding(ctx, attribute, f"Obsolete protocol {name.split('.')[-1]}: use PROTOCOL_TLS_CLIENT/PROTOCOL_TLS_SERVER with minimum_version TLSv1_2")
        for match in ctx.matches(_ASSIGNMENTS):
            target, value = match["target"][0], match["value"][0]
            bound = ctx.text(target.child_by_field_name("attribute"))
            version = qualified_name(ctx, value) or ""
            if bound in ("minimum_version", "maximum_version") and version.startswith("ssl.TLSVersion.") and version.split(".")[-1] in WEAK_VERSIONS:
                fixes = ()
                if bound == "minimum_version" and value.type == "attribute":
                    attribute = value.child_by_field_name("attribute")
                    fixes = (Fix("Require TLS 1.2", (Edit(attribute.start_byte, attribute.end_byte, "TLSv1_2"),)),)
                yield self.finding(ctx, match["assignment"][0], f"{bound} = {version.split('.')[-1]} allows obsolete TLS versions; require TLSv1_2 or later", fixes=fixes)
        for call, _name in calls(ctx):
            function = call.child_by_field_name("function")
            if function is None or function.type != "attribute" or ctx.text(function.child_by_field_name("attribute")) != "set_ciphers":
                continue
            ciphers = literal_value(ctx, argument_value(ctx, call, "ciphers", 0))
            weak = _weak_ciphers(ciphers) if ciphers else []
            if weak:
                yield self.finding(ctx, call, f"Weak cipher suites enabled ({', '.join(weak[:3])}): leave ciphers at the library default or use a modern list")


def _in_mapping_table(node: Node) -> bool:
    """`{ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD, ...}`: a translation table naming
    every version, not a choice of one."""
    parent = node.parent
    if parent is not None and parent.type == "pair":
        return True
    # table[ssl.PROTOCOL_TLSv1] = SSL.TLSv1_METHOD
    if parent is not None and parent.type == "subscript" and parent.parent is not None and parent.parent.type == "assignment":
        return parent.parent.child_by_field_name("left") == parent
    if parent is not None and parent.type == "assignment" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        return left is not None and left.type == "subscript"
    return False


def _weak_ciphers(spec: str) -> list[str]:
    """Cipher-string entries that enable (not exclude) a weak suite."""
    weak = []
    for entry in re.split(r"[:,\s]+", spec):
        if not entry or entry[0] in "!-":
            continue
        parts = entry.lstrip("+").split("+")
        if any(part in WEAK_CIPHER_WORDS or any(word in part for word in WEAK_CIPHER_PARTS) for part in parts):
            weak.append(entry)
    return weak
