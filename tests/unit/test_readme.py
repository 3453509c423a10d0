"""The README's rule table is generated from the registry and must be current."""

from pathlib import Path

from draftguard.analyzers.docs import render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: python -m draftguard.analyzers.docs --write README.md"


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head
