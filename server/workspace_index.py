"""Findings of every file in the workspace, for workspace scans and
`workspace/diagnostic`, kept between scans.

A file is scanned again only when its modification time or size changed, or
when the analysis settings changed; everything else is answered from the
index, so repeated pulls of workspace diagnostics cost a directory walk and
one `stat` per file. Files are discovered like the CLI does (gitignore,
configured excludes) and scanned in worker processes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .discover import IgnoreRules, discover
from .project.index import ProjectIndex
from .scan import FileResult, ScanOptions, default_jobs, scan_files
from .settings import Settings


@dataclass
class IndexedFile:
    path: Path
    stamp: tuple[int, int]
    """(mtime in ns, size) when scanned."""
    result: FileResult


@dataclass
class RefreshStats:
    files: int = 0
    scanned: int = 0
    reused: int = 0
    cancelled: bool = False


class WorkspaceIndex:
    def __init__(self) -> None:
        self.files: dict[Path, IndexedFile] = {}
        self.options_key: str = ""
        self.lock = threading.Lock()

    def refresh(
        self,
        root: Path,
        settings: Settings,
        exclude_root: Path,
        encoding: str,
        *,
        jobs: int = 0,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        dependencies: ProjectIndex | None = None,
    ) -> tuple[list[IndexedFile], RefreshStats]:
        """Bring the index up to date with the disk; returns current entries
        in a stable order."""
        with self.lock:
            options = ScanOptions(config=settings.analysis_config(), encoding=encoding, root=str(root), dependencies=dependencies)
            key = hashlib.blake2b(repr(options).encode(), digest_size=8).hexdigest()
            if key != self.options_key:
                self.files.clear()
                self.options_key = key
            paths = [p.resolve() for p in discover([root], IgnoreRules([(settings.exclude, exclude_root)]))]
            stale: list[Path] = []
            stamps: dict[Path, tuple[int, int]] = {}
            for path in paths:
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                stamps[path] = (st.st_mtime_ns, st.st_size)
                entry = self.files.get(path)
                if entry is None or entry.stamp != stamps[path]:
                    stale.append(path)
            stats = RefreshStats(files=len(stamps), reused=len(stamps) - len(stale))
            for result in scan_files(stale, options, jobs=jobs or default_jobs(), progress=progress, cancelled=cancelled):
                path = Path(result.path)
                self.files[path] = IndexedFile(path, stamps[path], result)
                stats.scanned += 1
            stats.cancelled = stats.scanned < len(stale)
            for gone in set(self.files) - set(stamps):
                del self.files[gone]
            return [self.files[p] for p in paths if p in self.files], stats
