"""AI regions over stdio: detection, tracking, explicit sources, scope, review ledger."""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types

from tests.gitrepo import make_repo, needs_git
from tests.lsp.conftest import change_document, edit, open_document, wait_for_diagnostics
from tests.lsp.regionclient import (
    code_actions,
    hover_text,
    lines_of,
    mark_reviewed_via_action,
    regions,
    session,
)

BASE = (
    "import sqlite3\n"
    "\n"
    "def get_user(conn, user_id):\n"
    "    cur = conn.cursor()\n"
    "    return cur.fetchone()\n"
)
VULNERABLE_LINE = '    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'
FUNCTION = (
    "def find_orders(conn, customer):\n"
    "    cur = conn.cursor()\n"
    "    cur.execute(\"SELECT * FROM orders WHERE customer = '%s'\" % customer)\n"
    "    return cur.fetchall()\n"
)


def fence(code: str) -> str:
    return "# draftguard: ai-begin model=gpt-4o\n" + code + "# draftguard: ai-end\n"


async def type_text(client, uri: str, version: int, line: int, text: str) -> tuple[int, tuple]:
    """Type `text` at the start of `line` one character per change; returns the
    last version and its diagnostics."""
    diagnostics: tuple = ()
    row, col = line, 0
    for char in text:
        version += 1
        diagnostics = await change_document(client, uri, version, [edit(row, col, row, col, char)])
        if char == "\n":
            row, col = row + 1, 0
        else:
            col += 1
    return version, diagnostics


