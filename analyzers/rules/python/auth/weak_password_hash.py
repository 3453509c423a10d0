"""PY-HASH-001 weak-password-hash: passwords hashed with a fast hash (MD5, SHA-1, SHA-2, ...).

**What it finds.** `hashlib.md5/sha1/sha256/sha512/sha3_*/blake2*` or
`hashlib.new(...)` applied to a password (an expression that mentions a
`password`, `passwd`, `pwd`, `passphrase` value, `request.form["password"]`,
...), also through `h.update(password)`. Salted fast hashes
(`sha256(salt + password)`) are reported too, with their own message: a salt
stops rainbow tables but not a GPU trying billions of guesses per second.
Comparisons with a helper that returns such a hash
(`hash_password(pw) == user.password_hash`) are reported where they happen,
because that is where the fix has to change the verification.

Slow password hashes given the same salt for every password
(`pbkdf2_hmac("sha256", password, b"static-salt", 100_000)`, `hashlib.scrypt`,
`bcrypt.hashpw`, cryptography's `PBKDF2HMAC`/`Scrypt`, argon2's low-level
API with a literal or constant salt) are reported at the salt, without a fix:
the salt has to be stored per user first.

**Not reported.** Hashes of other data (file checksums, cache keys, API
tokens, which are random and need no slow hash), `hashlib.scrypt`,
`pbkdf2_hmac`, bcrypt, argon2, passlib with a per-password salt, and
Django/Werkzeug password helpers.

**Fix ("Hash with salted scrypt").** Offered where hashing and checking can
both be rewritten consistently:
- a stored hash (`user.password_hash = md5(pw).hexdigest()`,
  `User(password=...)`, `{"password": ...}`) or the return value of a hash
  helper becomes `"<salt hex>$<scrypt hex>"` with a random 16-byte salt
  (`hashlib.scrypt`, n=2**14, r=8, p=1);
- a check (`stored == md5(pw).hexdigest()`, or `== helper(pw)`) becomes
  `hmac.compare_digest(<scrypt of pw with the salt from stored>, <hash part of stored>)`.
A helper's fix is offered only once no comparison in the file still checks
its output with `==` (fix those first; the message says where). A hash put in
a local variable (often compared inside a SQL `WHERE`) gets no automatic fix.
**Stored-hash compatibility changes:** hashes already in the database do not
verify with the new code (they are simply rejected, nothing crashes).
Re-hash at the next successful login during a migration, or reset passwords.
For new code prefer a maintained library: `argon2-cffi`, `bcrypt`, or
`werkzeug.security.generate_password_hash` / `check_password_hash`.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....facts import register_unit_facts
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.dataflow import enclosing_function, reaching_definitions
from ....python.names import call_arguments, calls, method_name, qualified_name
from ....python.sensitive import (
    identifier_words,
    is_password_name,
    string_literal_value,
)
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register
from ..crypto.cipher_misuse import is_constant_bytes

FAST_HASHES = frozenset(
    {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s", "new"}
)
SCRYPT = "hashlib.scrypt({data}, salt={salt}, n=2**14, r=8, p=1).hex()"
# slow password hashes -> (position of the password or None when any input is one, salt position, salt keyword)
KDF_SALTS = {
    "hashlib.pbkdf2_hmac": (1, 2, "salt"),
    "hashlib.scrypt": (0, None, "salt"),
    "bcrypt.hashpw": (0, 1, "salt"),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": (None, 2, "salt"),
    "cryptography.hazmat.primitives.kdf.scrypt.Scrypt": (None, 0, "salt"),
    "argon2.low_level.hash_secret": (0, 1, "salt"),
    "argon2.low_level.hash_secret_raw": (0, 1, "salt"),
}
STORE_PARENTS = ("keyword_argument", "pair")
_HELPER_RETURN = re.compile(
    r"return\s+(?:hashlib\.)?(?:md5|sha1|sha224|sha256|sha384|sha512|sha3_256|sha3_512|blake2b|blake2s)\(\s*(\w+)((?:\.encode\([^()]*\))?)\s*\)\.hexdigest\(\)"
)


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _helper_part(source: bytes, unit: Node, _facts) -> tuple | None:
    """(mentions hexdigest, {name: encode suffix}) for a module function that
    returns a fast hash of a password parameter."""
    text = source[unit.start_byte : unit.end_byte]
    if b"hexdigest" not in text:
        return None
    function = unit.child_by_field_name("definition") if unit.type == "decorated_definition" else unit
    helpers: dict[str, str] = {}
    if function is not None and function.type == "function_definition":
        match = _HELPER_RETURN.search(_text(source, function))
        params = _text(source, function.child_by_field_name("parameters"))
        if match and is_password_name(match.group(1)) and re.search(rf"\b{re.escape(match.group(1))}\b", params):
            helpers[_text(source, function.child_by_field_name("name"))] = match.group(2)
    return True, helpers


def _combine_helpers(parts: list[tuple]) -> dict:
    """Module functions that return a fast hash of a password parameter."""
    helpers: dict[str, str] = {}
    for _, found in parts:
        helpers.update(found)
    return {"password_hash_helpers": helpers} if helpers else {}


def _compared_part(source: bytes, unit: Node, facts) -> list[str] | None:
    """Which helpers this statement compares with `==` or passes to compare_digest (verification sites)."""
    helpers = facts.get("password_hash_helpers")
    if not helpers:
        return None
    text = _text(source, unit)
    digests = " ".join(text[m.end() : m.end() + 300].split("\n")[0] for m in re.finditer(r"compare_digest\(", text))
    found = [
        name
        for name in helpers
        if name in text  # both patterns need the name (digests is part of text): most statements call none of the helpers
        and (
            re.search(rf"(?:[!=]=\s*{name}\s*\(|\b{name}\s*\([^()\n]*(?:\([^()\n]*\))?[^()\n]*\)\s*[!=]=)", text)
            or re.search(rf"\b{name}\s*\(", digests)
        )
    ]
    return found or None


def _combine_compared(parts: list[list[str]]) -> dict:
    return {"password_hash_helpers_compared": sorted({name for found in parts for name in found})} if parts else {}


register_unit_facts("python", combine=_combine_helpers)(_helper_part)
register_unit_facts("python", combine=_combine_compared, stage=1)(_compared_part)


def _names_in(ctx: AnalysisContext, node: Node) -> Iterator[str]:
    """Value names an expression mentions: identifiers, attributes, string keys."""
    for child in ctx.captures("[(identifier) (attribute) (subscript) (call)] @n", node).get("n", []):
        if child.type == "identifier":
            parent = child.parent
            if parent is not None and parent.type in ("attribute", "call") and _field_is(parent, "attribute" if parent.type == "attribute" else "function", child):
                continue
            yield ctx.text(child)
        elif child.type == "attribute":
            parent = child.parent
            if parent is not None and parent.type == "call" and _field_is(parent, "function", child):
                continue
            yield ctx.text(child.child_by_field_name("attribute"))
        elif child.type == "subscript":
            key = string_literal_value(ctx, child.child_by_field_name("subscript"))
            if key:
                yield key
        elif method_name(ctx, child) == "get":
            positional, _ = call_arguments(ctx, child)
            key = string_literal_value(ctx, positional[0]) if positional else None
            if key:
                yield key


def _field_is(parent: Node, field: str, child: Node) -> bool:
    node = parent.child_by_field_name(field)
    return node is not None and node.id == child.id


def password_evidence(ctx: AnalysisContext, data: Node) -> tuple[bool, bool]:
    """(hashes a password, mixes in a salt or pepper)."""
    names = list(_names_in(ctx, data))
    password = any(is_password_name(n) for n in names)
    salted = any({"salt", "pepper", "salted"} & set(identifier_words(n)) for n in names)
    return password, salted


@register
class WeakPasswordHash(Rule):
    id = "PY-HASH-001"
    name = "weak-password-hash"
    # fast hash constructors (`new` included), `h.update(...)`, the slow KDFs
    # with a constant salt, and the comparisons with a password-hash helper
    # of the module (`==`, `!=`, compare_digest): the helper's name is
    # arbitrary, the comparison is not
    triggers = tuple(sorted(FAST_HASHES | {"update"} | last_parts(KDF_SALTS) | {"==", "!=", "compare_digest"}))
    cwe = 916
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Hash with salted scrypt"
    summary = "Password hashed with a fast hash (MD5, SHA-1, SHA-256, ...) instead of a password hash"
    explanation = Explanation(
        what="Passwords are stored or checked as a fast, general-purpose hash.",
        why=(
            "Login works, and the database holds no plaintext, so it looks safe. But MD5 and SHA-2 are built to be "
            "fast: a single GPU tries billions of guesses per second, and unsalted hashes are looked up in "
            "precomputed tables instantly. When the table leaks (SQL injection, a backup), most passwords fall "
            "within hours, and users reuse them elsewhere."
        ),
        hostile_input=(
            "A leaked row with `5f4dcc3b5aa765d61d8327deb882cf99` is pasted into any MD5 lookup site and comes back "
            "as `password`; `hashcat -m 0` recovers the rest of the table."
        ),
        fix=(
            "Use a slow, salted password hash: `argon2-cffi`, `bcrypt`, `werkzeug.security.generate_password_hash`, "
            "or `hashlib.scrypt(password.encode(), salt=os.urandom(16), n=2**14, r=8, p=1)` storing salt and hash."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            if name and name.startswith("hashlib.") and name.split(".", 1)[1] in FAST_HASHES:
                finding = self._hash_call(ctx, call, name.split(".", 1)[1])
                if finding is not None:
                    yield finding
            elif method_name(ctx, call) == "update":
                finding = self._update_call(ctx, call)
                if finding is not None:
                    yield finding
            elif name in KDF_SALTS:
                finding = self._constant_salt(ctx, call, name)
                if finding is not None:
                    yield finding
        helpers: dict[str, str] = ctx.facts.get("password_hash_helpers", {})
        if helpers:
            yield from self._helper_comparisons(ctx, helpers)

    # -- slow hashes with one salt for everybody ------------------------------
    def _constant_salt(self, ctx: AnalysisContext, call: Node, name: str) -> Finding | None:
        data_position, salt_position, salt_keyword = KDF_SALTS[name]
        salt = unwrap_parens(argument_value(ctx, call, salt_keyword, position=salt_position))
        if salt is None or not is_constant_bytes(ctx, salt):
            return None
        if data_position is not None:  # the KDF hashes its input here: it must be a password
            data = argument_value(ctx, call, "password", position=data_position)
            if data is None or not password_evidence(ctx, data)[0]:
                return None
        kdf = name.rsplit(".", 1)[-1]
        return self.finding(
            ctx, salt,
            f"Password hashed with {kdf} and a constant salt: equal passwords get equal hashes and one precomputed "
            "table cracks every account; generate os.urandom(16) per password and store it with the hash",
        )

    # -- direct hashing -------------------------------------------------------
    def _hash_call(self, ctx: AnalysisContext, call: Node, algorithm: str) -> Finding | None:
        positional, keywords = call_arguments(ctx, call)
        if algorithm == "new":
            algorithm = (string_literal_value(ctx, positional[0]) or "hash") if positional else "hash"
            positional = positional[1:]
        data = positional[0] if positional else keywords.get("data") or keywords.get("string")
        if data is None:
            return None
        password, salted = password_evidence(ctx, data)
        if not password:
            if _stored_as_password(ctx, _digest_expression(ctx, call)):
                return self.finding(ctx, call, f"{algorithm} digest stored as a password; use a slow salted hash (scrypt, bcrypt, argon2)")
            return None
        if salted:
            return self.finding(
                ctx, call, f"Password hashed with salted {algorithm}: still fast enough to brute-force; use scrypt, bcrypt or argon2",
                confidence=Confidence.MEDIUM,
            )
        fixes = self._fix(ctx, call, data)
        message = f"Password hashed with unsalted {algorithm}; use a slow salted hash (scrypt, bcrypt, argon2)"
        function = enclosing_function(call)
        helper = ctx.text(function.child_by_field_name("name")) if function is not None and function.type == "function_definition" else None
        if not fixes and helper in ctx.facts.get("password_hash_helpers_compared", ()):
            message += f"; fix the comparisons with {helper}() first, then this helper"
        return self.finding(ctx, call, message, fixes=fixes)

    def _update_call(self, ctx: AnalysisContext, call: Node) -> Finding | None:
        receiver = unwrap_parens(call.child_by_field_name("function").child_by_field_name("object"))
        positional, _ = call_arguments(ctx, call)
        if receiver is None or receiver.type != "identifier" or not positional:
            return None
        for definition in reaching_definitions(ctx, receiver):
            value = unwrap_parens(definition.value)
            name = qualified_name(ctx, value.child_by_field_name("function")) if value is not None and value.type == "call" else None
            if name and name.startswith("hashlib.") and name.split(".", 1)[1] in FAST_HASHES:
                password, _salted = password_evidence(ctx, positional[0])
                if password:
                    return self.finding(ctx, call, f"Password fed to a fast {name.split('.', 1)[1]} hash; use scrypt, bcrypt or argon2")
        return None

    # -- helper comparisons ---------------------------------------------------
    def _helper_comparisons(self, ctx: AnalysisContext, helpers: dict[str, str]) -> Iterator[Finding]:
        for site, negated, hashed, stored in verification_sites(ctx):
            helper = helper_called(ctx, hashed)
            if helper is None:
                continue
            positional, keywords = call_arguments(ctx, hashed)
            fixes = ()
            if len(positional) == 1 and not keywords:
                argument = ctx.text(positional[0])
                if positional[0].type not in ("identifier", "attribute", "subscript", "call"):
                    argument = f"({argument})"
                fixes = self._verify_fix(ctx, site, negated, argument + helpers[helper], stored)
            yield self.finding(ctx, site, f"Password checked against the fast hash from {helper}(); verify with a slow salted hash", fixes=fixes)

    # -- fixes ------------------------------------------------------------------
    def _fix(self, ctx: AnalysisContext, call: Node, data: Node) -> tuple[Fix, ...]:
        expression = call.parent.parent if call.parent is not None and call.parent.type == "attribute" else None
        if expression is None or expression.type != "call" or method_name(ctx, expression) != "hexdigest":
            return ()
        site_candidate = expression.parent
        if site_candidate is not None and site_candidate.type == "argument_list":
            site_candidate = site_candidate.parent
        for site, negated, hashed, stored in verification_sites(ctx, site_candidate):
            if hashed.id == expression.id:
                return self._verify_fix(ctx, site, negated, ctx.text(data), stored)
        role = self._storage_role(ctx, expression)
        if role is None:
            return ()
        if role != "store":
            helper = role
            if helper in ctx.facts.get("password_hash_helpers_compared", ()):
                return ()
        salt = "salt"
        text = f'(lambda salt: salt.hex() + "$" + {SCRYPT.format(data=ctx.text(data), salt=salt)})(os.urandom(16))'
        return (Fix(_TITLE_HASH, (Edit(expression.start_byte, expression.end_byte, text),), imports=("import os",)),)

    def _verify_fix(self, ctx: AnalysisContext, site: Node, negated: bool, data: str, stored: Node) -> tuple[Fix, ...]:
        if stored.type not in ("identifier", "attribute", "subscript") or "(" in ctx.text(stored):
            return ()  # `stored` is read twice; only plain names, attributes and subscripts are safe to repeat
        name = ctx.text(stored)
        computed = SCRYPT.format(data=data, salt=f'bytes.fromhex({name}.partition("$")[0])')
        text = f'hmac.compare_digest({computed}, {name}.partition("$")[2])'
        if negated:
            text = f"not {text}"
        return (Fix(_TITLE_VERIFY, (Edit(site.start_byte, site.end_byte, text),), imports=("import hashlib", "import hmac")),)

    @staticmethod
    def _storage_role(ctx: AnalysisContext, expression: Node) -> str | None:
        """"store" when the hash is persisted directly, the helper's name when returned, else None."""
        parent = expression.parent
        if parent is None:
            return None
        if parent.type in STORE_PARENTS:
            return "store"
        if parent.type == "assignment":
            left = parent.child_by_field_name("left")
            return "store" if left is not None and left.type in ("attribute", "subscript") else None
        if parent.type == "return_statement":
            function = enclosing_function(expression)
            if function is not None and function.type == "function_definition":
                name = ctx.text(function.child_by_field_name("name"))
                return name if name in ctx.facts.get("password_hash_helpers", {}) else None
        return None


