"""Each bulk-insert detection rule, positive and negative (see server/regions/detection.py)."""

from __future__ import annotations

from draftguard.server.regions.detection import BulkRule, trim
from draftguard.server.regions.model import BULK_INSERT

from tests.unit.regionbuffer import Buffer

BASE = "import sqlite3\n\n\ndef main():\n    pass\n"
FUNCTION = (
    "def get_user(conn, user_id):\n"
    "    cur = conn.cursor()\n"
    "    cur.execute(f\"SELECT * FROM users WHERE id = {user_id}\")\n"
    "    return cur.fetchone()\n"
)
LONG_LINE = '    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'


def test_typing_character_by_character_creates_no_region() -> None:
    buf = Buffer(BASE)
    buf.type(buf.offset("\n\ndef") + 1, FUNCTION)
    assert buf.regions == []


def test_one_change_inserting_several_lines_is_a_bulk_insert() -> None:
    buf = Buffer(BASE)
    result = buf.insert(buf.offset("\n\ndef") + 1, FUNCTION)
    assert buf.texts() == [FUNCTION.strip()]
    assert [r.provenance for r in result.created] == [BULK_INSERT]
    assert "4 lines" in buf.regions[0].detail


def test_one_long_line_reaches_the_character_threshold() -> None:
    assert len(LONG_LINE) >= 60
    buf = Buffer(BASE)
    buf.insert(buf.offset("    pass"), LONG_LINE)
    assert buf.texts() == [LONG_LINE.strip()]


def test_thresholds_are_configurable() -> None:
    buf = Buffer(BASE, BulkRule(lines=10, chars=500))
    buf.insert(buf.offset("\n\ndef") + 1, FUNCTION)
    assert buf.regions == []
    buf = Buffer(BASE, BulkRule(lines=1, chars=20))
    buf.insert(buf.offset("    pass"), "    total = compute_total(order)\n")
    assert buf.texts() == ["total = compute_total(order)"]


def test_auto_closing_pairs_and_short_completions_stay_clean() -> None:
    buf = Buffer(BASE)
    at = buf.offset("pass")
    for text in ("()", '""', "[]", "{}", "print", "self.assertEqual", "for item in items:"):
        buf.insert(at, text)
    assert buf.regions == []


def test_enter_with_auto_indent_and_between_braces_stays_clean() -> None:
    buf = Buffer("function f() {}\n")
    buf.insert(buf.offset("{}") + 1, "\n    \n")
    buf.insert(0, "\n\n\n        \n")
    assert buf.regions == []


def test_snippet_of_a_few_characters_stays_clean() -> None:
    buf = Buffer(BASE)
    buf.replace(buf.offset("pass"), buf.offset("pass") + 4, "if __name__ == '__main__':\n    main()")  # 1 break, 38 chars
    assert buf.regions == []


def test_blank_lines_and_punctuation_are_not_code() -> None:
    buf = Buffer(BASE)
    buf.insert(0, "\n\n\n\n# ---------------------------------------------------------------\n")
    buf.insert(0, "})\n]);\n})\n")
    assert buf.regions == []


def test_format_on_save_as_one_whole_document_edit_creates_no_region() -> None:
    ugly = "x=call( 'a',b )\ny =[1,2 ,3]\ndef f( a ):\n  return a\n"
    pretty = 'x = call("a", b)\ny = [1, 2, 3]\n\n\ndef f(a):\n    return a\n'
    buf = Buffer(ugly)
    buf.set_text(pretty)
    assert buf.regions == []


def test_format_on_save_keeps_an_ai_region_on_its_code() -> None:
    buf = Buffer("import os\n")
    buf.insert(len(buf.source), FUNCTION.replace("    ", "  "))  # AI code, two-space indented
    assert len(buf.regions) == 1
    buf.set_text("import os\n\n\n" + FUNCTION)  # the formatter re-indents and adds blank lines
    assert buf.texts() == [FUNCTION.strip()]
    assert buf.regions[0].mixed is False


