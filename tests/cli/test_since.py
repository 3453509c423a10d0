"""`--since REV`: only findings on lines a change added, in a real git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from draftguard.server.git import changed_lines, parse_unified_diff
from tests.cli.conftest import VULNERABLE
from tests.gitrepo import commit, git, make_repo, needs_git

pytestmark = needs_git

NEW_FUNCTION = '''

def find_order(conn, order_id):
    return conn.execute("SELECT * FROM orders WHERE id = " + order_id).fetchall()
'''


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    make_repo(root, {"app.py": VULNERABLE})
    return root


def _lines(run_cli, repo, *argv) -> list[tuple[str, int]]:
    result = run_cli("--format", "json", *argv, cwd=repo)
    assert result.code in (0, 1), result.err
    return [(f["path"], f["line"]) for f in json.loads(result.out)["findings"]]


def test_since_reports_only_added_lines(run_cli, repo) -> None:
    (repo / "app.py").write_text(VULNERABLE + NEW_FUNCTION)
    (repo / "new_module.py").write_text(VULNERABLE)  # untracked: every line is new
    assert _lines(run_cli, repo) == [("app.py", 6), ("app.py", 11), ("new_module.py", 6)]
    assert _lines(run_cli, repo, "--since", "HEAD") == [("app.py", 11), ("new_module.py", 6)]


def test_since_a_branch_point_covers_committed_changes(run_cli, repo) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app.py": VULNERABLE + NEW_FUNCTION}, "feature work")
    commit(repo, {"moved.py": "\n\n" + VULNERABLE}, "more")
    assert _lines(run_cli, repo, "--since", "main") == [("app.py", 11), ("moved.py", 8)]
    result = run_cli("--since", "main", "--format", "json", cwd=repo)
    assert json.loads(result.out)["summary"]["filteredOut"] == 1
    assert "showing only lines changed since main (1 other finding hidden)" in result.err


def test_clean_change_exits_0_although_old_findings_remain(run_cli, repo) -> None:
    (repo / "app.py").write_text(VULNERABLE + "\n\nVERSION = 2\n")
    assert run_cli("--since", "HEAD", cwd=repo).code == 0
    assert run_cli(cwd=repo).code == 1


def test_unknown_revision_or_no_repository_exit_2(run_cli, repo, tmp_path) -> None:
    unknown = run_cli("--since", "no-such-branch", cwd=repo)
    assert unknown.code == 2 and "unknown revision 'no-such-branch'" in unknown.err
    option_like = run_cli("--since=--output=/tmp/x", cwd=repo)
    assert option_like.code == 2 and "not a revision" in option_like.err
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "a.py").write_text(VULNERABLE)
    result = run_cli("--since", "HEAD", cwd=outside)
    assert result.code == 2 and "inside a git repository" in result.err


def test_scope_changed_uses_uncommitted_lines(run_cli, repo) -> None:
    (repo / "app.py").write_text(VULNERABLE + NEW_FUNCTION)
    assert _lines(run_cli, repo, "--scope", "changed") == [("app.py", 11)]


def test_diff_parser_handles_quoted_names_and_pure_deletions(tmp_path) -> None:
    diff = (
        'diff --git "a/sp ace\\303\\251.py" "b/sp ace\\303\\251.py"\n'
        '--- "a/sp ace\\303\\251.py"\n'
        '+++ "b/sp ace\\303\\251.py"\n'
        "@@ -3,0 +4,2 @@\n+x\n+y\n"
        "@@ -10,2 +11,0 @@\n-a\n-b\n"
        "@@ -20 +20 @@\n-c\n+d\n"
        "--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
    )
    assert parse_unified_diff(diff, tmp_path) == {tmp_path / "sp aceé.py": frozenset({4, 5, 20})}


def test_changed_lines_in_a_repository(repo) -> None:
    (repo / "app.py").write_text(VULNERABLE.replace("users", "people"))
    assert changed_lines(repo, "HEAD") == {repo.resolve() / "app.py": frozenset({6})}
