"""PY-ASSERT-001's fix: allowed callers get the same result; refused callers
are refused even under `python -O`, where the original assert vanishes.

The optimised runs use a child interpreter (argument list, timeout) that
imports the module under test from its file and prints the outcome."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.rules.fixrun import original_and_fixed

SOURCE = (
    "def run(current_user, quantity):\n"
    '    assert current_user.is_admin, "admins only"\n'
    "    return f\"deleted {quantity}\"\n"
)
DRIVER = """
import importlib.util, sys
from types import SimpleNamespace
spec = importlib.util.spec_from_file_location("under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
try:
    print(module.run(SimpleNamespace(is_admin=sys.argv[2] == "admin"), 3))
except Exception as exc:
    print(type(exc).__name__)
"""


def _optimised(path, role: str) -> str:
    done = subprocess.run([sys.executable, "-O", "-c", DRIVER, str(path), role], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_fix_survives_optimisation(tmp_path) -> None:
    before, after, fixed = original_and_fixed(SOURCE, "PY-ASSERT-001", tmp_path)
    admin, visitor = SimpleNamespace(is_admin=True), SimpleNamespace(is_admin=False)
    assert after(admin, 3) == before(admin, 3) == "deleted 3"
    with pytest.raises(AssertionError):
        before(visitor, 3)
    with pytest.raises(PermissionError):
        after(visitor, 3)

    original_file, fixed_file = tmp_path / "original.py", tmp_path / "fixed.py"
    original_file.write_text(SOURCE)
    fixed_file.write_text(fixed)
    assert _optimised(original_file, "visitor") == "deleted 3", "under -O the original lets everybody through"
    assert _optimised(fixed_file, "visitor") == "PermissionError"
    assert _optimised(fixed_file, "admin") == "deleted 3"
