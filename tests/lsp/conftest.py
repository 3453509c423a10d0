"""A real draftguard server over stdio, driven by pytest-lsp."""

from __future__ import annotations

import sys

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "draftguard.server"]


async def open_document(client: LanguageClient, uri: str, text: str, language: str = "python", version: int = 1):
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, version, text)))
    return await wait_for_diagnostics(client, uri, version)


async def change_document(client: LanguageClient, uri: str, version: int, changes: list[types.TextDocumentContentChangeEvent]):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version=version, uri=uri), changes)
    )
    return await wait_for_diagnostics(client, uri, version)


async def wait_for_diagnostics(client: LanguageClient, uri: str, version: int | None = None):
    """Wait until diagnostics for `uri` (at `version`, when given) arrive."""
    while True:
        params: types.PublishDiagnosticsParams = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (version is None or params.version == version):
            return params.diagnostics


def edit(sl: int, sc: int, el: int, ec: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(range=types.Range(types.Position(sl, sc), types.Position(el, ec)), text=text)


def initialize_params(root_uri: str | None = None, options: dict | None = None, capabilities: str = "visual-studio-code") -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(capabilities),
        initialization_options=options if options is not None else {"scope": "all"},
        root_uri=root_uri,
    )


def accept_registrations(client: LanguageClient) -> None:
    """Answer client/registerCapability as editors do (the server registers
    file watchers for its configuration files)."""

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        client.registrations = [*getattr(client, "registrations", []), *params.registrations]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path):
    accept_registrations(lsp_client)
    lsp_client.initialize_result = await lsp_client.initialize_session(initialize_params(tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()
