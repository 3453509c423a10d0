"""A real editor as the LSP client: Emacs in batch mode with eglot and the
README's configuration shows the squiggle (flymake), the hover and applies
the preferred quick fix. Skipped where Emacs or eglot is not installed
(`apt-get install emacs-nox elpa-eglot`; eglot is built in from Emacs 29)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_neovim import SAMPLE

HERE = Path(__file__).parent
EXECUTABLE = Path(sys.executable).with_name("draftguard")


def _eglot_available() -> bool:
    if shutil.which("emacs") is None:
        return False
    done = subprocess.run(["emacs", "--batch", "--no-init-file", "--eval", "(require 'eglot)"], capture_output=True, timeout=60, check=False)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _eglot_available(), reason="Emacs with eglot is not installed")


def test_emacs_eglot_shows_squiggle_hover_and_applies_fix(tmp_path: Path) -> None:
    assert EXECUTABLE.exists(), "the draftguard executable of this environment (pip install -e .)"
    source = tmp_path / "app.py"
    source.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out.txt"
    env = {**os.environ, "DRAFTGUARD_EXE": str(EXECUTABLE), "DRAFTGUARD_OUT": str(out), "DRAFTGUARD_FILE": str(source)}
    done = subprocess.run(
        ["emacs", "--batch", "--no-init-file", "-l", str(HERE / "emacs_smoke.el")],
        cwd=tmp_path, env=env, timeout=150, check=False, capture_output=True, text=True,
    )
    assert out.exists(), done.stderr[-2000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "diagnostics true 1", lines
    assert any(line.startswith("diag 4:25 draftguard [PY-SQLI-001]") and "CWE-89" in line for line in lines), lines
    hover = next(line for line in lines if line.startswith("hover "))
    assert "although the code works" in hover and "CWE-89" in hover
    assert "action Parameterise query (sqlite3 ? placeholders) preferred" in lines
    assert "fixed true" in lines, lines
    assert '"SELECT * FROM users WHERE name = ?", (name,)' in lines[-1]
    assert source.read_text(encoding="utf-8") == SAMPLE  # eglot edits the buffer; the file on disk is the user's to save
