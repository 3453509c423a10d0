"""What a repository can put in the way of draftguard's readers, one reader at a time.

Links and `../` paths out of the workspace are not followed (manifests,
requirements includes, tsconfig `extends`, npm workspaces, Agent Trace,
configuration, `.gitignore`); FIFOs named like the files we read never block
us; gitignore patterns from the repository match in linear time (RE2) with
pathspec's semantics; git never runs the repository's filter programs. The
whole-process view of the same promises is in test_sandboxed_processes.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pathspec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draftguard.server.confine import read_confined
from draftguard.server.discover import IgnoreRules, _spec, check_patterns, discover
from draftguard.server.git import changed_lines
from draftguard.server.project.index import ProjectIndex, workspace_folders
from draftguard.server.project.layout import typescript_resolution
from draftguard.server.project.manifests import read_manifest
from draftguard.server.projectconfig import ConfigError, load_project_config
from draftguard.server.regions.agent_trace import load_traces
from draftguard.server.scan import scan_file
from draftguard.server.settings import parse_settings
from tests.gitrepo import make_repo, needs_git


@contextlib.contextmanager
def never_blocks(seconds: int = 20):
    """Turns a read that would block forever (a FIFO without a writer) into a failure."""

    def expired(_signum, _frame):
        raise AssertionError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def layout(tmp_path):
    ws, outside = tmp_path / "ws", tmp_path / "outside"
    ws.mkdir()
    outside.mkdir()
    return ws, outside


# -- links and `..` out of the workspace ------------------------------------------------
def test_manifests_and_requirement_includes_stay_inside(layout) -> None:
    ws, outside = layout
    (outside / "requirements.txt").write_text("outside-secret-package\n")
    (ws / "linked.txt").symlink_to(outside / "requirements.txt")
    (ws / "inner.txt").write_text("inner-package\n")
    (ws / "requirements.txt").write_text(f"flask\n-r inner.txt\n-r ../outside/requirements.txt\n-r {outside / 'requirements.txt'}\n-r linked.txt\n")
    declared = read_manifest(ws / "requirements.txt", ws).declared
    assert declared == {"flask", "inner-package"}
    assert read_manifest(ws / "linked.txt", ws) is None
    # Without a boundary (a caller that has no workspace) includes are followed as before.
    assert "outside-secret-package" in read_manifest(ws / "requirements.txt").declared


def test_project_index_reads_nothing_through_links_out(layout) -> None:
    ws, outside = layout
    (outside / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["outside-secret-package"]\n')
    (outside / "secret_module.py").write_text("")
    (ws / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    (ws / "shared").symlink_to(outside, target_is_directory=True)
    (ws / "own").mkdir()
    (ws / "own" / "__init__.py").write_text("")
    (ws / "inside_link").symlink_to(ws / "own", target_is_directory=True)
    picture = ProjectIndex(ws).dependencies_for(ws / "app.py").python
    assert "outside-secret-package" not in picture.declared
    assert "shared" not in picture.local and "own" in picture.local and "inside_link" in picture.local


def test_tsconfig_extends_and_npm_workspaces_stay_inside(layout) -> None:
    ws, outside = layout
    (outside / "tsconfig.json").write_text('{"compilerOptions": {"baseUrl": "."}}')
    (outside / "leaked").mkdir()
    (ws / "tsconfig.json").write_text('{"extends": "../outside/tsconfig.json", "compilerOptions": {"paths": {"@app/*": ["src/*"]}}}')
    names, aliases = typescript_resolution(ws, ws)
    assert "leaked" not in names and aliases == ("@app/*",)
    (ws / "packages" / "a").mkdir(parents=True)
    (ws / "packages" / "linked").symlink_to(outside, target_is_directory=True)
    found = workspace_folders(ws, ["packages/*", "../outside", "../*", str(outside), "**/**/x", "!packages/a"], ws)
    assert found == [ws / "packages" / "a"]


def test_agent_trace_link_out_fifo_and_oversize_are_refused(layout, monkeypatch) -> None:
    ws, outside = layout
    (outside / "trace").mkdir()
    (outside / "trace" / "traces.jsonl").write_text('{"files": []}\n')
    (ws / ".agent-trace").symlink_to(outside / "trace", target_is_directory=True)
    index = load_traces(ws)
    assert index is not None and index.records == 0 and "outside" in index.problems[0]
    (ws / ".agent-trace").unlink()
    (ws / ".agent-trace").mkdir()
    os.mkfifo(ws / ".agent-trace" / "traces.jsonl")
    with never_blocks():
        index = load_traces(ws)
    assert index is not None and index.records == 0 and "not a regular file" in index.problems[0]


def test_configuration_linked_out_of_its_folder_is_an_error(layout) -> None:
    ws, outside = layout
    (outside / "draftguard.toml").write_text('exclude = ["*.py"]\n')
    (ws / ".git").mkdir()
    (ws / ".draftguard.toml").symlink_to(outside / "draftguard.toml")
    with pytest.raises(ConfigError, match="outside"):
        load_project_config(ws)


def test_gitignore_linked_out_is_not_read(layout) -> None:
    ws, outside = layout
    (outside / "gitignore").write_text("*.py\n")
    (ws / ".git").mkdir()
    (ws / ".gitignore").symlink_to(outside / "gitignore")
    (ws / "app.py").write_text("")
    assert [p.name for p in discover([ws], IgnoreRules())] == ["app.py"]


# -- FIFOs and devices named like what we read ----------------------------------------------
def test_fifos_never_block_a_scan(layout) -> None:
    ws, _ = layout
    (ws / "app.py").write_text("import os\n")
    os.mkfifo(ws / "evil.py")
    os.mkfifo(ws / "requirements-fifo.txt")
    (ws / "requirements.txt").write_text("-r requirements-fifo.txt\n-r /dev/stdin\nflask\n")
    with never_blocks():
        assert [p.name for p in discover([ws], IgnoreRules())] == ["app.py"]
        result = scan_file(ws / "evil.py")
        assert result.error and "regular file" in result.error
        assert read_manifest(ws / "requirements.txt", ws).declared == {"flask"}
        assert read_manifest(ws / "requirements.txt").declared == {"flask"}  # even with no boundary
        assert read_confined("/dev/zero", 1024) is None


# -- patterns from the repository ---------------------------------------------------------
CATASTROPHIC = "*a" * 40 + "b"
"""Python's backtracking regex takes ~20 s for 8 `*a` on a 60-letter name; each more multiplies it."""


