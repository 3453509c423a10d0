"""Hostile and broken LSP traffic against the real server process.

Each case sends raw frames and then checks the server still serves: a
request after it gets its answer and an edit after it gets its diagnostics.
JSON-RPC 2.0 and LSP say what the answer is: requests get an error response
with the right code, notifications are never answered (a malformed one is
ignored, a change for a document that is not open is ignored), positions past
a line's or the document's end are clamped.
"""

from __future__ import annotations

import json

import pytest

from .rawlsp import RawServer, span

PING_URI = "file:///ws/ping.py"
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, NOT_INITIALIZED = -32700, -32600, -32601, -32602, -32002


def hover(server: RawServer, uri: str, line: int = 0, character: int = 0) -> dict:
    return server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})


class Session:
    """One server for the module; `serving()` proves it still works."""

    def __init__(self, server: RawServer):
        self.server = server
        self.version = 1
        server.initialize()
        server.open(PING_URI, "import os\n")
        server.diagnostics(PING_URI, 1)

    def serving(self) -> None:
        assert "result" in hover(self.server, PING_URI), "the server stopped answering requests"
        self.version += 1
        self.server.change(PING_URI, self.version, [span(1, 0, 1, 0, "os.system('ls ' + input())\n")])
        diagnostics = self.server.diagnostics(PING_URI, self.version)
        assert any(d["code"] == "PY-CMDI-001" for d in diagnostics), "analysis stopped working"
        self.version += 1
        self.server.change(PING_URI, self.version, [span(1, 0, 2, 0, "")])
        assert self.server.diagnostics(PING_URI, self.version) == []
        assert self.server.proc.poll() is None


@pytest.fixture(scope="module")
def session():
    server = RawServer()
    try:
        yield Session(server)
    finally:
        assert server.close() == 0, server.stderr_tail()


def error_of(message: dict) -> int:
    assert "error" in message and "result" not in message, message
    return message["error"]["code"]


# -- framing and JSON ---------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [b'{"jsonrpc": "2.0", "id": 1, "method": ', b"not json at all", b"\xff\xfe\xfd{", b'{"jsonrpc": "2.0", "id": 1, "method": "x"}}}', b"\x00" * 16],
    ids=["truncated", "text", "invalid-utf8", "trailing-garbage", "nul-bytes"],
)
def test_malformed_json_gets_a_parse_error_with_null_id(session, body) -> None:
    session.server.frame(body)
    message = session.server.wait(lambda m: "error" in m and m.get("id") is None, what="a parse error")
    assert error_of(message) == PARSE_ERROR
    session.serving()


@pytest.mark.parametrize("body", [b"[]", b"42", b'"hello"', b"null", b'{"id": 5, "method": "textDocument/hover"}', b'[{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}]'])
def test_a_body_that_is_not_a_jsonrpc_message_is_an_invalid_request(session, body) -> None:
    session.server.frame(body)
    message = session.server.wait(lambda m: "error" in m and m.get("id") in (None, 5), what="an invalid-request error")
    assert error_of(message) == INVALID_REQUEST
    session.serving()


def test_a_frame_without_content_length_is_skipped(session) -> None:
    session.server.write(b"X-Nonsense: 1\r\n\r\n")
    session.server.write(b"Content-Length: abc\r\n\r\n")
    session.serving()


@pytest.mark.parametrize("ident", [{"a": 1}, [1], 1.5, True])
def test_a_request_with_an_unusable_id_is_answered_with_null_id(session, ident) -> None:
    session.server.send({"jsonrpc": "2.0", "id": ident, "method": "textDocument/hover", "params": {"textDocument": {"uri": PING_URI}, "position": {"line": 0, "character": 0}}})
    message = session.server.wait(lambda m: "error" in m and m.get("id") is None, what="an error with null id")
    assert error_of(message) in (INVALID_REQUEST, INVALID_PARAMS)
    session.serving()


def test_wrong_jsonrpc_version_is_an_invalid_request(session) -> None:
    session.server.send({"jsonrpc": "1.0", "id": "old", "method": "shutdown", "params": None})
    assert error_of(session.server.response("old")) == INVALID_REQUEST
    session.serving()


