"""Incremental analysis gives exactly what a from-scratch analysis gives.

A document is edited the way an editor edits it (server.documents: byte
edits, tree.edit, incremental reparse, changed ranges) and after every edit
the findings and module facts of the incremental engine must equal those of
the same tree analysed without a cache. (Not of a fresh parse: in broken
code tree-sitter's incremental reparse may recover from an error differently
than a parse from scratch; test_documents checks the trees.) The texts are
the Python rule fixtures: real flaws, fixes with imports, helpers whose
summaries other functions use, module constants, suppression comments.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftguard.analyzers import AnalysisConfig, analyze_detailed, make_parser
from draftguard.analyzers.engine import analysis_steps
from draftguard.analyzers.facts import compute_facts
from draftguard.server.documents import Document, RangeSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "python"
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.py")) if ".fixed." not in path.name}
SNIPPETS = [
    "x", "(", ")", "'", '"', ":", "\n", "\n\n", "    ", "#", " ", "f", "%", ",",
    "import os\n", "import subprocess as sp\n", "from flask import request\n",
    "from hashlib import md5 as digest\n", "    digest(value)\n",
    "SECRET = 'abc'\n", "PAGE = 10\n",
    "def helper(value):\n    return value\n",
    "def source():\n    return request.args['q']\n",
    "\n@app.post('/drop')\ndef drop(name):\n    sp.run('rm ' + name, shell=True)\n",
    "# draftguard: ignore\n",
    "class Model(db.Model):\n    user_id = db.Column(db.ForeignKey('user.id'))\n",
]
_PARSER = make_parser("python")


def scratch(source: bytes, config: AnalysisConfig = AnalysisConfig(), tree=None) -> list:
    return analyze_detailed(source, tree or _PARSER.parse(source), "python", config=config).findings


def incremental(doc: Document, config: AnalysisConfig = AnalysisConfig(), language: str = "python") -> list:
    return analyze_detailed(doc.source, doc.tree, language, config=config, cache=doc.analysis_cache).findings


def assert_same(doc: Document, config: AnalysisConfig = AnalysisConfig()) -> None:
    got = incremental(doc, config)
    want = scratch(doc.source, config, doc.tree)
    assert got == want
    facts = compute_facts("python", doc.source, doc.tree.root_node, lazy=False)
    assert doc.analysis_cache.facts.data == facts.data


def position(text: str, fraction: float) -> tuple[int, int]:
    lines = text.split("\n")
    line = min(len(lines) - 1, int(fraction * len(lines)))
    return line, int((fraction * 7919) % (len(lines[line]) + 1))


def edit(doc: Document, version: int, where: float, delete: int, insert: str) -> None:
    line, character = position(doc.text, where)
    end_line, end_character = line, character + delete
    rows = doc.text.split("\n")
    if end_character > len(rows[line]) and line + 1 < len(rows):
        end_line, end_character = line + 1, min(end_character - len(rows[line]) - 1, len(rows[line + 1]))
    doc.apply_changes(version, [(RangeSpec(line, character, end_line, end_character), insert)])


edits = st.lists(
    st.tuples(st.floats(0, 0.999), st.integers(0, 12), st.sampled_from(SNIPPETS)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(TEXTS)), steps=edits)
def test_random_edits_give_the_from_scratch_findings(name: str, steps) -> None:
    doc = Document("file:///t.py", "python", 1, TEXTS[name])
    assert_same(doc)
    for version, (where, delete, insert) in enumerate(steps, start=2):
        edit(doc, version, where, delete, insert)
        assert_same(doc)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(TEXTS)), steps=edits, stop=st.integers(0, 6))
def test_abandoned_runs_leave_the_state_consistent(name: str, steps, stop: int) -> None:
    """A run closed part-way (a newer edit superseded it) changes nothing:
    the next run starts from the last finished one plus every edit since."""
    doc = Document("file:///t.py", "python", 1, TEXTS[name])
    incremental(doc)
    for version, (where, delete, insert) in enumerate(steps, start=2):
        edit(doc, version, where, delete, insert)
        run = analysis_steps(doc.source, doc.tree, "python", doc.analysis_cache)
        for _ in range(stop):
            try:
                next(run)
            except StopIteration:
                break
        run.close()
    assert_same(doc)


@pytest.mark.parametrize("seed", range(3))
def test_long_sessions_on_a_large_module(seed: int) -> None:
    """Many fixtures in one module: edits, several changes per notification,
    typing that is undone, a whole-text replacement and a configuration change."""
    rng = random.Random(seed)
    names = rng.sample(sorted(TEXTS), 12)
    doc = Document("file:///big.py", "python", 1, "\n\n".join(TEXTS[n] for n in names))
    assert_same(doc)
    version = 1
    for step in range(60):
        version += 1
        if step == 30:
            doc.apply_changes(version, [(None, doc.text.replace("\n\n\n", "\n\n", 3))])
        else:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                edit(doc, version, rng.random(), rng.choice([0, 0, 1, 3, 40]), rng.choice(SNIPPETS))
        if step % 3 == 0:
            assert_same(doc)
    disabled = AnalysisConfig(disabled_rules=frozenset({"PY-SQLI-001", "PY-CMDI-001"}))
    assert_same(doc, disabled)
    assert_same(doc)


def test_typing_and_deleting_reuses_every_result() -> None:
    text = TEXTS["PY-SQLI-001.py"]
    doc = Document("file:///t.py", "python", 1, text)
    incremental(doc)
    line, character = position(doc.text, 0.5)
    doc.apply_changes(2, [(RangeSpec(line, character, line, character), "x")])
    incremental(doc)
    doc.apply_changes(3, [(RangeSpec(line, character, line, character + 1), "")])
    result = analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache)
    assert result.units_analyzed == 0
    assert result.findings == scratch(doc.source, tree=doc.tree)


def test_a_helper_change_reanalyses_its_callers_only() -> None:
    helper = "def source():\n    return 'constant'\n\n\n"
    callers = "".join(
        f"def caller_{i}(conn):\n    conn.execute('SELECT ' + source())\n\n\n" if i == 3 else f"def other_{i}(conn):\n    conn.execute('SELECT 1')\n\n\n"
        for i in range(8)
    )
    doc = Document("file:///t.py", "python", 1, "from flask import request\n\n\n" + helper + callers)
    before = incremental(doc)
    line = doc.text.split("\n").index("    return 'constant'")
    doc.apply_changes(2, [(RangeSpec(line, 11, line, 21), "request.args['q']")])
    result = analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache)
    assert result.findings == scratch(doc.source, tree=doc.tree) != before
    assert result.units_analyzed == 2  # the helper itself and its one caller


def test_a_new_dependency_picture_reanalyses_only_units_with_imports() -> None:
    """The environment probe answers after a document opened (and manifests
    change): only the units whose rules read the picture run again, and the
    findings are those of an analysis from scratch with the new picture."""
    from tests.rules.fixture_project import FIXTURE_PROJECT

    functions = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(20))
    text = "import flask\nimport reqeusts\nimport yaml\n\n\n" + functions + "def late():\n    import notarealpackagexyz\n    return notarealpackagexyz\n"
    doc = Document("file:///t.py", "python", 1, text)
    assert not any(f.rule_id.startswith("PY-DEP") for f in incremental(doc))  # no picture yet: the dependency rules are quiet
    result = analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache, project=FIXTURE_PROJECT)
    want = analyze_detailed(doc.source, doc.tree, "python", project=FIXTURE_PROJECT).findings
    assert result.findings == want
    assert {f.rule_id for f in want} >= {"PY-DEP-001", "PY-DEP-003"}
    assert result.units_analyzed == 4  # the three imports and `late`, not the twenty helpers
    again = analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache)
    assert again.findings == scratch(doc.source, tree=doc.tree) and again.units_analyzed == 4
