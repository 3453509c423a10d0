"""PY-SECRET-001 hardcoded-credential: a password, API key or token written into the code.

**What it finds.** A string literal bound to a credential name: assigned
(`DB_PASSWORD = "..."`, `self.api_key = "..."`, `config["client_secret"] = "..."`),
passed as a keyword (`connect(password="...")`), stored in a dict
(`{"api_key": "..."}`), used as a parameter default
(`def login(password="admin123")`) or compared against
(`if password == "letmein":`); and any literal handed to a signer or cipher
as its key (`jwt.encode(claims, "secret")`, `hmac.new(b"k3y", ...)`,
`URLSafeTimedSerializer("...")`, `Fernet(b"...")`, `AES.new(b"...", ...)`),
directly or through a local variable, placeholders included because the
library really uses them.

**How it stays quiet.** Names are split into words and judged by their last
word: `password`, `secret`, `api_key`, `client_secret` are credentials;
`token`, `key` and `auth` count only when the value looks random (length,
entropy, mixed character classes); names that describe *something about*
the secret (`token_type`, `password_field`, `secret_name`,
`api_key_header`, `password_hash`) never count. Values that are not
credentials are skipped: `"Bearer"` and other short words, labels
(`"password"`, `"X-API-Key"`), environment variable names (`"DB_PASSWORD"`),
paths, URLs (credentials in URLs are PY-SECRET-004), templates, messages with
spaces, digests of known constants, and placeholders (`"changeme"`,
`"your-api-key-here"`, `"<token>"`, `"xxx"`); common default passwords
(`"password"`, `"secret"`, `"test"`, `"1234"`) count only where they are
used as the credential (compared with a password, passed as `password=`). Placeholders are skipped
deliberately: they mark values a developer must still supply, and flagging
every `.env.example`-style default buries the real keys. Environment look-ups
with a default (`os.getenv("API_KEY", "dev")`) are not literals bound to a
name and are not reported here (PY-SECRET-002 reports them for framework
secret keys, where the fallback signs sessions). Test code (functions named
`test_*`, `Test*` classes, modules importing pytest/unittest) is skipped:
fixtures there are throwaway credentials.

**Fix.** "Read the value from environment variable NAME" replaces an
assigned, keyword or dict literal with `os.environ["NAME"]`. The program
behaves the same once NAME is set to the old value, and refuses to start
without it rather than running with a secret everyone who can read the code
knows. Rotate the leaked value: it stays in the version history.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext, share_unit_queries
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.names import calls_named
from ....python.sensitive import (
    FRAMEWORK_KEY_NAMES,
    SECRET_NAME_FRAGMENTS,
    credential_value,
    environment_fix,
    in_test_code,
    known_format,
    literal_binding,
    secret_name_strength,
    string_literal_value,
)
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

STRING_QUERY = "[(string) (concatenated_string)] @s"
share_unit_queries("python", STRING_QUERY)
# Calls whose argument is a signing or encryption key: qualified name -> (position, keyword, env name)
KEY_ARGUMENTS = {
    "jwt.encode": (1, "key", "JWT_SECRET"),
    "jwt.decode": (1, "key", "JWT_SECRET"),
    "jose.jwt.encode": (1, "key", "JWT_SECRET"),
    "jose.jwt.decode": (1, "key", "JWT_SECRET"),
    "hmac.new": (0, "key", "HMAC_KEY"),
    "hmac.digest": (0, "key", "HMAC_KEY"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key", "SECRET_KEY"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key", "SECRET_KEY"),
    "itsdangerous.TimedSerializer": (0, "secret_key", "SECRET_KEY"),
    "itsdangerous.Serializer": (0, "secret_key", "SECRET_KEY"),
    "itsdangerous.Signer": (0, "secret_key", "SECRET_KEY"),
    "itsdangerous.TimestampSigner": (0, "secret_key", "SECRET_KEY"),
    "cryptography.fernet.Fernet": (0, "key", "ENCRYPTION_KEY"),
    "cryptography.hazmat.primitives.ciphers.algorithms.AES": (0, "key", "ENCRYPTION_KEY"),
    "cryptography.hazmat.primitives.ciphers.algorithms.ChaCha20": (0, "key", "ENCRYPTION_KEY"),
    "cryptography.hazmat.primitives.ciphers.aead.AESGCM": (0, "key", "ENCRYPTION_KEY"),
    "cryptography.hazmat.primitives.ciphers.aead.ChaCha20Poly1305": (0, "key", "ENCRYPTION_KEY"),
}
_KEY_CALL_NAMES = last_parts(KEY_ARGUMENTS) | {"new"}
"""The last part of the name of every call `_key_arguments` looks at (`new` for PyCryptodome ciphers)."""
FIXABLE_KINDS = ("assign", "keyword", "dict")


DEFAULT_PASSWORDS = frozenset({"password", "passwd", "secret", "test", "testing", "1234", "12345", "123456", "12345678", "abc123", "letmein", "qwerty"})


def _default_password_in_use(binding, strength: str, value: str) -> bool:
    """`if password == "password":` and `connect(passwd="test")`: a default
    password checked against or handed to a server is the credential itself,
    not a placeholder waiting to be filled in, even though the same word
    alone (`PASSWORD = "password"`) is usually a field name."""
    return binding.kind in ("compare", "keyword") and strength == "strong" and value.strip().lower() in DEFAULT_PASSWORDS


def string_literals(ctx: AnalysisContext):
    """Every string literal of the unit, concatenations as one literal."""
    for node in ctx.captures(STRING_QUERY).get("s", []):
        if node.parent is not None and node.parent.type == "concatenated_string":
            continue
        yield node


@register
class HardcodedCredential(Rule):
    id = "PY-SECRET-001"
    name = "hardcoded-credential"
    # a literal is reported for the name it is bound to (every name the
    # strength check rates contains a fragment, in any case), or as the key
    # of a signer or cipher call (the call's last name part)
    triggers = tuple(sorted(SECRET_NAME_FRAGMENTS | last_parts(KEY_ARGUMENTS) | {"new"}))
    triggers_ignore_case = True
    cwe = 798
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Read the value from an environment variable"
    summary = "Password, API key or token hard-coded in the source"
    explanation = Explanation(
        what="A credential is written into the code as a string literal.",
        why=(
            "The code works, so nobody notices: but every copy of the repository, every fork, backup, CI log, "
            "container image and AI-assistant context now holds the credential, and it stays in the git history "
            "after it is deleted. It cannot be rotated without a release, and dev and production end up sharing it."
        ),
        hostile_input=(
            "Nothing needs to be sent: anyone who can read the code (a contractor, a leaked backup, a public fork, "
            "a scraper of public repositories) logs in with `DB_PASSWORD = \"Pr0d-Db!2024\"` directly."
        ),
        fix=(
            "Read it from the environment or a secret manager (`os.environ[\"DB_PASSWORD\"]`), keep it out of the "
            "repository, and rotate the value that was committed."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        yield from self._key_arguments(ctx)
        for literal in string_literals(ctx):
            value = string_literal_value(ctx, literal)
            if value is None or known_format(value) is not None:
                continue  # known token formats are PY-SECRET-003's, with better messages
            binding = literal_binding(ctx, literal)
            if binding is None or binding.name in FRAMEWORK_KEY_NAMES:
                continue
            strength = secret_name_strength(binding.name)
            if strength is None or not (credential_value(value, strength) or _default_password_in_use(binding, strength, value)):
                continue
            if in_test_code(ctx, literal):
                continue
            where = {
                "assign": f"assigned to `{binding.name}`",
                "keyword": f"passed as `{binding.name}=`",
                "dict": f"stored under `\"{binding.name}\"`",
                "default": f"default of parameter `{binding.name}`",
                "compare": f"compared with `{binding.name}`",
            }[binding.kind]
            fixes = (environment_fix(ctx, literal, binding.env_name),) if binding.kind in FIXABLE_KINDS else ()
            yield self.finding(
                ctx,
                literal,
                f"Hard-coded credential {where}; read it from the environment or a secret manager",
                fixes=fixes,
                confidence=Confidence.HIGH if strength == "strong" else Confidence.MEDIUM,
            )

    def _key_arguments(self, ctx: AnalysisContext) -> Iterator[Finding]:
        """Literal keys handed to a signer or cipher (`jwt.encode(claims, "secret")`).

        Any literal counts here, placeholders included: the library really
        signs or encrypts with it. A local variable bound to a literal counts
        too, unless its assignment is already reported as a credential."""
        for call, name in calls_named(ctx, _KEY_CALL_NAMES):
            spec = KEY_ARGUMENTS.get(name or "")
            if spec is None and (name or "").startswith(("Crypto.Cipher.", "Cryptodome.Cipher.")) and name.endswith(".new"):
                spec = (0, "key", "ENCRYPTION_KEY")
            if spec is None:
                continue
            position, keyword, env_name = spec
            key = unwrap_parens(argument_value(ctx, call, keyword, position))
            if key is None or in_test_code(ctx, call):
                continue
            value = string_literal_value(ctx, key)
            label = name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] if name.count(".") >= 1 else name
            if value:
                yield self.finding(
                    ctx, key, f"Hard-coded key passed to {label}: anyone with the code can sign or decrypt; read it from the environment",
                    fixes=(environment_fix(ctx, key, env_name),), confidence=Confidence.HIGH,
                )
            elif key.type == "identifier" and self._bound_to_unreported_literal(ctx, key):
                yield self.finding(ctx, key, f"`{ctx.text(key)}` is a hard-coded key passed to {label}; read it from the environment")

    @staticmethod
    def _bound_to_unreported_literal(ctx: AnalysisContext, name: Node) -> bool:
        definitions = reaching_definitions(ctx, name)
        if not definitions or any(d.kind != "assign" for d in definitions):
            return False
        for definition in definitions:
            value = string_literal_value(ctx, definition.value)
            if not value:
                return False
            strength = secret_name_strength(definition.name)
            if strength is not None and credential_value(value, strength):
                return False  # reported where it is assigned
        return True
