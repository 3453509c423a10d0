"""A loopback HTTP(S) server for behaviour tests of HTTP-client fixes.

Fixed code must behave like the original for a healthy server and differ only
where the fix intends to (a forged certificate, a stalled peer). Everything
stays on 127.0.0.1: no test reaches the network. Certificates are made with
the `openssl` command (argument list, timeout), a CA and a server certificate
it signed, plus a self-signed impostor certificate for the same name.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

PAYLOAD = {"status": "ok", "items": [1, 2, 3]}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        body = json.dumps({**PAYLOAD, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # keep test output clean
        return


@contextlib.contextmanager
def serve(certfile: Path | None = None, keyfile: Path | None = None) -> Iterator[str]:
    """Serve PAYLOAD on 127.0.0.1; yields the base URL (https when a cert is given)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    scheme = "http"
    if certfile is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    impostor_cert: Path
    impostor_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory: Path) -> Certificates:
    """A CA, a `localhost` certificate it signed, and a self-signed impostor."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    subject_alt = "subjectAltName=DNS:localhost,IP:127.0.0.1"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=draftguard test CA", cwd=directory)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=directory)
    (directory / "ext.cnf").write_text(f"{subject_alt}\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=directory)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "impostor.key", "-out", "impostor.pem",
             "-days", "2", "-subj", "/CN=localhost", "-addext", subject_alt, cwd=directory)
    return Certificates(
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
        directory / "impostor.pem",
        directory / "impostor.key",
    )
