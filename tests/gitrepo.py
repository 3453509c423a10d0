"""Temporary git repositories for tests (argument lists, timeouts, no global config)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    done = subprocess.run([GIT or "git", *args], cwd=root, capture_output=True, text=True, timeout=30, env=env, check=True)
    return done.stdout.strip()


def make_repo(root: Path, files: dict[str, str], user: str = "Ada Reviewer") -> str:
    """Create a repository at `root` with `files` committed; returns HEAD."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", user)
    git(root, "config", "user.email", "ada@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    commit(root, files, "initial")
    return git(root, "rev-parse", "HEAD")


def commit(root: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    git(root, "add", "--", *files)
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")
