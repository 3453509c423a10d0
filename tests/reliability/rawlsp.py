"""A raw JSON-RPC client for the real server process, for hostile traffic.

pytest-lsp only sends well-formed messages; these tests also need broken
frames, invalid JSON, wrong types and requests out of order, so this client
writes bytes. A reader thread collects every message; the server's own
requests (configuration, registrations) are answered as an editor would.
Every wait has a timeout, so a hung server fails the test instead of
hanging it.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

SERVER = [sys.executable, "-m", "draftguard.server"]
TIMEOUT = float(os.environ.get("DRAFTGUARD_RAW_TIMEOUT", "120"))


class ServerGone(AssertionError):
    pass


class RawServer:
    """The server as a subprocess speaking LSP over stdio."""

    def __init__(self, cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None, command: list[str] | None = None):
        self.proc = subprocess.Popen(
            command or SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self.ids = itertools.count(1)
        self.messages: "queue.Queue[dict | None]" = queue.Queue()
        self.seen: list[dict] = []
        self.stderr = bytearray()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- transport ------------------------------------------------------------------
    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length is not None:
                self.messages.put(json.loads(stream.read(length)))

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.stderr += chunk[-65536:]
            del self.stderr[: max(0, len(self.stderr) - 262144)]

    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def frame(self, body: bytes) -> None:
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: Any) -> None:
        self.frame(json.dumps(message).encode())

    # -- messages -------------------------------------------------------------------
    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict:
        """Send a request; the whole response (result or error)."""
        ident = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return self.response(ident, timeout)

    def response(self, ident: Any, timeout: float = TIMEOUT) -> dict:
        return self.wait(lambda m: "method" not in m and m.get("id") == ident, timeout, f"a response to id {ident!r}")

    def wait(self, predicate: Callable[[dict], bool], timeout: float = TIMEOUT, what: str = "a message") -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {timeout:g} s; server stderr tail:\n{self.stderr_tail()}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise ServerGone(f"the server closed its output (exit code {self.proc.poll()}); stderr tail:\n{self.stderr_tail()}")
            self.seen.append(message)
            del self.seen[:-2000]
            if "method" in message and "id" in message:
                self._answer(message)
                continue
            if predicate(message):
                return message

    def _answer(self, message: dict) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [None for _ in message["params"]["items"]]
        self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = TIMEOUT) -> list[dict]:
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and (version is None or m["params"].get("version") == version),
            timeout,
            f"diagnostics for {uri} version {version}",
        )
        return message["params"]["diagnostics"]

    def stderr_tail(self) -> str:
        return bytes(self.stderr[-4000:]).decode("utf-8", "replace")

    # -- session --------------------------------------------------------------------
    def initialize(self, root: Path | None = None, options: dict | None = None, capabilities: dict | None = None) -> dict:
        response = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri() if root else None,
                "capabilities": capabilities or {},
                "initializationOptions": options if options is not None else {"scope": "all"},
            },
        )
        assert "result" in response, response
        self.notify("initialized", {})
        return response["result"]

    def open(self, uri: str, text: str, language: str = "python", version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, version: int | None, changes: list[dict]) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})

    def close(self, timeout: float = 30) -> int:
        """shutdown + exit; the exit code."""
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=timeout)
                self.notify("exit")
            return self.proc.wait(timeout=timeout)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            self.kill()
            return -9

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def span(sl: int, sc: int, el: int, ec: int, text: str) -> dict:
    return {"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": text}
