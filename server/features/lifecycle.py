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
        if params.initialization_options is not None:
            ls.apply_settings(params.initialization_options, "initializationOptions")

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: DraftguardServer, params: types.InitializedParams) -> None:
        await pull_configuration(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_did_change_configuration(ls: DraftguardServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and settings:
            ls.apply_settings(settings.get("draftguard", settings), "didChangeConfiguration")
        else:
            await pull_configuration(ls)


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
