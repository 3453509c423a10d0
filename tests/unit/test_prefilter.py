"""The rule prefilter (analyzers/prefilter.py) skips work, never findings.

Every rule fixture and fixed fixture of every language is analysed with
every rule on every unit and with the prefilter: the findings must be the
same. Renamed imports (`from hashlib import md5 as h`) must still run the
rules their target triggers, in a fresh analysis and after the edit that
adds them in an open document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from draftguard.analyzers import AnalysisConfig, analyze_detailed, make_parser
from draftguard.analyzers.facts import unit_providers
from draftguard.analyzers.languages import spec_for_path
from draftguard.analyzers.prefilter import TRIGGER_ALIASES, applicable_rules, trigger_pattern
from draftguard.analyzers.rules import all_rules
from draftguard.server.documents import Document, RangeSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and spec_for_path(str(p)) is not None)
EVERYTHING = AnalysisConfig(prefilter=False)


def findings(source: bytes, language: str, config: AnalysisConfig = AnalysisConfig()) -> list:
    return analyze_detailed(source, make_parser(language).parse(source), language, config=config).findings


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_prefilter_keeps_every_finding_of_the_fixtures(path: Path) -> None:
    language = spec_for_path(str(path)).id
    source = path.read_bytes()
    assert findings(source, language) == findings(source, language, EVERYTHING)


def test_triggers_are_valid_and_their_languages_know_renamed_imports() -> None:
    for rule in all_rules():
        if trigger_pattern(rule) is None:
            continue
        for family in {language if language != "typescript" else "javascript" for language in rule.languages}:
            facts = {provider.name for provider in unit_providers(family)}
            assert any("trigger_alias" in name for name in facts), f"{rule.id}: {family} has no {TRIGGER_ALIASES} provider"


def test_a_dotted_trigger_is_refused() -> None:
    class Dotted:
        id = "TEST-DOTTED"
        triggers = ("os.system",)

    with pytest.raises(TypeError, match="last part"):
        trigger_pattern(Dotted())


RENAMED = b"""from Crypto.Cipher import AES
from Crypto.Cipher.AES import MODE_ECB as FAST


def encrypt(key, data):
    return AES.new(key, FAST).encrypt(data)
"""


def test_a_renamed_import_runs_the_rules_its_target_triggers() -> None:
    ids = [f.rule_id for f in findings(RENAMED, "python")]
    assert "PY-CRYPTO-001" in ids
    assert ids == [f.rule_id for f in findings(RENAMED, "python", EVERYTHING)]


def test_units_without_trigger_words_skip_the_rule() -> None:
    from draftguard.analyzers.context import AnalysisContext
    from draftguard.analyzers.facts import compute_facts
    from draftguard.analyzers.rules import get_rule

    source = b"def add(a, b):\n    return a + b\n"
    tree = make_parser("python").parse(source)
    facts = compute_facts("python", source, tree.root_node)
    ctx = AnalysisContext(source, tree, "python", facts, tree.root_node.children[0])
    rule = get_rule("PY-CRYPTO-001")
    assert rule not in applicable_rules((rule,), ctx)


def test_adding_a_renamed_import_in_an_open_document_reanalyses_its_users() -> None:
    text = RENAMED.decode().replace("from Crypto.Cipher.AES import MODE_ECB as FAST\n", "FAST = 2\n")
    doc = Document("file:///t.py", "python", 1, text)
    parser = make_parser("python")

    def current() -> list:
        return analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings

    assert "PY-CRYPTO-001" not in [f.rule_id for f in current()]
    doc.apply_changes(2, [(RangeSpec(1, 0, 2, 0), "from Crypto.Cipher.AES import MODE_ECB as FAST\n")])
    got = current()
    assert "PY-CRYPTO-001" in [f.rule_id for f in got]
    assert got == analyze_detailed(doc.source, parser.parse(doc.source), "python").findings
