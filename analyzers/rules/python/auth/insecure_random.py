"""PY-RAND-001 insecure-random-for-secret: `random` used to make a token, password, OTP, salt or session id.

**What it finds.** A call into the `random` module (`random.choice`,
`choices`, `randint`, `randrange`, `random`, `getrandbits`, `sample`,
`shuffle`, `uniform`, also imported with `from random import ...`) whose result
becomes a security value. The evidence is the name the result is bound to
(`token = ...`, `reset_code=`, `{"otp": ...}`, `user.api_key = ...`), or the
name of the function that returns it (`def generate_password(): return
"".join(random.choice(...) ...)`).

**Not reported.** `random` for anything else (`delay`, `jitter`,
`sample_size`, `color`, test data), values that only describe a secret
(`password_length = random.randint(12, 16)`), `random.SystemRandom()` and
`secrets`. A helper such as `def rand_string(n)` called from another
function as `token = rand_string(32)` is not followed (intra-procedural).

**Fix.** "Use the secrets module" swaps the generator and keeps the output
type and range: `random.choice(x)` -> `secrets.choice(x)`,
`random.getrandbits(k)` -> `secrets.randbits(k)`, `random.randrange(n)` ->
`secrets.randbelow(n)`, `random.randint(100000, 999999)` ->
`secrets.randbelow(900000) + 100000`, and every other method
(`choices`, `sample`, `random`, `randint` with computed bounds, ...) ->
`secrets.SystemRandom().method(...)`, which has the same signature. Seeding
with `random.seed()` no longer affects these values, which is the point.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.dataflow import enclosing_function
from ....python.names import call_arguments, calls, method_name
from ....python.sensitive import is_secret_name, name_label
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

RANDOM_METHODS = frozenset(
    {"choice", "choices", "randint", "randrange", "random", "getrandbits", "sample", "shuffle", "uniform", "randbytes",
     "triangular", "normalvariate", "gauss", "expovariate", "betavariate", "lognormvariate", "vonmisesvariate",
     "gammavariate", "paretovariate", "weibullvariate", "binomialvariate"}
)
STOP_TYPES = ("expression_statement", "function_definition", "lambda", "class_definition", "block", "module")


def _bound_name(ctx: AnalysisContext, value: Node) -> tuple[str | None, Node | None, Node | None]:
    """Where `value` ends up: (name it is stored under, the local identifier it is
    assigned to, the return statement that returns it)."""
    node = value
    parent = node.parent
    while parent is not None:
        kind = parent.type
        if kind == "assignment":
            left = unwrap_parens(parent.child_by_field_name("left"))
            if left is None or left.id == node.id:
                return None, None, None
            if left.type == "identifier":
                return ctx.text(left), left, None
            if left.type == "attribute":
                return ctx.text(left.child_by_field_name("attribute")), None, None
            if left.type == "subscript":
                return name_label(ctx, left.child_by_field_name("subscript")), None, None
            return None, None, None
        if kind == "augmented_assignment":
            left = parent.child_by_field_name("left")
            return (ctx.text(left), left, None) if left is not None and left.type == "identifier" else (None, None, None)
        if kind == "keyword_argument":
            return ctx.text(parent.child_by_field_name("name")), None, None
        if kind == "pair":
            return name_label(ctx, parent.child_by_field_name("key")), None, None
        if kind == "argument_list" and parent.parent is not None and method_name(ctx, parent.parent) == "set_cookie":
            positional, _ = call_arguments(ctx, parent.parent)
            if len(positional) > 1 and positional[1].id == node.id:
                return name_label(ctx, positional[0]), None, None
        if kind == "return_statement":
            return None, None, parent
        if kind in STOP_TYPES:
            return None, None, None
        node, parent = parent, parent.parent
    return None, None, None


def _stored_as(ctx: AnalysisContext, local: Node) -> str | None:
    """The first security name a local variable is later stored under
    (`session["remember_token"] = value`, `resp.set_cookie("sid", value)`)."""
    function = enclosing_function(local)
    scope = function if function is not None else ctx.unit
    name = ctx.text(local)
    for use in ctx.captures("(identifier) @i", scope).get("i", []):
        if use.start_byte <= local.start_byte or ctx.text(use) != name:
            continue
        stored, _local, _returned = _bound_name(ctx, use)
        if stored and stored != name and is_secret_name(stored):
            return stored
    return None


def _returned_by_function(ctx: AnalysisContext, call: Node, name: str | None, returned: Node | None) -> str | None:
    """Name of the enclosing function when the random value is what it returns."""
    function = enclosing_function(call)
    if function is None or function.type != "function_definition":
        return None
    if returned is None:
        if not name:
            return None
        results = ctx.captures("(return_statement) @r", function).get("r", [])
        uses = [n for r in results for n in ctx.captures("(identifier) @i", r).get("i", []) if ctx.text(n) == name]
        if not any(_is_returned_value(ctx, use) for use in uses):
            return None
    return ctx.text(function.child_by_field_name("name"))


def _is_returned_value(ctx: AnalysisContext, use: Node) -> bool:
    """Part of the returned value itself, not a count or bound (`range(n)`, `len(x)`)."""
    parent = use.parent
    while parent is not None and parent.type != "return_statement":
        if parent.type == "for_in_clause":
            return False
        if parent.type == "call" and ctx.text(parent.child_by_field_name("function")) in ("range", "len", "min", "max"):
            return False
        parent = parent.parent
    return True


@register
class InsecureRandomForSecret(Rule):
    id = "PY-RAND-001"
    name = "insecure-random-for-secret"
    triggers = tuple(sorted(RANDOM_METHODS))  # `random.choice` and `from random import choice` both name the method
    cwe = 330
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Use the secrets module"
    summary = "Predictable `random` generator used for a token, password, OTP, salt or session id"
    explanation = Explanation(
        what="A security value (token, password, OTP, reset code, salt, session id) comes from the `random` module.",
        why=(
            "The values look random and every test passes, but `random` is a Mersenne Twister: after 624 outputs "
            "(or knowing roughly when it was seeded) an attacker can compute every past and future value. Reset "
            "codes, invite tokens and session ids made with it can be predicted instead of guessed."
        ),
        hostile_input=(
            "An attacker requests a few hundred password resets for their own account, feeds the codes they "
            "receive to a Mersenne Twister solver (e.g. `randcrack`), and predicts the next reset code, which "
            "is the one sent to the victim."
        ),
        fix="Use `secrets`: `secrets.choice`, `secrets.randbelow`, `secrets.token_urlsafe(32)`, `secrets.token_hex(16)`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            if name is None or not name.startswith("random.") or name.count(".") != 1:
                continue
            method = name.split(".", 1)[1]
            if method not in RANDOM_METHODS:
                continue
            bound, local, returned = _bound_name(ctx, call)
            verdict = is_secret_name(bound)
            what = bound
            if verdict is None and local is not None:
                stored = _stored_as(ctx, local)
                verdict, what = (True, stored) if stored else (None, bound)
            if verdict is None:
                function_name = _returned_by_function(ctx, call, bound, returned)
                verdict = is_secret_name(function_name) if function_name else None
                what = f"{function_name}()" if function_name else None
            if not verdict:
                continue
            fix = self._fix(ctx, call, method)
            yield self.finding(
                ctx,
                call,
                f"`random.{method}` is predictable but makes `{what}`; use the secrets module",
                fixes=(fix,) if fix is not None else (),
                confidence=Confidence.HIGH if bound else Confidence.MEDIUM,
            )

    @staticmethod
    def _fix(ctx: AnalysisContext, call: Node, method: str) -> Fix | None:
        function = call.child_by_field_name("function")
        positional, keywords = call_arguments(ctx, call)
        args = call.child_by_field_name("arguments")
        if function is None or args is None or args.type != "argument_list":
            return None
        title = "Use the secrets module (same output type and range)"
        simple = {"choice": "secrets.choice", "getrandbits": "secrets.randbits"}
        if method in simple and len(positional) == 1 and not keywords:
            return Fix(title, (Edit(function.start_byte, function.end_byte, simple[method]),), imports=("import secrets",))
        if method == "randrange" and len(positional) == 1 and not keywords:
            return Fix(title, (Edit(function.start_byte, function.end_byte, "secrets.randbelow"),), imports=("import secrets",))
        if method == "randint" and len(positional) == 2 and not keywords:
            low, high = (_int_literal(ctx, p) for p in positional)
            if low is not None and high is not None and high >= low:
                span = high - low + 1
                text = f"secrets.randbelow({span})" + (f" + {low}" if low else "")
                if call.parent is not None and call.parent.type in ("binary_operator", "unary_operator", "attribute", "subscript") and low:
                    text = f"({text})"
                return Fix(title, (Edit(call.start_byte, call.end_byte, text),), imports=("import secrets",))
        return Fix(title, (Edit(function.start_byte, function.end_byte, f"secrets.SystemRandom().{method}"),), imports=("import secrets",))


def _int_literal(ctx: AnalysisContext, node: Node) -> int | None:
    node = unwrap_parens(node)
    if node is None or node.type != "integer":
        return None
    try:
        return int(ctx.text(node).replace("_", ""), 0)
    except ValueError:
        return None
