"""`--ai-only` and the AI share: regions from markers and Agent Trace records,
review state from the review ledger, all read from disk."""

from __future__ import annotations

import json
from pathlib import Path

from draftguard.server.regions.ledger import Ledger, Review
from draftguard.server.regions.model import content_hash
from tests.cli.conftest import VULNERABLE

HUMAN = '''

def human_written(conn, name):
    return conn.execute("SELECT * FROM people WHERE name = '%s'" % name).fetchall()
'''

MARKED = (
    "# draftguard: ai-begin source=copilot\n"
    + VULNERABLE.split("\n\n\n", 1)[1]
    + "# draftguard: ai-end\n"
)


def _findings(run_cli, root: Path, *argv) -> tuple[list[tuple[int, object, object]], dict]:
    result = run_cli(str(root), "--format", "json", *argv)
    assert result.code in (0, 1), result.err
    data = json.loads(result.out)
    return [(f["line"], f["aiRegion"], f["aiReviewed"]) for f in data["findings"]], data


def test_markers_select_the_ai_written_function(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text("import sqlite3\n" + HUMAN + "\n\n" + MARKED)
    everything, _ = _findings(run_cli, tmp_path)
    assert everything == [(5, False, False), (11, True, False)]
    ai_only, data = _findings(run_cli, tmp_path, "--ai-only")
    assert ai_only == [(11, True, False)]
    assert data["filters"] == ["findings in AI-written regions"] and data["summary"]["filteredOut"] == 1


def test_agent_trace_records_mark_ai_lines(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text(VULNERABLE + HUMAN)
    trace = {
        "version": "0.1.0", "id": "t-1", "timestamp": "2026-01-23T14:30:00Z", "tool": {"name": "cursor"},
        "files": [{"path": "app.py", "conversations": [{"contributor": {"type": "ai", "model_id": "openai/gpt-4o"}, "ranges": [{"start_line": 4, "end_line": 7}]}]}],
    }
    (tmp_path / ".agent-trace").mkdir()
    (tmp_path / ".agent-trace" / "traces.jsonl").write_text("not json\n" + json.dumps(trace) + "\n")
    ai_only, data = _findings(run_cli, tmp_path, "--ai-only")
    assert ai_only == [(6, True, False)]
    assert data["summary"]["filteredOut"] == 1


def test_reviewed_regions_are_quiet(run_cli, tmp_path) -> None:
    source = "import sqlite3\n" + HUMAN + "\n\n" + MARKED
    (tmp_path / "app.py").write_text(source)
    begin = source.index("def find_user")
    end = source.index("# draftguard: ai-end")
    region = source[begin:end].rstrip()
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.add(Review("app.py", content_hash(region), "Ada Reviewer", "2026-01-01T00:00:00Z")) is None
    everything, _ = _findings(run_cli, tmp_path)
    assert everything == [(5, False, False), (11, True, True)]
    assert _findings(run_cli, tmp_path, "--ai-only")[0] == []
    assert run_cli(str(tmp_path), "--ai-only").code == 0


def test_unknown_provenance_is_not_claimed(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text(VULNERABLE)
    findings, _ = _findings(run_cli, tmp_path)
    assert findings == [(6, None, False)]
    result = run_cli(str(tmp_path), "--ai-only")
    assert result.code == 0 and "(1 other finding hidden)" in result.err
    html = run_cli(str(tmp_path), "--format", "html").out
    assert "no AI provenance was found" in html


def test_html_draws_the_ai_share_when_known(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text("import sqlite3\n" + HUMAN + "\n\n" + MARKED)
    html = run_cli(str(tmp_path), "--format", "html").out
    assert "50%" in html and "in AI-written code" in html and "AI-written</span>" in html


def test_config_scope_ai_regions_applies_to_the_cli(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text("import sqlite3\n" + HUMAN + "\n\n" + MARKED)
    (tmp_path / ".draftguard.toml").write_text('scope = "aiRegions"\n')
    assert _findings(run_cli, tmp_path)[0] == [(11, True, False)]
    assert len(_findings(run_cli, tmp_path, "--scope", "all")[0]) == 2