# -- methods and params ---------------------------------------------------------------
def test_unknown_request_method_is_method_not_found(session) -> None:
    assert error_of(session.server.request("draftguard/noSuchThing", {"x": 1})) == METHOD_NOT_FOUND
    session.server.notify("draftguard/noSuchNotification", {"x": 1})
    session.server.notify("$/noSuchNotification", None)
    session.serving()


@pytest.mark.parametrize(
    "params",
    [
        {"textDocument": {"uri": 5}, "position": "here"},
        {"textDocument": {"uri": PING_URI}, "position": {"line": "zero", "character": 0}},
        {"textDocument": {"uri": PING_URI}, "position": {"line": -1, "character": -4}},
        {"textDocument": {"uri": PING_URI}, "position": {"line": 2**40, "character": 0}},
        {"textDocument": {"uri": PING_URI}},
        [],
        None,
        "text",
    ],
    ids=["types", "string-line", "negative", "too-large", "missing", "list", "null", "string"],
)
def test_request_with_wrong_params_is_invalid_params(session, params) -> None:
    assert error_of(session.server.request("textDocument/hover", params)) == INVALID_PARAMS
    session.serving()


def test_code_action_and_command_with_wrong_params(session) -> None:
    bad_range = {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}}
    assert error_of(session.server.request("textDocument/codeAction", {"textDocument": {"uri": PING_URI}, "range": bad_range, "context": {"diagnostics": []}})) == INVALID_PARAMS
    result = session.server.request("workspace/executeCommand", {"command": "draftguard.markReviewed", "arguments": [42, {"start": "x"}]})
    assert "result" in result or error_of(result) in (INVALID_PARAMS, -32603)
    assert "result" in session.server.request("draftguard/regions", {"uri": 42})
    session.server.notify("draftguard/markAiRegion", {"uri": PING_URI, "range": {"start": {"line": "a"}}})
    session.server.notify("draftguard/markAiRegion", [1, 2, 3])
    session.serving()


@pytest.mark.parametrize(
    "params",
    [
        {"textDocument": {"uri": 3, "text": None}},
        {"textDocument": {"uri": "file:///ws/x.py", "languageId": "python", "version": "one", "text": "x"}},
        {"contentChanges": "nope"},
        None,
    ],
)
def test_malformed_notifications_are_ignored(session, params) -> None:
    session.server.notify("textDocument/didOpen", params)
    session.server.notify("textDocument/didChange", params)
    session.server.notify("textDocument/didClose", params)
    session.server.notify("workspace/didChangeConfiguration", params)
    session.server.notify("workspace/didChangeWatchedFiles", params)
    session.serving()


# -- documents --------------------------------------------------------------------------
def test_changes_for_documents_that_are_not_open_are_ignored(session) -> None:
    session.server.change("file:///ws/never-opened.py", 2, [span(0, 0, 0, 0, "import os\n")])
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": "file:///ws/never-opened.py"}})
    session.server.notify("textDocument/didSave", {"textDocument": {"uri": "file:///ws/never-opened.py"}})
    assert hover(session.server, "file:///ws/never-opened.py")["result"] is None
    session.serving()


def test_out_of_range_positions_are_clamped_and_backwards_versions_applied(session) -> None:
    uri = "file:///ws/clamp.py"
    server = session.server
    server.open(uri, "x = 1\n", version=5)
    server.diagnostics(uri, 5)
    server.change(uri, 6, [span(99, 99, 120, 0, "import os\nos.system(input())\n")])  # past the end: appended
    assert [d["code"] for d in server.diagnostics(uri, 6)] == ["PY-CMDI-001"]
    server.change(uri, 3, [span(2, 500, 2, 900, "  # tail")])  # version went backwards: still applied
    assert [d["range"]["start"]["line"] for d in server.diagnostics(uri, 3)] == [2]
    server.change(uri, 4, [span(2, 0, 0, 0, "inverted")])  # end before start: rejected, document unchanged
    assert [d["code"] for d in server.diagnostics(uri, 4)] == ["PY-CMDI-001"]
    server.change(uri, 5, [span(0, 2**31 - 1, 2**31 - 1, 2**31 - 1, "")])  # maximal positions
    assert server.diagnostics(uri, 5) == []
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6}, "contentChanges": [span(-1, 0, 0, 0, "x")["range"]]})
    server.change(uri, 7, [{"text": "import os\nos.system(input())\n"}])  # a whole-document change resynchronises
    assert [d["code"] for d in server.diagnostics(uri, 7)] == ["PY-CMDI-001"]
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.diagnostics(uri) == []
    session.serving()


