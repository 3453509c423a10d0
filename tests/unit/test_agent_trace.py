"""Agent Trace records: tolerant parsing and re-anchoring to the current text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from draftguard.server.regions import git
from draftguard.server.regions.agent_trace import (
    TRACE_FILE,
    TraceRange,
    anchor_ranges,
    load_traces,
    murmur3_32,
    parse_traces,
)

from tests.gitrepo import commit, make_repo, needs_git


def record(path: str = "src/app.py", start: int = 2, end: int = 3, **extra) -> str:
    conversation = {"contributor": {"type": "ai", "model_id": "openai/gpt-4o"}, "ranges": [{"start_line": start, "end_line": end, **extra.pop("range_extra", {})}]}
    data = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-23T14:30:00Z",
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": path, "conversations": [conversation]}],
        "future_field": {"ignored": True},
        **extra,
    }
    return json.dumps(data)


TEXT = b"import os\nresult = os.system(cmd)\nprint(result)\nend = 1\n"


def test_murmur3_known_vectors() -> None:
    assert murmur3_32(b"") == 0
    assert murmur3_32(b"hello") == 0x248BFA47
    assert murmur3_32(b"The quick brown fox jumps over the lazy dog") == 0x2E4FF723


def test_bad_records_are_skipped_and_counted() -> None:
    lines = [
        record(),
        "{not json",
        "[1, 2]",
        json.dumps({"id": "x", "files": "nope"}),
        json.dumps({"files": [{"path": "../outside.py", "conversations": []}]}),
        json.dumps({"files": [{"path": "a.py", "conversations": [{"ranges": [{"start_line": 5, "end_line": 2}, {"start_line": "1"}]}]}]}),
        json.dumps({"files": [{"path": "a.py", "conversations": [{"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": 2}]}]}]}),
        "",
    ]
    index = parse_traces(lines)
    assert index.records == 4
    assert index.problem_count == 6
    assert [r.start_line for r in index.ranges_for("src/app.py")] == [2]
    assert index.ranges_for("a.py") == []  # bad ranges skipped, human ranges are not AI regions
    assert "line 2: not JSON" in index.problems[0]
    trace = index.ranges_for("./src/app.py")[0]
    assert (trace.tool, trace.model, trace.contributor) == ("cursor 2.4.0", "openai/gpt-4o", "ai")


def test_range_contributor_overrides_the_conversation() -> None:
    raw = {"files": [{"path": "a.py", "conversations": [{"contributor": {"type": "ai"}, "ranges": [
        {"start_line": 1, "end_line": 1, "contributor": {"type": "human"}},
        {"start_line": 3, "end_line": 4, "contributor": {"type": "mixed", "model_id": "anthropic/claude"}},
    ]}]}]}
    ranges = parse_traces([json.dumps(raw)]).ranges_for("a.py")
    assert [(r.start_line, r.contributor, r.model) for r in ranges] == [(3, "mixed", "anthropic/claude")]


def test_load_from_workspace_and_absolute_paths(tmp_path: Path) -> None:
    (tmp_path / TRACE_FILE).parent.mkdir()
    (tmp_path / TRACE_FILE).write_text(record(path=str(tmp_path / "src" / "app.py")) + "\n" + record(path="/elsewhere/x.py") + "\n")
    index = load_traces(tmp_path)
    assert index is not None and len(index.ranges_for("src/app.py")) == 1 and index.problem_count == 1
    assert load_traces(tmp_path / "missing") is None


def anchored(text: bytes, trace: TraceRange, reader=None) -> list[tuple[str, str]]:
    return [(text[a.start : a.end].decode(), a.how) for a in anchor_ranges([trace], text, reader)]


def test_recorded_lines_without_revision_or_hash() -> None:
    assert anchored(TEXT, TraceRange("src/app.py", 2, 3)) == [("result = os.system(cmd)\nprint(result)", "lines as recorded")]
    assert anchored(TEXT, TraceRange("src/app.py", 40, 45)) == []
    assert anchored(TEXT, TraceRange("src/app.py", 4, 9))[0][0] == "end = 1"


def test_content_hash_confirms_or_finds_moved_code() -> None:
    lines = b"result = os.system(cmd)\nprint(result)"
    for algorithm, digest in (("sha256", hashlib.sha256(lines).hexdigest()), ("murmur3", f"{murmur3_32(lines):08x}")):
        trace = TraceRange("src/app.py", 2, 3, content_hash=f"{algorithm}:{digest}")
        assert anchored(TEXT, trace)[0] == (lines.decode(), "content hash at the recorded lines")
        moved = b"# new header\n# more\n" + TEXT
        text, how = anchored(moved, trace)[0]
        assert text == lines.decode() and "moved from line 2 to 4" in how


def test_unknown_or_mismatching_hash_falls_back_to_other_evidence() -> None:
    assert anchored(TEXT, TraceRange("src/app.py", 2, 2, content_hash="blake9:abc"))[0][1] == "lines as recorded"
    assert anchored(TEXT, TraceRange("src/app.py", 2, 2, content_hash="sha256:00"))[0][1] == "lines as recorded"


@needs_git
def test_revision_diff_moves_ranges_and_drops_rewritten_lines(tmp_path: Path) -> None:
    first = make_repo(tmp_path, {"src/app.py": TEXT.decode()})
    commit(tmp_path, {"src/app.py": "import sys\nimport os\nresult = os.system(cmd)\nprint(result)\nend = 2\n"}, "later")
    current = (tmp_path / "src/app.py").read_bytes()

    def reader(revision: str):
        return git.blob_at(tmp_path, revision, "src/app.py")

    trace = TraceRange("src/app.py", 2, 4, revision=first, vcs_type="git")
    assert anchored(current, trace, reader) == [("result = os.system(cmd)\nprint(result)", f"diffed from revision {first[:12]}")]
    gone = TraceRange("src/app.py", 4, 4, revision=first, vcs_type="git")  # `end = 1` was rewritten
    assert anchored(current, gone, reader) == []
    missing = TraceRange("src/app.py", 3, 3, revision="0" * 40, vcs_type="git")
    assert anchored(current, missing, reader) == [("result = os.system(cmd)", f"lines as recorded (revision {'0' * 12} not available)")]
