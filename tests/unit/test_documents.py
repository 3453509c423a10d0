"""Incremental parsing: after any sequence of edits, the document text equals
the edited string and the tree equals a fresh parse."""

from __future__ import annotations

import random
import re

import pytest

from draftguard.server.documents import Document, DocumentError, RangeSpec
from draftguard.server.positions import LineIndex

ALPHABET = ["a", "b", "\n", "\r\n", "\r", "😀", "中", "\t", " ", "é", "(", ")", "x = 1\n", "def f():\n    ", "'", '"']


def reference_apply(text: str, r: RangeSpec, new: str) -> str:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def offset(line: int, character: int) -> int:
        if line >= len(starts):
            return len(text)
        start = starts[line]
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        body = text[start:end]
        body = body[:-2] if body.endswith("\r\n") else body.rstrip("\r\n")
        units = 0
        for i, ch in enumerate(body):
            width = 2 if ord(ch) > 0xFFFF else 1
            if units + width > character:
                return start + i
            units += width
        return start + len(body)

    a, b = offset(r.start_line, r.start_character), offset(r.end_line, r.end_character)
    if b < a:
        raise DocumentError("inverted")
    return text[:a] + new + text[b:]


def assert_consistent(doc: Document, expected: str) -> None:
    assert doc.text == expected
    assert doc.lines.starts == LineIndex(doc.source).starts
    fresh = doc.parser.parse(doc.source)
    assert str(fresh.root_node) == str(doc.tree.root_node)
    assert (fresh.root_node.start_byte, fresh.root_node.end_byte) == (doc.tree.root_node.start_byte, doc.tree.root_node.end_byte)


@pytest.mark.parametrize("seed", range(20))
def test_random_edits_match_reference(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 25)))
        doc = Document("file:///t.py", "python", 1, text)
        for step in range(6):
            lines = len(re.findall(r"\r\n|\r|\n", text)) + 1
            sl = rng.randint(0, lines)
            el = rng.randint(sl, lines)
            r = RangeSpec(sl, rng.randint(0, 6), el, rng.randint(0, 6))
            new = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3)))
            try:
                expected = reference_apply(text, r, new)
            except DocumentError:
                with pytest.raises(DocumentError):
                    doc.apply_changes(step + 2, [(r, new)])
                continue
            doc.apply_changes(step + 2, [(r, new)])
            text = expected
            assert_consistent(doc, text)


def test_multiple_changes_in_one_notification_apply_in_order() -> None:
    doc = Document("file:///t.py", "python", 1, "x = 1\ny = 2\n")
    doc.apply_changes(2, [(RangeSpec(0, 4, 0, 5), "10"), (RangeSpec(1, 0, 1, 0), "z = 3\n"), (None, "w = 4\n")])
    assert_consistent(doc, "w = 4\n")
    doc.apply_changes(3, [(RangeSpec(0, 0, 0, 0), "# 😀\r\n"), (RangeSpec(1, 4, 1, 5), "5")])
    assert_consistent(doc, "# 😀\r\nw = 5\n")


def test_incremental_reparse_reuses_the_old_tree() -> None:
    text = "def f():\n    return 1\n" * 200
    doc = Document("file:///t.py", "python", 1, text)
    old_tree = doc.tree
    doc.apply_changes(2, [(RangeSpec(3, 11, 3, 12), "2")])
    assert doc.tree is not old_tree
    assert_consistent(doc, text[: text.index("1", len("def f():\n    return 1\n") + 5)] + "2" + text[text.index("1", len("def f():\n    return 1\n") + 5) + 1 :])


def test_bad_change_keeps_earlier_changes_and_a_valid_tree() -> None:
    doc = Document("file:///t.py", "python", 1, "abc\n")
    with pytest.raises(DocumentError) as info:
        doc.apply_changes(2, [(RangeSpec(0, 0, 0, 0), "x"), (RangeSpec(0, 3, 0, 1), "y")])
    assert len(info.value.applied) == 1
    assert_consistent(doc, "xabc\n")
    assert doc.version == 2


def test_unsupported_language_keeps_text_without_tree() -> None:
    doc = Document("file:///notes.txt", "plaintext", 1, "hello")
    doc.apply_changes(2, [(RangeSpec(0, 5, 0, 5), " world")])
    assert doc.text == "hello world" and doc.tree is None
