"""Worker processes: a crashing worker loses no file but the one that crashed it."""

from __future__ import annotations

import os
from pathlib import Path

from draftguard.server.scan import FileResult, ScanOptions, _run_isolated, _run_parallel, _scan_batch


def crash_on_poison(paths: list[str]) -> list[FileResult]:
    """Runs in a worker: dies like a segfaulting parser on files named poison*."""
    if any(Path(p).name.startswith("poison") for p in paths):
        os._exit(70)
    return _scan_batch(paths)


def test_a_crashing_file_is_reported_and_every_other_file_is_scanned(tmp_path) -> None:
    names = []
    for i in range(24):
        path = tmp_path / (f"poison{i}.py" if i in (5, 17) else f"m{i:02d}.py")
        path.write_text("x = 1\n")
        names.append(str(path))
    batches = [names[i : i + 3] for i in range(0, len(names), 3)]
    lost: list[str] = []
    first = list(_run_parallel(batches, ScanOptions(), 2, lost, lambda: False, task=crash_on_poison))
    assert lost, "the pool broke, so some files must be retried"
    second = list(_run_isolated(lost, ScanOptions(), lambda: False, task=crash_on_poison))
    results = {Path(r.path).name: r for r in first + second}
    assert sorted(results) == sorted(Path(n).name for n in names)
    crashed = sorted(name for name, r in results.items() if r.error == "skipped: the analyser crashed on this file")
    assert crashed == ["poison17.py", "poison5.py"]
    assert all(r.error is None and r.lines == 1 for name, r in results.items() if not name.startswith("poison"))
