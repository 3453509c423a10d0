"""The background analysis of an edit always ends in a publish for that
version, even when another caller (the dependency probe finishing, a settings
change) analysed the same version to the end first without publishing: the
editor must never be left showing the findings of an older version."""

from __future__ import annotations

import asyncio
import json

from draftguard.server.app import create_server

VULNERABLE = 'import sqlite3\n\ndef find(db, name):\n    return db.execute(f"SELECT * FROM users WHERE name = \'{name}\'")\n'


class _Frames:
    """A writer that keeps the JSON-RPC messages the server sends."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    def write(self, data) -> None:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        body = text.split("\r\n\r\n", 1)[-1]
        self.messages.append(json.loads(body))

    def close(self) -> None:
        pass

    def published(self, uri: str) -> list[dict]:
        return [m["params"] for m in self.messages if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]


def _message(method: str, params: dict, ident: int | None = None) -> dict:
    message = {"jsonrpc": "2.0", "method": method, "params": params}
    if ident is not None:
        message["id"] = ident
    return message


def test_background_run_publishes_a_version_another_caller_analysed_first(tmp_path) -> None:
    server = create_server()
    frames = _Frames()
    server.protocol.set_writer(frames)
    uri = (tmp_path / "app.py").as_uri()

    def handle(message: dict) -> None:
        server.protocol.handle_message(json.loads(json.dumps(message), object_hook=server.protocol.structure_message))

    async def session() -> None:
        handle(_message("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}, "initializationOptions": {"scope": "all"}}, 1))
        handle(_message("initialized", {}))
        handle(_message("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": VULNERABLE}}))
        doc = server.documents.get(uri)
        task = doc.extra["analysis_task"]  # scheduled, not started yet
        server.analyze(doc)  # e.g. the dependency probe's re-analysis, which publishes only on change
        await task

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(session())
    finally:
        loop.close()
    published = frames.published(uri)
    assert [p["version"] for p in published] == [1]
    assert [d["code"] for d in published[0]["diagnostics"]] == ["PY-SQLI-001"]
