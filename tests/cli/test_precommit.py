"""The pre-commit hook definitions run the command they claim to."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from draftguard.server.cli import build_parser

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def test_hooks_are_valid_commands() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks][0] == "draftguard"
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        program, *argv = shlex.split(hook["entry"])
        assert program == "draftguard"
        args = build_parser().parse_args([*argv, "some_file.py"])
        assert args.command == "check" and args.paths == ["some_file.py"]


def test_hook_runs_on_the_files_pre_commit_passes(run_cli, project) -> None:
    hook = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))[0]
    _program, *argv = shlex.split(hook["entry"])
    argv = argv[1:]  # "check" is added by run_cli
    (project / "README.md").write_text("# notes\n")
    assert run_cli(*argv, "clean.py", "README.md", cwd=project).code == 0
    assert run_cli(*argv, "app.py", "clean.py", cwd=project).code == 1
