"""pygls protocol subclass: we own document state, pygls's workspace does not.

It also decides whether to advertise pull diagnostics (see lsp_initialize) and
hands commands the client's work-done token.

pygls 2 would apply every content change to its workspace copy (splitting the
whole text into lines on each keystroke) before our handler sees the change,
and we would then hold every document twice. Our document store keeps the
text, line index and tree itself, so these three handlers only forward to the
registered feature handlers.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method


class DraftguardProtocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        """Offer pull diagnostics only to clients that will pull: a client
        that also receives pushed diagnostics would show every finding twice."""
        result = yield from super().lsp_initialize(params)
        if not getattr(self._server, "pull_diagnostics", False):
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):
        """pygls passes commands only their arguments; keep the client's
        work-done token where a long-running command can find it."""
        self._server.command_work_done_token = params.work_done_token
        return (yield from super().lsp_workspace__execute_command(params))

    def _forward(self, method: str, params):
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_CLOSE, params)
