"""Dependency verification against real projects on disk and a real virtual
environment: every manifest kind, import-name mapping, the project's own
modules, node_modules and aliases, the environment probe, and both fixes as
the CLI reports them."""

from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

import pytest

from draftguard.analyzers import apply_edits
from draftguard.server.project.environment import PythonEnvironment, probe_python
from draftguard.server.project.index import ProjectIndex
from draftguard.server.project.manifest_fix import manifest_edit
from draftguard.server.scan import ScanOptions, scan_file

from .environment import DIST, MODULE


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def environment(venv_python) -> PythonEnvironment:
    env = probe_python([venv_python])
    assert env.error is None, env.error
    return env


def findings(root: Path, name: str, env: PythonEnvironment | None, prefix: str = "-DEP-") -> list[tuple[str, int, str]]:
    result = scan_file(root / name, ScanOptions(dependencies=ProjectIndex(root, env)))
    assert result.error is None, result.error
    return [(r.finding.rule_id, r.line, r.finding.message) for r in result.findings if prefix in r.finding.rule_id]


def rules(found) -> list[tuple[str, int]]:
    return [(rule, line) for rule, line, _message in found]


# -- the environment --------------------------------------------------------------------

def test_probe_maps_import_names_to_installed_distributions(environment) -> None:
    assert environment.modules[MODULE] == (DIST,)
    assert environment.distributions[DIST] == "1.2.3"
    assert MODULE in environment.importable
    assert {"os", "sys", "json"} <= environment.stdlib
    assert "yaml" not in environment.modules  # the test environment has only the dummy


def test_probe_failures_are_reported_not_raised(tmp_path) -> None:
    assert "not found" in probe_python([str(tmp_path / "missing-python")]).error
    broken = write(tmp_path, {"broken.sh": "#!/bin/sh\necho nonsense\n"}) / "broken.sh"
    broken.chmod(0o755)
    assert "unexpected" in probe_python([str(broken)]).error


def test_probe_never_runs_in_the_workspace(tmp_path, venv_python, monkeypatch) -> None:
    """A module in the current folder that shadows what the probe imports is never imported."""
    write(tmp_path, {"json.py": "raise SystemExit('workspace code ran')\n", "pkgutil.py": "raise SystemExit('workspace code ran')\n"})
    monkeypatch.chdir(tmp_path)
    assert probe_python([venv_python]).error is None


# -- name mapping -------------------------------------------------------------------------

def test_installed_metadata_maps_an_import_name_to_its_declared_distribution(tmp_path, environment) -> None:
    write(tmp_path, {"requirements.txt": f"{DIST}==1.2.3\n", "app.py": f"import {MODULE}\nfrom {MODULE} import widget\n"})
    assert findings(tmp_path, "app.py", environment) == []


def test_undeclared_installed_package_names_its_distribution(tmp_path, environment) -> None:
    write(tmp_path, {"requirements.txt": "flask\n", "app.py": f"import {MODULE}\n"})
    [(rule, line, message)] = findings(tmp_path, "app.py", environment)
    assert (rule, line) == ("PY-DEP-002", 1)
    assert f"PyPI: {DIST}" in message and "installed but not declared in requirements.txt" in message


@pytest.mark.parametrize(
    ("module", "distribution"),
    [("yaml", "PyYAML"), ("cv2", "opencv-python"), ("sklearn", "scikit-learn"), ("PIL", "Pillow"), ("bs4", "beautifulsoup4"),
     ("dateutil", "python-dateutil"), ("jwt", "PyJWT"), ("dotenv", "python-dotenv"), ("serial", "pyserial"), ("google.cloud.storage", "google-cloud-storage")],
)
def test_bundled_mapping_when_not_installed(tmp_path, environment, module: str, distribution: str) -> None:
    write(tmp_path, {"requirements.txt": f"{distribution}>=1\n", "app.py": f"import {module}\n"})
    assert findings(tmp_path, "app.py", environment) == []