_TITLE_HASH = "Hash with salted scrypt (new hash format: stored MD5/SHA hashes stop verifying; re-hash at next login)"
_TITLE_VERIFY = "Verify with salted scrypt (expects the new salt$hash format; old stored hashes are rejected)"


def hashes_a_password(ctx: AnalysisContext, call: Node, data: Node | None) -> bool:
    """PY-HASH-001's territory: the data is a password (given to the
    constructor or later to `h.update(...)`), or the digest is stored as one."""
    if data is not None and password_evidence(ctx, data)[0]:
        return True
    return _updated_with_password(ctx, call) or _stored_as_password(ctx, _digest_expression(ctx, call))


def _updated_with_password(ctx: AnalysisContext, call: Node) -> bool:
    """`h = hashlib.md5()` followed by `h.update(password)` in the same statement."""
    parent = call.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") is None or parent.child_by_field_name("right").id != call.id:
        return False
    target = parent.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return False
    name = ctx.text(target)
    for update, _name in calls(ctx):
        function = update.child_by_field_name("function")
        if method_name(ctx, update) != "update" or function is None or ctx.text(function.child_by_field_name("object")) != name:
            continue
        positional, _ = call_arguments(ctx, update)
        if positional and password_evidence(ctx, positional[0])[0]:
            return True
    return False


