"""Sliced reparsing and provisional findings (server.documents, analyzers.incremental).

A reparse that a deadline stops resumes where it stopped; edits made while
it is stopped are replayed on the tree it gives; whatever the interleaving,
the tree in the end is the tree of the text, and the incremental analysis
gives the from-scratch findings. Provisional findings (the edited statements
parsed on their own) equal the full analysis when the edit changes no
module fact, and are None when there is nothing to base them on.
"""

from __future__ import annotations


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftguard.analyzers import AnalysisConfig
from draftguard.analyzers.engine import provisional_findings
from draftguard.server.documents import Document, RangeSpec

from .test_incremental import SNIPPETS, TEXTS, _PARSER, assert_same, edit, incremental

PAST = 0.0
"""A deadline that has always passed: every reparse call stops at its first look at the clock."""


def stopped_part_way(doc: Document, calls: int) -> bool:
    """Run up to `calls` reparse calls that stop at once; whether one finished."""
    return any(doc.reparse(PAST) for _ in range(calls))


def same_tree(doc: Document) -> bool:
    return str(doc.tree.root_node) == str(_PARSER.parse(doc.source).root_node)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(TEXTS)),
    steps=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 12), st.sampled_from(SNIPPETS), st.integers(0, 3)), min_size=1, max_size=8),
)
def test_edits_during_a_stopped_parse_are_replayed(name: str, steps) -> None:
    doc = Document("file:///t.py", "python", 1, TEXTS[name])
    incremental(doc)
    for version, (where, delete, insert, calls) in enumerate(steps, start=2):
        edit(doc, version, where, delete, insert)
        stopped_part_way(doc, calls)
    assert_same(doc)  # forces the rest of the parse: the incremental findings equal the from-scratch ones
    if not doc.tree.root_node.has_error:  # in broken code error recovery may differ from a fresh parse
        assert same_tree(doc)


def test_a_stopped_parse_resumes_and_newer_edits_do_not_restart_it() -> None:
    text = "\n\n".join(TEXTS[name] for name in sorted(TEXTS)[:40])
    doc = Document("file:///big.py", "python", 1, text)
    assert doc.reparse(PAST) is False and doc.parse_under_way
    edit(doc, 2, 0.5, 0, "x")
    assert doc.parse_under_way, "an edit must not throw the parse away"
    calls = 1
    while not doc.reparse(PAST):
        calls += 1
    assert calls > 2 and doc.tree_is_current
    assert same_tree(doc) or doc.tree.root_node.has_error


def test_a_whole_text_change_starts_the_parse_again() -> None:
    doc = Document("file:///t.py", "python", 1, TEXTS["PY-SQLI-001.py"])
    doc.reparse(PAST)
    doc.apply_changes(2, [(None, "x = 1\n")])
    assert str(doc.tree.root_node) == str(_PARSER.parse(b"x = 1\n").root_node)


def test_sliced_parses_read_the_bytes_themselves() -> None:
    """A sliced parse reads the text as bytes (tree-sitter's timeout), not
    through a read callback: py-tree-sitter keeps every chunk a callback
    returns (the server grew by 300 MB over 10,000 edits), and a tree parsed
    that way crashes the process on `Node.text`."""
    doc = Document("file:///t.py", "python", 1, TEXTS["PY-SQLI-001.py"])
    while not doc.reparse(PAST):
        pass
    edit(doc, 2, 0.5, 0, "x")
    while not doc.reparse(PAST):
        pass
    first = doc.tree.root_node.children[0]
    assert first.text == doc.source[first.start_byte : first.end_byte]


def test_a_region_parses_alone_with_its_positions_in_the_file() -> None:
    doc = Document("file:///t.py", "python", 1, TEXTS["PY-SQLI-001.py"])
    root = doc.tree.root_node
    unit = next(child for child in root.children if child.type == "function_definition" and child.start_point.row > 3)
    line_start = doc.source.rfind(b"\n", 0, unit.start_byte) + 1
    region = doc.parse_region(line_start, unit.end_byte)
    (alone,) = [child for child in region.root_node.children if child.end_byte > child.start_byte]
    assert (alone.start_byte, alone.end_byte, alone.start_point) == (unit.start_byte, unit.end_byte, unit.start_point)
    assert str(alone) == str(unit)


