"""Regions move with edits like editor markers (server/regions/tracking.py)."""

from __future__ import annotations

from draftguard.server.regions.model import BULK_INSERT, CLIENT, Region, content_hash
from draftguard.server.regions.tracking import locate

from tests.unit.regionbuffer import Buffer

HEAD = "import os\n\n"
AI = "def load(path):\n    with open(path) as handle:\n        return handle.read()"
TAIL = "\n\n\ndef main():\n    pass\n"


def setup() -> Buffer:
    buf = Buffer(HEAD + TAIL)
    buf.insert(len(HEAD), AI)
    assert buf.texts() == [AI]
    return buf


def test_text_inserted_before_shifts_the_region() -> None:
    buf = setup()
    buf.insert(0, "# header\n")
    buf.type(0, "x")
    assert buf.texts() == [AI]


def test_insertion_at_either_edge_does_not_grow_the_region() -> None:
    buf = setup()
    region = buf.regions[0]
    buf.type(region.start, "y = 1\n")
    buf.type(region.end, "  # note")
    assert buf.texts() == [AI]
    assert not buf.regions[0].mixed


def test_edit_after_the_region_leaves_it_alone() -> None:
    buf = setup()
    before = (buf.regions[0].start, buf.regions[0].end)
    buf.type(buf.offset("pass"), "print('done')\n    ")
    assert (buf.regions[0].start, buf.regions[0].end) == before


def test_human_edit_inside_grows_the_region_and_marks_it_mixed() -> None:
    buf = setup()
    buf.type(buf.offset("handle.read()") + len("handle.read("), "100")
    assert buf.texts() == [AI.replace("read()", "read(100)")]
    assert buf.regions[0].mixed


def test_whitespace_only_edit_inside_does_not_mark_mixed() -> None:
    buf = setup()
    at = buf.offset("    with")
    buf.insert(at, "    ")
    assert buf.regions[0].mixed is False and buf.texts()[0].endswith("handle.read()")


def test_deletion_inside_shrinks_the_region() -> None:
    buf = setup()
    start = buf.offset("    with")
    end = buf.offset("        return")
    buf.delete(start, end)
    assert buf.texts() == ["def load(path):\n        return handle.read()"]
    assert buf.regions[0].mixed


def test_deletion_across_the_start_clips_the_region() -> None:
    buf = setup()
    buf.delete(buf.offset("os\n"), buf.offset("(path):"))
    assert buf.texts() == ["(path):\n    with open(path) as handle:\n        return handle.read()"]


def test_deletion_across_the_end_clips_the_region() -> None:
    buf = setup()
    buf.delete(buf.offset("handle.read()"), buf.offset("def main"))
    assert buf.texts() == ["def load(path):\n    with open(path) as handle:\n        return "]


def test_deleting_all_of_its_text_removes_the_region() -> None:
    buf = setup()
    region = buf.regions[0]
    result = buf.delete(region.start - 1, region.end + 1)
    assert buf.regions == [] and result.removed == [region]


def test_replacing_the_region_with_typed_text_removes_it() -> None:
    buf = setup()
    region = buf.regions[0]
    buf.replace(region.start, region.end, "x")
    assert buf.regions == []


def test_regions_after_an_edit_shift_by_its_size_and_stay_sorted() -> None:
    buf = Buffer("a\n" * 50)
    for line in (40, 20, 5):
        at = line * 2
        buf.tracker.add(Region(at, at + 1, CLIENT))
    buf.insert(0, "bb\n")
    buf.delete(10, 12)
    assert [r.start for r in buf.regions] == sorted(r.start for r in buf.regions)
    assert all(buf.source[r.start : r.end] == b"a" for r in buf.regions)


def test_edits_of_one_notification_apply_in_order() -> None:
    buf = setup()
    result = buf.batch((0, 0, "# one\n"), (0, 0, "# two\n"), (len(b"# two\n# one\n"), len(b"# two\n# one\n") + 6, "from sys import argv\nimport os"))
    assert buf.texts() == [AI] and result.created == []


def test_locate_finds_moved_and_reindented_text() -> None:
    old = b"x = 1\ndef f():\n    return compute(a, b)\ny = 2\n"
    new = b"y = 2\nx = 1\nclass K:\n    def f():\n        return compute(a, b)\n"
    start, end = old.index(b"def"), old.index(b"y = 2") - 1
    found = locate(old, new, start, end)
    assert found is not None and new[found[0] : found[1]] == b"def f():\n        return compute(a, b)"


def test_content_hash_ignores_whitespace_layout_but_not_code() -> None:
    a = content_hash("def f():\n    return 1\n")
    assert a == content_hash("  def f():\r\n      return 1   \r\n\r\n")
    assert a != content_hash("def f():\n    return 2\n")
    nested = content_hash("if ok:\n    allow()\n    audit()\n")
    assert nested != content_hash("if ok:\n    allow()\naudit()\n")  # a change of nesting is a change
    assert nested == content_hash("        if ok:\n            allow()\n            audit()\n")  # moving the block is not


def test_bulk_insert_inside_an_ai_region_extends_it_without_marking_mixed() -> None:
    buf = setup()
    buf.insert(buf.offset("        return"), "        data = handle.read_all_the_things()\n        log(data)\n")
    assert len(buf.regions) == 1 and buf.regions[0].provenance == BULK_INSERT
    assert buf.regions[0].mixed is False
