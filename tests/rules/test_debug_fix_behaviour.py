"""PY-DEBUG-001's fix: debug mode stays available to developers who ask for it
through the environment, and is off where nothing sets it."""

from __future__ import annotations

import sys
import types

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SETTINGS = 'INSTALLED_APPS = ["django.contrib.auth"]\nROOT_URLCONF = "site.urls"\nDEBUG = True\n'
FLASK_APP = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n"
    "def main():\n    return app.run(host='127.0.0.1', port=5000, debug=True)\n"
)


@pytest.fixture
def fake_flask(monkeypatch):
    """A stand-in `flask` module whose app records how run() was called."""
    module = types.ModuleType("flask")

    class Flask:
        def __init__(self, name):
            self.name = name

        def run(self, **options):
            return options

    module.Flask = Flask
    monkeypatch.setitem(sys.modules, "flask", module)
    return module


def test_django_settings_fix_reads_the_environment(tmp_path, monkeypatch) -> None:
    assert findings_of(SETTINGS, "PY-DEBUG-001")
    fixed = fix_once(SETTINGS, "PY-DEBUG-001")
    assert fixed.startswith("import os\n"), "the fix must add the import it needs"
    assert not findings_of(fixed, "PY-DEBUG-001")

    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    assert load_module(SETTINGS, tmp_path).DEBUG is True
    assert load_module(fixed, tmp_path).DEBUG is False
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    assert load_module(fixed, tmp_path).DEBUG is True


def test_flask_run_fix_keeps_other_options(tmp_path, monkeypatch, fake_flask) -> None:
    assert findings_of(FLASK_APP, "PY-DEBUG-001")
    fixed = fix_once(FLASK_APP, "PY-DEBUG-001")
    assert not findings_of(fixed, "PY-DEBUG-001")

    original = load_module(FLASK_APP, tmp_path).main()
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert load_module(fixed, tmp_path).main() == original
    monkeypatch.delenv("FLASK_DEBUG")
    assert load_module(fixed, tmp_path).main() == {**original, "debug": False}