async def test_typed_line_stays_clean_bulk_insert_of_the_same_line_is_flagged(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        assert len(await open_document(client, uri, BASE)) == 0
        version, diagnostics = await type_text(client, uri, 1, 4, VULNERABLE_LINE)
        assert len(diagnostics) == 0 and await regions(client, uri) == []
        flagged = await change_document(client, uri, version + 1, [edit(5, 0, 5, 0, VULNERABLE_LINE)])
        assert [d.range.start.line for d in flagged] == [5]
        [region] = await regions(client, uri)
        assert region["provenance"] == "bulk-insert" and region["state"] == "unreviewed" and lines_of(region) == (5, 5)


async def test_the_same_typing_is_flagged_under_scope_all(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path, {"scope": "all"}) as client:
        await open_document(client, uri, BASE)
        _version, diagnostics = await type_text(client, uri, 1, 4, VULNERABLE_LINE)
        assert len(diagnostics) == 1


async def test_undo_redo_and_whole_document_formatting_create_no_region(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        version, _ = await type_text(client, uri, 1, 5, FUNCTION)
        end = 5 + FUNCTION.count("\n")
        await change_document(client, uri, version + 1, [edit(5, 0, end, 0, "")])  # undo
        diagnostics = await change_document(client, uri, version + 2, [edit(5, 0, 5, 0, FUNCTION)])  # redo
        assert len(diagnostics) == 0
        text = BASE + FUNCTION
        reformatted = text.replace("def find_orders", "\n\ndef find_orders").replace("'%s'\" % customer", "'%s'\" %customer")
        full = types.TextDocumentContentChangeWholeDocument(text=reformatted)
        diagnostics = await change_document(client, uri, version + 3, [full])  # format-on-save, whole document
        assert len(diagnostics) == 0 and await regions(client, uri) == []


async def test_regions_move_with_edits_before_inside_and_after(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        flagged = await change_document(client, uri, 2, [edit(5, 0, 5, 0, "\n" + FUNCTION)])
        assert [d.range.start.line for d in flagged] == [8]
        [region] = await regions(client, uri)
        assert lines_of(region) == (6, 9)
        # before: two lines inserted at the top shift region and diagnostic down
        moved = await change_document(client, uri, 3, [edit(0, 0, 0, 0, "# one\n# two\n")])
        assert [d.range.start.line for d in moved] == [10]
        [region] = await regions(client, uri)
        assert lines_of(region) == (8, 11) and region["mixed"] is False
        # inside: a human types a line in the middle; the region grows and is mixed
        inside = await change_document(client, uri, 4, [edit(9, 0, 9, 0, "    cur.arraysize = 10\n")])
        assert [d.range.start.line for d in inside] == [11]
        [region] = await regions(client, uri)
        assert lines_of(region) == (8, 12) and region["mixed"] is True
        # after: text typed after the region changes nothing
        after = await change_document(client, uri, 5, [edit(13, 0, 13, 0, "x = 1\n")])
        [region2] = await regions(client, uri)
        assert lines_of(region2) == (8, 12) and [d.range.start.line for d in after] == [11]


async def test_deleting_the_region_text_removes_region_and_diagnostic(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        await change_document(client, uri, 2, [edit(5, 0, 5, 0, FUNCTION)])
        cleared = await change_document(client, uri, 3, [edit(5, 0, 9, 0, "")])
        assert len(cleared) == 0 and await regions(client, uri) == []
        # typing the vulnerable line afterwards stays clean: nothing is left to re-grow
        _v, diagnostics = await type_text(client, uri, 3, 4, VULNERABLE_LINE)
        assert len(diagnostics) == 0


async def test_mark_ai_region_notification(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        version, diagnostics = await type_text(client, uri, 1, 4, VULNERABLE_LINE[:30])  # too little for a bulk insert
        version = version + 1
        await change_document(client, uri, version, [edit(4, 30, 4, 30, VULNERABLE_LINE[30:])])
        assert await regions(client, uri) == []
        client.protocol.notify(
            "draftguard/markAiRegion",
            {"uri": uri, "range": {"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 0}}, "source": "copilot", "model": "gpt-4o", "version": version},
        )
        flagged = await wait_for_diagnostics(client, uri)
        assert [d.range.start.line for d in flagged] == [4]
        [region] = await regions(client, uri)
        assert (region["provenance"], region["source"], region["model"]) == ("client", "copilot", "gpt-4o")
        text = await hover_text(client, uri, 4, 2)
        assert "reported as AI-inserted by the editor" in text and "copilot" in text and "Not reviewed" in text


async def test_comment_markers(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    text = BASE.replace("    return", VULNERABLE_LINE + "    return") + "\n" + fence(FUNCTION)
    async with session(tmp_path) as client:
        diagnostics = await open_document(client, uri, text)
        assert [d.range.start.line for d in diagnostics] == [10]  # the fenced one, not line 4
        [region] = await regions(client, uri)
        assert region["provenance"] == "marker" and region["model"] == "gpt-4o" and lines_of(region) == (8, 11)
        # typing an end marker right after the def line shrinks the fenced region: the flaw drops out
        version, diagnostics = await type_text(client, uri, 1, 9, "# draftguard: ai-end\n")
        assert len(diagnostics) == 0
        assert lines_of((await regions(client, uri))[0]) == (8, 8)


async def test_agent_trace_import(tmp_path: Path) -> None:
    text = BASE.replace("    return", VULNERABLE_LINE + "    return") + "\n" + FUNCTION
    (tmp_path / "app.py").write_text(text)
    trace = {
        "version": "0.1.0", "id": "trace-1", "timestamp": "2026-01-23T14:30:00Z", "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": "app.py", "conversations": [{"contributor": {"type": "ai", "model_id": "openai/gpt-4o"}, "ranges": [{"start_line": 8, "end_line": 11}]}]}],
    }
    human = {"id": "trace-2", "files": [{"path": "app.py", "conversations": [{"contributor": {"type": "human"}, "ranges": [{"start_line": 5, "end_line": 5}]}]}]}
    (tmp_path / ".agent-trace").mkdir()
    (tmp_path / ".agent-trace" / "traces.jsonl").write_text(json.dumps(trace) + "\n{broken\n" + json.dumps(human) + "\n")
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        diagnostics = await open_document(client, uri, text)
        assert [d.range.start.line for d in diagnostics] == [9]
        [region] = await regions(client, uri)
        assert lines_of(region) == (7, 10)
        assert (region["provenance"], region["source"], region["model"], region["createdAt"]) == ("agent-trace", "cursor 2.4.0", "openai/gpt-4o", "2026-01-23T14:30:00Z")
        assert "trace-1" in region["detail"]
        assert any("1 problem(s) skipped" in m.message and "not JSON" in m.message for m in client.log_messages)
        text_hover = await hover_text(client, uri, 9)
        assert "Agent Trace" in text_hover and "2026-01-23 14:30:00 UTC" in text_hover


@needs_git
async def test_uncommitted_mode_in_a_git_repository(tmp_path: Path) -> None:
    committed = BASE.replace("    return", VULNERABLE_LINE + "    return")
    make_repo(tmp_path, {"app.py": committed})
    agent_written = committed + "\n" + FUNCTION  # an agent appended a function on disk
    (tmp_path / "app.py").write_text(agent_written)
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path, {"scope": "changed"}) as client:
        diagnostics = await open_document(client, uri, agent_written)
        assert [d.range.start.line for d in diagnostics] == [9]  # the committed flaw on line 4 is not shown
        [region] = await regions(client, uri)
        assert region["provenance"] == "uncommitted" and lines_of(region) == (7, 10)
        # a line typed in the editor is uncommitted too
        _v, typed = await type_text(client, uri, 1, 11, VULNERABLE_LINE.replace("    ", "", 1).replace("user_id", "customer"))
        assert sorted(d.range.start.line for d in typed) == [9, 11]
    async with session(tmp_path) as client:  # default scope: uncommitted lines are not AI regions
        assert len(await open_document(client, uri, agent_written)) == 0


async def test_outside_git_the_changed_scope_is_just_ai_regions(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    text = BASE.replace("    return", VULNERABLE_LINE + "    return") + "\n" + fence(FUNCTION)
    async with session(tmp_path, {"scope": "changed"}) as client:
        assert [d.range.start.line for d in await open_document(client, uri, text)] == [10]


async def test_scope_switching_republishes_at_once(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    text = BASE.replace("    return", VULNERABLE_LINE + "    return") + "\n" + fence(FUNCTION)
    async with session(tmp_path) as client:
        assert len(await open_document(client, uri, text)) == 1
        for scope, expected in (("all", 2), ("aiRegions", 1), ("changed", 1), ("all", 2)):
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"draftguard": {"scope": scope}}))
            assert len(await wait_for_diagnostics(client, uri)) == expected, scope


async def test_review_ledger_write_restart_and_reload(tmp_path: Path) -> None:
    make_repo(tmp_path, {"README.md": "demo\n"}, user="Ada Reviewer") if _git() else None
    uri = (tmp_path / "app.py").as_uri()
    text = BASE + "\n" + fence(FUNCTION) + "\n" + fence(VULNERABLE_LINE.replace("    ", ""))
    ledger = tmp_path / ".draftguard" / "reviews.json"
    async with session(tmp_path) as client:
        diagnostics = await open_document(client, uri, text)
        assert [d.range.start.line for d in diagnostics] == [9, 14]
        result = await mark_reviewed_via_action(client, uri, diagnostics[0].range, diagnostics[:1])
        assert result["reviewed"] == 1 and result["regions"][0]["state"] == "reviewed"
        assert [d.range.start.line for d in client.diagnostics[uri]] == [14]
        entries = json.loads(ledger.read_text())["reviews"]
        assert [(e["path"], e["provenance"]) for e in entries] == [("app.py", "marker")]
        assert entries[0]["hash"].startswith("sha256:") and entries[0]["reviewedAt"].endswith("Z")
        if _git():
            assert entries[0]["reviewer"] == "Ada Reviewer"
        hover = await hover_text(client, uri, 9)
        assert "Reviewed by" in hover
    async with session(tmp_path) as client:  # restart: reviewed code is recognised by its hash
        diagnostics = await open_document(client, uri, text)
        assert [d.range.start.line for d in diagnostics] == [14]
        # someone else reviews the other region in another window: reload picks it up
        [_first, second] = await regions(client, uri)
        data = json.loads(ledger.read_text())
        data["reviews"].append({"path": "app.py", "hash": second["hash"], "reviewer": "Bo", "reviewedAt": "2026-02-02T10:00:00Z"})
        ledger.write_text(json.dumps(data))
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=ledger.as_uri(), type=types.FileChangeType.Changed)])
        )
        assert len(await wait_for_diagnostics(client, uri)) == 0
        # changing reviewed code makes it unreviewed again
        changed = await change_document(client, uri, 2, [edit(9, 4, 9, 4, "cur.execute('SELECT 1')\n    ")])
        assert [d.range.start.line for d in changed] == [10]
        states = {r["state"] for r in await regions(client, uri)}
        assert states == {"unreviewed", "reviewed"}


