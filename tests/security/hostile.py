"""A workspace built to catch a tool that runs, imports or follows what it reads.

`build(base)` lays out three sibling folders:

- `ws/`: the workspace. Every Python file in it that could ever be executed
  (`sitecustomize.py`, `conftest.py`, `setup.py`, `__init__.py`, and a
  module shadowing every standard-library and dependency name the process
  might import after start-up) writes a marker file when executed. Its
  configuration files, dependency manifests, `.gitignore` and Agent Trace
  folder lead out of it through symbolic links and `../` paths into
  `forbidden/`; its own `.gitignore` holds a pattern that would make a
  backtracking matcher run for years on one of its file names. It is a git repository whose own configuration defines a
  clean filter that writes a marker (a repository unpacked from an archive
  can carry any `.git/config`).
- `forbidden/`: what the links point to; a confined reader never opens it.
- `markers/`: where executed workspace code would leave its marker.

The sandbox (`sandbox/sitecustomize.py`) records the rest: network attempts,
programs started, code executed from the workspace, writes and forbidden reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SANDBOX = Path(__file__).resolve().parent / "sandbox"
CATASTROPHIC = "*a" * 20 + "b"
"""A pattern whose backtracking match against a name of 80 `a` would take years."""
DEPENDENCY_MODULES = (
    "pygls", "lsprotocol", "cattrs", "attrs", "attr", "tree_sitter", "tree_sitter_python", "tree_sitter_javascript",
    "tree_sitter_typescript", "pathspec", "re2", "typing_extensions", "exceptiongroup",
)
"""Third-party names the server and CLI import, shadowed in the workspace too.
(Not `draftguard` itself: `python -m draftguard.server` looks that name up
before any of our code runs, which is why the documented commands are
`draftguard serve` and `python -P -m draftguard.server`.)"""

APP = """\
import os
import sqlite3

import flask
import reqeusts
from flask import request

app = flask.Flask(__name__)


@app.route("/user")
def user():
    db = sqlite3.connect("app.db")
    return str(db.execute("SELECT * FROM users WHERE name = '" + request.args["name"] + "'").fetchall())
"""

INSERTED = """\


@app.route("/ping")
def ping():
    os.system("ping -c 1 " + request.args["host"])
    return "ok"
"""

INDEX_JS = """\
const express = require("express");
const leftpadd = require("leftpadd");
const app = express();
app.get("/run", (req, res) => {
  res.send(eval(req.query.code));
});
"""


@dataclass(frozen=True)
class Hostile:
    base: Path
    workspace: Path
    forbidden: Path
    markers: Path
    log: Path

    def env(self) -> dict[str, str]:
        """Environment of a draftguard process under the sandbox."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "DRAFTGUARD_AUDIT"))}
        env.update(
            PYTHONPATH=str(SANDBOX),
            DRAFTGUARD_AUDIT_LOG=str(self.log),
            DRAFTGUARD_AUDIT_WORKSPACE=str(self.workspace),
            DRAFTGUARD_AUDIT_FORBIDDEN=str(self.forbidden),
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.base / "home"),
        )
        return env

    def events(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def executed(self) -> list[str]:
        """Names of workspace files whose code ran (their markers)."""
        return sorted(p.name for p in self.markers.iterdir())


def _marker(markers: Path, name: str) -> str:
    # Builtins only: a shadowed `os` or `pathlib` must still leave its marker.
    return f"open({str(markers / name)!r}, 'w').close()\n"


def _git(workspace: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, timeout=60, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})


