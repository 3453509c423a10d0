"""The draftguard program's start-up (server/launch.py, server/gcpolicy.py)."""

from __future__ import annotations

import gc
import subprocess
import sys

from draftguard.server import gcpolicy
from tests.cli.conftest import VULNERABLE


def test_loading_pauses_the_collector_and_restores_it_without_freezing_a_host() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with gcpolicy.loading():
        assert not gc.isenabled()
        kept = [[] for _ in range(1000)]  # objects made while loading
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # a test process is a host, not the program
    gc.disable()
    try:
        with gcpolicy.loading():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
    del kept


def test_the_program_freezes_what_start_up_loaded(tmp_path) -> None:
    script = (
        "import gc, sys\n"
        "from draftguard.server import gcpolicy\n"
        "gcpolicy.start_program()\n"
        "with gcpolicy.loading():\n"
        "    import draftguard.analyzers.rules.base as base; base.all_rules()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10000)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_the_launcher_runs_a_check(tmp_path) -> None:
    (tmp_path / "app.py").write_text(VULNERABLE)
    done = subprocess.run(
        [sys.executable, "-m", "draftguard.server.launch", "check", str(tmp_path), "--format", "json", "--no-progress", "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert '"ruleId": "PY-SQLI-001"' in done.stdout


def test_the_language_server_does_not_freeze_its_start_up() -> None:
    """pygls and lsprotocol make megabytes of cyclic garbage while they are
    imported; a long-lived server must be able to collect it."""
    script = (
        "import gc, sys\n"
        "from draftguard.server.launch import entry\n"
        "try:\n"
        "    entry([sys.argv[1], '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('FROZEN', gc.get_freeze_count())\n"
    )
    frozen = {}
    for command in ("serve", "check"):
        done = subprocess.run([sys.executable, "-c", script, command], capture_output=True, text=True, timeout=120)
        frozen[command] = int(done.stdout.split("FROZEN")[-1])
    assert frozen["serve"] == 0
    assert frozen["check"] > 10000
