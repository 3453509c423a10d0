"""Scan files on disk: the engine behind `draftguard check` and workspace scans.

`scan_file` reads, parses and analyses one file and turns every finding into
a `Reported` record that carries all a report needs (positions in the wanted
encoding, a code excerpt, fix diffs, a stable fingerprint) so the source text
never has to leave the worker. `scan_files` runs many files in worker
processes: memory stays bounded by the number of workers, not by the size of
the repository. A file that cannot be read, decoded or parsed is reported with
the reason and skipped; a worker that crashes is replaced and its files are
retried one by one, so one poisonous file never aborts a scan.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from draftguard.analyzers import AnalysisConfig, Edit, Finding, Fix, analyze_detailed, parse, spec_for_path
from draftguard.analyzers.budget import MAX_SOURCE_BYTES, BudgetExceeded, time_limit

from .confine import open_confined
from .fix_diff import fix_diff
from .positions import UTF16, LineIndex, offset_to_position
from .provenance import FileProvenance, file_provenance
from .project.index import ProjectIndex
from .project.manifest_fix import manifest_edit

MAX_FILE_BYTES = MAX_SOURCE_BYTES
EXCERPT_CONTEXT = 2
EXCERPT_MAX_LINE = 240
_WHITESPACE = re.compile(rb"\s+")


@dataclass(frozen=True, slots=True)
class Span:
    """0-based lines; columns in the scan's position encoding."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class FixView:
    title: str
    edits: tuple[tuple[Span, str], ...]
    diff: str
    """Unified diff of the file before and after the fix (context 1)."""
    path: str | None = None
    """The file the edits change when it is not the scanned one (a manifest)."""


@dataclass(frozen=True, slots=True)
class Reported:
    """One finding with everything a report or a diagnostic needs."""

    finding: Finding
    span: Span
    fixes: tuple[FixView, ...]
    excerpt: tuple[tuple[int, str], ...]
    """(1-based line number, text) around the finding."""
    fingerprint: str
    ai_region: bool | None = None
    """Inside an AI-written region; None when provenance is unknown."""
    ai_reviewed: bool = False
    """Every AI region it is in has been reviewed (the review ledger says so)."""

    @property
    def line(self) -> int:
        """1-based line of the finding's start."""
        return self.span.start_line + 1


@dataclass
class FileResult:
    path: str
    language: str | None = None
    findings: list[Reported] = field(default_factory=list)
    error: str | None = None
    """Why the file was skipped, or which rules failed on it."""
    skipped: bool = False
    lines: int = 0
    size: int = 0
    digest: str = ""
    ai_lines: int | None = None
    """Lines inside AI regions; None when provenance is unknown."""


@dataclass(frozen=True)
class ScanOptions:
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    encoding: str = UTF16
    max_file_bytes: int = MAX_FILE_BYTES
    with_fix_diffs: bool = True
    root: str | None = None
    """Workspace root, for provenance sources that live there."""
    dependencies: ProjectIndex | None = None
    """The project's dependency picture for the PY-DEP and JS-DEP rules; None: they stay silent."""
    analysis_timeout: float | None = 120.0
    """Seconds one file may take (analyzers/budget.py); a file past it is skipped with a message."""
    include_minified: bool = False
    """Analyse minified JavaScript too (see `minified`)."""


MINIFIED_AVERAGE_LINE = 110
"""Characters per line above which a JavaScript or TypeScript file counts as
minified: GitHub Linguist's rule for generated code. Minified bundles are
built from sources or vendored libraries (`jquery.min.js`); their findings
point at one column of one huge line nobody edits, and they drown the
project's own."""


MINIFIED_MIN_BYTES = 2048
"""Smaller files are never called minified by their line length: a snippet
of one long line is somebody's code."""


def minified(path: Path, source: bytes) -> bool:
    """A `.min.js`-style name, or (from 2 KB) an average line longer than MINIFIED_AVERAGE_LINE."""
    name = path.name.lower()
    if any(marker in name for marker in (".min.", "-min.", ".bundle.")):
        return True
    return len(source) >= MINIFIED_MIN_BYTES and len(source) / (source.count(b"\n") + 1) > MINIFIED_AVERAGE_LINE


# -- one file ----------------------------------------------------------------------

def _read(path: Path, options: ScanOptions, result: FileResult) -> bytes | None:
    try:
        size = path.stat().st_size
        result.size = size
        if size > options.max_file_bytes:
            result.error = f"skipped: {size:,} bytes is over the {options.max_file_bytes:,}-byte limit"
            return None
        with open_confined(path, options.max_file_bytes) as handle:  # a FIFO or device is refused, never read
            source = handle.read(options.max_file_bytes + 1)
    except OSError as exc:
        result.error = f"skipped: cannot read ({exc.strerror or exc})"
        return None
    if len(source) > options.max_file_bytes:
        result.error = f"skipped: over the {options.max_file_bytes:,}-byte limit"
        return None
    if b"\0" in source[:8192]:
        result.error = "skipped: binary file"
        return None
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        result.error = f"skipped: not UTF-8 ({exc.reason} at byte {exc.start})"
        return None
    return source


