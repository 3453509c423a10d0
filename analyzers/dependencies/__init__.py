"""Dependency verification: is an imported package real, declared and the one
the author meant?

Pure, like the rest of analyzers/: the project's dependency picture (declared
dependencies, installed packages, the project's own modules) is gathered by
the server or the CLI (server/project/) and arrives as a plain-data
`ProjectDependencies`; the bundled lists of popular PyPI and npm names
(analyzers/data/) are the only data read here. The rules in
analyzers/rules/python/supply_chain/ and analyzers/rules/javascript/dependencies.py
only look names up in these sets.
"""

from .project import DependencyManifest, NodeDependencies, ProjectDependencies, PythonDependencies

__all__ = ["DependencyManifest", "NodeDependencies", "ProjectDependencies", "PythonDependencies"]