def test_undeclared_mapped_import_declares_the_distribution(tmp_path, environment) -> None:
    write(tmp_path, {"requirements.txt": "flask\n", "app.py": "import yaml\n"})
    result = scan_file(tmp_path / "app.py", ScanOptions(dependencies=ProjectIndex(tmp_path, environment)))
    [reported] = [r for r in result.findings if r.finding.rule_id == "PY-DEP-002"]
    [fix] = reported.fixes
    assert fix.title == "Add pyyaml to requirements.txt" and fix.path == str(tmp_path / "requirements.txt")
    assert "+pyyaml" in fix.diff


# -- every manifest kind -----------------------------------------------------------------

IMPORTS = "import alpha_lib\nimport beta_lib\nimport gamma_lib\n"
MANIFESTS = {
    "pyproject": {
        "pyproject.toml": """
            [project]
            name = "demo"
            dependencies = ["alpha-lib>=1"]
            [project.optional-dependencies]
            extra = ["beta_lib[fast]; python_version >= '3.8'"]
            [dependency-groups]
            dev = ["gamma.lib", {include-group = "extra"}]
        """
    },
    "poetry": {
        "pyproject.toml": """
            [tool.poetry]
            name = "demo"
            [tool.poetry.dependencies]
            python = "^3.11"
            alpha-lib = "^1"
            [tool.poetry.group.dev.dependencies]
            beta-lib = {version = "^2", extras = ["x"]}
            [tool.poetry.dev-dependencies]
            gamma_lib = "*"
        """
    },
    "requirements": {
        "requirements.txt": """
            # web
            alpha-lib[async]>=1.0 ; python_version >= "3.8"  # pinned
            -r requirements-dev.txt
            --index-url https://example.invalid/simple
            gamma-lib @ https://example.invalid/gamma_lib-1.0-py3-none-any.whl
        """,
        "requirements-dev.txt": """
            -e git+https://example.invalid/beta.git#egg=beta_lib
        """,
    },
    "setup.cfg": {
        "setup.cfg": """
            [metadata]
            name = demo
            [options]
            install_requires =
                alpha-lib>=1
                beta_lib
            [options.extras_require]
            test =
                gamma-lib
        """
    },
    "setup.py": {
        "setup.py": """
            from setuptools import setup
            TEST = ["gamma-lib"]
            setup(name="demo", install_requires=["alpha-lib>=1", "beta-lib"], extras_require={"test": TEST})
        """
    },
    "pipfile": {
        "Pipfile": """
            [[source]]
            url = "https://example.invalid/simple"
            [packages]
            alpha-lib = "*"
            beta_lib = {version = "*", extras = ["x"]}
            [dev-packages]
            gamma-lib = "*"
        """
    },
}


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_every_python_manifest_kind_declares(tmp_path, environment, kind: str) -> None:
    write(tmp_path, {**MANIFESTS[kind], "app.py": IMPORTS})
    assert findings(tmp_path, "app.py", environment) == []
    write(tmp_path, {"app.py": IMPORTS + "import numpy\n"})
    assert rules(findings(tmp_path, "app.py", environment)) == [("PY-DEP-002", 4)]


@pytest.mark.parametrize("kind", ["pyproject", "poetry", "requirements", "setup.cfg", "pipfile"])
def test_add_dependency_fix_edits_each_editable_manifest(tmp_path, environment, kind: str) -> None:
    write(tmp_path, {**MANIFESTS[kind], "app.py": f"import {MODULE}\n"})
    result = scan_file(tmp_path / "app.py", ScanOptions(dependencies=ProjectIndex(tmp_path, environment)))
    [reported] = [r for r in result.findings if r.finding.rule_id == "PY-DEP-002"]
    change = manifest_edit(reported.finding.fixes[0].dependency, ProjectIndex(tmp_path, environment))
    fixed = apply_edits(change.source, (change.edit,)).decode()
    change.path.write_text(fixed)
    if change.path.suffix == ".toml" or change.path.name == "Pipfile":
        tomllib.loads(fixed)
    assert "acme-widgets-toolkit" in fixed and "1.2.3" in fixed
    assert findings(tmp_path, "app.py", environment) == []  # declared now