def build(base: Path) -> Hostile:
    ws, forbidden, markers = base / "ws", base / "forbidden", base / "markers"
    for folder in (ws, forbidden, markers, base / "home"):
        folder.mkdir(parents=True)
    hostile = Hostile(base, ws, forbidden, markers, base / "audit.jsonl")

    # -- what the links lead to -----------------------------------------------------
    (forbidden / "secret.py").write_text("API_KEY = 'sk-live-do-not-read'\n")
    (forbidden / "requirements.txt").write_text("secret-internal-package==1.0\n")
    (forbidden / "tsconfig.json").write_text('{"compilerOptions": {"baseUrl": "."}}\n')
    (forbidden / "gitignore").write_text("*.py\n")
    (forbidden / "draftguard.toml").write_text('exclude = ["*.py"]\n')
    (forbidden / "trace").mkdir()
    (forbidden / "trace" / "traces.jsonl").write_text(json.dumps({"files": [{"path": "app.py", "conversations": [{"ranges": [{"start_line": 1, "end_line": 3}]}]}]}) + "\n")
    (forbidden / "pkg").mkdir()
    (forbidden / "pkg" / "package.json").write_text('{"name": "secret-workspace-package"}\n')

    # -- code that must never run ------------------------------------------------------
    shadowed = sorted(set(sys.stdlib_module_names) | set(DEPENDENCY_MODULES))
    for name in ("sitecustomize", "usercustomize", "conftest", "__init__", "__main__", *shadowed):
        (ws / f"{name}.py").write_text(_marker(markers, name))
    (ws / "setup.py").write_text(_marker(markers, "setup.py") + "from setuptools import setup\nsetup(name='demo', install_requires=['flask'])\n")
    (ws / "pkg").mkdir()
    (ws / "pkg" / "__init__.py").write_text(_marker(markers, "pkg.__init__"))
    (ws / "pkg" / "conftest.py").write_text(_marker(markers, "pkg.conftest"))

    # -- the project ---------------------------------------------------------------------
    (ws / "app.py").write_text(APP)
    (ws / "index.js").write_text(INDEX_JS)
    (ws / "pyproject.toml").write_text(f'[project]\nname = "demo"\ndependencies = ["flask>=3"]\n\n[tool.draftguard]\nexclude = ["generated/", "{CATASTROPHIC}"]\n')
    (ws / "package.json").write_text('{"name": "demo", "dependencies": {"express": "^4.19.0"}, "workspaces": ["../forbidden/*", "packages/*"]}\n')
    (ws / "requirements.txt").write_text(f"flask>=3\n-r ../forbidden/requirements.txt\n-r {forbidden / 'requirements.txt'}\n")
    (ws / "tsconfig.json").write_text('{"extends": "../forbidden/tsconfig.json"}\n')
    # The exclude pattern in pyproject.toml would take a backtracking matcher
    # years on this name. (Not in .gitignore: git's own matcher is no better,
    # and the builder runs git.)
    (ws / ("a" * 80 + ".py")).write_text("x = 1\n")

    # -- links out of the workspace --------------------------------------------------------
    (ws / "linked_secret.py").symlink_to(forbidden / "secret.py")
    (ws / ".agent-trace").symlink_to(forbidden / "trace", target_is_directory=True)
    (ws / "requirements-dev.txt").symlink_to(forbidden / "requirements.txt")
    (ws / "sub").mkdir()
    (ws / "sub" / ".gitignore").symlink_to(forbidden / "gitignore")
    (ws / "sub" / ".draftguard.toml").symlink_to(forbidden / "draftguard.toml")
    (ws / "sub" / "handler.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    (ws / "shared").symlink_to(forbidden, target_is_directory=True)

    # -- a repository whose own configuration runs a program --------------------------------
    _git(ws, "init", "-q")
    _git(ws, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "-A")
    _git(ws, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "initial")
    (ws / ".gitattributes").write_text("* filter=evil diff=evil\n")
    _git(ws, "config", "filter.evil.clean", f"touch {markers / 'git-clean-filter'}; cat")
    _git(ws, "config", "filter.evil.process", f"touch {markers / 'git-process-filter'}")
    _git(ws, "config", "diff.evil.textconv", f"touch {markers / 'git-textconv'}; cat")
    _git(ws, "config", "core.fsmonitor", f"touch {markers / 'git-fsmonitor'}")
    (ws / "app.py").write_text(APP + "\n# edited after the commit\n")
    return hostile
