"""Fix diffs (server/fix_diff.py): windows around the edits must read as the
diff of the whole file, in the editor's line numbers."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from draftguard.analyzers import Edit, analyze, apply_edits, parse
from draftguard.server.fix_diff import MAX_LINES, fix_diff

REPO = Path(__file__).resolve().parents[2]
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _lines(text: str) -> list[str]:
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _whole_file_diff(source: bytes, edits, name: str) -> str:
    before = _lines(source.decode())
    after = _lines(apply_edits(source, edits).decode())
    whole = list(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}", n=1, lineterm=""))
    if len(whole) > MAX_LINES:
        whole = whole[:MAX_LINES] + ["… (diff shortened)"]
    return "\n".join(whole)


def _patch(before: list[str], diff: str) -> list[str]:
    """Apply a unified diff to lines, checking every context and removed line."""
    out: list[str] = []
    cursor = 0
    lines = diff.split("\n")[2:]
    i = 0
    while i < len(lines):
        match = _HUNK.match(lines[i])
        assert match, lines[i]
        start, length = int(match.group(1)), int(match.group(2) or 1)
        begin = start - 1 if length else start  # a hunk that removes nothing names the line before it
        assert begin >= cursor
        out.extend(before[cursor:begin])
        cursor = begin
        i += 1
        while i < len(lines) and not lines[i].startswith("@@ "):
            kind, text = lines[i][:1], lines[i][1:]
            if kind in (" ", "-"):
                assert before[cursor] == text, (cursor, before[cursor], text)
                cursor += 1
            if kind in (" ", "+"):
                out.append(text)
            i += 1
    return out + before[cursor:]


def test_fix_diffs_of_every_fixture_read_as_whole_file_diffs() -> None:
    fixes = 0
    for path in sorted((REPO / "tests" / "fixtures" / "python").glob("*.py")):
        source = path.read_bytes()
        for finding in analyze(source, parse(source, "python"), "python"):
            for fix in finding.fixes:
                assert fix_diff(source, fix.edits, path.name) == _whole_file_diff(source, fix.edits, path.name), (path.name, finding.rule_id, fix.title)
                fixes += 1
    assert fixes > 50


def test_edits_far_apart_give_one_hunk_each_at_their_lines() -> None:
    source = "".join(f"line {n}\n" for n in range(1, 101)).encode()
    top = source.index(b"line 1\n")
    far = source.index(b"line 80\n")
    edits = (Edit(top, top, "import shlex\n"), Edit(far, far + len(b"line 80"), "LINE 80"))
    diff = fix_diff(source, edits, "m.py")
    assert diff == _whole_file_diff(source, edits, "m.py")
    assert [line for line in diff.split("\n") if line.startswith("@@")] == ["@@ -1 +1,2 @@", "@@ -79,3 +80,3 @@"]


def test_hunk_lines_are_editor_lines_not_form_feed_pieces() -> None:
    """A form feed (old Python sources have them) does not end a line for an
    editor; the hunk must name the line the editor shows."""
    source = b"import os\n\x0c\ndef f(x):\n    a = 1\x0c b = 2\n    return os.system(x)\n"
    start = source.index(b"os.system")
    diff = fix_diff(source, (Edit(start, start + 2, "XX"),), "m.py")
    assert "@@ -4,2 +4,2 @@" in diff, diff  # str.splitlines would say line 6
    assert "-    return os.system(x)" in diff and "+    return XX.system(x)" in diff


def test_crlf_and_a_missing_final_newline() -> None:
    source = b"a = 1\r\nb = 2\r\nc = 3"
    end = len(source)
    edits = (Edit(end - 1, end, "4"),)
    assert fix_diff(source, edits, "m.py") == "--- a/m.py\n+++ b/m.py\n@@ -2,2 +2,2 @@\n b = 2\n-c = 3\n+c = 4"


def test_edits_that_cannot_apply_give_no_diff() -> None:
    source = b"x = 1\ny = 2\n"
    assert fix_diff(source, (Edit(0, 3, "a"), Edit(2, 4, "b")), "m.py") == ""  # overlapping
    assert fix_diff(source, (Edit(5, 99, "a"),), "m.py") == ""  # past the end
    assert fix_diff(source, (), "m.py") == ""
    assert fix_diff(source, (Edit(0, 1, "x"),), "m.py") == ""  # changes nothing


_LINE = st.sampled_from(["", "x = 1", "    return x", "def f():", "  ", "# note", "y = f(x)"])


@st.composite
def _file_and_edits(draw):
    lines = draw(st.lists(_LINE, min_size=2, max_size=120))
    breaks = draw(st.sampled_from(["\n", "\r\n"]))
    source = (breaks.join(lines) + draw(st.sampled_from(["", breaks]))).encode() or b"\n"
    cuts = sorted(draw(st.lists(st.integers(0, len(source)), min_size=2, max_size=min(8, len(source) + 1), unique=True)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if source[start - 1 : start + 1] == b"\r\n" or source[end - 1 : end + 1] == b"\r\n":
            continue  # never split a line break in two
        edits.append(Edit(start, end, draw(st.sampled_from(["", "z", "new()\n", "\n\n", "q = 2\nr = 3"])).replace("\n", breaks)))
    return source, tuple(edits)


@settings(max_examples=300, deadline=None)
@given(_file_and_edits())
def test_a_fix_diff_patches_the_file_into_the_fixed_file(case) -> None:
    source, edits = case
    diff = fix_diff(source, edits, "m.py")
    before, after = _lines(source.decode()), _lines(apply_edits(source, edits).decode())
    if before == after:
        assert diff == ""
        return
    if diff.endswith("… (diff shortened)"):
        return
    assert diff.startswith("--- a/m.py\n+++ b/m.py\n@@ ")
    assert _patch(before, diff) == after
