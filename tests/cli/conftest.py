"""Small projects on disk for command-line tests, and a way to run the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from draftguard.server.cli import main

VULNERABLE = '''import sqlite3


def find_user(conn, name):
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    return cur.fetchone()
'''

CLEAN = '''import sqlite3


def find_user(conn, name):
    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
'''


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    def run(*argv: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        try:
            code = main(["check", *argv])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def project(tmp_path) -> Path:
    """app.py (one SQL injection), clean.py, and an ignored copy of app.py."""
    root = tmp_path / "proj"
    (root / "ignored").mkdir(parents=True)
    (root / "app.py").write_text(VULNERABLE)
    (root / "clean.py").write_text(CLEAN)
    (root / "ignored" / "app.py").write_text(VULNERABLE)
    (root / ".gitignore").write_text("ignored/\n")
    return root
