"""Helpers for AI-region end-to-end tests: sessions in a workspace, the custom methods."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator, Union

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import SERVER, accept_registrations, initialize_params, wait_for_diagnostics


@contextlib.asynccontextmanager
async def session(root: Path, options: dict | None = None) -> AsyncIterator[LanguageClient]:
    """A server started in workspace `root`; `options` are initializationOptions
    (none by default, so the editor's default scope applies)."""
    client = await ClientServerConfig(server_command=SERVER).start()
    accept_registrations(client)
    parse_code_actions_with_commands(client)
    client.initialize_result = await client.initialize_session(initialize_params(root.as_uri(), options or {}))
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


def parse_code_actions_with_commands(client: LanguageClient) -> None:
    """lsprotocol's client-side hook reads every code action that carries a
    `command` as a bare Command; editors do not. Tell them apart by the type
    of `command`, as the specification does."""
    converter = client.protocol._converter

    def hook(data: Any, _type: Any) -> types.Command | types.CodeAction:
        if isinstance(data.get("command"), str):
            return converter.structure(data, types.Command)
        return converter.structure(data, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


def plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def regions(client: LanguageClient, uri: str) -> list[dict]:
    result = await client.protocol.send_request_async("draftguard/regions", {"uri": uri})
    return plain(result)["regions"]


def lines_of(region: dict) -> tuple[int, int]:
    return region["range"]["start"]["line"], region["range"]["end"]["line"]


async def code_actions(client: LanguageClient, uri: str, range_: types.Range, diagnostics=()) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), range_, types.CodeActionContext(diagnostics=list(diagnostics)))
    ) or []


async def mark_reviewed_via_action(client: LanguageClient, uri: str, range_: types.Range, diagnostics=()) -> Any:
    """Pick the "Mark AI region as reviewed" action and run its command, as an editor does."""
    actions = await code_actions(client, uri, range_, diagnostics)
    action = next(a for a in actions if a.title.startswith("Mark AI region as reviewed"))
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=action.command.command, arguments=action.command.arguments)
    )
    return plain(result)


async def republished(client: LanguageClient, uri: str):
    """The next diagnostics for `uri`, whatever its version."""
    return await wait_for_diagnostics(client, uri)


async def hover_text(client: LanguageClient, uri: str, line: int, character: int = 0) -> str | None:
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, character)))
    return hover.contents.value if hover else None