def _digest_expression(ctx: AnalysisContext, call: Node) -> Node:
    """`hashlib.md5(x).hexdigest()` for the constructor call `hashlib.md5(x)`."""
    parent = call.parent
    if parent is not None and parent.type == "attribute" and parent.parent is not None and parent.parent.type == "call":
        if method_name(ctx, parent.parent) in ("hexdigest", "digest"):
            return parent.parent
    return call


def _password_destination(ctx: AnalysisContext, value: Node) -> bool | None:
    """True when `value` is stored as a password right here (`user.set_password(v)`,
    `user.password = v`, `User(password=v)`); None when it is assigned to a local."""
    parent = value.parent
    if parent is None:
        return False
    if parent.type == "argument_list" and parent.parent is not None:
        function = parent.parent.child_by_field_name("function")
        callee = ctx.text(function.child_by_field_name("attribute") if function is not None and function.type == "attribute" else function)
        return is_password_name(callee)
    if parent.type == "keyword_argument":
        return is_password_name(ctx.text(parent.child_by_field_name("name")))
    if parent.type == "assignment":
        left = unwrap_parens(parent.child_by_field_name("left"))
        if left is not None and left.type == "identifier":
            return None
        if left is not None and left.type == "attribute":
            return is_password_name(ctx.text(left.child_by_field_name("attribute")))
        if left is not None and left.type == "subscript":
            return is_password_name(string_literal_value(ctx, left.child_by_field_name("subscript")))
    return False


