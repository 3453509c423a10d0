"""Lines that differ from git HEAD, and git run defensively."""

from __future__ import annotations

from pathlib import Path

import pytest

from draftguard.server.regions import git
from draftguard.server.regions.git_changes import changed_spans, head_version

from tests.gitrepo import git as run, make_repo, needs_git

COMMITTED = "import os\n\n\ndef main():\n    return 1\n"


def texts(current: bytes, head: bytes | None) -> list[str]:
    return [current[s:e].decode() for s, e in changed_spans(head, current)]


def test_changed_spans_cover_inserted_and_replaced_lines() -> None:
    current = b"import os\nimport subprocess\n\n\ndef main():\n    return subprocess.run(cmd, shell=True)\n"
    assert texts(current, COMMITTED.encode()) == ["import subprocess", "return subprocess.run(cmd, shell=True)"]
    assert texts(COMMITTED.encode(), COMMITTED.encode()) == []
    assert texts(b"new file\n", None) == ["new file"]


def test_line_endings_do_not_count_as_changes() -> None:
    assert texts(COMMITTED.replace("\n", "\r\n").encode(), COMMITTED.encode()) == []


@needs_git
def test_head_version_for_tracked_new_and_ignored_files(tmp_path: Path) -> None:
    head = make_repo(tmp_path, {"app.py": COMMITTED, ".gitignore": "build/\n"})
    tracked = head_version(tmp_path / "app.py")
    assert tracked is not None and tracked.revision == head and tracked.blob == COMMITTED.encode()
    (tmp_path / "agent.py").write_text("x = 1\n")
    new = head_version(tmp_path / "agent.py")
    assert new is not None and new.blob is None
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.py").write_text("x = 1\n")
    assert head_version(tmp_path / "build" / "out.py") is None


@needs_git
def test_repository_without_commits_treats_files_as_new(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    run(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    version = head_version(tmp_path / "a.py")
    assert version is not None and version.revision is None and version.blob is None


@needs_git
def test_outside_a_repository_the_mode_is_off(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    if git.repo_root(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository on this machine")
    assert head_version(tmp_path / "a.py") is None


def test_missing_git_is_silent(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    (tmp_path / "a.py").write_text("x = 1\n")
    assert head_version(tmp_path / "a.py") is None
    assert git.user_name(tmp_path) is None


@needs_git
def test_revisions_that_look_like_options_are_refused(tmp_path: Path) -> None:
    make_repo(tmp_path, {"a.py": "x = 1\n"})
    assert git.blob_at(tmp_path, "--output=/tmp/x", "a.py") is None
    assert git.blob_at(tmp_path, "HEAD", "a.py") == b"x = 1\n"