def _excerpt(source: bytes, index: LineIndex, first: int, last: int) -> tuple[tuple[int, str], ...]:
    out = []
    for line in range(max(0, first - EXCERPT_CONTEXT), min(len(index), last + EXCERPT_CONTEXT + 1)):
        start, end = index.line_bounds(source, line)
        text = source[start:end].decode("utf-8", "replace")
        if len(text) > EXCERPT_MAX_LINE:
            text = text[:EXCERPT_MAX_LINE] + "…"
        out.append((line + 1, text))
    return tuple(out)


def _span(source: bytes, index: LineIndex, edit: Edit, encoding: str) -> Span:
    return Span(*offset_to_position(source, index, edit.start_byte, encoding), *offset_to_position(source, index, edit.end_byte, encoding))


def _dependency_view(fix: Fix, options: ScanOptions) -> tuple[FixView, ...]:
    """A fix that declares a dependency, as an edit of the manifest it names."""
    change = manifest_edit(fix.dependency, options.dependencies)
    if change is None:
        return ()
    index = LineIndex(change.source)
    diff = fix_diff(change.source, (change.edit,), change.path.name, index) if options.with_fix_diffs else ""
    return (FixView(fix.title, ((_span(change.source, index, change.edit, options.encoding), change.edit.text),), diff, str(change.path)),)


def fingerprint(finding: Finding, source: bytes, index: LineIndex, occurrence: int) -> str:
    """Stable across unrelated edits: made of the rule, the flagged code with
    whitespace normalised, and which occurrence of that code this is in the
    file; line numbers do not enter it."""
    start, _ = index.line_bounds(source, index.line_of(finding.start_byte))
    _, end = index.line_bounds(source, index.line_of(finding.end_byte))
    code = _WHITESPACE.sub(b" ", source[start:end]).strip()
    digest = hashlib.blake2b(digest_size=16)
    for part in (finding.rule_id.encode(), code, str(occurrence).encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def report_findings(
    findings: Sequence[Finding],
    source: bytes,
    display_path: str,
    options: ScanOptions,
    provenance: FileProvenance | None = None,
) -> list[Reported]:
    index = LineIndex(source)
    seen: dict[tuple[str, str], int] = {}
    reported = []
    for finding in findings:
        sl, sc = offset_to_position(source, index, finding.start_byte, options.encoding)
        el, ec = offset_to_position(source, index, finding.end_byte, options.encoding)
        base = fingerprint(finding, source, index, 0)
        occurrence = seen.get((finding.rule_id, base), 0)
        seen[(finding.rule_id, base)] = occurrence + 1
        fixes = tuple(
            FixView(
                fix.title,
                tuple((_span(source, index, e, options.encoding), e.text) for e in fix.edits),
                fix_diff(source, fix.edits, display_path, index) if options.with_fix_diffs else "",
            )
            for fix in finding.fixes
            if fix.edits or fix.dependency is None
        ) + tuple(view for fix in finding.fixes if fix.dependency is not None for view in _dependency_view(fix, options))
        in_ai, reviewed = provenance.classify(finding.start_byte, finding.end_byte) if provenance is not None else (None, False)
        reported.append(
            Reported(
                finding=finding,
                span=Span(sl, sc, el, ec),
                fixes=fixes,
                excerpt=_excerpt(source, index, sl, el),
                fingerprint=base if occurrence == 0 else fingerprint(finding, source, index, occurrence),
                ai_region=in_ai,
                ai_reviewed=reviewed,
            )
        )
    return reported


def _provenance(path: Path, source: bytes, spec, tree, root: str | None) -> FileProvenance | None:
    """AI regions of the file; a failure here costs the provenance, never the findings."""
    try:
        return file_provenance(path, source, spec, tree, root)
    except Exception:  # a broken trace file or git failure: provenance unknown
        return None


def count_lines(source: bytes) -> int:
    return source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)


