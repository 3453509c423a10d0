"""PY-SECRET-003 known-token-format: a string that is a real-format API token or private key.

**What it finds.** Any string literal (also bytes, docstrings excluded) that
contains a credential in a format its issuer made recognisable: AWS access key
ids (`AKIA...`), GitHub tokens (`ghp_`, `gho_`, `ghs_`, `github_pat_`), Slack
tokens (`xoxb-`, `xoxp-`) and webhook URLs, Stripe live keys (`sk_live_`,
`rk_live_`), Google API keys (`AIza...`), OpenAI, Anthropic, SendGrid,
Twilio, npm, PyPI and Hugging Face tokens, and PEM private key blocks with
key material. The name it is bound to does not matter: the format is the
evidence, so this rule reports in test code too.

**Not reported.** Documentation examples containing `EXAMPLE`
(`AKIAIOSFODNN7EXAMPLE`), Stripe *test* keys, a PEM header alone (code that
checks `pem.startswith("-----BEGIN RSA PRIVATE KEY-----")`).

**Fix.** When the literal is assigned, passed as a keyword or stored in a
dict, "Read the value from environment variable NAME" replaces it with
`os.environ["NAME"]`. Revoke the token at its issuer in any case: it is in
the history, and scanners harvest public repositories for these formats
within minutes.
"""

from __future__ import annotations

from typing import Iterator

from ....context import AnalysisContext
from ....model import Finding, Severity, Confidence
from ....python.sensitive import KNOWN_FORMATS, environment_fix, known_format, literal_binding, string_literal_value
from ...base import Explanation, Rule, register
from .hardcoded_secret import FIXABLE_KINDS, string_literals


@register
class KnownTokenFormat(Rule):
    id = "PY-SECRET-003"
    name = "known-token-format"
    triggers = tuple(sorted({prefix for fmt in KNOWN_FORMATS for prefix in fmt.prefixes}))
    cwe = 798
    owasp = "A07:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Read the value from an environment variable"
    summary = "API token or private key in a recognisable issuer format committed in the source"
    explanation = Explanation(
        what="A live credential in its issuer's format (AWS, GitHub, Slack, Stripe, OpenAI, a PEM private key, ...) is in the code.",
        why=(
            "The integration works, which is why the key stays. Bots scan every public push for exactly these "
            "prefixes and use the keys within minutes; private repositories leak through forks, CI logs, backups "
            "and AI tools. The key keeps working until it is revoked, and deleting the line does not remove it "
            "from the git history."
        ),
        hostile_input=(
            "An attacker greps a leaked checkout for `AKIA[0-9A-Z]{16}`, pairs it with the secret next to it, and "
            "runs `aws s3 ls` with your account; with `sk_live_...` they issue refunds from your Stripe balance."
        ),
        fix="Revoke and rotate the key at the issuer, then load it from the environment or a secret manager.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for literal in string_literals(ctx):
            parent = literal.parent
            if parent is not None and parent.type == "expression_statement":
                continue  # docstrings and bare strings document formats, they do not use them
            value = string_literal_value(ctx, literal)
            if value is None:
                continue
            fmt = known_format(value)
            if fmt is None:
                continue
            binding = literal_binding(ctx, literal)
            fixes = ()
            if binding is not None and binding.kind in FIXABLE_KINDS:
                fixes = (environment_fix(ctx, literal, binding.env_name),)
            yield self.finding(ctx, literal, f"{fmt.name} committed in the source; revoke it and read it from the environment", fixes=fixes)