def test_gitignore_patterns_cannot_hang_a_scan(tmp_path) -> None:
    """In a child process with a deadline: the old matcher would run for years."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text(CATASTROPHIC + "\n" + "**/a*a*a*a*a*a*a*a*a*a*a*a*/**/b\n")
    deep = tmp_path.joinpath(*(["a" * 200] * 8))
    deep.mkdir(parents=True)
    (deep / ("a" * 200 + ".py")).write_text("")
    script = "import sys; from draftguard.server.discover import IgnoreRules, discover; print(len(discover([sys.argv[1]], IgnoreRules())))"
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "1", done.stderr


def test_unusable_exclude_patterns_are_reported(tmp_path) -> None:
    settings_, issues = parse_settings({"exclude": ["build/", "x" * 5000]})
    assert settings_.exclude == () and "longer than 4096" in issues[0].message
    assert check_patterns(["ok/**", CATASTROPHIC]) == []
    assert [why for _pattern, why in check_patterns(["!"])] == ["not a valid pattern (Invalid git pattern: '!')"]
    (tmp_path / ".gitignore").write_text("!\n*.log\n")  # git skips the invalid line; so do we, instead of failing
    (tmp_path / "app.py").write_text("")
    assert [p.name for p in discover([tmp_path], IgnoreRules())] == ["app.py"]


def _valid(pattern: str) -> bool:
    try:
        GitIgnoreSpecPattern(pattern)
    except ValueError:
        return False
    return True


PATTERN_ATOMS = st.sampled_from(["a", "b", "*", "?", "/", "**/", "[ab]", "!", "\\*", " "])
PATH_PARTS = st.sampled_from(["a", "b", "ab", "ba", "aab", "x"])


@settings(max_examples=300, deadline=None)
@given(
    patterns=st.lists(st.lists(PATTERN_ATOMS, min_size=1, max_size=6).map("".join), min_size=1, max_size=4),
    paths=st.lists(st.lists(PATH_PARTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=5),
    directory=st.booleans(),
)
def test_re2_matching_agrees_with_pathspec(patterns, paths, directory) -> None:
    """Same answers as pathspec's own (backtracking) matcher, on patterns small enough for it."""
    ours = _spec(patterns)
    reference = pathspec.GitIgnoreSpec.from_lines([p for p in patterns if p.strip() and not p.lstrip().startswith("#") and _valid(p)], backend="simple")
    for path in paths:
        path = path + "/" if directory else path
        expected = reference.check_file(path).include
        assert (ours.check_file(path).include if ours is not None else None) == expected, (patterns, path)


# -- git in a repository whose configuration runs programs -----------------------------------
@needs_git
def test_git_never_runs_the_repository_filters(tmp_path) -> None:
    repo, marker = tmp_path / "repo", tmp_path / "ran"
    make_repo(repo, {"app.py": "a = 1\n", ".gitattributes": "* filter=evil\n"})
    for setting, command in (("clean", f"touch {marker}-clean; cat"), ("smudge", f"touch {marker}-smudge; cat"), ("process", f"touch {marker}-process")):
        subprocess.run(["git", "config", f"filter.evil.{setting}", command], cwd=repo, check=True, timeout=30)
    subprocess.run(["git", "config", "filter.evil.required", "true"], cwd=repo, check=True, timeout=30)
    (repo / "app.py").write_text("a = 1\nb = 2\n")
    os.utime(repo / "app.py", (1, 1))  # stat information differs from the index: git must read the file
    changed = changed_lines(repo.resolve(), "HEAD")
    assert changed[(repo / "app.py").resolve()] == frozenset({2})
    assert list(tmp_path.glob("ran*")) == []
