"""Which code on disk an AI wrote, for scans outside the editor.

`draftguard check --ai-only`, the `aiRegions`/`changed` scopes of CLI and
workspace scans, and the HTML report's AI share need the AI regions of files
that are not open in an editor. They come from the same sources the editor
uses, through `server/regions`: `draftguard: ai-begin` / `ai-end` comment
markers, and Agent Trace records (`.agent-trace/traces.jsonl` at the root)
re-anchored to the current text. The review ledger
(`.draftguard/reviews.json`) says which of those regions a human has
reviewed: reviewed code is quiet, as in the editor. Bulk inserts and the
editor extension's notifications exist only inside an editing session and
cannot be seen here.

Provenance is *known* for a file when it has markers, or when its root has a
trace file or a review ledger; otherwise it is unknown (None) and reports
say so instead of claiming that no code is AI-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Tree

from draftguard.analyzers.languages import LanguageSpec

from .regions import agent_trace, git
from .regions.ledger import LEDGER_DIR, LEDGER_FILE, Ledger
from .regions.markers import scan_markers
from .regions.model import content_hash


@dataclass(frozen=True, slots=True)
class AiSpan:
    start: int
    end: int
    reviewed: bool

    def intersects(self, start: int, end: int) -> bool:
        """Same rule as the editor's regions (regions.model.Region.intersects)."""
        if start == end:
            return self.start <= start < self.end
        return start < self.end and self.start < end


@dataclass(frozen=True)
class FileProvenance:
    spans: tuple[AiSpan, ...]

    def lines(self, source: bytes) -> frozenset[int]:
        """1-based lines an AI region touches."""
        covered: set[int] = set()
        for span in self.spans:
            first = source.count(b"\n", 0, span.start) + 1
            last = first + source.count(b"\n", span.start, max(span.start, span.end - 1))
            covered.update(range(first, last + 1))
        return frozenset(covered)

    def classify(self, start: int, end: int) -> tuple[bool, bool]:
        """(inside an AI region, every such region reviewed) for a byte range."""
        hits = [s for s in self.spans if s.intersects(start, end)]
        return bool(hits), bool(hits) and all(s.reviewed for s in hits)


@dataclass
class _RootSources:
    traces: agent_trace.TraceIndex | None
    ledger: Ledger | None


_ROOTS: dict[str, _RootSources] = {}
"""Per process (workers live for a whole scan): each root's traces and ledger, read once."""


def _sources(root: str) -> _RootSources:
    sources = _ROOTS.get(root)
    if sources is None:
        ledger = None
        if (Path(root) / LEDGER_DIR / LEDGER_FILE).is_file():
            ledger = Ledger(root)
            ledger.load()
        sources = _ROOTS[root] = _RootSources(agent_trace.load_traces(root), ledger)
    return sources


def _revision_reader(path: Path):
    """`revision -> bytes` of `path` at a git revision, for re-anchoring traces."""
    located: dict[str, object] = {}

    def read(revision: str) -> bytes | None:
        if "root" not in located:
            repo = git.repo_root(path)
            located["root"], located["relative"] = repo, (git.relative_to(repo, path) if repo else None)
        repo, relative = located["root"], located["relative"]
        if repo is None or relative is None:
            return None
        return git.blob_at(repo, revision, relative)  # type: ignore[arg-type]

    return read


def _merge_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping trace records form one region, as in the editor, so the
    region's text (and the hash the ledger knows it by) is the same."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and merged[-1][1] >= start:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def file_provenance(path: Path, source: bytes, spec: LanguageSpec, tree: Tree | None, root: str | None) -> FileProvenance | None:
    """The AI regions of one file, or None when nothing is known about it."""
    spans: list[tuple[int, int]] = [(m.start, m.end) for m in scan_markers(source, spec, tree)]
    sources = _sources(root) if root else None
    relative = git.relative_to(Path(root), path) if root else None
    if sources is not None and sources.traces is not None and relative is not None:
        ranges = sources.traces.ranges_for(relative)
        if ranges:
            anchored = sorted((a.start, a.end) for a in agent_trace.anchor_ranges(ranges, source, _revision_reader(path)))
            spans += _merge_overlapping(anchored)
    known = bool(spans) or (sources is not None and (sources.traces is not None or sources.ledger is not None))
    if not known:
        return None
    ledger = sources.ledger if sources is not None else None

    def reviewed(start: int, end: int) -> bool:
        return ledger is not None and relative is not None and ledger.lookup(relative, content_hash(source[start:end])) is not None

    return FileProvenance(tuple(AiSpan(s, e, reviewed(s, e)) for s, e in sorted(set(spans))))
