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
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _edit_brings_rule(text: str, change: tuple[RangeSpec, str], rule_id: str) -> None:
    """In an open Python document, `rule_id` reports nothing before `change`
    and something after it, as a fresh analysis of the edited text does."""
    doc = Document("file:///t.py", "python", 1, text)

    def current() -> list:
        return analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings

    assert rule_id not in [f.rule_id for f in current()]
    doc.apply_changes(2, [change])
    got = current()
    assert rule_id in [f.rule_id for f in got]
    assert got == analyze_detailed(doc.source, make_parser("python").parse(doc.source), "python").findings


def test_adding_a_renamed_import_in_an_open_document_reanalyses_its_users() -> None:
    text = RENAMED.decode().replace("from Crypto.Cipher.AES import MODE_ECB as FAST\n", "FAST = 2\n")
    _edit_brings_rule(text, (RangeSpec(1, 0, 2, 0), "from Crypto.Cipher.AES import MODE_ECB as FAST\n"), "PY-CRYPTO-001")


def _naive(rules, ctx) -> list:
    """The definition: a rule runs when one of its triggers occurs anywhere in the unit's text."""
    text = ctx.source[ctx.unit.start_byte : ctx.unit.end_byte]
    return [r for r in rules if trigger_pattern(r) is None or trigger_pattern(r).search(text)]


@pytest.mark.parametrize("language", ["python", "javascript", "typescript"])
def test_the_word_index_selects_what_searching_every_trigger_selects(language: str) -> None:
    from draftguard.analyzers.context import AnalysisContext
    from draftguard.analyzers.facts import ModuleFacts
    from draftguard.analyzers.rules import rules_for
    from draftguard.analyzers.languages import get_spec

    rules = tuple(r for r in rules_for(get_spec(language).rule_family) if r.scope == "unit")
    no_aliases = ModuleFacts({})
    checked = 0
    for path in FILES:
        if spec_for_path(str(path)).id != language:
            continue
        source = path.read_bytes()
        tree = make_parser(language).parse(source)
        for unit in tree.root_node.children:
            ctx = AnalysisContext(source, tree, language, no_aliases, unit)
            assert list(applicable_rules(rules, ctx)) == _naive(rules, ctx), (path.name, unit.start_point)
            checked += 1
    assert checked > 50


def _all_triggers() -> list[str]:
    return sorted({t for r in all_rules() if getattr(r, "triggers", None) for t in r.triggers})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_all_triggers()), st.sampled_from(["x", "_", "9", " ", ".", "=", "(", "'", "é", "\n", "A", "f" * 70])), max_size=30))
def test_the_word_index_agrees_with_searching_on_any_text(pieces: list[str]) -> None:
    from draftguard.analyzers.context import AnalysisContext
    from draftguard.analyzers.facts import ModuleFacts
    from draftguard.analyzers.rules import rules_for

    source = "".join(pieces).encode("utf-8")
    tree = make_parser("python").parse(source)
    ctx = AnalysisContext(source, tree, "python", ModuleFacts({}), tree.root_node)
    rules = tuple(rules_for("python"))
    assert list(applicable_rules(rules, ctx)) == _naive(rules, ctx)


@pytest.mark.parametrize("word", ["execute", "f" * 70 + "execute", "execute" + "9" * 200])
def test_triggers_inside_long_and_short_words_are_found(word: str) -> None:
    from draftguard.analyzers.context import AnalysisContext
    from draftguard.analyzers.facts import ModuleFacts
    from draftguard.analyzers.rules import get_rule

    source = f"def run(cur, q):\n    cur.{word}(q)\n".encode()
    tree = make_parser("python").parse(source)
    ctx = AnalysisContext(source, tree, "python", ModuleFacts({}), tree.root_node.children[0])
    rule = get_rule("PY-SQLI-001")
    assert list(applicable_rules((rule,), ctx)) == [rule]


# -- JavaScript/TypeScript: imports whose local name hides what they refer to --------------------------

_ROUTE = """
const app = express();
app.get("/x", async (req, res) => {
  CALL;
});
"""

