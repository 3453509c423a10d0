"""PY-TIMING-001 timing-unsafe-secret-comparison: a token, signature, HMAC or password compared with `==`.

**What it finds.** `==` / `!=` between two run-time values where one of them
is a secret: a name such as `token`, `signature`, `api_key`, `csrf_token`,
`otp`, `password`, `reset_code`, a request header/field named like one
(`request.headers.get("X-API-Key")`), or a freshly computed HMAC
(`hmac.new(...).hexdigest()`, `hmac.digest(...)`).

**Not reported.** Comparisons with literals, `None`, numbers or
enum-like constants (`token == Token.EOF`, `token_type == "bearer"`),
descriptive names (`token_count`, `password_length`), flags
(`verify_signature`, `is_token`), public values (nonces, salts, IVs),
`__eq__`-style methods (object equality, not authentication), `assert`
statements (a test's expectation; an assert used as a security check is
PY-ASSERT-001's finding), membership tests,
SQL expressions (`User.api_token == token` inside `.where()`/`.filter()`:
the database compares), two fields of the same object compared with each
other (`body.current_password == body.new_password`), a value compared with
its confirmation (`password != confirm_password`, `password1 == password2`:
the user typed both), and
in modules that import nothing web- or crypto-related, comparisons whose only
evidence is the word `token` (lexers and parsers compare tokens all day).

**Fix.** "Compare with hmac.compare_digest" rewrites `a == b` to
`hmac.compare_digest(a, b)` and `a != b` to `not hmac.compare_digest(a, b)`.
The result is the same for equal and unequal values; a request value read
with `.get(...)` is wrapped as `(value or "")` so a missing header still
compares unequal instead of raising. `compare_digest` accepts `bytes` or
ASCII-only `str`; compare non-ASCII secrets as bytes (`.encode()`).
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.names import call_arguments, imports_module, method_name, qualified_name
from ....python.sensitive import SECRET_WORDS, identifier_words, is_secret_name, string_literal_value
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register
from .plaintext_password import plaintext_check
from .weak_password_hash import is_weak_password_hash

CONTEXT_MODULES = (
    "hmac", "hashlib", "secrets", "jwt", "jose", "flask", "django", "fastapi", "starlette", "werkzeug", "itsdangerous",
    "bcrypt", "passlib", "cryptography", "requests", "aiohttp", "tornado", "bottle", "pyramid", "sanic", "quart",
)
HMAC_CALLS = frozenset({"hmac.new", "hmac.digest", "hmac.HMAC"})
FLAG_PREFIXES = frozenset({"verify", "is", "has", "use", "allow", "enable", "enabled", "require", "requires", "should", "can", "check", "validate", "digital", "num", "n", "max", "min"})
PUBLIC_VALUES = frozenset({"nonce", "salt", "iv", "pepper"})
EQUALITY_METHODS = frozenset({"__eq__", "__ne__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__", "__cmp__"})
_CONSTANT_TYPES = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none", "list", "tuple", "dictionary", "set"})


def _operand_name(ctx: AnalysisContext, node: Node) -> str | None:
    """The name that says what an operand holds."""
    if node.type == "identifier":
        return ctx.text(node)
    if node.type == "attribute":
        return ctx.text(node.child_by_field_name("attribute"))
    if node.type == "subscript":
        key = string_literal_value(ctx, node.child_by_field_name("subscript"))
        return key if key is not None else _operand_name(ctx, unwrap_parens(node.child_by_field_name("value")))
    if node.type == "call":
        function = node.child_by_field_name("function")
        method = method_name(ctx, node)
        if method in ("get", "getlist", "pop") or (function is not None and function.type == "identifier" and ctx.text(function) == "getattr"):
            positional, _ = call_arguments(ctx, node)
            index = 1 if method is None else 0
            if len(positional) > index:
                return string_literal_value(ctx, positional[index])
        if function is not None:
            return ctx.text(function.child_by_field_name("attribute") if function.type == "attribute" else function)
    return None


def _in_equality_method(ctx: AnalysisContext, node: Node) -> bool:
    """`__eq__` compares objects field by field; that is equality, not authentication."""
    parent = node.parent
    while parent is not None and parent.type != "function_definition":
        parent = parent.parent
    return parent is not None and ctx.text(parent.child_by_field_name("name")) in EQUALITY_METHODS


def _in_assert(node: Node) -> bool:
    """`assert helper(url) == auth` is a test's expectation, not a check an
    attacker can time (an assert used as a security check is PY-ASSERT-001's)."""
    parent = node.parent
    while parent is not None and parent.type not in ("block", "module"):
        if parent.type == "assert_statement":
            return True
        parent = parent.parent
    return False


def _is_hmac_value(ctx: AnalysisContext, node: Node) -> bool:
    """`hmac.new(...).hexdigest()`, `hmac.digest(...)`, `h.hexdigest()` of an hmac."""
    if node.type != "call":
        return False
    if qualified_name(ctx, node.child_by_field_name("function")) in HMAC_CALLS:
        return True
    function = node.child_by_field_name("function")
    if function is not None and function.type == "attribute" and method_name(ctx, node) in ("hexdigest", "digest"):
        receiver = unwrap_parens(function.child_by_field_name("object"))
        return receiver is not None and receiver.type == "call" and qualified_name(ctx, receiver.child_by_field_name("function")) in HMAC_CALLS
    return False


QUERY_BUILDERS = frozenset({"where", "filter", "filter_by", "having", "join", "outerjoin", "and_", "or_", "not_", "exclude", "case", "on"})


def _is_query_expression(ctx: AnalysisContext, node: Node, left: Node, right: Node) -> bool:
    """`User.token == token` inside `.where(...)`/`.filter(...)` builds SQL; the
    comparison runs in the database, not in Python."""
    for operand in (left, right):
        if operand.type == "attribute":
            base = unwrap_parens(operand.child_by_field_name("object"))
            if base is not None and base.type == "identifier" and ctx.text(base)[:1].isupper():
                return True
    parent = node.parent
    while parent is not None and parent.type in ("argument_list", "boolean_operator", "binary_operator", "parenthesized_expression", "keyword_argument"):
        if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call":
            call = parent.parent
            function = call.child_by_field_name("function")
            name = method_name(ctx, call) or (ctx.text(function) if function is not None and function.type == "identifier" else "")
            if name in QUERY_BUILDERS:
                return True
        parent = parent.parent
    return False


def _same_origin(ctx: AnalysisContext, left: Node, right: Node) -> bool:
    """`body.current_password == body.new_password`: two fields of one request
    body compared with each other; neither is a stored secret."""
    def base(node: Node) -> str | None:
        if node.type in ("attribute", "subscript"):
            inner = unwrap_parens(node.child_by_field_name("object") if node.type == "attribute" else node.child_by_field_name("value"))
            return ctx.text(inner) if inner is not None else None
        return None

    left_base, right_base = base(left), base(right)
    return left_base is not None and left_base == right_base


CONFIRMATION_WORDS = frozenset({"confirm", "confirmation", "confirmed", "repeat", "repeated", "again", "retype", "retyped", "new"})


def _is_confirmation(left_name: str | None, right_name: str | None) -> bool:
    """`password != confirm_password`, `password1 == password2`,
    `new_password == new_password_again`: a sign-up or change form checks
    that the user typed the same thing twice. Both values come from the
    user, so neither is a stored secret whose comparison time leaks anything."""
    if not left_name or not right_name:
        return False
    left, right = identifier_words(left_name), identifier_words(right_name)
    if CONFIRMATION_WORDS & (set(left) | set(right)):
        return True
    strip = lambda words: [w for w in words if not w.isdigit()]  # noqa: E731
    return left != right and strip(left) == strip(right)


def _is_constant(ctx: AnalysisContext, node: Node) -> bool:
    if node.type in _CONSTANT_TYPES:
        return True
    if node.type == "unary_operator":
        return True
    if node.type == "attribute":
        attr = ctx.text(node.child_by_field_name("attribute"))
        return attr.isupper() and not is_secret_name(attr)  # Token.EOF, Status.ACTIVE
    if node.type == "call":
        function = node.child_by_field_name("function")
        return function is not None and ctx.text(function) in ("len", "type", "id", "bool", "int", "float", "isinstance")
    return False


@register
class TimingUnsafeSecretComparison(Rule):
    id = "PY-TIMING-001"
    name = "timing-unsafe-secret-comparison"
    # every finding is a comparison with one of these operators; the secret
    # names it accepts are too many fragments (`id`, `one`, `key`) to narrow by
    triggers = ("==", "!=")
    cwe = 208
    owasp = "A02:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Compare with hmac.compare_digest"
    summary = "Secret, token, signature or HMAC compared with == (timing side channel)"
    explanation = Explanation(
        what="A secret value is checked with `==`, which stops at the first differing character.",
        why=(
            "The check is correct, so tests pass. But the time it takes leaks how many leading characters of the "
            "guess were right: an attacker who can measure responses (many requests, statistics, a nearby host) "
            "recovers a webhook signature, API key or reset token one character at a time instead of guessing "
            "it whole."
        ),
        hostile_input=(
            "For a 64-hex-character HMAC, the attacker tries `0000...`, `1000...`, ... `f000...` thousands of times "
            "each, keeps the first character whose rejection is slowest, and moves on: about 16 x 64 positions "
            "instead of 16^64 guesses."
        ),
        fix="`hmac.compare_digest(expected, received)` takes the same time wherever the values differ.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        has_context = imports_module(ctx, *CONTEXT_MODULES)
        for node in ctx.captures("(comparison_operator) @c").get("c", []):
            operators = [c.type for c in node.children if not c.is_named]
            operands = [unwrap_parens(c) for c in node.named_children]
            if operators not in (["=="], ["!="]) or len(operands) != 2 or any(o is None for o in operands):
                continue
            left, right = operands
            if _is_constant(ctx, left) or _is_constant(ctx, right):
                continue
            if is_weak_password_hash(ctx, left) or is_weak_password_hash(ctx, right):
                continue  # PY-HASH-001 reports it; its fix also makes the check constant-time
            if plaintext_check(ctx, left, right) is not None:
                continue  # PY-HASH-003: a plain-text password check needs a hash, not compare_digest
            evidence = self._evidence(ctx, left) or self._evidence(ctx, right)
            if evidence is None or _in_equality_method(ctx, node) or _in_assert(node):
                continue
            if _is_query_expression(ctx, node, left, right) or _same_origin(ctx, left, right):
                continue
            if _is_confirmation(_operand_name(ctx, left), _operand_name(ctx, right)):
                continue
            if evidence == "token" and not has_context:
                continue
            yield self.finding(
                ctx,
                node,
                f"`{evidence}` compared with `{operators[0]}` leaks its value through timing; use hmac.compare_digest",
                fixes=(self._fix(ctx, node, left, right, operators[0]),),
            )

    def _evidence(self, ctx: AnalysisContext, operand: Node) -> str | None:
        if _is_hmac_value(ctx, operand):
            return "HMAC"
        name = _operand_name(ctx, operand)
        if not is_secret_name(name):
            return None
        words = identifier_words(name)
        if words[0] in FLAG_PREFIXES or set(words) & PUBLIC_VALUES:
            return None  # `verify_signature`, `is_token`: flags; nonces, salts and IVs are not secret
        secret_words = [w for w in words if w in SECRET_WORDS or "password" in w or "token" in w]
        return "token" if secret_words and all(w.startswith("tok") for w in secret_words) else name

    @staticmethod
    def _fix(ctx: AnalysisContext, node: Node, left: Node, right: Node, operator: str) -> Fix:
        def operand(expr: Node, other: Node) -> str:
            text = ctx.text(expr)
            if expr.type == "call" and method_name(ctx, expr) == "get" and not _bytes_like(ctx, other):
                return f"({text} or \"\")"
            return text

        call = f"hmac.compare_digest({operand(left, right)}, {operand(right, left)})"
        text = call if operator == "==" else f"not {call}"
        parent = node.parent
        if operator == "!=" and parent is not None and parent.type not in ("if_statement", "elif_clause", "while_statement", "return_statement", "assignment", "parenthesized_expression", "expression_statement", "boolean_operator", "not_operator"):
            text = f"({text})"
        return Fix("Compare with hmac.compare_digest (constant time)", (Edit(node.start_byte, node.end_byte, text),), imports=("import hmac",))


def _bytes_like(ctx: AnalysisContext, node: Node) -> bool:
    text = ctx.text(node)
    return text.endswith((".digest()", ".encode()")) or text.startswith(("b'", 'b"'))
