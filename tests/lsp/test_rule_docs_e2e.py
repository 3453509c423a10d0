"""`draftguard.ruleDocumentation` over stdio, as the VS Code extension calls it."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient


async def test_rule_documentation_returns_markdown(client: LanguageClient) -> None:
    assert "draftguard.ruleDocumentation" in client.initialize_result.capabilities.execute_command_provider.commands
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="draftguard.ruleDocumentation", arguments=["PY-SQLI-001"])
    )
    assert text.startswith("# PY-SQLI-001 · sql-injection-string-built-query")
    assert "**Hostile input:**" in text and "cwe.mitre.org/data/definitions/89.html" in text


@pytest.mark.parametrize("arguments", [["NO-SUCH-RULE"], [], [42]])
async def test_rule_documentation_rejects_bad_ids_clearly(client: LanguageClient, arguments: list) -> None:
    with pytest.raises(Exception, match="unknown draftguard rule|expects a rule id"):
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="draftguard.ruleDocumentation", arguments=arguments))
