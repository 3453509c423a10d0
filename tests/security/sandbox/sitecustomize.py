"""Audit hook for draftguard processes under test: blocks the network, records what matters.

The security tests put this folder on PYTHONPATH, so every Python process
draftguard starts that honours PYTHONPATH (the server, the CLI, their
forkserver and scan workers) imports it at start-up and installs a
`sys.addaudithook` hook (PEP 578). The hook appends one JSON line per event
to `$DRAFTGUARD_AUDIT_LOG` and *blocks* (raises) every attempt to reach the
network, so a regression fails loudly twice: the operation errors, and the
test reads the attempt in the log.

Recorded:
- `network`: name resolution, Internet-family connect/bind/send, urllib and
  http.client connections (AF_UNIX sockets are local IPC: multiprocessing's
  forkserver uses one);
- `spawn`: every program started (subprocess, os.exec*, posix_spawn, system);
- `exec`: code executed from a file under `$DRAFTGUARD_AUDIT_WORKSPACE`
  (import, runpy and exec all run a code object through the `exec` event);
- `write`: a file under the workspace opened for writing outside `.draftguard/`;
- `open`: a file under `$DRAFTGUARD_AUDIT_FORBIDDEN` (a folder the workspace
  links to) opened at all, or listed.

Writes go through `os.write` on a descriptor opened before the hook is
installed, so recording never raises an audit event itself.
"""

import json
import os
import socket
import sys

_LOG = os.environ.get("DRAFTGUARD_AUDIT_LOG")
_WORKSPACE = os.environ.get("DRAFTGUARD_AUDIT_WORKSPACE")
_FORBIDDEN = os.environ.get("DRAFTGUARD_AUDIT_FORBIDDEN")
_INET = (socket.AF_INET, socket.AF_INET6)
_RESOLVE = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo"}
_CLIENTS = {"urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect", "imaplib.open", "poplib.connect", "nntplib.connect", "telnetlib.Telnet.open"}
_SPAWN = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.startfile", "pty.spawn"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _under(root, path):
    if not root or not isinstance(path, (str, bytes, os.PathLike)):
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (OSError, ValueError):
        return False
    return real == root or real.startswith(root + os.sep)


def _install(log_fd):
    workspace = os.path.realpath(_WORKSPACE) if _WORKSPACE else None
    forbidden = os.path.realpath(_FORBIDDEN) if _FORBIDDEN else None
    state_dir = os.path.join(workspace, ".draftguard") if workspace else None

    def record(kind, **details):
        line = json.dumps({"kind": kind, "pid": os.getpid(), **details}, default=repr) + "\n"
        os.write(log_fd, line.encode("utf-8", "replace"))

    def blocked(event, detail):
        record("network", event=event, detail=detail)
        raise PermissionError(f"draftguard security test: network access blocked ({event} {detail})")

    def hook(event, args):
        if event in _RESOLVE or event in _CLIENTS:
            blocked(event, args[:2])
        elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            sock = args[0]
            if getattr(sock, "family", None) in _INET:
                blocked(event, args[1:])
        elif event in _SPAWN:
            record("spawn", event=event, args=args[:2])
        elif event == "exec":
            filename = getattr(args[0], "co_filename", None)
            # "<string>" or "<frozen runpy>" is no file; a relative name would resolve against the cwd
            if isinstance(filename, str) and os.path.isabs(filename) and _under(workspace, filename):
                record("exec", filename=filename)
        elif event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            if isinstance(path, int):
                return
            if _under(forbidden, path):
                record("open", path=os.fsdecode(path), mode=mode)
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing and _under(workspace, path) and not _under(state_dir, path):
                record("write", path=os.fsdecode(path), mode=mode, flags=flags)
        elif event in ("os.scandir", "os.listdir") and args and _under(forbidden, args[0]):
            record("open", path=os.fsdecode(args[0]), mode="list")

    sys.addaudithook(hook)


if _LOG:
    _install(os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
