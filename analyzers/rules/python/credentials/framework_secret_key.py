"""PY-SECRET-002 framework-secret-key-literal: Flask/Django `SECRET_KEY` set to a literal or a literal fallback.

**What it finds.** The key a web framework signs sessions, cookies, CSRF
tokens and password-reset links with, written into the code:
`app.secret_key = "dev"`, `app.config["SECRET_KEY"] = "..."`,
`app.config.update(SECRET_KEY="...")`, `app.config.from_mapping(SECRET_KEY=...)`,
a `SECRET_KEY = "django-insecure-..."` settings line or config-class
attribute (also `JWT_SECRET_KEY`, `WTF_CSRF_SECRET_KEY`), and environment
look-ups with a literal fallback (`os.environ.get("SECRET_KEY", "dev")`,
`os.getenv("SECRET_KEY") or "dev"`). For the other keys an application
signs or encrypts with (`JWT_SECRET`, `SESSION_SECRET`, `TOKEN_SIGNING_KEY`,
`ENCRYPTION_KEY`, names ending in `SECRET` or `_KEY` of that kind) only the
literal fallback is reported here; a plain literal is PY-SECRET-001's.

**Decisions.** Unlike PY-SECRET-001 every literal counts, placeholders
included: `"dev"` or `"change-me"` is exactly the key an attacker tries
first, and the framework really uses it. The fallback form is reported
because a deployment that forgets the variable runs silently with the public
key (Apache Superset's default `SECRET_KEY` led to mass session forgery,
CVE-2023-27524). Not reported: test code, and the Flask tutorial pattern
where the same file later loads the real configuration with
`from_pyfile`/`from_envvar`/`from_prefixed_env`.

**Fix.** "Read SECRET_KEY from the environment" replaces the literal (or the
look-up with its fallback) with `os.environ["SECRET_KEY"]`: the app behaves
the same once the variable is set, and refuses to start without one.
Existing sessions stay valid if the variable is set to the old value;
rotate it (logging everyone out) because the old one is public.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Fix, Severity
from ....python.names import call_arguments, qualified_name
from ....python.sensitive import FRAMEWORK_KEY_NAMES, SIGNING_KEY_NAME, environment_fix, in_test_code, string_literal_value
from ....python.settings import ATTRIBUTE_KEYS, config_assignments
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

KEY_NAMES = FRAMEWORK_KEY_NAMES - {"secret_key"}
ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "environ.get", "os.environ.setdefault"})



@register
class FrameworkSecretKeyLiteral(Rule):
    id = "PY-SECRET-002"
    name = "framework-secret-key-literal"
    # the key as config_assignments() reads it from the unit's text, or the
    # attribute shortcut that stands for it (`app.secret_key`)
    # ... and the environment look-up a signing key's fallback needs (`getenv`, `environ`)
    triggers = tuple(sorted(KEY_NAMES | {attribute for attribute, key in ATTRIBUTE_KEYS.items() if key in KEY_NAMES} | {"getenv", "environ"}))
    cwe = 798
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Read SECRET_KEY from the environment"
    summary = "Flask/Django SECRET_KEY hard-coded or with a hard-coded fallback"
    explanation = Explanation(
        what="The key the framework signs sessions, cookies, CSRF tokens and reset links with is in the source.",
        why=(
            "Everything works: sessions, logins, flash messages. But whoever knows the key can sign their own "
            "session cookie, so they can be any user, including an admin, without a password; with Django, "
            "a known key can also turn signed-cookie sessions or pickle serializers into code execution."
        ),
        hostile_input=(
            "With `app.secret_key = \"dev\"` an attacker runs `flask-unsign --sign --cookie \"{'user_id': 1}\" "
            "--secret dev` and sends the result as the `session` cookie: they are now user 1."
        ),
        fix=(
            "`app.config[\"SECRET_KEY\"] = os.environ[\"SECRET_KEY\"]` with a long random value "
            "(`python -c 'import secrets; print(secrets.token_hex(32))'`) kept out of the repository; no fallback."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        if ctx.facts.get("config_overridden_from_file"):
            return
        for setting in config_assignments(ctx):
            if setting.key in KEY_NAMES:
                yield from self._check_value(ctx, setting.value, setting.key)
            elif SIGNING_KEY_NAME.search(setting.key):
                yield from self._check_fallback(ctx, setting.value, setting.key)

    def _check_value(self, ctx: AnalysisContext, value: Node | None, key: str) -> Iterator[Finding]:
        value = unwrap_parens(value)
        if value is None or in_test_code(ctx, value):
            return
        if string_literal_value(ctx, value) is not None:
            yield self.finding(
                ctx,
                value,
                f"{key} is a literal in the source: anyone who reads it can forge sessions; read it from the environment",
                fixes=(self._fix(ctx, value, key),),
            )
            return
        fallback = self._env_fallback(ctx, value)
        if fallback is not None:
            env_name, _literal = fallback
            yield self.finding(
                ctx,
                value,
                f"{key} falls back to a literal when {env_name} is unset: a deployment that forgets it signs sessions with a public key",
                fixes=(self._fix(ctx, value, key, env_name),),
                severity=Severity.MEDIUM,
                confidence=Confidence.MEDIUM,
            )

    def _check_fallback(self, ctx: AnalysisContext, value: Node | None, key: str) -> Iterator[Finding]:
        """`JWT_SECRET = os.getenv("JWT_SECRET", "dev-secret")`: tokens signed
        with a key anyone with the code knows wherever the variable is unset."""
        value = unwrap_parens(value)
        if value is None or in_test_code(ctx, value):
            return
        fallback = self._env_fallback(ctx, value)
        if fallback is not None and string_literal_value(ctx, fallback[1]):
            env_name, _literal = fallback
            yield self.finding(
                ctx,
                value,
                f"{key} falls back to a literal when {env_name} is unset: a deployment that forgets it runs with a secret anyone with the code knows",
                fixes=(self._fix(ctx, value, key, env_name),),
                severity=Severity.MEDIUM,
                confidence=Confidence.MEDIUM,
            )

    def _env_fallback(self, ctx: AnalysisContext, value: Node) -> tuple[str, Node] | None:
        """`os.environ.get("X", "lit")` or `os.getenv("X") or "lit"` -> ("X", literal)."""
        if value.type == "boolean_operator" and ctx.text(value.child_by_field_name("operator")) == "or":
            left = unwrap_parens(value.child_by_field_name("left"))
            right = unwrap_parens(value.child_by_field_name("right"))
            env_name = self._env_name(ctx, left)
            if env_name is not None and string_literal_value(ctx, right) is not None:
                return env_name, right
            return None
        env_name = self._env_name(ctx, value)
        if env_name is None:
            return None
        positional, keywords = call_arguments(ctx, value)
        default = positional[1] if len(positional) > 1 else keywords.get("default")
        if default is not None and string_literal_value(ctx, default) is not None:
            return env_name, default
        return None

    @staticmethod
    def _env_name(ctx: AnalysisContext, call: Node | None) -> str | None:
        if call is None or call.type != "call":
            return None
        name = qualified_name(ctx, call.child_by_field_name("function"))
        if name not in ENV_LOOKUPS:
            return None
        positional, _ = call_arguments(ctx, call)
        return string_literal_value(ctx, positional[0]) if positional else None

    @staticmethod
    def _fix(ctx: AnalysisContext, value: Node, key: str, env_name: str | None = None) -> Fix:
        name = env_name or key
        return environment_fix(ctx, value, name, f"Read {key} from environment variable {name} (set {name} before starting; no public fallback)")
