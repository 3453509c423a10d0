"""JS-SECRET-001 hardcoded-secret: credentials, signing keys and API keys written into the source.

**What it finds.** String literals bound to a name that says secret
(`password`, `secret`, `apiKey`, `clientSecret`, `privateKey`, a random-looking
`token`/`key`), in declarations, assignments, object properties and
defaults, including fallbacks such as `process.env.JWT_SECRET ||
"s3cr3t-key"`; literals passed as the key to `jwt.sign`/`jwt.verify`,
`express-session`'s `secret`, `cookie-parser` and `createHmac`; any literal fallback for a signing key's
environment variable (`process.env.SESSION_SECRET || "keyboard cat"`,
placeholders included: the code signs with it when the variable is unset);
and known token formats anywhere (AWS, GitHub, Slack, Stripe, Google, OpenAI, private
key blocks).

**Not reported.** Placeholders (`changeme`, `your-api-key`, `<token>`,
`xxx`), labels and field names (`password: "Password"`), environment
variable names, URLs and paths, empty strings, and values in test code
(modules importing a test framework or faker, `describe`/`it`/`test`
blocks): a fixture user's `password: "password1"` is not a leak. Known token
formats are reported in tests too.

**Fix.** No automatic fix: read the value from the environment or a secret
manager (`process.env.JWT_SECRET`, failing at start-up when it is missing),
and rotate the leaked secret: it is in the repository history.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, unit_nodes
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.strings import literal_value
from ...javascript.testcode import in_test_code
from ...model import Confidence, Finding, Severity
from ...javascript.triggers import last_parts
from ...python.sensitive import KNOWN_FORMATS, SECRET_NAME_FRAGMENTS, SIGNING_KEY_NAME, credential_value, is_placeholder, known_format, secret_name_strength
from ..base import Explanation, Rule, register

KEY_ARGUMENT_CALLS = {
    "jsonwebtoken.sign": 1, "jsonwebtoken.verify": 1, "jsonwebtoken.default.sign": 1, "cookie-parser": 0,
    "crypto.createHmac": 1, "crypto.createCipheriv": 1, "jose.JWT.sign": 1, "jose.JWT.verify": 1, "jose.JWK.asKey": 0,
    "jwt-simple.encode": 1, "jwt-simple.decode": 1,
}
SECRET_OPTIONS = frozenset({"secret", "secretOrKey", "secretOrPrivateKey", "clientSecret", "privateKey", "apiKey", "password", "jwtSecret"})


@register
class JsHardcodedSecret(Rule):
    id = "JS-SECRET-001"
    name = "hardcoded-secret"
    cwe = 798
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    # a known token format's prefix (or an escape sequence, which can spell it: "\x41KIA..."), a
    # secret-sounding name (rated case-insensitively), or a key-taking call
    triggers = tuple(sorted({p for fmt in KNOWN_FORMATS for p in fmt.prefixes} | SECRET_NAME_FRAGMENTS | SECRET_OPTIONS | {"\\"})) + last_parts(KEY_ARGUMENT_CALLS)
    triggers_ignore_case = True
    summary = "Password, signing key or API key written as a literal in the source code"
    explanation = Explanation(
        what="A credential is a string literal in the code (or a literal fallback for a missing environment variable).",
        why=(
            "It works everywhere, which is why AI code does it. But the secret is now in every clone, build artefact "
            "and the git history forever; anyone with read access can sign sessions/JWTs or call the API as you."
        ),
        hostile_input='With `jwt.sign(payload, "supersecret123")` in a public repo, anyone signs `{"role":"admin"}` tokens your server accepts.',
        fix="Read it from the environment or a secret manager (`process.env.JWT_SECRET`, failing at start-up if missing) and rotate the exposed value.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        reported: set[int] = set()
        for literal in unit_nodes(ctx, ("string", "template_string")):
            value = literal_value(ctx, literal)
            if not value:
                continue
            fmt = known_format(value)
            if fmt is not None:
                reported.add(literal.id)
                yield self.finding(ctx, literal, f"Hard-coded secret: {fmt.name} in the source", confidence=Confidence.HIGH)
                continue
            name = self._bound_name(ctx, literal)
            if name is None or in_test_code(ctx, literal):
                continue
            strength = "strong" if name in SECRET_OPTIONS else secret_name_strength(name)
            session_secret = name == "secret" and _is_option_of_call(literal) and not is_placeholder(value)
            if session_secret or strength is not None and credential_value(value, strength):
                reported.add(literal.id)
                yield self.finding(ctx, literal, f"Hard-coded secret: `{name}` is set to a literal; read it from the environment")
            elif SIGNING_KEY_NAME.search(name) and _environment_fallback(ctx, literal):
                # any value counts: `|| "keyboard cat"` is exactly the key an attacker tries first
                reported.add(literal.id)
                yield self.finding(ctx, literal, f"Hard-coded secret: `{name}` falls back to a literal when the environment variable is unset; a deployment that forgets it signs with a key anyone with the code knows")
        for call in calls_in(ctx):
            for pattern, index in KEY_ARGUMENT_CALLS.items():
                if not call_matches(ctx, call, (pattern,)) or in_test_code(ctx, call):
                    continue
                args = SYN.arguments(call)
                key = SYN.unwrap(args[index]) if len(args) > index else None
                value, literal = self._key_value(ctx, key)
                if key is not None and literal is not None and literal.id not in reported and value and not is_placeholder(value):
                    where = "as a literal" if key.type in ("string", "template_string") else f"through the constant `{ctx.text(key)}`"
                    reported.add(literal.id)
                    yield self.finding(ctx, key, f"Hard-coded secret: signing key passed {where}; read it from the environment")

    @staticmethod
    def _key_value(ctx: AnalysisContext, key: Node | None) -> tuple[str | None, Node | None]:
        """The text of a key given as a literal, a local constant or a module
        string constant, and the node to report (the literal when visible)."""
        if key is None:
            return None, None
        if key.type == "identifier":
            defs = reaching_definitions(ctx, key)
            if defs:
                if len(defs) == 1 and defs[0].kind == "assign" and not defs[0].path and defs[0].value is not None:
                    literal = SYN.unwrap(defs[0].value)
                    return literal_value(ctx, literal), literal
                return None, None
            return ctx.facts.get("string_constants", {}).get(ctx.text(key)), key
        return literal_value(ctx, key), key

    @staticmethod
    def _bound_name(ctx: AnalysisContext, literal: Node) -> str | None:
        node = literal
        parent = node.parent
        while parent is not None and (parent.type in ("parenthesized_expression", "as_expression", "satisfies_expression") or (
            parent.type == "binary_expression" and ctx.text(parent.child_by_field_name("operator")) in ("||", "??")
            and parent.child_by_field_name("right").id == node.id
        )):
            node, parent = parent, parent.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator" and parent.child_by_field_name("value").id == node.id:
            target = parent.child_by_field_name("name")
            return ctx.text(target) if target.type == "identifier" else None
        if parent.type == "assignment_expression" and parent.child_by_field_name("right").id == node.id:
            left = SYN.unwrap(parent.child_by_field_name("left"))
            prop = left.child_by_field_name("property") if left.type == "member_expression" else left
            return ctx.text(prop) if prop is not None else None
        if parent.type == "pair" and parent.child_by_field_name("value").id == node.id:
            return ctx.text(parent.child_by_field_name("key")).strip("'\"")
        if parent.type in ("assignment_pattern", "object_assignment_pattern", "required_parameter", "optional_parameter"):
            left = parent.child_by_field_name("left") or parent.child_by_field_name("pattern")
            return ctx.text(left) if left is not None else None
        return None


def _environment_fallback(ctx: AnalysisContext, literal: Node) -> bool:
    """`process.env.X || "literal"` (or `??`; also `import.meta.env`, `Deno.env.get`)."""
    parent = literal.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "binary_expression" or ctx.text(parent.child_by_field_name("operator")) not in ("||", "??"):
        return False
    left = ctx.text(parent.child_by_field_name("left"))
    return left.startswith(("process.env", "import.meta.env", "Deno.env.get"))


def _is_option_of_call(literal: Node) -> bool:
    """`session({ secret: "..." })`: the object literal is a call argument."""
    pair = literal.parent
    obj = pair.parent if pair is not None else None
    args = obj.parent if obj is not None else None
    return args is not None and args.type == "arguments"