async def test_review_action_is_offered_on_regions_without_findings(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE + fence("value = compute(1)\nother = compute(2)\n"))
        actions = await code_actions(client, uri, types.Range(types.Position(6, 0), types.Position(6, 0)))
        assert [a.title for a in actions] == ["Mark AI region as reviewed"]
        assert await code_actions(client, uri, types.Range(types.Position(0, 0), types.Position(0, 0))) == []
        result = await mark_reviewed_via_action(client, uri, types.Range(types.Position(6, 0), types.Position(6, 0)))
        assert result["reviewed"] == 1
        assert await code_actions(client, uri, types.Range(types.Position(6, 0), types.Position(6, 0))) == []


async def test_corrupt_ledger_gives_a_clear_message_and_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / ".draftguard"
    folder.mkdir()
    broken = b'{"version": 1, "reviews": [\n  {"path": "app.py", "hash": "sha256:ab",\n]}\n'
    (folder / "reviews.json").write_bytes(broken)
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        diagnostics = await open_document(client, uri, BASE + fence(FUNCTION))
        assert len(diagnostics) == 1
        [message] = [m for m in client.messages if "reviews.json" in m.message]
        assert message.type == types.MessageType.Error
        assert "cannot be used: not valid JSON" in message.message and "line 3" in message.message and "left unchanged" in message.message
        result = await mark_reviewed_via_action(client, uri, diagnostics[0].range, diagnostics)
        assert result["reviewed"] == 1 and len(client.diagnostics[uri]) == 0  # honoured for this session
        assert (folder / "reviews.json").read_bytes() == broken
        assert [p.read_bytes() for p in folder.glob("reviews.json.corrupt-*")] == [broken]


