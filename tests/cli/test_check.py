"""`draftguard check`: discovery, exit codes, filters of rules and paths."""

from __future__ import annotations

import json
import os

from draftguard.server.termprogress import ProgressBar
from tests.cli.conftest import CLEAN, VULNERABLE


def test_findings_exit_1_and_respect_gitignore(run_cli, project) -> None:
    result = run_cli(cwd=project)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines == [l for l in lines if l.startswith("app.py:6:17: PY-SQLI-001 [high]")] and len(lines) == 1
    assert "ignored" not in result.out
    assert "1 finding (1 high) in 2 files" in result.err


def test_clean_tree_exits_0(run_cli, project) -> None:
    assert run_cli(str(project / "clean.py")).code == 0


def test_explicit_file_is_scanned_even_if_gitignored(run_cli, project) -> None:
    result = run_cli(str(project / "ignored" / "app.py"))
    assert result.code == 1 and "PY-SQLI-001" in result.out


def test_fail_on_threshold(run_cli, project) -> None:
    assert run_cli(str(project), "--fail-on", "high").code == 1
    assert run_cli(str(project), "--fail-on", "critical").code == 0


def test_usage_errors_exit_2(run_cli, project) -> None:
    missing = run_cli(str(project / "nope"))
    assert missing.code == 2 and "no such file or directory" in missing.err
    bad_rule = run_cli(str(project), "--rules", "PY-NOPE-999")
    assert bad_rule.code == 2 and "PY-NOPE-999" in bad_rule.err
    assert run_cli(str(project), "--fail-on", "huge").code == 2
    assert run_cli(str(project), "--format", "xml").code == 2
    assert run_cli(str(project), "--jobs", "0").code == 2


def test_rule_selection(run_cli, project) -> None:
    assert run_cli(str(project), "--rules", "PY-SQLI-001").code == 1
    excluded = run_cli(str(project), "--exclude-rules", "PY-SQLI-001")
    assert excluded.code == 0 and excluded.out == ""


def test_exclude_pattern_from_command_line(run_cli, project) -> None:
    assert run_cli("--exclude", "app.py", cwd=project).code == 0
    assert run_cli("--exclude", "/app.py", cwd=project).code == 0


def test_every_supported_language_is_discovered(run_cli, tmp_path) -> None:
    for name in ("a.py", "b.js", "c.mjs", "d.jsx", "e.ts", "f.tsx", "g.txt", "h.md"):
        (tmp_path / name).write_text("x = 1\n")
    data = json.loads(run_cli(str(tmp_path), "--format", "json").out)
    assert data["summary"]["files"] == 6


def test_unreadable_files_are_reported_and_skipped(run_cli, tmp_path) -> None:
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02import os\n")
    (tmp_path / "latin1.py").write_bytes("name = 'café'\n".encode("latin-1"))
    (tmp_path / "huge.py").write_bytes(b"x = 1\n" * 600_000)
    (tmp_path / "app.py").write_text(VULNERABLE)
    result = run_cli(str(tmp_path), "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    errors = {os.path.basename(e["path"]): e["message"] for e in data["errors"]}
    assert errors["binary.py"] == "skipped: binary file"
    assert errors["latin1.py"].startswith("skipped: not UTF-8")
    assert "over the" in errors["huge.py"]
    assert len(data["findings"]) == 1
    assert "binary.py: skipped: binary file" in result.err


def test_parallel_scan_matches_serial_scan(run_cli, tmp_path) -> None:
    for i in range(40):
        (tmp_path / f"m{i:02d}.py").write_text(VULNERABLE if i % 3 == 0 else CLEAN)
    (tmp_path / "broken.py").write_bytes(b"\xff\xfe junk")
    serial = json.loads(run_cli(str(tmp_path), "-f", "json", "--jobs", "1").out)
    parallel = json.loads(run_cli(str(tmp_path), "-f", "json", "--jobs", "2").out)
    assert len(serial["findings"]) == 14
    strip = lambda d: [(f["path"], f["line"], f["fingerprint"]) for f in d["findings"]]  # noqa: E731
    assert strip(parallel) == strip(serial)
    assert parallel["errors"] == serial["errors"] and len(serial["errors"]) == 1


def test_output_file_is_written_atomically(run_cli, project, tmp_path) -> None:
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    target.write_text("old")
    result = run_cli(str(project), "--format", "json", "--output", str(target))
    assert result.code == 1 and result.out == ""
    assert json.loads(target.read_text())["summary"]["findings"] == 1
    assert os.listdir(target.parent) == ["report.json"]
    assert run_cli(str(project), "--output", str(tmp_path / "missing-dir" / "r.txt")).code == 2


class _Tty:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal() -> None:
    for tty in (True, False):
        stream = _Tty(tty)
        bar = ProgressBar(stream, 10, delay=0)
        for done in range(1, 11):
            bar.update(done)
        bar.close()
        assert ("10/10 files" in stream.text) is tty
        assert stream.text.endswith("\r\x1b[K") is tty


def test_progress_is_silent_when_piped(run_cli, project) -> None:
    assert "\r" not in run_cli(str(project)).err
