"""The server publishes provisional findings while a reparse is under way,
then the full analysis; and it reads stdin on the event loop (server/stdio.py)."""

from __future__ import annotations

import asyncio
import json

from draftguard.server import app as app_module
from draftguard.server.app import create_server
from draftguard.server.documents import Document
from draftguard.server.stdio import PipeReader

from .test_background_analysis import _Frames, _message
from .test_sliced_reparse import SERVICE


def _session(monkeypatch, tmp_path, changes: list[tuple[str, str]]) -> tuple[_Frames, str, object]:
    real_reparse = Document.reparse

    def slow_reparse(doc: Document, deadline: float | None = None) -> bool:
        """The first slice of each version's reparse runs out of time (a large file)."""
        if deadline is not None and doc.extra.get("slowed") != doc.version:
            doc.extra["slowed"] = doc.version
            return False
        return real_reparse(doc, deadline)

    monkeypatch.setattr(Document, "reparse", slow_reparse)
    provisional_results: list = []

    def recorded(*args, **kwargs):
        provisional_results.append(real_provisional(*args, **kwargs))
        return provisional_results[-1]

    real_provisional = app_module.provisional_findings
    monkeypatch.setattr(app_module, "provisional_findings", recorded)
    server = create_server()
    frames = _Frames()
    server.protocol.set_writer(frames)
    uri = (tmp_path / "service.py").as_uri()

    def handle(message: dict) -> None:
        server.protocol.handle_message(json.loads(json.dumps(message), object_hook=server.protocol.structure_message))

    async def settle(doc) -> None:
        while not doc.extra["analysis_task"].done():
            await asyncio.sleep(0)

    async def session() -> None:
        handle(_message("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}, "initializationOptions": {"scope": "all"}}, 1))
        handle(_message("initialized", {}))
        handle(_message("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SERVICE}}))
        doc = server.documents.get(uri)
        await settle(doc)
        for version, (old, new) in enumerate(changes, start=2):
            offset = doc.text.index(old)
            line, character = doc.text.count("\n", 0, offset), offset - (doc.text.rfind("\n", 0, offset) + 1)
            change = {"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character + len(old)}}, "text": new}
            handle(_message("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}))
            await settle(doc)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(session())
    finally:
        loop.close()
    server.provisional_results = provisional_results
    return frames, uri, server


def test_a_slow_reparse_publishes_provisional_findings_then_the_full_ones(monkeypatch, tmp_path) -> None:
    injected = ('"SELECT * FROM users WHERE name = ?", (name,)', 'f"SELECT * FROM users WHERE name = \'{name}\'"')
    frames, uri, server = _session(monkeypatch, tmp_path, [injected])
    published = frames.published(uri)
    assert [p["version"] for p in published] == [1, 2]  # the provisional findings; the full analysis agreed: not sent again
    assert [d["code"] for d in published[-1]["diagnostics"]] == ["PY-SQLI-001"]
    assert server.is_current(server.documents.get(uri))
    assert [[f.rule_id for f in found] for found in server.provisional_results] == [["PY-SQLI-001"]]


def test_the_full_analysis_corrects_provisional_findings(monkeypatch, tmp_path) -> None:
    """An import added above a function that uses it changes a module fact:
    the provisional pass analyses only the import line (the function keeps
    its old findings), the full analysis sees the function anew and
    publishes again for the same version."""
    uses_md5 = ("return value.strip()", "return digest(value.encode()).hexdigest()")
    imports_it = ("import sqlite3\n", "import sqlite3\nfrom hashlib import md5 as digest\n")
    frames, uri, server = _session(monkeypatch, tmp_path, [uses_md5, imports_it])
    assert [[f.rule_id for f in found] for found in server.provisional_results] == [[], []]
    published = [(p["version"], [d["code"] for d in p["diagnostics"]]) for p in frames.published(uri)]
    assert published == [(1, []), (2, []), (3, []), (3, ["PY-HASH-002"])]


def test_the_pipe_reader_reads_messages_and_ends_on_a_cut_body() -> None:
    async def read() -> list[bytes]:
        stream = asyncio.StreamReader()
        stream.feed_data(b"Content-Length: 2\r\n\r\n{}Content-Length: 9\r\n\r\n{\"a\"")
        stream.feed_eof()
        reader = PipeReader(stream)
        return [await reader.readline(), await reader.readline(), await reader.readexactly(2), await reader.readline(), await reader.readline(), await reader.readexactly(9)]

    loop = asyncio.new_event_loop()
    try:
        got = loop.run_until_complete(read())
    finally:
        loop.close()
    assert got == [b"Content-Length: 2\r\n", b"\r\n", b"{}", b"Content-Length: 9\r\n", b"\r\n", b""]