def test_negative_positions_in_a_change_are_ignored_as_invalid_params(session) -> None:
    uri = "file:///ws/negative.py"
    server = session.server
    server.open(uri, "x = 1\n")
    server.diagnostics(uri, 1)
    server.change(uri, 2, [span(-1, -1, 0, 0, "import os\nos.system(input())\n")])
    server.change(uri, 3, [span(0, 0, 0, 0, "y = 2\n")])
    assert server.diagnostics(uri, 3) == []
    session.serving()


def test_nul_bytes_and_control_characters_in_a_document(session) -> None:
    uri = "file:///ws/nul.py"
    text = "import os\x00\nos.system(\x00'rm ' + input())\n\x1b[31m\x07\u2028x = '\ud83d'\n"
    session.server.open(uri, text)
    session.server.diagnostics(uri, 1)
    session.server.change(uri, 2, [span(0, 9, 0, 10, "\x00\x00")])
    session.server.diagnostics(uri, 2)
    session.serving()


# -- lifecycle ------------------------------------------------------------------------
def test_requests_before_initialize_and_after_shutdown(tmp_path) -> None:
    server = RawServer(cwd=tmp_path)
    try:
        assert error_of(hover(server, "file:///x.py")) == NOT_INITIALIZED
        assert error_of(server.request("workspace/executeCommand", {"command": "draftguard.scanWorkspace"})) == NOT_INITIALIZED
        server.open("file:///x.py", "import os\nos.system(input())\n")  # dropped: not initialized yet
        server.initialize(tmp_path)
        assert hover(server, "file:///x.py")["result"] is None  # the early didOpen was not applied
        server.open("file:///x.py", "import os\nos.system(input())\n")
        assert [d["code"] for d in server.diagnostics("file:///x.py", 1)] == ["PY-CMDI-001"]
        assert "result" in server.request("shutdown")
        assert error_of(hover(server, "file:///x.py")) == INVALID_REQUEST
        server.notify("exit")
        assert server.proc.wait(timeout=30) == 0
    finally:
        server.kill()


# -- size, depth, count ---------------------------------------------------------------
NOTICE = "analysis-incomplete"


def codes(diagnostics: list[dict]) -> list[str]:
    return sorted(d["code"] for d in diagnostics)


def test_a_20_mb_document_is_kept_as_text_with_a_warning(session) -> None:
    uri = "file:///ws/huge.py"
    server = session.server
    body = "def handler(request):\n    return request.args.get('q')\n" * 400_000
    server.open(uri, body + "import os\nos.system(input())\n")
    [notice] = server.diagnostics(uri, 1)
    assert notice["code"] == NOTICE and "MiB limit" in notice["message"] and notice["severity"] == 2
    server.change(uri, 2, [span(800_000, 0, 800_000, 0, "# still editable\n")])
    assert codes(server.diagnostics(uri, 2)) == [NOTICE]
    session.serving()
    server.change(uri, 3, [{"text": "import os\nos.system(input())\n"}])  # small again: parsed and analysed
    assert codes(server.diagnostics(uri, 3)) == ["PY-CMDI-001"]
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    session.serving()


