"""Incremental parsing: after any sequence of edits, the document text equals
the edited string and the tree equals a fresh parse."""

from __future__ import annotations

import pytest

from draftguard.server.documents import Document, DocumentError, RangeSpec
from tests.reliability.syncmodel import TextModel, check_document


def assert_consistent(doc: Document, expected: str) -> None:
    """Text, line index and tree (node by node) as a fresh document would have them.
    Random edit sequences are in tests/reliability/test_sync_differential.py."""
    check_document(doc, TextModel(expected, doc.encoding))


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


def test_the_tree_budget_drops_the_oldest_trees_and_parses_them_again() -> None:
    from draftguard.analyzers import parse
    from draftguard.server.documents import DocumentStore, TreeBudget

    store = DocumentStore(budget=TreeBudget(limit=3000))
    text = "def f(a):\n    return a\n\n" * 40  # 960 bytes: three documents fit
    docs = [store.open(f"file:///d{i}.py", "python", 1, text) for i in range(5)]
    assert [d.tree is not None for d in docs] == [True] * 5  # each analysed once after opening
    assert [d._tree is not None for d in docs] == [False, False, True, True, True]
    docs[0].apply_changes(2, [(RangeSpec(0, 4, 0, 5), "g")])  # its old text is parsed again, then edited incrementally
    assert docs[0].tree is not None and str(docs[0].tree.root_node) == str(parse(docs[0].source, "python").root_node)
    assert [d._tree is not None for d in docs] == [True, False, False, True, True]  # the oldest holder made room
    assert docs[1].tree is not None and str(docs[1].tree.root_node) == str(parse(docs[1].source, "python").root_node)
    store.close("file:///d1.py")
    assert all(id(d) != id(docs[1]) for d, _size in store.budget.holders.values())


def test_a_character_typed_before_a_statement_gives_the_fresh_parse() -> None:
    """Where the grammar is ambiguous, tree-sitter could keep an old subtree
    of the edited statement that a fresh parse would not build; the edit it
    is told about covers the whole statement (and the statement after a
    comment or stray text, which what is typed there can glue onto)."""
    from draftguard.analyzers import parse

    call = 'cursor.execute("SELECT * FROM t WHERE id=" + uid)\n'
    for before in ("x = 1\n", " ", "\U0001F600", "# draftguard: ai-begin\n", ""):
        doc = Document("file:///t.py", "python", 1, before + call)
        doc.tree
        line = before.count("\n")
        doc.apply_changes(2, [(RangeSpec(line, 0, line, 0), "*")])
        assert str(doc.tree.root_node) == str(parse(doc.source, "python").root_node), repr(before)
