"""A minimal JSON-RPC/LSP client over a subprocess's stdio, for benchmarks.

Benchmarks measure the server, so this client does as little as possible:
it frames messages, reads them on a background thread and lets the caller
wait for a given notification with a timeout.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from typing import Any, Callable


class LspProcess:
    def __init__(self, command: list[str], cwd: str | None = None):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd)
        self._next_id = 0
        self._messages: "queue.Queue[tuple[float, dict]]" = queue.Queue()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            body = stream.read(length)
            self._messages.put((time.perf_counter(), json.loads(body)))

    def send(self, message: dict) -> None:
        data = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self._next_id += 1
        ident = self._next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        message = self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)[1]
        return message.get("result")

    def wait(self, predicate: Callable[[dict], bool], timeout: float = 60) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no matching message from the server")
            stamp, message = self._messages.get(timeout=remaining)
            if "id" in message and "method" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(message)})
                continue
            if predicate(message):
                return stamp, message

    def _answer(self, message: dict) -> Any:
        if message["method"] == "workspace/configuration":
            return [None for _ in message["params"]["items"]]
        return None

    def initialize(self, root_uri: str | None, options: dict | None = None, capabilities: dict | None = None) -> dict:
        result = self.request(
            "initialize",
            {"processId": None, "rootUri": root_uri, "capabilities": capabilities or {}, "initializationOptions": options},
        )
        self.notify("initialized", {})
        return result

    def wait_diagnostics(self, uri: str, version: int, timeout: float = 60) -> tuple[float, dict]:
        return self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version,
            timeout,
        )

    def open_document(self, uri: str, text: str, version: int = 1, language_id: str = "python") -> float:
        """didOpen; returns the milliseconds until its first publishDiagnostics."""
        sent = time.perf_counter()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}})
        stamp, _ = self.wait_diagnostics(uri, version)
        return (stamp - sent) * 1000

    def timed_change(self, uri: str, version: int, changes: list[dict], timeout: float = 120) -> float:
        """didChange to `version`; returns the milliseconds until the
        publishDiagnostics for that version arrives."""
        sent = time.perf_counter()
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
        stamp, _ = self.wait_diagnostics(uri, version, timeout)
        return (stamp - sent) * 1000

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def type_and_delete(self, uri: str, rows: list[str], edits: int, seed: int = 1, version: int = 1) -> list[float]:
        """Single-character edits at random places of the document whose lines
        are `rows` (each typed, then deleted again), from `version`; returns the
        milliseconds from each didChange to publishDiagnostics for it."""
        import random

        rng = random.Random(seed)
        samples: list[float] = []
        typed_at = (0, 0)
        for i in range(edits):
            line = rng.randrange(len(rows))
            col = rng.randint(0, len(rows[line]))
            if i % 2 == 0:
                change = {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "x"}
                typed_at = (line, col)
            else:
                line, col = typed_at
                change = {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}}, "text": ""}
            version += 1
            samples.append(self.timed_change(uri, version, [change]))
        return samples

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0