@pytest.mark.parametrize(
    "language,deep",
    [
        ("python", "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"),
        ("python", "x = a" + ".b" * 10_000 + "\n"),
        ("python", "x = " + "f(" * 10_000 + ")" * 10_000 + "\n"),
        ("python", "x = " + "[" * 10_000 + "]" * 10_000 + "\n"),
        ("javascript", "const x = " + "(" * 10_000 + "1" + ")" * 10_000 + ";\n"),
        ("javascript", "const x = " + "[" * 10_000 + "]" * 10_000 + ";\n"),
    ],
    ids=["py-parentheses", "py-attributes", "py-calls", "py-lists", "js-parentheses", "js-arrays"],
)
def test_a_10000_level_nested_expression(session, language, deep) -> None:
    uri = f"file:///ws/deep-{len(session.server.seen)}.{'py' if language == 'python' else 'js'}"
    flaw = "import os\nos.system(input())\n" if language == "python" else "const cp = require('child_process');\ncp.exec('ls ' + req.query.dir);\n"
    session.server.open(uri, flaw + deep, language=language)
    found = codes(session.server.diagnostics(uri, 1))
    # the flaw is reported (with a notice for the skipped statement), or, when the
    # nesting defeats the whole file (module facts), a notice says why it is not
    flaw_code = "PY-CMDI-001" if language == "python" else "JS-CMDI-001"
    assert found in ([flaw_code], [flaw_code, NOTICE], [NOTICE]), found
    session.server.change(uri, 2, [span(2, 5, 2, 6, "")])  # edit inside the nesting
    session.server.diagnostics(uri, 2)
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    session.serving()


def test_a_1_mb_single_line(session) -> None:
    uri = "file:///ws/oneline.py"
    line = "x = '" + "é😀中" * 120_000 + "'; import os; os.system(input())"  # non-ASCII: every position is converted the slow way
    assert len(line.encode()) > 1_000_000
    session.server.open(uri, line)
    [finding] = session.server.diagnostics(uri, 1)
    assert finding["code"] == "PY-CMDI-001" and finding["range"]["start"]["character"] == 5 + 4 * 120_000 + 14
    session.server.change(uri, 2, [span(0, 5 + 4 * 60_000, 0, 5 + 4 * 60_000 + 1, "ab")])  # replaces the é in the middle
    [finding] = session.server.diagnostics(uri, 2)
    assert finding["range"]["start"]["character"] == 5 + 4 * 120_000 + 15
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    session.serving()


def test_a_file_over_its_time_budget_gets_a_warning_not_a_hang(session) -> None:
    server = session.server
    server.notify("workspace/didChangeConfiguration", {"settings": {"draftguard": {"scope": "all", "analysisTimeout": 1}}})
    uri = "file:///ws/slow.js"
    # `merge` names: JS-PROTO-001's prefilter runs it here, and it looks into every nested function
    server.open(uri, "".join(f"function merge{i}(a) {{\n" for i in range(3_000)) + "}" * 3_000 + "\n", language="javascript")
    [notice] = server.diagnostics(uri, 1)
    assert notice["code"] == NOTICE and "stopped analysing this file after 1 s" in notice["message"]
    server.change(uri, 2, [span(0, 0, 0, 0, "// edited\n")])  # within the pause: not analysed again
    [notice] = server.diagnostics(uri, 2)
    assert "analysed again" in notice["message"]
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    server.notify("workspace/didChangeConfiguration", {"settings": {"draftguard": {"scope": "all", "analysisTimeout": 15}}})
    session.serving()


def test_thousands_of_documents_opened_and_closed(session) -> None:
    server = session.server
    text = "import os\n\ndef handler(request):\n    return os.path.join('/srv', request.args.get('name'))\n"
    last = 2_000
    for i in range(last):
        uri = f"file:///ws/many/doc{i}.py"
        server.open(uri, text)
        if i % 2:
            server.change(uri, 2, [span(0, 0, 0, 0, "# edited\n")])
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    final = f"file:///ws/many/doc{last - 1}.py"
    server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == final and m["params"]["diagnostics"] == [], what="the last close")
    assert server.request("draftguard/regions", {"uri": final})["result"]["version"] is None  # closed means forgotten
    session.serving()
