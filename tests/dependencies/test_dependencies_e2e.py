"""Over stdio: the dependency rules in the editor, with the environment chosen
by the `dependencies.pythonInterpreter` setting, the add-dependency quick fix
as a WorkspaceEdit on the manifest, and refresh through
`workspace/didChangeWatchedFiles`."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import SERVER, accept_registrations, initialize_params

from .environment import DIST, MODULE

APP = f"import flask\nimport {MODULE}\nimport reqeusts\n\nreqeusts.get('https://example.invalid', timeout=5)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\ndependencies = [\n    "flask>=3",\n]\n')
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, project, venv_python):
    accept_registrations(lsp_client)
    options = {"scope": "all", "dependencies": {"pythonInterpreter": venv_python}}
    lsp_client.initialize_result = await lsp_client.initialize_session(initialize_params(project.as_uri(), options=options))
    lsp_client.root = project
    yield
    await lsp_client.shutdown_session()


async def diagnostics_until(client: LanguageClient, uri: str, done) -> list[types.Diagnostic]:
    """Publications for `uri` until `done(codes)` holds (the environment probe
    answers after the first publication)."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            codes = sorted(str(d.code) for d in params.diagnostics if str(d.code).startswith("PY-DEP"))
            if done(codes):
                return list(params.diagnostics)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def code_actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


async def test_dependency_findings_fixes_and_refresh(client: LanguageClient, project) -> None:
    uri = (project / "app.py").as_uri()
    manifest = project / "pyproject.toml"
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, APP)))
    found = await diagnostics_until(client, uri, lambda codes: codes == ["PY-DEP-002", "PY-DEP-003"])
    watchers = [w for r in getattr(client, "registrations", []) for w in r.register_options["watchers"]]
    assert any("requirements" in str(w["globPattern"]) for w in watchers), "manifest watchers registered dynamically"
    undeclared = next(d for d in found if d.code == "PY-DEP-002")
    assert DIST in undeclared.message and undeclared.range.start.line == 1
    lookalike = next(d for d in found if d.code == "PY-DEP-003")
    assert "`requests`" in lookalike.message

    # add the distribution (not the import name) to pyproject.toml
    actions = await code_actions(client, uri, undeclared)
    add = next(a for a in actions if a.title == f"Add {DIST} to pyproject.toml")
    [change] = add.edit.document_changes
    assert change.text_document.uri == manifest.as_uri()
    manifest.write_text(apply_text_edits(manifest.read_text(), change.edits))
    assert f'"{DIST}>=1.2.3"' in manifest.read_text()

    # the manifest changed on disk: the client says so, the finding goes
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(manifest.as_uri(), types.FileChangeType.Changed)]))
    found = await diagnostics_until(client, uri, lambda codes: codes == ["PY-DEP-003"])

    # replace the look-alike with the popular package everywhere in the file
    actions = await code_actions(client, uri, next(d for d in found if d.code == "PY-DEP-003"))
    replace = next(a for a in actions if a.title == "Replace with `requests`")
    [change] = replace.edit.document_changes
    fixed = apply_text_edits(APP, change.edits)
    assert "reqeusts" not in fixed and fixed.count("requests") == 2


async def test_new_local_module_is_picked_up(client: LanguageClient, project) -> None:
    uri = (project / "app.py").as_uri()
    text = "import flask\nimport helpers_zz\n"
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    await diagnostics_until(client, uri, lambda codes: codes == ["PY-DEP-001"])
    (project / "helpers_zz.py").write_text("")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent((project / "helpers_zz.py").as_uri(), types.FileChangeType.Created)])
    )
    await diagnostics_until(client, uri, lambda codes: codes == [])
