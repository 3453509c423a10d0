"""Map the project card's top-level folders onto one import namespace.

`server/` installs as `draftguard.server` and `analyzers/` as
`draftguard.analyzers` (see ../shared/design.md). The package list is computed
from the folders so a new sub-package never needs a packaging edit; all other
metadata lives in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
FOLDERS = {"server": "draftguard.server", "analyzers": "draftguard.analyzers"}


def _packages() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    package_dir: dict[str, str] = {}
    for folder, namespace in FOLDERS.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT)
            dotted = ".".join((namespace, *rel.parts[1:]))
            packages.append(dotted)
            package_dir[dotted] = rel.as_posix()
    return packages, package_dir


PACKAGES, PACKAGE_DIR = _packages()

setup(
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={name: ["*.json", "*.txt", "*.md", "*.css", "*.js"] for name in PACKAGES},
)