def test_setup_py_is_read_never_run_and_takes_no_edit(tmp_path, environment) -> None:
    write(tmp_path, {"setup.py": "import sys\nsys.exit('setup.py ran')\nsetup(install_requires=['alpha-lib'])\n", "app.py": f"import alpha_lib\nimport {MODULE}\n"})
    found = findings(tmp_path, "app.py", environment)
    assert rules(found) == [("PY-DEP-002", 2)]
    result = scan_file(tmp_path / "app.py", ScanOptions(dependencies=ProjectIndex(tmp_path, environment)))
    assert [r.fixes for r in result.findings if r.finding.rule_id == "PY-DEP-002"] == [()]


def test_no_manifest_means_no_undeclared_findings(tmp_path, environment) -> None:
    write(tmp_path, {"script.py": f"import {MODULE}\nimport numpy\nimport flask_gpt_helper_zz\n"})
    assert rules(findings(tmp_path, "script.py", environment)) == [("PY-DEP-001", 3)]


def test_test_folders_report_no_undeclared_imports_but_still_unknown_ones(tmp_path, environment) -> None:
    """Test tooling is declared in tox.ini, noxfile.py or CI files that no
    manifest reader knows; a hallucinated name in a test is still reported."""
    code = f"import {MODULE}\nimport flask_gpt_helper_zz\n"
    write(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = []\n', "app.py": code, "tests/unit/test_app.py": code, "testing/helpers.py": code})
    assert rules(findings(tmp_path, "app.py", environment)) == [("PY-DEP-002", 1), ("PY-DEP-001", 2)]
    assert rules(findings(tmp_path, "tests/unit/test_app.py", environment)) == [("PY-DEP-001", 2)]
    assert rules(findings(tmp_path, "testing/helpers.py", environment)) == [("PY-DEP-001", 2)]


def test_broken_manifests_declare_nothing_and_never_crash(tmp_path, environment) -> None:
    write(tmp_path, {"pyproject.toml": "[project\nname=", "setup.py": "def (:", "package.json": "{", "app.py": "import numpy\n", "app.js": "require('lodash');\n"})
    assert findings(tmp_path, "app.py", environment) == []
    assert findings(tmp_path, "app.js", environment) == []


# -- the project's own modules -------------------------------------------------------------

def test_zero_findings_on_local_modules_and_relative_imports(tmp_path, environment) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\ndependencies = []\n[tool.setuptools.package-dir]\n"" = "lib"\n',
            "src/shop/__init__.py": "from . import models\nfrom .models import Item\nfrom .. import other\n",
            "src/shop/models.py": "from shop.utils import helper\nimport shop.views\n",
            "src/shop/utils.py": "",
            "lib/legacy_pkg/__init__.py": "",
            "tests/test_models.py": "import shop\nfrom shop.models import Item\nimport conftest_helpers\nimport legacy_pkg\nimport scripts_tool\n",
            "tests/conftest_helpers.py": "",
            "scripts_tool.py": "",
            "namespace_pkg/mod.py": "",
            "tools/run.py": "import namespace_pkg.mod\nimport sibling\nfrom shop import models\n",
            "tools/sibling.py": "",
            "cython_ext.pyx": "",
            "app.py": "import cython_ext\nimport _version\nimport shop\n",
            "tests/test_apps/cliapp/__init__.py": "",
            "tests/test_cli.py": "def test_app():\n    import cliapp\n",
        },
    )
    for name in ("src/shop/__init__.py", "src/shop/models.py", "tests/test_models.py", "tests/test_cli.py", "tools/run.py", "app.py"):
        assert findings(tmp_path, name, environment) == [], name


def test_editable_path_dependency_is_local(tmp_path, environment) -> None:
    write(tmp_path, {"requirements.txt": "-e ./libs/internal\n", "libs/internal/src/internal_tools/__init__.py": "", "app.py": "import internal_tools\n"})
    assert findings(tmp_path, "app.py", environment) == []


def test_environment_pending_keeps_python_rules_quiet(tmp_path) -> None:
    write(tmp_path, {"requirements.txt": "flask\n", "app.py": "import flask_gpt_helper_zz\nimport numpy\n"})
    assert findings(tmp_path, "app.py", None) == []


# -- JavaScript / TypeScript -----------------------------------------------------------------

def package_json(**tables) -> str:
    return json.dumps({"name": "web", **tables}, indent=2) + "\n"


