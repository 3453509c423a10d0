"""pygls protocol subclass: we own document state, pygls's workspace does not.

It also decides whether to advertise pull diagnostics (see lsp_initialize) and
hands commands the client's work-done token.

pygls 2 would apply every content change to its workspace copy (splitting the
whole text into lines on each keystroke) before our handler sees the change,
and we would then hold every document twice. Our document store keeps the
text, line index and tree itself, so these three handlers only forward to the
registered feature handlers.

It also answers hostile or broken traffic the way JSON-RPC 2.0 and LSP say,
where pygls would drop it silently and leave the client waiting forever:
a request whose params do not fit the method's types gets `InvalidParams`
(-32602); a message that is not a JSON-RPC 2.0 request, notification or
response gets `InvalidRequest` (-32600, with `id: null` when it has no usable
id); a body that is not JSON gets `ParseError` (-32700, `id: null`, see
`DraftguardServer.report_server_error`); a request before `initialize` gets
`ServerNotInitialized` (-32002) and a notification then is dropped (except
`exit`); a request after `shutdown` gets `InvalidRequest`. Notifications are
never answered: a malformed one is logged and ignored.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

log = logging.getLogger("draftguard")
_NO_ID = object()


@dataclass(frozen=True)
class Unusable:
    """A message that cannot be dispatched, with the error its sender gets."""

    id: Any
    method: Any
    error: JsonRpcException


def _usable_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def describe_error(exc: BaseException) -> str:
    """The innermost reason of a structuring error, for the error message."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    inner = getattr(exc, "exceptions", None)
    while inner:
        exc = inner[0]
        inner = getattr(exc, "exceptions", None)
    return f"{type(exc).__name__}: {exc}"[:500]


class DraftguardProtocol(LanguageServerProtocol):
    _initialize_seen = False

    # -- memory -------------------------------------------------------------------
    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        """pygls files the future of a generator or async notification handler
        (didOpen, didChange, didClose, ...) under a random id in
        `_request_futures` and never removes it: two futures per keystroke for
        the whole session. Drop it when it is done."""
        if getattr(callback, "__func__", None) is JsonRPCProtocol._check_handler_result:
            check = callback

            def callback(future, _id=msg_id):
                if not future.cancelled():  # `shutdown` cancels while iterating over the dict
                    self._request_futures.pop(_id, None)
                check(future)

        return super()._execute_handler(msg_id, handler, callback, args=args, kwargs=kwargs)

    # -- hostile traffic ---------------------------------------------------------
    def structure_message(self, data: Any):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not isinstance(data, dict) or "jsonrpc" not in data:
                raise
            ident = data.get("id", _NO_ID)
            if isinstance(data.get("method"), str) and exc.code == JsonRpcInvalidParams.CODE:
                error: JsonRpcException = JsonRpcInvalidParams(f"invalid params for {data['method']}: {describe_error(exc)}")
            else:
                error = JsonRpcInvalidRequest(f"not a JSON-RPC 2.0 message: {describe_error(exc)}")
            return Unusable(ident, data.get("method"), error)

    def send_error(self, ident: Any, error: JsonRpcException) -> None:
        """An error response; `id: null` when the message had no usable id."""
        self._send_data({"jsonrpc": "2.0", "id": ident if _usable_id(ident) else None, "error": {"code": error.code, "message": error.message}})

    def handle_message(self, message: Any):
        if isinstance(message, Unusable):
            if message.id is _NO_ID:  # a notification: never answered
                self._server.log(f"ignored a malformed {message.method!r} notification: {message.error.message}", types.MessageType.Warning)
            else:
                self.send_error(message.id, message.error)
            return None
        if not hasattr(message, "jsonrpc") or message.jsonrpc != self.VERSION:
            ident = message.get("id", None) if isinstance(message, dict) else getattr(message, "id", None)
            is_response = isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)
            if not is_response:  # a broken response is nobody's to answer
                self.send_error(ident, JsonRpcInvalidRequest(f"not a JSON-RPC 2.0 message: {type(message).__name__}"))
            return None
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if hasattr(message, "id") and not _usable_id(message.id):
            if is_request:
                self.send_error(None, JsonRpcInvalidRequest(f"a request id must be a string or an integer, got {type(message.id).__name__}"))
            return None
        if method == types.INITIALIZE:
            self._initialize_seen = True
        elif method is not None and method != types.EXIT and not self._initialize_seen:
            if is_request:
                self.send_error(message.id, JsonRpcServerNotInitialized(f"{method} before initialize"))
            return None
        if self._shutdown and is_request:
            self.send_error(message.id, JsonRpcInvalidRequest(f"{method} after shutdown"))
            return None
        return super().handle_message(message)

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

    def notify_json(self, method: str, params: dict) -> None:
        """Send a notification whose params are plain JSON data. pygls would
        run every value through its cattrs converter; publishing a file's
        diagnostics on every keystroke is the server's hottest message."""
        self._send_data({"jsonrpc": self.VERSION, "method": method, "params": params})

    def notify_json_text(self, method: str, params: str) -> None:
        """Send a notification whose params are already JSON text (ASCII, as
        `json.dumps` writes it): publishing assembles a file's diagnostics from
        per-finding texts instead of encoding the whole list again."""
        body = '{"jsonrpc": "%s", "method": %s, "params": %s}' % (self.VERSION, json.dumps(method), params)
        self._send_text(body)

    def _send_text(self, body: str) -> None:
        """`_send_data` for a body that is JSON text already."""
        if self.writer is None:
            log.error("Unable to send data, no available transport!")
            return
        try:
            data = body.encode(self.CHARSET)
            if self._include_headers:
                data = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n".encode("ascii") + data
            res = self.writer.write(data)
            if inspect.isawaitable(res):
                asyncio.ensure_future(res)
        except BrokenPipeError:
            log.exception("Error sending data. BrokenPipeError", exc_info=True)
            raise
        except Exception as error:
            log.exception("Error sending data", exc_info=True)
            self._server._report_server_error(error, JsonRpcInternalError)

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
