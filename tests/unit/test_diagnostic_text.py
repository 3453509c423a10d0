"""Published diagnostics built from per-unit templates equal a full conversion.

`server.diagnostic_text` renders a moved finding from the template of its
first rendering instead of converting every position again; after any edit
(lines added and removed above findings, edits inside them, imports added by
fixes, non-ASCII text whose UTF-16 columns differ from bytes, lone `\\r` line
breaks) each text must be exactly `json.dumps(diagnostic_json(doc, finding))`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from draftguard.analyzers import analyze
from draftguard.server.convert import diagnostic_json
from draftguard.server import diagnostic_text
from draftguard.server.diagnostic_text import DiagnosticTexts
from draftguard.server.documents import Document, RangeSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "python"
NAMES = sorted(p.name for p in FIXTURES.glob("*.py") if ".fixed." not in p.name)
SNIPPETS = ["x", "\n", "\n\n", "", "é", "😀", "# draftguard: ignore\n", "import hmac\n", "(", "    ", "\r"]


def check(doc: Document, texts: DiagnosticTexts) -> int:
    findings = analyze(doc.source, doc.tree, "python", cache=doc.analysis_cache)
    got = texts.render(doc, findings)
    assert got == [json.dumps(diagnostic_json(doc, f)) for f in findings]
    return len(findings)


@pytest.mark.parametrize("seed", range(4))
def test_templates_render_what_a_full_conversion_gives(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n\n".join((FIXTURES / name).read_text(encoding="utf-8") for name in rng.sample(NAMES, 10) + ["PY-SQLI-001.py"])
    doc = Document("file:///t.py", "python", 1, "é = '😀'\n" + text, encoding=rng.choice(["utf-16", "utf-8", "utf-32"]))
    texts = DiagnosticTexts()
    assert check(doc, texts) > 0
    for version in range(2, 60):
        rows = doc.text.split("\n")
        line = rng.randrange(len(rows))
        character = rng.randint(0, len(rows[line]))
        end = min(len(rows[line]), character + rng.choice([0, 0, 1, 4]))
        doc.apply_changes(version, [(RangeSpec(line, character, line, end), rng.choice(SNIPPETS))])
        check(doc, texts)


def test_a_moved_finding_is_rendered_from_its_template(monkeypatch) -> None:
    names = NAMES[:12] + ["PY-SQLI-001.py", "PY-CMDI-001.py"]  # messages that name a line ("built on line N")
    text = "\n\n".join((FIXTURES / name).read_text(encoding="utf-8") for name in names)
    doc = Document("file:///t.py", "python", 1, text)
    texts = DiagnosticTexts()
    count = check(doc, texts)
    built = []
    original = diagnostic_text._template
    monkeypatch.setattr(diagnostic_text, "_template", lambda *args: built.append(args) or original(*args))
    rows = text.split("\n")
    first = len(text[:8192].split("\n"))  # past where added imports go: an edit above them renders everything again
    blank = next(i for i in range(first, len(rows)) if rows[i] == rows[i - 1] == "")
    doc.apply_changes(2, [(RangeSpec(blank, 0, blank, 0), "\n\n")])  # the findings below move down two lines
    assert check(doc, texts) == count
    assert built == []
    moved = [f for f in analyze(doc.source, doc.tree, "python", cache=doc.analysis_cache) if f.start_point[0] > blank and f.anchor]
    assert moved and any("\x00" in f.anchor[0].message for f in moved)