def _stored_as_password(ctx: AnalysisContext, value: Node) -> bool:
    """The digest is stored as a password, directly or through one local variable."""
    verdict = _password_destination(ctx, value)
    if verdict is not None:
        return verdict
    local = unwrap_parens(value.parent.child_by_field_name("left"))
    scope = enclosing_function(value) or ctx.unit
    uses = [u for u in ctx.captures("(identifier) @i", scope).get("i", []) if ctx.text(u) == ctx.text(local) and u.start_byte > local.end_byte]
    return any(_password_destination(ctx, use) for use in uses)


def verification_sites(ctx: AnalysisContext, scope: Node | None = None) -> Iterator[tuple[Node, bool, Node, Node]]:
    """(site, negated, hashed side, stored side) for `a == b`, `a != b` and
    `hmac.compare_digest(a, b)` in the unit (or under `scope`), both orders."""
    if scope is not None and scope.type not in ("comparison_operator", "call"):
        return
    nodes = [scope] if scope is not None else ctx.captures("[(comparison_operator) (call)] @s").get("s", [])
    for node in nodes:
        if node.type == "comparison_operator":
            parts = _equality(node)
            if parts is None:
                continue
            left, operator, right = parts
            negated = operator == "!="
        elif qualified_name(ctx, node.child_by_field_name("function")) in ("hmac.compare_digest", "secrets.compare_digest"):
            positional, _ = call_arguments(ctx, node)
            if len(positional) != 2:
                continue
            left, right = (unwrap_parens(p) for p in positional)
            negated = False
        else:
            continue
        yield node, negated, left, right
        yield node, negated, right, left


