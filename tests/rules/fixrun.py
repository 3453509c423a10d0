"""Run original and fixed code side by side, to prove a fix keeps behaviour.

The code under test is written to a temporary module and imported: the test
suite never evaluates strings of code.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType

from draftguard.analyzers import AnalysisConfig, analyze, apply_edits, parse

_counter = itertools.count()


def load_module(source: bytes | str, directory: Path) -> ModuleType:
    data = source.encode() if isinstance(source, str) else source
    path = directory / f"fixture_module_{next(_counter)}.py"
    path.write_bytes(data)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_config(rule_id: str) -> AnalysisConfig:
    return AnalysisConfig(enabled_rules=frozenset({rule_id}))  # also rules that are off by default


def fix_once(source: str, rule_id: str, language: str = "python") -> str:
    """Apply every offered fix of `rule_id`, one finding at a time."""
    data = source.encode()
    for _ in range(50):
        findings = [f for f in analyze(data, parse(data, language), language, config=rule_config(rule_id)) if f.rule_id == rule_id and f.fixes]
        if not findings:
            return data.decode()
        data = apply_edits(data, findings[0].fixes[0].edits)
    raise AssertionError("fixes did not converge")


def findings_of(source: str, rule_id: str, language: str = "python"):
    data = source.encode()
    return [f for f in analyze(data, parse(data, language), language, config=rule_config(rule_id)) if f.rule_id == rule_id]


STAND_IN_APP = (
    "class _App:\n    def post(self, path):\n        return lambda handler: handler\n\n\napp = _App()\n\n\n"
)
"""Source of a stand-in web app: parameters of a function decorated with
`@app.post(...)` are request input to the analyzers, and the code runs with
no web framework installed."""


def original_and_fixed(source: str, rule_id: str, directory: Path, attribute: str = "run"):
    """Check that `rule_id` flags `source` and its fixes clear the findings, then
    load both versions and return (original `attribute`, fixed `attribute`, fixed text)."""
    assert findings_of(source, rule_id), f"{rule_id} must flag the snippet"
    fixed = fix_once(source, rule_id)
    assert fixed != source, "a fix must be offered"
    assert not findings_of(fixed, rule_id), "the fix must clear the finding"
    before = getattr(load_module(source, directory), attribute)
    after = getattr(load_module(fixed, directory), attribute)
    return before, after, fixed
