"""`draftguard.ruleDocumentation` command: a rule's documentation as Markdown.

Editors open it next to the code ("Open Rule Documentation" in the VS Code
extension). The text is the same explanation hovers and SARIF help use
(`rule_help_markdown`), followed by the rule module's docstring, which is the
rule's documentation page. An unknown or missing rule id is a clear error,
never a crash.
"""

from __future__ import annotations

import inspect

from draftguard.analyzers.explain import rule_help_markdown
from draftguard.analyzers.rules import get_rule

from ..app import DraftguardServer

COMMAND = "draftguard.ruleDocumentation"


def rule_documentation(rule_id: object) -> str:
    if not isinstance(rule_id, str) or not rule_id:
        raise ValueError(f"{COMMAND} expects a rule id such as PY-SQLI-001")
    rule = get_rule(rule_id)
    if rule is None:
        raise ValueError(f"unknown draftguard rule {rule_id!r}")
    module = inspect.getmodule(type(rule))
    page = inspect.cleandoc(module.__doc__) if module is not None and module.__doc__ else ""
    return f"# {rule.id} · {rule.name}\n\n{rule_help_markdown(rule)}" + (f"\n\n---\n\n{page}\n" if page else "\n")


def register(server: DraftguardServer) -> None:
    @server.command(COMMAND)
    def _rule_documentation(ls: DraftguardServer, *args: object) -> str:
        return rule_documentation(args[0] if args else None)
