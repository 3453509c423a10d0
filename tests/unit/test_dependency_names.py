"""Pure parts of dependency verification: names, look-alikes, verdicts and
manifest edits (no files, no environment)."""

from __future__ import annotations

import json
import tomllib

import pytest

from draftguard.analyzers import NodeDependencies, PythonDependencies, apply_edits
from draftguard.analyzers.dependencies.data import import_names, popular
from draftguard.analyzers.dependencies.lookalike import damerau_levenshtein, find_lookalike
from draftguard.analyzers.dependencies.manifest_edit import ManifestEditError, add_dependency
from draftguard.analyzers.dependencies.names import module_guesses, normalise, npm_package, types_package
from draftguard.analyzers.dependencies.resolve import LOOKALIKE, OK, UNDECLARED, UNKNOWN, node_verdict, python_verdict


def test_bundled_lists_are_dated_sized_and_sourced() -> None:
    for ecosystem in ("pypi", "npm"):
        names = popular(ecosystem)
        assert 5_000 <= len(names.names) <= 15_000
        header = " ".join(names.header)
        assert "source: https://github.com/" in header and "snapshot: 20" in header
    assert {"requests", "numpy", "boto3"} <= set(popular("pypi").names)
    assert {"react", "lodash", "@babel/core"} <= set(popular("npm").names)


@pytest.mark.parametrize(
    ("module", "distribution"),
    [("yaml", "pyyaml"), ("cv2", "opencv-python"), ("sklearn", "scikit-learn"), ("PIL", "pillow"), ("bs4", "beautifulsoup4"),
     ("dateutil", "python-dateutil"), ("jwt", "pyjwt"), ("dotenv", "python-dotenv"), ("serial", "pyserial")],
)
def test_bundled_import_names(module: str, distribution: str) -> None:
    assert distribution in import_names()[module]


def test_pep503_normalisation_and_guesses() -> None:
    assert normalise("Flask_Login") == normalise("flask.login") == "flask-login"
    assert "dotenv" in module_guesses("python-dotenv")
    assert "serial" in module_guesses("pyserial")
    assert "discord" in module_guesses("discord.py")
    assert "google" in module_guesses("google-cloud-storage")
    assert "psycopg2" in module_guesses("psycopg2-binary")
    assert "argon2" in module_guesses("argon2-cffi")  # pygoat declares argon2-cffi and imports argon2


@pytest.mark.parametrize(
    ("specifier", "package"),
    [("lodash", "lodash"), ("lodash/fp", "lodash"), ("@scope/pkg/sub/x", "@scope/pkg"), ("./x", None), ("../x", None), ("/abs", None),
     ("node:fs", None), ("npm:lodash", None), ("https://esm.sh/x", None), ("#internal", None), ("@/components/x", None), ("~/lib", None),
     ("$lib/x", None), ("raw-loader!./x.txt", None), ("@scope", None), ("virtual:my-module", None)],
)
def test_npm_package_of_specifier(specifier: str, package: str | None) -> None:
    assert npm_package(specifier) == package


def test_types_package() -> None:
    assert types_package("node") == "@types/node"
    assert types_package("@babel/core") == "@types/babel__core"


def test_damerau_levenshtein() -> None:
    assert damerau_levenshtein("requests", "reqeusts") == 1
    assert damerau_levenshtein("lodash", "lodahs") == 1
    assert damerau_levenshtein("flask", "flaks") == 1
    assert damerau_levenshtein("abc", "xyz") == 3


@pytest.mark.parametrize(
    ("name", "ecosystem", "expected"),
    [("reqeusts", "pypi", "requests"), ("request", "pypi", "requests"), ("python-requests", "pypi", "requests"), ("numpyy", "pypi", "numpy"),
     ("skleran", "pypi", "scikit-learn"), ("lodahs", "npm", "lodash"), ("react_dom", "npm", "react-dom"), ("expresss", "npm", "express"),
     ("chalk-js", "npm", "chalk"), ("@angullar/core", "npm", "@angular/core")],
)
def test_lookalikes(name: str, ecosystem: str, expected: str) -> None:
    found = find_lookalike(name, ecosystem)
    assert found is not None and found.popular == expected


