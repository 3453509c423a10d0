"""Scan reports: one model, one module per output format.

`ScanReport` holds the per-file results of a scan after filtering plus what a
reader needs to trust them (which rules ran, which filters applied, which
files were skipped and why). Every format renders from it to a string.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

from draftguard.analyzers import Severity
from draftguard.analyzers.rules import Rule

from ..scan import FileResult, Reported

FORMATS = ("text", "json", "sarif", "html")


def tool_version() -> str:
    try:
        return metadata.version("draftguard")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass
class ScanReport:
    root: Path
    """Paths in reports are relative to this (the repository root when in git)."""
    files: list[FileResult]
    rules: list[Rule]
    """Rules that ran, with their effective severity in `severities`."""
    severities: dict[str, Severity] = field(default_factory=dict)
    filters: list[str] = field(default_factory=list)
    """Human descriptions of active filters, e.g. "lines changed since main"."""
    filtered_out: int = 0
    started: float = field(default_factory=time.time)
    duration: float = 0.0
    _relative: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def findings(self) -> Iterator[tuple[FileResult, Reported]]:
        for file in self.files:
            for reported in file.findings:
                yield file, reported

    @property
    def total(self) -> int:
        return sum(len(f.findings) for f in self.files)

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def scanned(self) -> list[FileResult]:
        return [f for f in self.files if not f.skipped]

    def by_severity(self) -> Counter[Severity]:
        return Counter(r.finding.severity for _f, r in self.findings())

    def relative(self, path: str) -> str:
        """`path` relative to the root, with forward slashes. Kept per path:
        every finding of a file asks, and resolving a path reads the file
        system once per directory in it."""
        found = self._relative.get(path)
        if found is None:
            absolute = Path(path).resolve()
            try:
                found = absolute.relative_to(self.root).as_posix()
            except ValueError:
                found = absolute.as_posix()
            self._relative[path] = found
        return found


def render(report: ScanReport, fmt: str) -> str:
    return _renderer(fmt)(report)


def _renderer(fmt: str) -> Callable[[ScanReport], str]:
    if fmt == "text":
        from .text import render_text

        return render_text
    if fmt == "json":
        from .jsonreport import render_json

        return render_json
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif
    if fmt == "html":
        from .html import render_html

        return render_html
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