# -- provisional findings ---------------------------------------------------------------
SERVICE = '''import sqlite3

from flask import Flask, request

app = Flask(__name__)


def helper(value):
    return value.strip()


@app.get("/users")
def users():
    db = sqlite3.connect("app.db")
    name = request.args.get("name", "")
    return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()


@app.get("/orders")
def orders():
    db = sqlite3.connect("app.db")
    return db.execute("SELECT * FROM orders").fetchall()
'''


def provisional(doc: Document) -> list | None:
    return provisional_findings(doc.source, "python", doc.analysis_cache, doc.parse_region, config=AnalysisConfig())


def replace(doc: Document, version: int, old: str, new: str) -> None:
    offset = doc.text.index(old)
    line = doc.text.count("\n", 0, offset)
    character = offset - (doc.text.rfind("\n", 0, offset) + 1)
    doc.apply_changes(version, [(RangeSpec(line, character, line, character + len(old)), new)])


def test_provisional_findings_of_an_edited_function_equal_the_full_analysis() -> None:
    doc = Document("file:///service.py", "python", 1, SERVICE)
    assert incremental(doc) == [] and provisional(doc) is None  # no edit since the analysis
    replace(doc, 2, '"SELECT * FROM users WHERE name = ?", (name,)', 'f"SELECT * FROM users WHERE name = \'{name}\'"')
    early = provisional(doc)
    full = incremental(doc)
    assert [f.rule_id for f in full] == ["PY-SQLI-001"]
    assert early == full


def test_provisional_findings_keep_other_functions_while_one_is_broken() -> None:
    doc = Document("file:///service.py", "python", 1, SERVICE.replace("(name,)).fetchall()", "(name,)).fetchall()\n    db.execute('DELETE FROM t WHERE n = ' + name)"))
    before = incremental(doc)
    assert [f.rule_id for f in before] == ["PY-SQLI-001"]
    replace(doc, 2, "def orders():", "def orders(:")  # a syntax error in another function
    early = provisional(doc)
    assert [(f.rule_id, f.start_byte) for f in early] == [(f.rule_id, f.start_byte) for f in before]


def test_no_provisional_findings_before_the_first_analysis_or_for_a_huge_gap() -> None:
    doc = Document("file:///service.py", "python", 1, SERVICE)
    replace(doc, 2, "helper", "helpers")
    assert provisional(doc) is None  # nothing analysed yet
    incremental(doc)
    doc.apply_changes(3, [(RangeSpec(0, 0, 0, 0), "X = 1\n" * 20000)])
    assert provisional(doc) is None  # a 120 KB paste: wait for the full analysis


def test_a_provisional_pass_leaves_the_full_analysis_unchanged() -> None:
    doc = Document("file:///service.py", "python", 1, SERVICE)
    incremental(doc)
    replace(doc, 2, "return value.strip()", "return value")
    provisional(doc)
    assert_same(doc)


EXPRESS = """const express = require("express");
const app = express();

app.get("/calc", (req, res) => {
  const total = Number(req.query.a) + Number(req.query.b);
  res.json({ total });
});

app.get("/health", (req, res) => res.send("ok"));
"""


def test_provisional_findings_in_javascript() -> None:
    doc = Document("file:///app.js", "javascript", 1, EXPRESS)
    assert incremental(doc, language="javascript") == []
    replace(doc, 2, "Number(req.query.a) + Number(req.query.b)", "eval(req.query.expr)")
    early = provisional_findings(doc.source, "javascript", doc.analysis_cache, doc.parse_region, config=AnalysisConfig())
    full = incremental(doc, language="javascript")
    assert [f.rule_id for f in full] == ["JS-EVAL-001"] and early == full
