"""The dependency picture rule fixtures are analysed with: a small project
that declares Flask, PyYAML, express and zod, has its own package `myapp` and
workspace package `@acme/ui`, and an environment where requests (Python) and
debug (npm, hoisted) are installed without being declared."""

from __future__ import annotations

from draftguard.analyzers import DependencyManifest, NodeDependencies, ProjectDependencies, PythonDependencies

FIXTURE_PROJECT = ProjectDependencies(
    python=PythonDependencies(
        declared=frozenset({"flask", "pyyaml", "flask-login", "google-cloud-storage"}),
        manifests=(DependencyManifest("/project/pyproject.toml", "pyproject"),),
        local=frozenset({"myapp", "settings"}),
        installed={"flask": ("flask",), "yaml": ("pyyaml",), "requests": ("requests",), "urllib3": ("urllib3",), "flask_login": ("flask-login",)},
        importable=frozenset({"flask", "yaml", "requests", "urllib3", "flask_login"}),
        environment="/project/.venv/bin/python",
    ),
    node=NodeDependencies(
        declared=frozenset({"express", "zod", "@types/node", "@types/express-serve-static-core"}),
        manifests=(DependencyManifest("/project/package.json", "package.json"),),
        installed=frozenset({"express", "zod", "debug", "@types/node", "@types/express-serve-static-core"}),
        local=frozenset({"@acme/ui", "components"}),
        aliases=("@app/*", "config"),
    ),
)