def scan_file(path: str | os.PathLike, options: ScanOptions | AnalysisConfig | None = None) -> FileResult:
    """Analyse one file; never raises for a bad file."""
    if isinstance(options, AnalysisConfig) or options is None:
        options = ScanOptions(config=options or AnalysisConfig())
    path = Path(path)
    result = FileResult(str(path))
    spec = spec_for_path(path.name)
    if spec is None:
        result.error, result.skipped = "skipped: unsupported file type", True
        return result
    result.language = spec.id
    source = _read(path, options, result)
    if source is None:
        result.skipped = True
        return result
    result.lines = count_lines(source)
    result.digest = hashlib.blake2b(source, digest_size=16).hexdigest()
    if spec.rule_family == "javascript" and not options.include_minified and minified(path, source):
        result.error, result.skipped = "skipped: minified code (--include-minified analyses it)", True
        return result
    try:
        tree = parse(source, spec.id)
        project = options.dependencies.dependencies_for(path) if options.dependencies is not None else None
        with time_limit(options.analysis_timeout):
            analysis = analyze_detailed(source, tree, spec.id, config=options.config, project=project)
        provenance = _provenance(path, source, spec, tree, options.root)
        result.ai_lines = None if provenance is None else len(provenance.lines(source))
        result.findings = report_findings(analysis.findings, source, str(path), options, provenance)
    except RecursionError:
        result.error, result.skipped = "skipped: nested too deeply to analyse", True
        return result
    except BudgetExceeded as exc:
        result.error, result.skipped = f"skipped: {exc} (an unusually large or deeply nested expression?)", True
        return result
    except Exception as exc:  # an analyser bug must not abort the scan
        result.error, result.skipped = f"skipped: analysis failed ({type(exc).__name__}: {exc})", True
        return result
    if analysis.rule_errors:
        result.error = "rule errors: " + "; ".join(analysis.rule_errors)
    return result


# -- many files ----------------------------------------------------------------------

Progress = Callable[[int, int], None]
"""Called with (files done, files total) after each file."""

_WORKER_OPTIONS: ScanOptions | None = None


def _init_worker(options: ScanOptions) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options
    try:  # a stray print in a worker must never reach the language server's stdout
        os.dup2(2, 1)
    except OSError:
        pass


def _scan_batch(paths: list[str]) -> list[FileResult]:
    assert _WORKER_OPTIONS is not None
    return [scan_file(p, _WORKER_OPTIONS) for p in paths]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def scan_files(
    paths: Sequence[str | os.PathLike],
    options: ScanOptions,
    *,
    jobs: int = 0,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[FileResult]:
    """Results for `paths`, in completion order. `jobs` <= 1 or a handful of
    files scan in this process; otherwise in that many worker processes."""
    names = [str(p) for p in paths]
    total = len(names)
    jobs = jobs or default_jobs()
    is_cancelled = cancelled or (lambda: False)
    done = 0

    def step(result: FileResult) -> FileResult:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)
        return result

    if jobs <= 1 or total < 2 * jobs:
        for name in names:
            if is_cancelled():
                return
            yield step(scan_file(name, options))
        return
    size = max(1, min(32, total // (jobs * 8)))
    lost: list[str] = []
    for result in _run_parallel([names[i : i + size] for i in range(0, total, size)], options, jobs, lost, is_cancelled):
        yield step(result)
    for result in _run_isolated(lost, options, is_cancelled):
        yield step(result)


def _pool(workers: int, options: ScanOptions) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(options,))


Task = Callable[[list[str]], list[FileResult]]


def _run_parallel(
    batches: list[list[str]], options: ScanOptions, jobs: int, lost: list[str], cancelled: Callable[[], bool], task: Task = _scan_batch
) -> Iterator[FileResult]:
    """Run batches on `jobs` workers. If a worker dies, every batch not yet
    finished goes to `lost` to be retried one file at a time."""
    executor = _pool(min(jobs, len(batches)), options)
    futures: dict[Future, list[str]] = {}
    queue = list(reversed(batches))
    broken = finished_cleanly = False
    try:
        while (queue or futures) and not broken:
            while queue and len(futures) < jobs * 2:
                batch = queue.pop()
                futures[executor.submit(task, batch)] = batch
            finished, _ = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
            if cancelled():
                return
            for future in finished:
                batch = futures.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    broken = True
                    lost.extend(batch)
                    continue
                yield from results
        if broken:
            for batch in futures.values():
                lost.extend(batch)
            for batch in reversed(queue):
                lost.extend(batch)
        finished_cleanly = True
    finally:  # cancelled, interrupted (Ctrl-C) or abandoned by the consumer: do not wait for workers
        executor.shutdown(wait=finished_cleanly, cancel_futures=True)


def _run_isolated(names: list[str], options: ScanOptions, cancelled: Callable[[], bool], task: Task = _scan_batch) -> Iterator[FileResult]:
    """One file at a time in a single worker, so a crash names its file."""
    executor: ProcessPoolExecutor | None = None
    try:
        for name in names:
            if cancelled():
                return
            executor = executor or _pool(1, options)
            try:
                yield executor.submit(task, [name]).result()[0]
            except BrokenProcessPool:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = None
                spec = spec_for_path(name)
                yield FileResult(name, language=spec.id if spec else None, error="skipped: the analyser crashed on this file", skipped=True)
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