JS_RENAMED = {
    "named import renamed": ('import { exec as run } from "child_process";', "run(`ls ${req.query.dir}`)", "JS-CMDI-001"),
    "destructured require renamed": ('const { exec: run } = require("child_process");', "run(`ls ${req.query.dir}`)", "JS-CMDI-001"),
    "quoted destructuring key": ('const { "exec": run } = require("node:child_process");', "run(`ls ${req.query.dir}`)", "JS-CMDI-001"),
    "member of a require": ('const run = require("child_process").exec;', "run(`ls ${req.query.dir}`)", "JS-CMDI-001"),
    "promisified in another unit": (
        'const { exec } = require("child_process");\nconst run = util.promisify(exec);', "await run(`ls ${req.query.dir}`)", "JS-CMDI-001",
    ),
    "default import of a function": ('import grab from "node-fetch";', "await grab(req.query.url)", "JS-SSRF-001"),
    "namespace import (module trigger)": ('import * as h from "http";', "h.get(req.query.url)", "JS-SSRF-001"),
    "default require (module trigger)": ('const client = require("axios");', "await client.post(req.body.webhook)", "JS-SSRF-001"),
    "named import keeping its name (module trigger)": ('import { get } from "axios";', "await get(req.query.url)", "JS-SSRF-001"),
    "fs function renamed": ('import { readFile as load } from "fs/promises";', "await load(req.query.name)", "JS-PATH-001"),
    "exported require": ('export const run = require("child_process").execSync;', "run(`ls ${req.query.dir}`)", "JS-CMDI-001"),
}


@pytest.mark.parametrize("language", ["javascript", "typescript"])
@pytest.mark.parametrize("case", sorted(JS_RENAMED))
def test_a_javascript_import_that_hides_the_name_runs_the_rules_its_target_triggers(case: str, language: str) -> None:
    imports, call, rule_id = JS_RENAMED[case]
    source = f'import express from "express";\n{imports}\n{_ROUTE.replace("CALL", call)}'.encode()
    got = findings(source, language)
    assert rule_id in [f.rule_id for f in got]
    assert got == findings(source, language, EVERYTHING)


def test_javascript_imports_that_show_the_name_need_no_alias() -> None:
    source = b'import { exec } from "child_process";\nimport { exec as run } from "child_process";\nimport cp from "child_process";\n'
    tree = make_parser("javascript").parse(source)
    from draftguard.analyzers.facts import compute_facts

    aliases = compute_facts("javascript", source, tree.root_node).get(TRIGGER_ALIASES)
    assert "exec" not in aliases  # its own text triggers what `child_process.exec` triggers
    assert "JS-CMDI-001" in aliases["run"]
    assert "cp" not in aliases  # `cp.exec(...)` shows `exec`


@pytest.mark.parametrize(
    "before, after",
    [
        ("const run = console.log;\n", 'const { exec: run } = require("child_process");\n'),
        # the alias's unit is unchanged: its target changes with the import in the unit before it
        ("const exec = console.log;\nconst run = util.promisify(exec);\n", 'const { exec } = require("child_process");\nconst run = util.promisify(exec);\n'),
    ],
    ids=["the renaming import", "the import a promisified name resolves through"],
)
def test_adding_a_javascript_import_in_an_open_document_reanalyses_the_units_using_its_alias(before: str, after: str) -> None:
    route = _ROUTE.replace("CALL", "run(`ls ${req.query.dir}`)")
    doc = Document("file:///t.js", "javascript", 1, f'import express from "express";\n{before}{route}')
    parser = make_parser("javascript")

    def current() -> list:
        return analyze_detailed(doc.source, doc.tree, "javascript", cache=doc.analysis_cache).findings

    assert "JS-CMDI-001" not in [f.rule_id for f in current()]
    doc.apply_changes(2, [(RangeSpec(1, 0, 2, 0), after.split("\n")[0] + "\n")])
    got = current()
    assert "JS-CMDI-001" in [f.rule_id for f in got]
    assert got == analyze_detailed(doc.source, parser.parse(doc.source), "javascript").findings


FROM_MODULE = b"""from flask import Flask, request
from requests import get

app = Flask(__name__)


@app.route("/preview")
def preview():
    return get(request.args["url"]).text
"""


def test_a_name_imported_from_a_trigger_module_runs_the_rule_where_it_is_used() -> None:
    ids = [f.rule_id for f in findings(FROM_MODULE, "python")]
    assert "PY-SSRF-001" in ids and "PY-TIMEOUT-001" in ids
    assert ids == [f.rule_id for f in findings(FROM_MODULE, "python", EVERYTHING)]


def test_importing_from_a_trigger_module_in_an_open_document_reanalyses_its_users() -> None:
    text = FROM_MODULE.decode().replace("from requests import get\n", "from helpers import get\n")
    _edit_brings_rule(text, (RangeSpec(1, 5, 1, 12), "requests"), "PY-SSRF-001")