def _git() -> bool:
    import shutil

    return shutil.which("git") is not None


async def test_done_when_typed_clean_bulk_flagged_review_clears_it_across_a_restart(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        version, typed = await type_text(client, uri, 1, 4, VULNERABLE_LINE)
        assert len(typed) == 0
        flagged = await change_document(client, uri, version + 1, [edit(5, 0, 5, 0, VULNERABLE_LINE)])
        assert [d.range.start.line for d in flagged] == [5]
        result = await mark_reviewed_via_action(client, uri, flagged[0].range, flagged)
        assert result["reviewed"] == 1 and len(client.diagnostics[uri]) == 0
        text = BASE.replace("    return", VULNERABLE_LINE + VULNERABLE_LINE + "    return")
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
        await wait_for_diagnostics(client, uri)
    async with session(tmp_path) as client:
        assert len(await open_document(client, uri, text)) == 0
        [region] = await regions(client, uri)
        assert (region["provenance"], region["state"], lines_of(region)) == ("bulk-insert", "reviewed", (5, 5))


async def test_unreviewed_bulk_insert_is_still_flagged_after_a_restart(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    text = BASE + FUNCTION
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        assert len(await change_document(client, uri, 2, [edit(5, 0, 5, 0, FUNCTION)])) == 1
        (tmp_path / "app.py").write_text(text)
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        await wait_for_diagnostics(client, uri)
    moved = "# a header line added outside the editor\n" + text
    async with session(tmp_path) as client:
        diagnostics = await open_document(client, uri, moved)
        assert [d.range.start.line for d in diagnostics] == [8]
        [region] = await regions(client, uri)
        assert region["provenance"] == "bulk-insert" and lines_of(region) == (6, 9)
        assert "inserted in one bulk change" in await hover_text(client, uri, 7)


async def test_reloading_the_file_from_disk_is_not_a_bulk_insert(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(BASE)
    uri = path.as_uri()
    async with session(tmp_path) as client:
        await open_document(client, uri, BASE)
        path.write_text(BASE + FUNCTION)  # git pull, or an agent writing the file; the editor reloads it
        diagnostics = await change_document(client, uri, 2, [edit(5, 0, 5, 0, FUNCTION)])
        assert len(diagnostics) == 0 and await regions(client, uri) == []


PATH_APP = (
    "import os\n\nfrom flask import Flask, send_file\n\napp = Flask(__name__)\nREPORTS_DIR = \"/srv/app/reports\"\n\n\n"
    "@app.route(\"/reports/<name>\")\ndef report(name):\n    return send_file(os.path.join(REPORTS_DIR, name))\n"
)


async def test_applying_a_draftguard_quick_fix_is_not_ai_code(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with session(tmp_path, {"scope": "all"}) as client:
        [diagnostic] = [d for d in await open_document(client, uri, PATH_APP) if d.code == "PY-PATH-001"]
        actions = await code_actions(client, uri, diagnostic.range, [diagnostic])
        fix = next(a for a in actions if a.edit is not None and a.is_preferred)
        edits = fix.edit.document_changes[0].edits
        assert any(e.new_text.count("\n") >= 2 for e in edits)  # big enough to look like a bulk insert
        changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)]
        await change_document(client, uri, 2, changes)
        assert await regions(client, uri) == []
