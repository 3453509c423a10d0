"""A real editor as the LSP client: Neovim headless shows the squiggle,
the hover and applies the quick fix. Skipped where Neovim is not installed
(`apt-get install neovim`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SAMPLE = (
    "import sqlite3\n\n"
    "def find(conn, name):\n"
    "    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchall()\n"
)

pytestmark = pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")


def test_neovim_shows_squiggle_hover_and_applies_fix(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out.txt"
    env = {**os.environ, "DRAFTGUARD_CMD": sys.executable, "DRAFTGUARD_OUT": str(out)}
    subprocess.run(
        ["nvim", "--headless", "-u", "NONE", "-c", "set ft=python", "-c", f"luafile {HERE / 'neovim_smoke.lua'}", str(source)],
        cwd=tmp_path, env=env, timeout=90, check=False, capture_output=True,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "diagnostics true 1"
    assert "diag 4:25 PY-SQLI-001" in lines
    hover = next(line for line in lines if line.startswith("hover "))
    assert "although the code works" in hover and "CWE-89" in hover
    assert "action Parameterise query (sqlite3 ? placeholders) preferred" in lines
    assert lines[-1] == "after 0 before 1"