def test_undo_and_redo_of_a_human_edit_create_no_region() -> None:
    buf = Buffer(BASE)
    at = buf.offset("\n\ndef") + 1
    buf.type(at, FUNCTION)  # typed by hand
    buf.delete(at, at + len(FUNCTION))  # the person deletes the block
    buf.insert(at, FUNCTION)  # undo: the whole block comes back in one change
    assert buf.regions == []
    buf.delete(at, at + len(FUNCTION))  # undo of the typing run
    buf.insert(at, FUNCTION)  # redo
    assert buf.regions == []


def test_undo_and_redo_of_an_ai_insert_keep_it_an_ai_region() -> None:
    buf = Buffer(BASE)
    at = buf.offset("\n\ndef") + 1
    buf.insert(at, FUNCTION)
    region_id = buf.regions[0].id
    result = buf.delete(at, at + len(FUNCTION))  # undo
    assert buf.regions == [] and [r.id for r in result.removed] == [region_id]
    result = buf.insert(at, FUNCTION)  # redo
    assert buf.texts() == [FUNCTION.strip()] and buf.regions[0].id == region_id
    assert result.restored and not result.created


def test_cut_and_paste_moves_ai_code_with_its_provenance_and_human_code_without() -> None:
    human = "def helper(values):\n    return sorted(set(values))\n\n"
    buf = Buffer(human + BASE)
    buf.insert(buf.offset("\n\ndef main") + 1, FUNCTION)
    # cut the AI function and paste it at the top
    start = buf.offset("def get_user")
    buf.delete(start, start + len(FUNCTION))
    assert buf.regions == []
    buf.insert(0, FUNCTION)
    assert buf.texts() == [FUNCTION.strip()]
    # cut the human helper and paste it at the end: still not AI code
    start = buf.offset("def helper")
    buf.delete(start, start + len(human))
    buf.insert(len(buf.source), "\n" + human)
    assert buf.texts() == [FUNCTION.strip()]


def test_moving_lines_is_not_an_insert() -> None:
    text = "first_value = compute_first()\nsecond_value = compute_second()\nthird_value = compute_third()\n"
    buf = Buffer(text)
    swapped = "second_value = compute_second()\nthird_value = compute_third()\nfirst_value = compute_first()\n"
    buf.replace(0, len(text), swapped)  # Alt+Down as one replacement
    assert buf.regions == []


def test_paste_mixing_removed_and_new_lines_flags_only_the_new_ones() -> None:
    buf = Buffer(BASE)
    old = "    setting_value = read_configuration()\n"
    buf.type(buf.offset("    pass"), old)
    start = buf.offset(old)
    buf.delete(start, start + len(old))
    new = "    connection = open_database(setting_value)\n    rows = connection.query(user_supplied)\n"
    buf.insert(buf.offset("    pass"), old + new)
    assert buf.texts() == [new.strip()]


def test_completion_replacing_the_typed_prefix_flags_only_the_new_text() -> None:
    buf = Buffer(BASE)
    at = buf.offset("    pass")
    buf.type(at, "    cur.exe")
    line_end = at + len("    cur.exe")
    buf.replace(at, line_end, '    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")\n    rows = cur.fetchall()')
    assert buf.texts() == ['cute(f"SELECT * FROM users WHERE id = {user_id}")\n    rows = cur.fetchall()']


def test_full_document_sync_of_one_keystroke_is_one_keystroke() -> None:
    buf = Buffer(BASE)
    # a client without incremental sync sends the whole text for each keystroke
    typed = ""
    for char in "    value = compute_the_total_for_this_order(order_identifier, customer)\n":
        typed += char
        buf.set_text(BASE.replace("    pass", typed + "    pass"))
    assert buf.regions == []


def test_trim_keeps_utf8_characters_whole() -> None:
    edit = trim(0, "aé".encode(), "aè".encode())
    assert edit is not None and edit.removed == "é".encode() and edit.inserted == "è".encode()
    assert trim(5, b"same", b"same") is None
