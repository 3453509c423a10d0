"""`draftguard: ai-begin` / `ai-end` markers in every comment syntax."""

from __future__ import annotations

from draftguard.analyzers import get_spec, parse
from draftguard.server.regions.markers import scan_markers


def spans(text: str, language: str = "python", with_tree: bool = True):
    source = text.encode()
    tree = parse(source, language) if with_tree else None
    return [(source[s.start : s.end].decode(), s.begin_line, s.end_line, s.source, s.model) for s in scan_markers(source, get_spec(language), tree)]


def test_python_line_comments() -> None:
    text = "import os\n# draftguard: ai-begin model=gpt-4o source=copilot\nx = os.system(cmd)\ny = 2\n    # draftguard: ai-end\nz = 3\n"
    assert spans(text) == [("x = os.system(cmd)\ny = 2", 1, 4, "copilot", "gpt-4o")]


def test_javascript_line_and_block_comments() -> None:
    text = (
        "const a = 1;\n// draftguard: ai-begin\nexec(cmd);\n// draftguard: ai-end\n"
        "/* draftguard: ai-begin tool=cursor */\nfoo(bar);\n/* draftguard: ai-end */\n"
        "/*\n * draftguard: ai-begin\n */\nlast();\n/*\n * draftguard: ai-end\n */\n"
    )
    assert [s[0] for s in spans(text, "javascript")] == ["exec(cmd);", "foo(bar);", "last();"]
    assert [s[0] for s in spans(text, "javascript", with_tree=False)] == ["exec(cmd);", "foo(bar);", "last();"]
    assert spans(text, "javascript")[1][3] == "cursor"


def test_typescript_uses_its_own_comment_syntax() -> None:
    text = "let a: number = 1;\n// draftguard: ai-begin\nrun(a);\n// draftguard: ai-end\n"
    assert [s[0] for s in spans(text, "typescript")] == ["run(a);"]


def test_unclosed_begin_runs_to_the_end_of_the_file() -> None:
    assert spans("a = 1\n# draftguard: ai-begin\nb = 2\nc = 3\n") == [("b = 2\nc = 3", 1, None, None, None)]


def test_stray_end_and_nested_begin_are_ignored() -> None:
    text = "# draftguard: ai-end\n# draftguard: ai-begin\na = 1\n# draftguard: ai-begin\nb = 2\n# draftguard: ai-end\nc = 3\n"
    assert [s[0] for s in spans(text)] == ["a = 1\n# draftguard: ai-begin\nb = 2"]


def test_markers_inside_strings_are_not_markers() -> None:
    text = 'doc = "# draftguard: ai-begin"\nx = 1\nend = "# draftguard: ai-end"\n'
    assert spans(text) == []
    assert spans('x = "draftguard: ai-begin"\ny = 2\n', with_tree=False) == []


def test_empty_pair_makes_no_region() -> None:
    assert spans("# draftguard: ai-begin\n\n# draftguard: ai-end\n") == []


def test_crlf_files() -> None:
    text = "a = 1\r\n# draftguard: ai-begin\r\nb = 2\r\n# draftguard: ai-end\r\n"
    assert [s[0] for s in spans(text)] == ["b = 2"]


def test_markers_on_one_line_fence_the_code_between_them() -> None:
    text = "let a = 1; /* draftguard: ai-begin */ eval(input); /* draftguard: ai-end */ let b = 2;\n"
    assert [s[0] for s in spans(text, "javascript")] == ["eval(input);"]
    assert [s[0] for s in spans(text, "javascript", with_tree=False)] == ["eval(input);"]


def test_trailing_marker_comment_starts_the_region_on_the_next_line() -> None:
    text = "a = 1  # draftguard: ai-begin\nb = 2\nc = 3  # draftguard: ai-end\nd = 4\n"
    assert [s[0] for s in spans(text)] == ["b = 2\nc = 3"]
