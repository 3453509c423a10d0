"""No review is lost: state files under `.draftguard/` survive kill -9 and
concurrent writers.

Writers are real processes (`ledgerwriter.py`) killed with SIGKILL at random
moments: the ledger on disk must always parse as a complete ledger holding
exactly the reviews written before the kill (a prefix of the writer's
sequence, never a torn or empty file). Writers running at once on one
workspace must not drop each other's reviews, even when their files have
the same size and are written within the same clock tick.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from draftguard.server.regions.ledger import Ledger
from draftguard.server.regions.statefile import STATE_DIR

from .ledgerwriter import review_hash

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("DRAFTGUARD_KILL_ROUNDS", "12"))


def start_writer(root: Path, tag: str, count: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.ledgerwriter", str(root), tag, str(count), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ledger_hashes(root: Path) -> list[str]:
    """The review hashes on disk, in file order; fails unless the file is a
    complete ledger."""
    raw = (root / STATE_DIR / "reviews.json").read_bytes()
    data = json.loads(raw)  # a torn file fails here
    assert isinstance(data, dict) and isinstance(data["reviews"], list) and data["version"] == 1
    return [entry["hash"] for entry in data["reviews"]]


def check_state_files(root: Path) -> None:
    for path in (root / STATE_DIR).glob("*.json"):
        json.loads(path.read_bytes())
    leftovers = [p.name for p in (root / STATE_DIR).iterdir() if "corrupt" in p.name]
    assert leftovers == [], f"a complete file was taken for a corrupt one: {leftovers}"


def wait_for_progress(writer: subprocess.Popen, lines: int) -> None:
    for _ in range(lines):
        if not writer.stdout.readline():
            break


def prefill(root: Path, count: int) -> list[str]:
    """A ledger of `count` reviews (a few MB), so that writing it takes long
    enough for kills to land inside writes, not only between them."""
    from draftguard.server.regions.ledger import Review

    ledger = Ledger(root)
    ledger.load()
    ledger.pending = [Review("old/file.py", review_hash("old", n), "someone", "2025-01-01T00:00:00Z") for n in range(count)]
    assert ledger._flush() is None
    return ledger_hashes(root)


def test_kill_minus_nine_at_any_moment_leaves_the_old_or_the_new_complete_file(tmp_path: Path) -> None:
    rng = random.Random(9)
    old = prefill(tmp_path, 2_000)
    written = 0  # reviews known to be on disk (printed by a writer before its death)
    for round_ in range(KILLS):
        writer = start_writer(tmp_path, "kill", 100_000, "--region-store", "--slow-disk")
        wait_for_progress(writer, 1 if round_ else 0)  # the first round may die before its first write
        time.sleep(rng.uniform(0, 0.15))
        writer.send_signal(signal.SIGKILL)
        out, _err = writer.communicate(timeout=60)
        assert writer.returncode == -signal.SIGKILL, f"round {round_}: the writer ended before the kill: {_err}"
        hashes = ledger_hashes(tmp_path)
        assert hashes[: len(old)] == old, f"round {round_}: earlier reviews were lost"
        hashes = hashes[len(old) :]
        expected_order = [review_hash("kill", n) for n in range(len(set(hashes)) + 1)]
        # every writer restarts its numbering and re-adds the same reviews: the
        # ledger is the first k of them, each once, whatever the kill interrupted
        assert hashes == expected_order[: len(hashes)], f"round {round_}: not a prefix of the written sequence"
        assert len(hashes) >= written, f"round {round_}: reviews on disk were lost ({len(hashes)} < {written})"
        written = len(hashes)
        check_state_files(tmp_path)
    assert written > 0, "no round got as far as a write; the test checked nothing"
    # a later writer merges into what the killed ones left
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.error is None and len(list(ledger.reviews())) == len(old) + written


def test_two_writers_on_one_workspace_keep_every_review(tmp_path: Path) -> None:
    count = 150
    writers = [start_writer(tmp_path, tag, count) for tag in ("left", "right", "third")]
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    hashes = ledger_hashes(tmp_path)
    for tag in ("left", "right", "third"):
        missing = [n for n in range(count) if review_hash(tag, n) not in hashes]
        assert missing == [], f"{tag}: {len(missing)} reviews dropped by a concurrent write (first: {missing[:5]})"
    assert len(hashes) == len(set(hashes)) == 3 * count


def test_an_unreadable_ledger_is_kept_aside_and_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / STATE_DIR
    folder.mkdir()
    broken = b'{"version": 1, "reviews": [\n    {"path": "a.py", "hash": "sha256:1"\xff'
    (folder / "reviews.json").write_bytes(broken)
    writer = start_writer(tmp_path, "late", 1)
    out, _err = writer.communicate(timeout=120)
    assert writer.returncode == 1 and "cannot be used" in out
    assert (folder / "reviews.json").read_bytes() == broken
    asides = list(folder.glob("reviews.json.corrupt-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == broken


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="needs O_NOFOLLOW")
def test_stale_temporary_files_of_killed_writers_are_cleaned_up(tmp_path: Path) -> None:
    folder = tmp_path / STATE_DIR
    folder.mkdir()
    stale = folder / ".reviews.json.abcd1234.tmp"
    stale.write_bytes(b'{"version": 1, "revi')  # what a writer killed mid-write leaves
    writer = start_writer(tmp_path, "after", 1)
    writer.communicate(timeout=120)
    assert writer.returncode == 0
    assert not stale.exists()
    assert ledger_hashes(tmp_path) == [review_hash("after", 0)]


def test_a_write_merges_even_when_the_file_looks_unchanged(tmp_path: Path) -> None:
    """Size and modification time cannot tell two versions apart when another
    window wrote an entry of the same length within the same clock tick; a
    write re-reads the file under the lock instead of trusting them."""
    from draftguard.server.regions.ledger import Review

    first, second = Ledger(tmp_path), Ledger(tmp_path)
    assert first.add(Review("a.py", review_hash("a", 0), "ann", "2026-01-01T00:00:00Z")) is None
    second.load()
    path = tmp_path / STATE_DIR / "reviews.json"
    before = path.stat()
    assert second.add(Review("a.py", review_hash("a", 1), "bob", "2026-01-01T00:00:00Z")) is None
    # first's next write races second's: make the file look exactly like the version first knows
    size_before_second = before.st_size
    body = path.read_bytes()
    assert len(body) > size_before_second
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    first.file._stamp = (before.st_mtime_ns, path.stat().st_size)
    assert first.add(Review("a.py", review_hash("a", 2), "ann", "2026-01-01T00:00:00Z")) is None
    assert ledger_hashes(tmp_path) == [review_hash("a", n) for n in range(3)]
