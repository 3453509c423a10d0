"""Bulk-insert and client regions survive a restart through .draftguard/regions.json."""

from __future__ import annotations

import json
from pathlib import Path

from draftguard.server.regions.model import BULK_INSERT, CLIENT, MARKER, Region
from draftguard.server.regions.store import RegionStore

SOURCE = b"import os\n\ndef run(cmd):\n    os.system(cmd)\n    return True\n\nx = 1\n"


def region(text_in: bytes, text: bytes, provenance: str = BULK_INSERT, **extra) -> Region:
    start = text_in.index(text)
    return Region(start, start + len(text), provenance, **extra)


def texts(source: bytes, regions: list[Region]) -> list[bytes]:
    return [source[r.start : r.end] for r in regions]


def test_saved_regions_are_found_again_after_edits_elsewhere(tmp_path: Path) -> None:
    store = RegionStore(tmp_path)
    ai = region(SOURCE, b"def run(cmd):\n    os.system(cmd)\n    return True", model="gpt-4o", source="copilot")
    assert store.save("app.py", [ai, region(SOURCE, b"x = 1", MARKER)], SOURCE) is None
    data = json.loads((tmp_path / ".draftguard" / "regions.json").read_text())
    assert [e["provenance"] for e in data["regions"]] == [BULK_INSERT]  # markers are re-derived, not stored
    assert b"os.system" not in (tmp_path / ".draftguard" / "regions.json").read_bytes()  # hashes, not code
    moved = b"# header\n\n\n" + SOURCE.replace(b"    ", b"        ")
    [found] = RegionStore(tmp_path).regions_for("app.py", moved)
    assert moved[found.start : found.end] == b"def run(cmd):\n        os.system(cmd)\n        return True"
    assert (found.provenance, found.model, found.source, found.created_at) == (BULK_INSERT, "gpt-4o", "copilot", ai.created_at)


def test_partial_line_regions_and_the_nearest_copy(tmp_path: Path) -> None:
    source = b"a = compute(first_value, second)\nb = 2\na = compute(first_value, second)\n"
    second_line = source.rindex(b"compute")
    ai = Region(second_line, second_line + len(b"compute(first_value, second)"), CLIENT)
    store = RegionStore(tmp_path)
    store.save("m.py", [ai], source)
    [found] = store.regions_for("m.py", source)
    assert (found.start, found.end) == (ai.start, ai.end)


def test_changed_code_is_not_found_and_saving_drops_it(tmp_path: Path) -> None:
    store = RegionStore(tmp_path)
    store.save("app.py", [region(SOURCE, b"def run(cmd):\n    os.system(cmd)")], SOURCE)
    changed = SOURCE.replace(b"os.system(cmd)", b"subprocess.run([cmd])")
    assert store.regions_for("app.py", changed) == []
    store.save("app.py", [], changed)
    assert json.loads((tmp_path / ".draftguard" / "regions.json").read_text())["regions"] == []


def test_other_files_entries_are_kept_and_nothing_is_written_without_regions(tmp_path: Path) -> None:
    RegionStore(tmp_path).save("other.py", [], SOURCE)
    assert not (tmp_path / ".draftguard" / "regions.json").exists()
    a, b = RegionStore(tmp_path), RegionStore(tmp_path)
    a.save("a.py", [region(SOURCE, b"x = 1", CLIENT)], SOURCE)
    b.save("b.py", [region(SOURCE, b"return True", CLIENT)], SOURCE)  # b never loaded a's entry
    paths = [e["path"] for e in json.loads((tmp_path / ".draftguard" / "regions.json").read_text())["regions"]]
    assert paths == ["a.py", "b.py"]


def test_corrupt_store_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / ".draftguard").mkdir()
    (tmp_path / ".draftguard" / "regions.json").write_text("{oops")
    store = RegionStore(tmp_path)
    assert store.error and "region store" in store.error
    assert store.save("a.py", [region(SOURCE, b"x = 1", CLIENT)], SOURCE) == store.error
    assert (tmp_path / ".draftguard" / "regions.json").read_text() == "{oops"
    assert store.regions_for("a.py", SOURCE) == []