@pytest.mark.parametrize(("name", "ecosystem"), [("requests", "pypi"), ("Flask", "pypi"), ("lodash", "npm"), ("react-dom", "npm"), ("flask_gpt_helper", "pypi"), ("abc", "pypi")])
def test_popular_and_far_names_are_no_lookalikes(name: str, ecosystem: str) -> None:
    assert find_lookalike(name, ecosystem) is None


PY = PythonDependencies(
    declared=frozenset({"pyyaml", "python-dotenv", "google-cloud-storage", "mylib"}),
    local=frozenset({"app"}),
    installed={"yaml": ("pyyaml",), "requests": ("requests",), "mylib_core": ("mylib",)},
    importable=frozenset({"yaml", "requests", "mylib_core", "nometadata"}),
    manifests=(),
)


@pytest.mark.parametrize(
    ("module", "kind"),
    [("os.path", OK), ("yaml", OK), ("dotenv", OK), ("google.cloud.storage", OK), ("app.views", OK), ("mylib_core", OK),
     ("requests", OK),  # installed, but no manifest to declare it in
     ("reqeusts", LOOKALIKE), ("scikit_learn", LOOKALIKE), ("totally_made_up_pkg", UNKNOWN), ("_private_ext", OK)],
)
def test_python_verdicts_without_manifest(module: str, kind: str) -> None:
    assert python_verdict(module, PY).kind == kind


def test_python_verdicts_with_manifest_and_unknown_environment() -> None:
    from draftguard.analyzers import DependencyManifest

    with_manifest = PythonDependencies(declared=PY.declared, installed=PY.installed, importable=PY.importable, manifests=(DependencyManifest("/p/requirements.txt", "requirements"),))
    assert python_verdict("requests", with_manifest).kind == UNDECLARED
    assert python_verdict("nometadata", with_manifest).kind == UNDECLARED
    assert python_verdict("numpy", with_manifest).package == "numpy"
    assert python_verdict("cv2", with_manifest).package == "opencv-python"
    pending = PythonDependencies(declared=PY.declared, manifests=with_manifest.manifests)
    assert python_verdict("totally_made_up_pkg", pending).kind == OK  # environment not known yet: quiet


def test_node_verdicts() -> None:
    from draftguard.analyzers import DependencyManifest

    deps = NodeDependencies(
        declared=frozenset({"express", "@types/express-serve-static-core"}),
        installed=frozenset({"express", "debug"}),
        manifests=(DependencyManifest("/p/package.json", "package.json"),),
        local=frozenset({"@acme/ui"}),
        aliases=("@app/*",),
    )
    assert node_verdict("fs/promises", deps).kind == OK
    assert node_verdict("node:test", deps).kind == OK
    assert node_verdict("express-serve-static-core", deps).kind == OK  # typed through @types
    assert node_verdict("@acme/ui/button", deps).kind == OK
    assert node_verdict("@app/db", deps).kind == OK
    assert node_verdict("debug", deps).kind == UNDECLARED
    assert node_verdict("lodash", deps).kind == UNDECLARED
    assert node_verdict("lodahs", deps).kind == LOOKALIKE
    assert node_verdict("my-imaginary-pkg-xyz", deps).kind == UNKNOWN


PYPROJECT = b'''[project]
name = "demo"
dependencies = [
    "flask>=3",  # web
    "requests[socks]; python_version >= '3.8'",
]

[tool.other]
x = 1
'''


