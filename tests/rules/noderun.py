"""Run JavaScript under Node for fix-behaviour tests, without ever evaluating
strings: the code under test is written to a file and loaded by
tests/node/harness.js, which calls its exported `run(...)` per case.

Test-only npm packages (better-sqlite3, linkedom for a DOM, mingo for MongoDB
query semantics) live in tests/node/node_modules,
installed by `make install` or, when missing, by `node_modules_dir()` with
`npm install` (argument list, timeout, no shell).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
HARNESS = NODE_DIR / "harness.js"


def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node 20 is required for the JavaScript fix-behaviour tests (see README)")
    return node


def node_modules_dir() -> Path:
    modules = NODE_DIR / "node_modules"
    wanted = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    if not all((modules / name).is_dir() for name in wanted):
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is required to install tests/node dependencies")
        subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=900, capture_output=True)
    return modules


def run_cases(source: str, cases: list[list], directory: Path, name: str = "subject") -> list[dict]:
    """Write `source` as a CommonJS module and call its `run(...args)` for each case."""
    module = directory / f"{name}.js"
    module.write_text(source, encoding="utf-8")
    cases_file = directory / f"{name}.cases.json"
    cases_file.write_text(json.dumps(cases), encoding="utf-8")
    env = dict(os.environ, NODE_PATH=str(node_modules_dir()))
    done = subprocess.run(
        [node_executable(), str(HARNESS), str(module), str(cases_file)],
        capture_output=True, text=True, timeout=60, env=env, cwd=directory, check=False,
    )
    assert done.returncode == 0, f"node failed:\n{done.stderr}"
    return json.loads(done.stdout)
