"""Markdown explanations of findings and rules, shared by hover, SARIF help
and reports, so every surface tells the same story."""

from __future__ import annotations

from .model import Finding
from .rules import Rule, get_rule
from .taxonomy import cwe_url, owasp_name, owasp_url


def rule_help_markdown(rule: Rule) -> str:
    e = rule.explanation
    return "\n\n".join(
        [
            f"**{rule.id} · {rule.name}**: {rule.summary}",
            f"**What:** {e.what}",
            f"**Why it is dangerous although the code works:** {e.why}",
            f"**Hostile input:** {e.hostile_input}",
            f"**Fix:** {e.fix}",
            _links(rule.cwe, rule.owasp),
        ]
    )


def _links(cwe: int, owasp: str) -> str:
    return f"[CWE-{cwe}]({cwe_url(cwe)}) · [OWASP {owasp} {owasp_name(owasp)}]({owasp_url(owasp)})"


def finding_markdown(finding: Finding) -> str:
    rule = get_rule(finding.rule_id)
    header = (
        f"### draftguard: {finding.rule_id}"
        + (f" · {rule.name}" if rule else "")
        + f"\n{finding.severity.label.capitalize()} severity, {finding.confidence.label} confidence"
    )
    parts = [header, finding.message]
    if rule is not None:
        e = rule.explanation
        parts += [
            f"**Why it is dangerous although the code works:** {e.why}",
            f"**Hostile input:** {e.hostile_input}",
            f"**How to fix:** {e.fix}",
        ]
    if finding.fixes:
        parts.append("**Quick fix available:** " + "; ".join(f"*{fix.title}*" for fix in finding.fixes))
    parts.append(f"Silence with `draftguard: ignore[{finding.rule_id}]` in a comment on this line.")
    parts.append(_links(finding.cwe, finding.owasp))
    return "\n\n".join(parts)
