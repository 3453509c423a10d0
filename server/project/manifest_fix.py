"""Turn a fix's `DependencyChange` (declare a package in a manifest) into a
concrete edit of that manifest, read from disk or from the editor.

The analyzers describe the change as data because they never read files;
here the manifest is read, the installed version looked up (it becomes the
lower bound: `pyyaml>=6.0.2`, `"lodash": "^4.17.21"`), and the pure
`add_dependency` computes the insertion. The language server sends the result
as a WorkspaceEdit on the manifest's document; the CLI shows it as a diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from draftguard.analyzers import DependencyChange, Edit
from draftguard.analyzers.dependencies.manifest_edit import ManifestEditError, add_dependency

from ..confine import read_confined
from .index import ProjectIndex
from .manifests import MAX_MANIFEST_BYTES


@dataclass(frozen=True)
class ManifestEdit:
    path: Path
    source: bytes
    """The manifest's text the edit applies to."""
    edit: Edit


def _read_disk(path: Path) -> bytes | None:
    return read_confined(path, MAX_MANIFEST_BYTES)


def manifest_edit(change: DependencyChange, index: ProjectIndex | None, read: Callable[[Path], bytes | None] = _read_disk) -> ManifestEdit | None:
    """The edit that declares `change.package`, or None when the manifest is
    gone or not in a shape we edit safely."""
    path = Path(change.manifest)
    source = read(path)
    if source is None:
        return None
    version = index.installed_version(change.ecosystem, change.package, path.parent) if index is not None else None
    try:
        return ManifestEdit(path, source, add_dependency(source, change.kind, change.package, version))
    except (ManifestEditError, ValueError):
        return None
