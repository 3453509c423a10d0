"""The review ledger: atomic writes, merging, and never losing data."""

from __future__ import annotations

import json
from pathlib import Path

from draftguard.server.regions.ledger import Ledger, Review, default_reviewer

from tests.gitrepo import make_repo, needs_git


def review(n: int, path: str = "app.py") -> Review:
    return Review(path, f"sha256:{n:064x}", "Ada", "2026-01-01T00:00:00Z", "bulk-insert", 3)


def test_missing_ledger_is_empty_and_first_review_creates_it(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.error is None and ledger.lookup("app.py", review(1).hash) is None
    assert ledger.add(review(1)) is None
    data = json.loads((tmp_path / ".draftguard" / "reviews.json").read_text())
    assert data["version"] == 1 and data["reviews"] == [review(1).to_json()]
    again = Ledger(tmp_path)
    again.load()
    assert again.lookup("app.py", review(1).hash) == review(1)
    assert not list((tmp_path / ".draftguard").glob(".reviews.json.*.tmp"))


def test_entries_are_one_per_line_for_merges(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.load()
    ledger.add(review(1))
    ledger.add(review(2))
    text = (tmp_path / ".draftguard" / "reviews.json").read_text()
    assert sum(1 for line in text.splitlines() if '"hash"' in line) == 2


def test_concurrent_writers_merge(tmp_path: Path) -> None:
    first, second = Ledger(tmp_path), Ledger(tmp_path)
    first.load()
    second.load()
    first.add(review(1))
    second.add(review(2))  # second never saw review 1 in memory
    final = Ledger(tmp_path)
    final.load()
    assert {r.hash for r in final.reviews()} == {review(1).hash, review(2).hash}


def test_unknown_fields_and_bad_entries_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / ".draftguard"
    folder.mkdir()
    original = {"version": 1, "team": "payments", "reviews": [{"path": "a.py", "hash": "sha256:1", "reviewer": "Bo", "reviewedAt": "2025", "ticket": "SEC-1"}, {"note": "hand-written"}]}
    (folder / "reviews.json").write_text(json.dumps(original))
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.invalid_entries == 1 and ledger.lookup("a.py", "sha256:1").reviewer == "Bo"
    ledger.add(review(3))
    data = json.loads((folder / "reviews.json").read_text())
    assert data["team"] == "payments"
    assert data["reviews"][:2] == original["reviews"] and data["reviews"][2] == review(3).to_json()


def test_corrupt_ledger_is_never_overwritten_and_kept_aside(tmp_path: Path) -> None:
    folder = tmp_path / ".draftguard"
    folder.mkdir()
    broken = b'{"version": 1, "reviews": [{"path": "a.py", "hash": "sha256:1",}]'
    (folder / "reviews.json").write_bytes(broken)
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.error and "reviews.json" in ledger.error and "not valid JSON" in ledger.error and "line 1" in ledger.error
    message = ledger.add(review(1))
    assert message == ledger.error
    assert (folder / "reviews.json").read_bytes() == broken
    assert [p.read_bytes() for p in folder.glob("reviews.json.corrupt-*")] == [broken]
    assert ledger.lookup("app.py", review(1).hash) is not None  # the review still counts in memory
    # the person fixes the file: the pending review is merged into their version
    (folder / "reviews.json").write_text(json.dumps({"version": 1, "reviews": [{"path": "a.py", "hash": "sha256:1", "reviewer": "Bo", "reviewedAt": "2025"}]}))
    assert ledger.refresh_if_changed()
    data = json.loads((folder / "reviews.json").read_text())
    assert [e["hash"] for e in data["reviews"]] == ["sha256:1", review(1).hash]


def test_wrong_shape_and_newer_format_are_read_only(tmp_path: Path) -> None:
    folder = tmp_path / ".draftguard"
    folder.mkdir()
    (folder / "reviews.json").write_text('["not", "a", "ledger"]')
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.error and "expected a JSON object" in ledger.error
    newer = {"version": 7, "reviews": [review(1).to_json()]}
    (folder / "reviews.json").write_text(json.dumps(newer))
    ledger.load()
    assert ledger.error is None and ledger.lookup("app.py", review(1).hash)
    assert "newer" in (ledger.add(review(2)) or "")
    assert json.loads((folder / "reviews.json").read_text()) == newer


@needs_git
def test_reviewer_is_git_user_name_else_os_user(tmp_path: Path) -> None:
    make_repo(tmp_path / "repo", {"a.py": "x = 1\n"}, user="Grace Hopper")
    assert default_reviewer(tmp_path / "repo") == "Grace Hopper"
    assert default_reviewer(tmp_path)  # outside a repository: git's global name or the OS user, never empty
