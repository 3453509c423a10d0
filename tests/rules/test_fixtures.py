"""Every rule fires exactly on its `ruleid` lines and never on its `ok` lines;
every fix in a fixture parses, clears its finding and matches `.fixed`.

Fixtures are analysed as part of the project in fixture_project.py, whose
dependency picture the PY-DEP and JS-DEP rules need."""

from __future__ import annotations

import pytest

from draftguard.analyzers import all_rules, analyze, apply_edits, get_rule, parse, spec_for_path
from tests.annotations import all_fixtures, parse_fixture
from tests.rules.fixrun import rule_config
from tests.rules.fixture_project import FIXTURE_PROJECT

FIXTURE_PATHS = all_fixtures()


def _fired_lines(findings, rule_id: str) -> set[int]:
    return {f.start_point[0] + 1 for f in findings if f.rule_id == rule_id}


def test_every_rule_has_a_fixture() -> None:
    have = {p.name.split(".")[0] for p in FIXTURE_PATHS}
    missing = [r.id for r in all_rules() if r.id not in have]
    assert not missing, f"rules without an annotated fixture: {missing}"


@pytest.mark.parametrize("path", FIXTURE_PATHS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(path) -> None:
    fixture = parse_fixture(path)
    assert fixture.expected.get(fixture.rule_id), f"{path.name} has no `ruleid: {fixture.rule_id}` line"
    assert fixture.ok.get(fixture.rule_id), f"{path.name} has no `ok: {fixture.rule_id}` line"
    source = path.read_bytes()
    spec = spec_for_path(path.name)
    findings = analyze(source, parse(source, spec.id), spec.id, config=rule_config(fixture.rule_id), project=FIXTURE_PROJECT)
    for rule_id in set(fixture.expected) | set(fixture.ok):
        fired = _fired_lines(findings, rule_id)
        expected = fixture.expected.get(rule_id, set())
        missed = sorted(expected - fired)
        assert not missed, f"{rule_id} did not fire on lines {missed} of {path.name}"
        if rule_id == fixture.rule_id:
            extra = sorted(fired - expected)
            assert not extra, f"{rule_id} fired on unannotated lines {extra} of {path.name}"
        noisy = sorted(fixture.ok.get(rule_id, set()) & fired)
        assert not noisy, f"{rule_id} fired on `ok` lines {noisy} of {path.name}"


def apply_all_fixes(source: bytes, language: str, rule_id: str, limit: int = 200) -> bytes:
    """Apply the first fix of each finding of `rule_id`, one at a time,
    re-analysing after each so positions always match the current text."""
    for _ in range(limit):
        findings = [f for f in analyze(source, parse(source, language), language, config=rule_config(rule_id), project=FIXTURE_PROJECT) if f.rule_id == rule_id and f.fixes]
        if not findings:
            return source
        source = apply_edits(source, findings[0].fixes[0].edits)
    raise AssertionError("fixes did not converge")


def _has_error(node) -> bool:
    return node.has_error


@pytest.mark.parametrize(
    "path",
    [p for p in FIXTURE_PATHS if parse_fixture(p).fixed_path.exists()],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_fixes_parse_clear_and_match_expected(path) -> None:
    fixture = parse_fixture(path)
    spec = spec_for_path(path.name)
    source = path.read_bytes()
    before = [f for f in analyze(source, parse(source, spec.id), spec.id, config=rule_config(fixture.rule_id), project=FIXTURE_PROJECT) if f.rule_id == fixture.rule_id]
    fixable = [f for f in before if f.fixes]
    assert fixable, f"{path.name} has a .fixed file but no finding offers a fix"
    fixed = apply_all_fixes(source, spec.id, fixture.rule_id)
    tree = parse(fixed, spec.id)
    assert not _has_error(tree.root_node), "fixed code does not parse"
    after = [f for f in analyze(fixed, tree, spec.id, config=rule_config(fixture.rule_id), project=FIXTURE_PROJECT) if f.rule_id == fixture.rule_id]
    # `<=`: a fix may also unlock another one (PY-HASH-001 fixes a hash helper
    # only after the comparisons that check its output were rewritten).
    assert len(after) <= len(before) - len(fixable), "a fix did not clear its finding"
    assert fixed.decode() == fixture.fixed_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("rule_id", [r.id for r in all_rules() if not r.default_enabled])
def test_rules_off_by_default_stay_silent_by_default(rule_id) -> None:
    """An off-by-default rule fires on its fixture only when enabled."""
    paths = [p for p in FIXTURE_PATHS if p.name.split(".")[0] == rule_id]
    assert paths, f"{rule_id} has no fixture"
    for path in paths:
        source = path.read_bytes()
        spec = spec_for_path(path.name)
        assert not [f for f in analyze(source, parse(source, spec.id), spec.id) if f.rule_id == rule_id]
    assert get_rule(rule_id).documentation(), "say in the rule's documentation why it is off by default"