@pytest.mark.parametrize(
    ("kind", "source", "check"),
    [
        ("pyproject", PYPROJECT, lambda t: tomllib.loads(t)["project"]["dependencies"][-1] == "pyyaml>=6.0"),
        ("pyproject", b'[project]\nname = "x"\n', lambda t: tomllib.loads(t)["project"]["dependencies"] == ["pyyaml>=6.0"]),
        ("pyproject", b'[project]\ndependencies = ["a"]\n', lambda t: tomllib.loads(t)["project"]["dependencies"] == ["a", "pyyaml>=6.0"]),
        ("poetry", b'[tool.poetry.dependencies]\npython = "^3.11"\n\n[build-system]\nrequires = []\n', lambda t: tomllib.loads(t)["tool"]["poetry"]["dependencies"]["pyyaml"] == ">=6.0"),
        ("pipfile", b'[packages]\nflask = "*"\n', lambda t: tomllib.loads(t)["packages"]["pyyaml"] == ">=6.0"),
        ("requirements", b"flask\r\nrequests", lambda t: t.splitlines() == ["flask", "requests", "pyyaml>=6.0"]),
        ("setup.cfg", b"[options]\ninstall_requires =\n    flask\npython_requires = >=3.8\n", lambda t: "    flask\n    pyyaml>=6.0\npython_requires" in t),
    ],
)
def test_add_python_dependency(kind: str, source: bytes, check) -> None:
    edit = add_dependency(source, kind, "pyyaml", "6.0")
    assert check(apply_edits(source, (edit,)).decode())


def test_add_npm_dependency_keeps_order_and_format() -> None:
    source = b'{\n  "name": "x",\n  "dependencies": {\n    "express": "^4.19.0",\n    "zod": "^3.0.0"\n  }\n}\n'
    text = apply_edits(source, (add_dependency(source, "package.json", "lodash", "4.17.21"),)).decode()
    assert list(json.loads(text)["dependencies"]) == ["express", "lodash", "zod"]
    assert '    "lodash": "^4.17.21",\n' in text
    bare = b'{\n  "name": "x"\n}\n'
    text = apply_edits(bare, (add_dependency(bare, "package.json", "lodash"),)).decode()
    assert json.loads(text)["dependencies"] == {"lodash": "*"}


def test_unsupported_manifests_raise() -> None:
    with pytest.raises(ManifestEditError):
        add_dependency(b"{not json", "package.json", "x")
    with pytest.raises(ManifestEditError):
        add_dependency(b"", "setup.py", "x")


@pytest.mark.parametrize("name", ["matplotlib", "pytest", "setuptools", "attrs", "pexpect", "pymongo", "mercurial"])
def test_a_distribution_imported_by_its_own_name_is_no_lookalike(name: str) -> None:
    """The import-name table lists the other modules these ship (`mpl_toolkits`,
    `_pytest`, `pkg_resources`), not that their own name is a module too:
    `import matplotlib` is never reported as meaning `mpl_toolkits`."""
    from draftguard.analyzers.dependencies.resolve import _distribution_as_module

    assert _distribution_as_module(name) is None


@pytest.mark.parametrize(
    ("name", "module"),
    [("pyyaml", "yaml"), ("beautifulsoup4", "bs4"), ("pillow", "PIL"), ("scikit_learn", "sklearn"), ("python_dateutil", "dateutil"), ("mysqlclient", "MySQLdb")],
)
def test_a_distribution_name_that_is_no_module_points_to_its_module(name: str, module: str) -> None:
    from draftguard.analyzers.dependencies.resolve import _distribution_as_module

    found = _distribution_as_module(name)
    assert found is not None and found.module == module


@pytest.mark.parametrize(("typo", "module"), [("matplotlb", "matplotlib"), ("setuptool", "setuptools"), ("pilow", "PIL"), ("skleran", "sklearn")])
def test_a_misspelt_import_is_pointed_to_the_module_people_import(typo: str, module: str) -> None:
    from draftguard.analyzers.dependencies.lookalike import find_lookalike

    found = find_lookalike(typo, "pypi")
    assert found is not None and found.module == module
