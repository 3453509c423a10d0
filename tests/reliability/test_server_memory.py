"""Memory stays bounded over a long session: nothing is kept per notification
or per closed document. (`bench/soak.py` measures the resident size of the
real process over 100,000 edits and thousands of open/close cycles.)"""

from __future__ import annotations

import asyncio
import gc
import json

import pytest

from draftguard.server.app import create_server
from draftguard.server.documents import Document


class _Sink:
    def write(self, data) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def server(tmp_path):
    server = create_server()
    server.protocol.set_writer(_Sink())
    loop = asyncio.new_event_loop()

    def send(message: dict) -> None:
        server.protocol.handle_message(json.loads(json.dumps(message), object_hook=server.protocol.structure_message))
        loop.run_until_complete(asyncio.sleep(0))

    server.send = send
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield server
    loop.close()


def live_documents() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Document))


def test_notifications_and_closed_documents_leave_nothing_behind(server, tmp_path) -> None:
    text = "import os\n\ndef handler(request):\n    return os.path.join('/srv', request.args.get('name'))\n"
    before = live_documents()  # other tests' servers may still be alive
    for i in range(300):
        uri = (tmp_path / f"doc{i}.py").as_uri()
        server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
        for version in range(2, 5):
            change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "#"}
            server.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
        server.send({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    assert len(server.documents) == 0
    finished = [f for f in server.protocol._request_futures.values() if f.done()]
    assert finished == [], f"{len(finished)} futures of finished notifications kept"
    assert len(server.protocol._request_futures) <= 2  # `initialized` waits for answers this sink never sends
    assert live_documents() == before
