"""PY-YAML-001/002 fix: the same data for plain YAML, no Python objects for hostile YAML."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import STAND_IN_APP, findings_of, fix_once, load_module, original_and_fixed

yaml = pytest.importorskip("yaml")

PLAIN = """\
name: service
port: 8080
debug: false
ratio: 0.25
started: 2024-05-01
tags: [a, b, "c d"]
nested:
  - {k: v, n: null}
  - 2
"""
# Calls a function while parsing: with the unsafe loaders this returns 3.
HOSTILE = "!!python/object/apply:builtins.len [[1, 2, 3]]\n"

CASES = {
    "loader_keyword": "import yaml\n\ndef run(text):\n    return yaml.load(text, Loader=yaml.Loader)\n",
    "loader_positional": "import yaml\n\ndef run(text):\n    return yaml.load(text, yaml.UnsafeLoader)\n",
    "unsafe_load": "import yaml\n\ndef run(text):\n    return yaml.unsafe_load(text)\n",
    "load_all": "import yaml\n\ndef run(text):\n    return list(yaml.load_all(text, Loader=yaml.Loader))\n",
    "from_import": "from yaml import load, Loader\n\ndef run(text):\n    return load(text, Loader=Loader)\n",
    "multiline_call": "import yaml\n\ndef run(text):\n    return yaml.load(\n        text,\n        Loader=yaml.Loader,\n    )\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_plain_data_and_rejects_python_tags(name, tmp_path) -> None:
    before, after, fixed = original_and_fixed(CASES[name], "PY-YAML-002", tmp_path)
    assert "safe_load" in fixed
    assert after(PLAIN) == before(PLAIN)

    hostile_before = before(HOSTILE)
    assert hostile_before in (3, [3]), "the original must really execute the tag (the test proves the risk)"
    with pytest.raises(yaml.YAMLError):
        after(HOSTILE)


def test_full_load_fix_keeps_plain_data(tmp_path) -> None:
    source = "import yaml\n\ndef run(text):\n    return yaml.full_load(text)\n"
    fixed = fix_once(source, "PY-YAML-002")
    assert "yaml.safe_load(text)" in fixed
    assert load_module(fixed, tmp_path).run(PLAIN) == load_module(source, tmp_path).run(PLAIN)


def test_custom_loader_is_reported_without_fix() -> None:
    source = "import yaml\n\nclass Custom(yaml.Loader):\n    pass\n\ndef run(text):\n    return yaml.load(text, Loader=Custom)\n"
    findings = findings_of(source, "PY-YAML-002")
    assert len(findings) == 1 and not findings[0].fixes


def test_request_document_fix(tmp_path) -> None:
    source = "import yaml\n\n" + STAND_IN_APP + '@app.post("/import")\ndef run(body):\n    return yaml.load(body, Loader=yaml.Loader)\n'
    assert not findings_of(source, "PY-YAML-002")
    before, after, _fixed = original_and_fixed(source, "PY-YAML-001", tmp_path)
    assert after(PLAIN) == before(PLAIN)
    assert before(HOSTILE) == 3
    with pytest.raises(yaml.YAMLError):
        after(HOSTILE)