def helper_called(ctx: AnalysisContext, node: Node) -> str | None:
    """The password-hash helper `node` calls, if any (`hash_password(pw)`)."""
    if node.type != "call":
        return None
    function = node.child_by_field_name("function")
    name = ctx.text(function) if function is not None and function.type == "identifier" else None
    return name if name in ctx.facts.get("password_hash_helpers", {}) else None


def is_weak_password_hash(ctx: AnalysisContext, node: Node) -> bool:
    """A helper call or `hashlib.<fast>(<password>).hexdigest()`: PY-HASH-001 owns comparisons with it."""
    node = unwrap_parens(node)
    if node is None or node.type != "call":
        return False
    if helper_called(ctx, node) is not None:
        return True
    if method_name(ctx, node) in ("hexdigest", "digest"):
        inner = unwrap_parens(node.child_by_field_name("function").child_by_field_name("object"))
        if inner is not None and inner.type == "call":
            name = qualified_name(ctx, inner.child_by_field_name("function"))
            positional, _ = call_arguments(ctx, inner)
            if name and name.startswith("hashlib.") and name.split(".", 1)[1] in FAST_HASHES and positional:
                return password_evidence(ctx, positional[-1])[0]
    return False


def _equality(node: Node) -> tuple[Node, str, Node] | None:
    operators = [c.type for c in node.children if not c.is_named]
    operands = [unwrap_parens(c) for c in node.named_children]
    if operators not in (["=="], ["!="]) or len(operands) != 2 or None in operands:
        return None
    return operands[0], operators[0], operands[1]
