"""draftguard's own security, checked on the real processes under an audit hook.

A full editor session (open, edit, hover, code action, workspace scan,
dependency checks and their refresh) against the language server, and CLI
scans (including `--since`, which runs `git diff`), all in a workspace built
to be hostile (tests/security/hostile.py) and with the sandbox's audit hook
installed in every Python process draftguard starts. Afterwards:

- no network access was attempted (the hook also blocks it);
- the only programs started were git and the dependency probe
  (`python -E -c <probe>` in an empty folder);
- no workspace code ran: no marker written, no code object from the workspace
  executed, even with the server started as `python -m draftguard.server`
  from the workspace folder (which puts that folder first on sys.path);
- no file outside the workspace was reached through its links or `../`
  paths, and nothing in the workspace was written outside `.draftguard/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.rawlsp import RawServer, span

from .hostile import APP, INSERTED, Hostile, build

DRAFTGUARD = Path(sys.executable).with_name("draftguard")


@pytest.fixture
def hostile(tmp_path) -> Hostile:
    return build(tmp_path)


def assert_contained(hostile: Hostile) -> None:
    events = hostile.events()
    assert events, "the sandbox recorded nothing: was sitecustomize loaded?"
    network = [e for e in events if e["kind"] == "network"]
    assert network == [], f"network access attempted: {network}"
    executed = [e for e in events if e["kind"] == "exec"]
    assert hostile.executed() == [] and executed == [], f"workspace code ran: markers {hostile.executed()}, code {executed}"
    outside = [e for e in events if e["kind"] == "open"]
    assert outside == [], f"files outside the workspace reached through its links: {outside}"
    writes = [e for e in events if e["kind"] == "write"]
    assert writes == [], f"workspace files written outside .draftguard/: {writes}"
    for spawn in (e for e in events if e["kind"] == "spawn"):
        executable, argv = spawn["args"]
        program = Path(os.fsdecode(argv[0] if argv else executable)).name
        probe = program.startswith("python") and list(argv[1:3]) == ["-E", "-c"]
        assert program == "git" or probe, f"unexpected program started: {spawn}"


def _started(hostile: Hostile) -> bool:
    return any(e["kind"] == "spawn" for e in hostile.events())


def test_cli_scan_stays_contained(hostile: Hostile, tmp_path) -> None:
    ws = hostile.workspace
    out = tmp_path / "report.sarif"
    for extra in ([], ["--since", "HEAD"], ["--scope", "changed"]):
        completed = subprocess.run(
            [str(DRAFTGUARD), "check", ".", "--format", "sarif", "--output", str(out), "--jobs", "2", "--no-progress", *extra],
            cwd=ws, env=hostile.env(), capture_output=True, timeout=300, stdin=subprocess.DEVNULL,
        )
        assert completed.returncode in (0, 1), completed.stderr.decode()  # findings or none, not an error
        assert out.stat().st_size > 0
    assert _started(hostile), "the dependency probe and git ran under the sandbox"
    assert_contained(hostile)


def _codes(diagnostics: list[dict]) -> set[str]:
    return {str(d.get("code")) for d in diagnostics}


def test_language_server_session_stays_contained(hostile: Hostile) -> None:
    ws = hostile.workspace
    # Configuration is data: code-like values are just invalid values, and a
    # project file cannot choose the program the dependency probe runs.
    (ws / ".draftguard.toml").write_text(
        f"scope = \"__import__('os').system('touch {hostile.markers / 'config-eval'}')\"\n"
        f"pythonInterpreter = [\"sh\", \"-c\", \"touch {hostile.markers / 'config-interpreter'}\"]\n"
        'exclude = ["generated/", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]\n'
    )
    server = RawServer(cwd=ws, env=hostile.env(), command=[sys.executable, "-m", "draftguard.server"])
    try:
        server.initialize(ws, options={"scope": "all"}, capabilities={"window": {"workDoneProgress": True}})
        app = (ws / "app.py").as_uri()
        server.open(app, APP)
        # The dependency picture arrives after the environment probe answers.
        server.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == app and any(c.startswith("PY-DEP") for c in _codes(m["params"]["diagnostics"])),
            what="dependency findings for app.py",
        )
        lines = APP.count("\n")
        server.change(app, 2, [span(lines, 0, lines, 0, INSERTED)])
        diagnostics = server.diagnostics(app, 2)
        assert {"PY-CMDI-001", "PY-SQLI-001"} <= _codes(diagnostics)
        finding = next(d for d in diagnostics if d["code"] == "PY-CMDI-001")
        hover = server.request("textDocument/hover", {"textDocument": {"uri": app}, "position": finding["range"]["start"]})
        assert hover.get("result"), hover
        actions = server.request("textDocument/codeAction", {"textDocument": {"uri": app}, "range": finding["range"], "context": {"diagnostics": [finding]}})
        assert actions.get("result"), actions
        index = (ws / "index.js").as_uri()
        server.open(index, (ws / "index.js").read_text(), language="javascript")
        server.diagnostics(index, 1)
        scan = server.request("workspace/executeCommand", {"command": "draftguard.scanWorkspace", "arguments": [{"scope": "all"}]})
        assert "result" in scan, scan
        refresh = server.request("workspace/executeCommand", {"command": "draftguard.refreshDependencies", "arguments": []})
        assert "result" in refresh, refresh
        hover = server.request("textDocument/hover", {"textDocument": {"uri": app}, "position": finding["range"]["start"]})
        assert hover.get("result"), hover
    finally:
        assert server.close() == 0, server.stderr_tail()
    assert_contained(hostile)


def test_the_sandbox_catches_what_it_guards_against(hostile: Hostile) -> None:
    """The checks above can fail: a process that does each forbidden thing is caught."""
    misbehave = f"""
import runpy, socket, subprocess
runpy.run_path({str(hostile.workspace / "conftest.py")!r})
open({str(hostile.forbidden / "secret.py")!r}).read()
open({str(hostile.workspace / "new.txt")!r}, "w").close()
subprocess.run(["true"])
try:
    socket.create_connection(("192.0.2.1", 9), timeout=0.1)
except PermissionError:
    print("blocked")
"""
    completed = subprocess.run([sys.executable, "-c", misbehave], env=hostile.env(), capture_output=True, timeout=60, cwd=hostile.base)
    assert completed.stdout.decode().strip() == "blocked", completed.stderr.decode()
    kinds = {e["kind"] for e in hostile.events()}
    assert kinds >= {"network", "exec", "open", "write", "spawn"}, hostile.events()
    assert hostile.executed() == ["conftest"]
    with pytest.raises(AssertionError):
        assert_contained(hostile)
