"""initialize / initialized / configuration: where settings come from."""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import to_fs_path

from ..app import DraftguardServer


def register(server: DraftguardServer) -> None:
    @server.feature(types.INITIALIZE)
    def on_initialize(ls: DraftguardServer, params: types.InitializeParams) -> None:
        root = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
        ls.workspace_root = to_fs_path(root) if root else params.root_path
        ls.initialization_settings = params.initialization_options
        ls.load_project_config()
        if params.initialization_options is not None:
            ls.apply_settings(params.initialization_options, "initializationOptions")
        ls.choose_diagnostic_mode()

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: DraftguardServer, params: types.InitializedParams) -> None:
        await watch_configuration_files(ls)
        await pull_configuration(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def on_watched_files(ls: DraftguardServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith(CONFIG_FILE_NAMES) for change in params.changes):
            ls.load_project_config()
        for listener in ls.watched_file_listeners:
            listener(ls, list(params.changes))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_did_change_configuration(ls: DraftguardServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and settings:
            ls.apply_settings(settings.get("draftguard", settings), "didChangeConfiguration")
        else:
            await pull_configuration(ls)


CONFIG_FILE_NAMES = ("/.draftguard.toml", "/pyproject.toml")


async def watch_configuration_files(ls: DraftguardServer) -> None:
    """Have the client tell us when a project configuration file changes, and
    the files other features watch (`ls.file_watchers`: dependency manifests)."""
    caps = ls.client_capabilities
    watched = caps.workspace.did_change_watched_files if caps and caps.workspace else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=f"**{name}") for name in CONFIG_FILE_NAMES] + ls.file_watchers
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams([types.Registration("draftguard-config-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)])
        )
    except Exception as exc:  # the client may refuse; edits then need a restart
        ls.log(f"could not watch configuration files: {exc}", types.MessageType.Warning)


async def pull_configuration(ls: DraftguardServer) -> None:
    """Ask the client for the `draftguard` section when it supports it."""
    caps = ls.client_capabilities
    if not (caps and caps.workspace and caps.workspace.configuration):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="draftguard")])
        )
    except Exception as exc:  # the client may refuse; settings stay as they are
        ls.log(f"workspace/configuration failed: {exc}", types.MessageType.Warning)
        return
    if result and result[0] is not None:
        ls.apply_settings(result[0], "workspace/configuration")
