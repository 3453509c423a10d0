"""Scan files on disk with the analyzers: the engine behind `draftguard check`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from draftguard.analyzers import AnalysisConfig, Finding, analyze_detailed, parse, spec_for_path

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", "dist", "build", ".draftguard", "site-packages"}
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    lines: int = 0
    source: bytes = b""


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Supported source files under `paths`, skipping vendored and tool folders."""
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            yield path
            continue
        if not path.is_dir():
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                candidate = Path(root, name)
                if spec_for_path(name) is not None and not candidate.is_symlink():
                    yield candidate


def scan_file(path: Path, config: AnalysisConfig) -> FileResult:
    result = FileResult(path)
    spec = spec_for_path(str(path))
    if spec is None:
        result.error = "unsupported file type"
        return result
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            result.error = f"skipped: {size} bytes is over the {MAX_FILE_BYTES}-byte limit"
            return result
        source = path.read_bytes()
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result
    if b"\0" in source[:8192]:
        result.error = "skipped: binary file"
        return result
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        result.error = f"skipped: not UTF-8 ({exc.reason} at byte {exc.start})"
        return result
    tree = parse(source, spec.id)
    analysis = analyze_detailed(source, tree, spec.id, config=config)
    result.findings = analysis.findings
    result.lines = source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)
    result.source = source
    if analysis.rule_errors:
        result.error = "; ".join(analysis.rule_errors)
    return result
