"""Differential fuzzing of incremental sync (hypothesis).

Random notifications of LSP content changes (inserts, deletes, replacements,
whole-document replacements, several changes per notification, inverted
ranges) with CRLF, lone CR, tabs, emoji, combining characters, CJK, lone
surrogates and positions inside surrogate pairs, past line ends and past the
end of the document go through the server's document code. After every
notification the text must equal the reference model's, the line index a
fresh scan, the tree a fresh parse node by node (types, flags, byte ranges,
points), and the AI regions must stay inside the document and move like
editor markers through edits that do not touch them.

CI runs a few thousand examples (`DRAFTGUARD_FUZZ_EXAMPLES` scales it);
`bench/soak.py` runs far more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftguard.server.documents import Document, RangeSpec
from draftguard.server.positions import UTF16, offset_to_position, position_to_offset

from .syncfuzz import Session, changes, encodings, fragments, languages
from .syncmodel import TextModel, check_document

EXAMPLES = int(os.environ.get("DRAFTGUARD_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(data=st.data(), language=languages(), encoding=encodings(), initial=fragments)
def test_edit_sessions_match_the_reference_models(data, language, encoding, initial) -> None:
    session = Session.open(language[0], language[1], initial, encoding)
    for _ in range(data.draw(st.integers(0, 3), label="regions")):
        size = len(session.doc.source)
        start = data.draw(st.integers(0, size), label="region start")
        session.add_region(start, data.draw(st.integers(start, size), label="region end"))
    for _ in range(data.draw(st.integers(1, 8), label="notifications")):
        session.notify(data.draw(changes(session.model), label="changes"))


@settings(max_examples=max(100, EXAMPLES // 3), deadline=None)
@given(text=fragments, encoding=encodings(), data=st.data())
def test_offsets_and_positions_round_trip(text, encoding, data) -> None:
    """Every character boundary maps to a position and back; positions past
    a line's end map to the line's end."""
    doc = Document("file:///w/t.py", "python", 1, text, encoding)
    model = TextModel(text, encoding)
    check_document(doc, model)
    boundaries = sorted({len(model.text[:i].encode("utf-8")) for i in range(len(model.text) + 1)})
    offset = data.draw(st.sampled_from(boundaries))
    line, character = offset_to_position(doc.source, doc.lines, offset, encoding)
    back = position_to_offset(doc.source, doc.lines, line, character, encoding)
    line_start, line_end = doc.lines.line_bounds(doc.source, line)
    assert line_start <= back <= line_end
    assert back == min(offset, line_end), "a position between \\r and \\n is the line's end; any other boundary maps back to itself"
    assert len(model.text[: model.index(line, character)].encode("utf-8")) == back


def test_lone_surrogates_from_a_client_are_stored_as_replacement_characters() -> None:
    """JSON can carry a lone surrogate; the server stores valid UTF-8 with
    the same number of code units, so later positions still line up."""
    doc = Document("file:///w/t.py", "python", 1, "a\ud83db = 1\n", UTF16)
    assert doc.source == "a\ufffdb = 1\n".encode()
    doc.apply_changes(2, [(RangeSpec(0, 2, 0, 3), "c\ude00")])
    assert doc.text == "a\ufffdc\ufffd = 1\n"
    check_document(doc, TextModel("a\ud83dc\ude00 = 1\n"))
