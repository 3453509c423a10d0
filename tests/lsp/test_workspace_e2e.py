"""Over stdio: pull diagnostics (LSP 3.17), the workspace scan command with
work-done progress, and the project configuration file in the editor."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.cli.conftest import CLEAN, VULNERABLE
from tests.lsp.conftest import SERVER, accept_registrations, initialize_params, open_document


def _pull_capabilities(params: types.InitializeParams) -> types.InitializeParams:
    caps = params.capabilities
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False, related_document_support=True)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return params


@pytest.fixture
def workspace(tmp_path):
    """app.py with a flaw, clean.py, a gitignored copy, and a config file."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "generated").mkdir()
    (tmp_path / "app.py").write_text(VULNERABLE)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    (tmp_path / "generated" / "copy.py").write_text(VULNERABLE)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "pyproject.toml").write_text('[tool.draftguard]\nscope = "all"\n')
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def pull_client(lsp_client: LanguageClient, workspace):
    accept_registrations(lsp_client)
    params = _pull_capabilities(initialize_params(workspace.as_uri(), options={}))
    lsp_client.initialize_result = await lsp_client.initialize_session(params)
    lsp_client.root = workspace
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def push_client(lsp_client: LanguageClient, workspace):
    accept_registrations(lsp_client)
    lsp_client.initialize_result = await lsp_client.initialize_session(initialize_params(workspace.as_uri(), options={}))
    lsp_client.root = workspace
    yield
    await lsp_client.shutdown_session()


async def _pull(client: LanguageClient, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri), previous_result_id=previous)
    )


async def test_pull_client_gets_a_diagnostic_provider(pull_client: LanguageClient) -> None:
    provider = pull_client.initialize_result.capabilities.diagnostic_provider
    assert provider is not None and provider.workspace_diagnostics and not provider.inter_file_dependencies


async def test_push_client_gets_no_diagnostic_provider(push_client: LanguageClient) -> None:
    assert push_client.initialize_result.capabilities.diagnostic_provider is None


async def test_document_pull_follows_edits(pull_client: LanguageClient) -> None:
    uri = (pull_client.root / "open.py").as_uri()
    pull_client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, VULNERABLE)))
    report = await _pull(pull_client, uri)
    assert report.kind == "full" and [d.code for d in report.items] == ["PY-SQLI-001"]
    assert report.items[0].range.start == types.Position(5, 16)
    again = await _pull(pull_client, uri, report.result_id)
    assert again.kind == "unchanged" and again.result_id == report.result_id
    pull_client.text_document_did_change(
        types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(uri=uri, version=2), [types.TextDocumentContentChangeWholeDocument(text=CLEAN)])
    )
    cleared = await _pull(pull_client, uri, report.result_id)
    assert cleared.kind == "full" and len(cleared.items) == 0
    assert uri not in pull_client.diagnostics, "a pulling client must not also receive pushed diagnostics"


async def test_document_pull_of_a_file_that_is_not_open(pull_client: LanguageClient) -> None:
    report = await _pull(pull_client, (pull_client.root / "app.py").as_uri())
    assert [d.code for d in report.items] == ["PY-SQLI-001"]


async def test_workspace_pull_reports_files_on_disk(pull_client: LanguageClient) -> None:
    token = "ws-pull"
    pull_client.progress_reports[token] = []
    report = await pull_client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[], work_done_token=token))
    by_uri = {item.uri: item for item in report.items}
    app = (pull_client.root / "app.py").as_uri()
    assert set(by_uri) == {app}, "clean files stay out, gitignored files are not scanned"
    assert by_uri[app].kind == "full" and [d.code for d in by_uri[app].items] == ["PY-SQLI-001"]
    kinds = [type(v).__name__ for v in pull_client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    previous = [types.PreviousResultId(uri=app, value=by_uri[app].result_id)]
    (pull_client.root / "app.py").write_text(VULNERABLE)  # same text, new mtime: rescanned, same result
    again = await pull_client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert [(i.uri, i.kind) for i in again.items] == [(app, "unchanged")]
    (pull_client.root / "app.py").write_text(CLEAN)
    fixed = await pull_client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert [(i.uri, i.kind, len(i.items)) for i in fixed.items] == [(app, "full", 0)]


async def test_scan_workspace_command_pushes_with_progress(push_client: LanguageClient) -> None:
    token = "scan-1"
    push_client.progress_reports[token] = []
    summary = await push_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="draftguard.scanWorkspace", arguments=[], work_done_token=token)
    )
    assert summary == {"files": 2, "findings": 1, "hidden": 0, "skipped": 0, "cancelled": False}
    app = (push_client.root / "app.py").as_uri()
    assert [d.code for d in push_client.diagnostics[app]] == ["PY-SQLI-001"]
    reports = push_client.progress_reports[token]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    (push_client.root / "app.py").write_text(CLEAN)
    await push_client.workspace_execute_command_async(types.ExecuteCommandParams(command="draftguard.scanWorkspace"))
    assert len(push_client.diagnostics[app]) == 0, "fixed files are cleared"