def test_every_package_json_table_declares(tmp_path) -> None:
    write(
        tmp_path,
        {
            "package.json": package_json(
                dependencies={"alpha-pkg": "^1"}, devDependencies={"beta-pkg": "^1"}, peerDependencies={"gamma-pkg": "*"},
                optionalDependencies={"delta-pkg": "*"}, bundleDependencies=["epsilon-pkg"],
            ),
            "index.js": "require('alpha-pkg');\nimport('beta-pkg');\nrequire('gamma-pkg/sub');\nrequire('delta-pkg');\nrequire('epsilon-pkg');\n",
        },
    )
    assert findings(tmp_path, "index.js", None) == []


def test_node_modules_phantom_dependency_and_fix(tmp_path) -> None:
    write(
        tmp_path,
        {
            "package.json": package_json(dependencies={"express": "^4.0.0"}),
            "node_modules/express/package.json": '{"name": "express", "version": "4.19.2"}',
            "node_modules/debug/package.json": '{"name": "debug", "version": "4.3.4"}',
            "node_modules/@scope/tool/package.json": '{"name": "@scope/tool", "version": "2.0.0"}',
            "src/index.ts": "import express from 'express';\nimport debug from 'debug';\nimport tool = require('@scope/tool');\n",
        },
    )
    found = findings(tmp_path, "src/index.ts", None)
    assert rules(found) == [("JS-DEP-002", 2), ("JS-DEP-002", 3)]
    result = scan_file(tmp_path / "src/index.ts", ScanOptions(dependencies=ProjectIndex(tmp_path)))
    fix = [r for r in result.findings if r.finding.rule_id == "JS-DEP-002"][0].fixes[0]
    assert fix.path == str(tmp_path / "package.json") and '+    "debug": "^4.3.4"' in fix.diff


def test_typescript_paths_baseurl_bundler_aliases_and_workspaces(tmp_path) -> None:
    write(
        tmp_path,
        {
            "package.json": package_json(workspaces=["packages/*"], dependencies={}),
            "packages/ui/package.json": '{"name": "@acme/ui"}',
            "apps/web/package.json": '{"name": "web-app", "dependencies": {}}',
            "apps/web/tsconfig.json": '// comments are fine\n{\n  "compilerOptions": {\n    "baseUrl": "./src",\n    "paths": {"@lib/*": ["lib/*"],},\n  },\n}\n',
            "apps/web/vite.config.ts": "export default defineConfig({ resolve: { alias: { '@assets': path.resolve(__dirname, 'assets'), shared: '/x' } } })\n",
            "apps/web/src/components/Button.tsx": "",
            "apps/web/src/page.tsx": (
                "import { Button } from 'components/Button';\nimport { x } from '@lib/x';\nimport logo from '@assets/logo.svg';\n"
                "import s from 'shared/y';\nimport { Card } from '@acme/ui';\nimport self from 'web-app/sub';\nimport a from '@/alias';\nimport b from '#internal';\n"
            ),
        },
    )
    assert findings(tmp_path, "apps/web/src/page.tsx", None) == []


def test_unknown_and_lookalike_npm_packages(tmp_path) -> None:
    write(tmp_path, {"package.json": package_json(dependencies={}), "index.mjs": "import _ from 'lodahs';\nimport v from 'express-jwt-validator-pro';\n"})
    assert rules(findings(tmp_path, "index.mjs", None)) == [("JS-DEP-003", 1), ("JS-DEP-001", 2)]


# -- refresh -------------------------------------------------------------------------------

def test_invalidate_picks_up_manifest_changes(tmp_path, environment) -> None:
    write(tmp_path, {"requirements.txt": "flask\n", "app.py": f"import {MODULE}\n"})
    index = ProjectIndex(tmp_path, environment)
    before = index.dependencies_for(tmp_path / "app.py")
    (tmp_path / "requirements.txt").write_text(f"flask\n{DIST}\n")
    assert index.dependencies_for(tmp_path / "app.py") is before  # cached: no disk access per keystroke
    index.invalidate([tmp_path / "requirements.txt"])
    after = index.dependencies_for(tmp_path / "app.py")
    assert after.fingerprint != before.fingerprint and "acme-widgets-toolkit" in after.python.declared
