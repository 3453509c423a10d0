# draftguard: ignore[PY-SECRET-004] - this docstring documents the credential URLs the rule finds
"""PY-SECRET-004 credentials-in-url: a connection URL with a password written into it.

**What it finds.** String literals holding `scheme://user:password@host...`:
database URLs (`postgresql://app:Pr0d-pass@db.internal/app`,
`SQLALCHEMY_DATABASE_URI`), broker URLs (`amqp://`, `redis://:pw@`), HTTP
URLs with basic-auth credentials.

**Not reported.** URLs without a password, passwords that are placeholders or
templates (`{password}`, `${DB_PASS}`, `%(password)s`, `changeme`, `****`),
f-strings (the password comes from elsewhere), and URLs to a local host
(`localhost`, `127.0.0.1`, `::1`, `*.local`, `*.test`): those are the
`docker-compose` development databases every tutorial ships, and flagging them
teaches people to ignore the rule.

**Fix.** None automatic: the URL usually mixes configuration with the secret.
Build it from the environment (`os.environ["DATABASE_URL"]`) or pass the
password separately.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.sensitive import in_test_code, is_placeholder, looks_templated, string_literal_value
from ...base import Explanation, Rule, register
from .hardcoded_secret import string_literals

_URL_WITH_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.\-]*)://([^\s:/@]*):([^\s@/]+)@([^\s/:?#]+)", re.IGNORECASE)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]")  # noqa: S104 - host names compared with, nothing is bound
LOCAL_SUFFIXES = (".local", ".localhost", ".test", ".example", ".invalid")


def _is_local(host: str) -> bool:
    host = host.lower()
    return host in LOCAL_HOSTS or host.endswith(LOCAL_SUFFIXES)


@register
class CredentialsInUrl(Rule):
    id = "PY-SECRET-004"
    name = "credentials-in-url"
    triggers = ("://",)  # the URL pattern's scheme separator, in one literal part
    cwe = 798
    owasp = "A07:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    summary = "Connection URL with an embedded password"
    explanation = Explanation(
        what="A database, broker or HTTP URL carries a password in its user-info part.",
        why=(
            "The connection works, so the URL stays in the code, and with it the password: in every checkout, in "
            "error messages and logs that print the URL, and in the git history."
        ),
        # draftguard: ignore[PY-SECRET-004] - the documented example of what the rule finds
        hostile_input="Anyone with the repository connects with `psql postgresql://app:Pr0d-pass@db.internal/app`.",
        fix="Read the whole URL from the environment (`os.environ[\"DATABASE_URL\"]`) or a secret manager.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for literal in string_literals(ctx):
            value = string_literal_value(ctx, literal)
            if value is None or "@" not in value:
                continue
            for match in _URL_WITH_CREDENTIALS.finditer(value):
                password, host = match.group(3), match.group(4)
                try:
                    hostname = urlsplit(match.group(0) + "/").hostname or host
                except ValueError:
                    hostname = host
                if _is_local(hostname) or is_placeholder(password) or looks_templated(password) or password.startswith("$"):
                    continue
                if in_test_code(ctx, literal):
                    continue
                yield self.finding(ctx, literal, f"{match.group(1)} URL with an embedded password for host {hostname}; read the URL from the environment")
                break