async def test_scan_workspace_creates_progress_when_the_client_sent_no_token(push_client: LanguageClient) -> None:
    await push_client.workspace_execute_command_async(types.ExecuteCommandParams(command="draftguard.scanWorkspace"))
    created = [token for token in push_client.progress_reports if str(token).startswith("draftguard-")]
    assert created and isinstance(push_client.progress_reports[created[0]][-1], types.WorkDoneProgressEnd)


async def test_scan_workspace_honours_scope(push_client: LanguageClient) -> None:
    push_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"draftguard": {"scope": "aiRegions"}}))
    summary = await push_client.workspace_execute_command_async(types.ExecuteCommandParams(command="draftguard.scanWorkspace"))
    assert (summary["findings"], summary["hidden"]) == (0, 1)
    everything = await push_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="draftguard.scanWorkspace", arguments=[{"scope": "all"}])
    )
    assert (everything["findings"], everything["hidden"]) == (1, 0)
    (push_client.root / "ai.py").write_text("# draftguard: ai-begin\n" + VULNERABLE + "# draftguard: ai-end\n")
    marked = await push_client.workspace_execute_command_async(types.ExecuteCommandParams(command="draftguard.scanWorkspace"))
    assert (marked["findings"], marked["hidden"]) == (1, 1)
    assert [d.code for d in push_client.diagnostics[(push_client.root / "ai.py").as_uri()]] == ["PY-SQLI-001"]


@pytest.fixture
def configured(tmp_path):
    (tmp_path / ".draftguard.toml").write_text('[rules]\ndisabled = ["PY-SQLI-001"]\n')
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def configured_client(lsp_client: LanguageClient, configured):
    accept_registrations(lsp_client)
    lsp_client.initialize_result = await lsp_client.initialize_session(initialize_params(configured.as_uri(), options={"scope": "all"}))
    lsp_client.root = configured
    yield
    await lsp_client.shutdown_session()


async def test_server_reads_the_project_configuration(configured_client: LanguageClient) -> None:
    uri = (configured_client.root / "a.py").as_uri()
    assert len(await open_document(configured_client, uri, VULNERABLE)) == 0
    # editor settings override the file: switching the rule back on
    configured_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"draftguard": {"rules": {"enabled": ["PY-SQLI-001"]}}})
    )
    params = await configured_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in params.diagnostics] == ["PY-SQLI-001"]
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in configured_client.registrations)


async def test_server_reloads_a_changed_configuration_file(configured_client: LanguageClient) -> None:
    uri = (configured_client.root / "a.py").as_uri()
    assert len(await open_document(configured_client, uri, VULNERABLE)) == 0
    (configured_client.root / ".draftguard.toml").write_text('scope = "all"\n')
    configured_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent((configured_client.root / ".draftguard.toml").as_uri(), types.FileChangeType.Changed)])
    )
    params = await configured_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in params.diagnostics] == ["PY-SQLI-001"]


async def test_invalid_configuration_is_shown_not_fatal(configured_client: LanguageClient) -> None:
    (configured_client.root / ".draftguard.toml").write_text('scope = "nowhere"\n')
    configured_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent((configured_client.root / ".draftguard.toml").as_uri(), types.FileChangeType.Changed)])
    )
    message = await configured_client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
    assert message.type == types.MessageType.Error and "scope: expected one of" in message.message
    uri = (configured_client.root / "a.py").as_uri()
    assert [d.code for d in await open_document(configured_client, uri, VULNERABLE)] == ["PY-SQLI-001"]
