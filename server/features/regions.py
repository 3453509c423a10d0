"""AI regions in the language server: tracking, scope, review, and the custom LSP methods.

Plugs into the server's hooks: every applied change moves regions and may
open a `bulk-insert` region; `didOpen` restores the bulk-insert and client
regions an earlier session recorded (`didSave` and `didClose` record them)
and derives regions from comment markers, Agent Trace records and (in the
`changed` scope) git HEAD; the scope filter
publishes only findings in unreviewed regions (`aiRegions`, `changed`); hover
and code actions describe and review regions.

Custom protocol for client authors:

- notification `draftguard/markAiRegion` `{uri, range, source, model?, version?}`:
  the client knows an AI inserted that text;
- request `draftguard/regions` `{uri}` -> `{uri, version, scope, regions: [...]}`
  (each with id, range, provenance, state, mixed, counted, createdAt, source,
  model, detail, hash, reviewedBy, reviewedAt);
- notification `draftguard/regionsChanged` `{uri, version}` (server to
  client) when a document's regions or their states change;
- command `draftguard.markReviewed` with `(uri, range)` or `({uri, range})`:
  reviews every region intersecting the range (the whole document without a
  range) and answers `{reviewed, regions}`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from draftguard.analyzers import Finding

from ..app import DraftguardServer
from ..confine import read_confined
from ..convert import SOURCE, range_json, to_diagnostic, to_range
from ..documents import Document, TextChange
from ..regions import agent_trace, git
from ..regions.detection import BulkRule, stripped_span
from ..regions.git_changes import HeadVersion, changed_spans, head_version
from ..regions.ledger import Ledger, Review, default_reviewer
from ..regions.markers import MARKER_WORD, scan_markers
from ..regions.store import RegionStore
from ..regions.model import (
    AGENT_TRACE,
    AI_PROVENANCES,
    BULK_INSERT,
    CLIENT,
    MARKER,
    REVIEWED,
    UNCOMMITTED,
    Region,
    review_state,
    utc_now,
)
from ..regions.tracking import RegionTracker

log = logging.getLogger("draftguard.regions")
MARK_AI_REGION = "draftguard/markAiRegion"
REGIONS = "draftguard/regions"
REGIONS_CHANGED = "draftguard/regionsChanged"
MARK_REVIEWED = "draftguard.markReviewed"
REVIEW_TITLE = "Mark AI region as reviewed"
STATE_FILES = ("/.draftguard/reviews.json", "/.agent-trace/traces.jsonl")
_UNSET = object()


@dataclass
class DocumentRegions:
    """Region state of one open document."""

    tracker: RegionTracker
    path: Path | None
    root: Path | None
    relative: str | None
    head: HeadVersion | None | object = _UNSET
    trace_stamp: Any = None
    signature: tuple = ()
    memory_reviews: set[str] = field(default_factory=set)

    @property
    def regions(self) -> list[Region]:
        return self.tracker.regions


@dataclass
class _TraceCache:
    stamp: Any
    index: agent_trace.TraceIndex | None


class RegionService:
    """Workspace-level state shared by all documents: ledgers, traces, reviewer."""

    def __init__(self, server: DraftguardServer):
        self.server = server
        self.ledgers: dict[Path, Ledger] = {}
        self.stores: dict[Path, RegionStore] = {}
        self.traces: dict[Path, _TraceCache] = {}
        self.reviewers: dict[Path, str] = {}
        self.reported: set[str] = set()
        self.watching = False

    # -- workspace ----------------------------------------------------------------
    def roots(self) -> list[Path]:
        found: list[Path] = []
        if self.server.workspace_root:
            found.append(Path(self.server.workspace_root))
        try:
            folders = self.server.workspace.folders.values()
        except (RuntimeError, AttributeError):
            folders = []
        for folder in folders:
            path = to_fs_path(folder.uri)
            if path and Path(path) not in found:
                found.append(Path(path))
        return found

    def locate(self, uri: str) -> tuple[Path | None, Path | None, str | None]:
        """(file path, workspace folder, path relative to it) of a document."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if not path:
            return None, None, None
        best: tuple[Path, str] | None = None
        for root in self.roots():
            relative = git.relative_to(root, path)
            if relative is not None and (best is None or len(str(root)) > len(str(best[0]))):
                best = (root, relative)
        if best is None:
            return Path(path), None, None
        return Path(path), best[0], best[1]

    def report_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        if message in self.reported:
            return
        self.reported.add(message)
        self.server.log(message, kind)
        try:
            self.server.window_show_message(types.ShowMessageParams(type=kind, message=f"draftguard: {message}"))
        except Exception:  # noqa: S110 - no client attached: the message is in the log already
            pass

    def ledger(self, root: Path | None) -> Ledger | None:
        if root is None:
            return None
        ledger = self.ledgers.get(root)
        if ledger is None:
            ledger = Ledger(root)
            ledger.load()
            self.ledgers[root] = ledger
        else:
            ledger.refresh_if_changed()
        self._report_ledger(ledger)
        return ledger

    def store(self, root: Path | None) -> RegionStore | None:
        if root is None:
            return None
        store = self.stores.get(root)
        if store is None:
            store = self.stores[root] = RegionStore(root)
        else:
            store.refresh_if_changed()
        if store.error:
            self.report_once(store.error)
        return store

    def restore_regions(self, doc: Document, state: DocumentRegions) -> None:
        """Bulk-insert and client regions recorded by an earlier session."""
        store = self.store(state.root)
        if store is not None and state.relative is not None:
            for region in store.regions_for(state.relative, doc.source):
                state.tracker.add(region)

    def drop_non_ai_inserts(self, doc: Document, state: DocumentRegions, created: list[Region]) -> None:
        """Two bulk changes that are not AI code: the editor reloading the file
        from disk (a git checkout or pull, an agent writing the file; the
        `uncommitted` mode and Agent Trace cover those), and the text of
        draftguard's own quick fixes being applied."""
        fix_texts = [
            edit.text.strip()
            for finding in doc.extra.get("findings", [])
            for fix in finding.fixes
            for edit in fix.edits
            if len(edit.text.strip()) >= 8
        ]
        reloaded = _same_as_disk(state.path, doc.source)
        for region in created:
            text = doc.source[region.start : region.end].decode("utf-8", "replace")
            if reloaded or any(text in fix_text for fix_text in fix_texts):
                state.tracker.remove(region)

    def keep_regions(self, doc: Document, state: DocumentRegions) -> None:
        store = self.store(state.root)
        if store is not None and state.relative is not None:
            problem = store.save(state.relative, state.regions, doc.source)
            if problem:
                self.report_once(problem)

    def _report_ledger(self, ledger: Ledger) -> None:
        if ledger.error:
            self.report_once(ledger.error, types.MessageType.Error)
        if ledger.read_only_reason:
            self.report_once(ledger.read_only_reason)
        if ledger.invalid_entries:
            self.report_once(f"{ledger.path}: {ledger.invalid_entries} entr{'y' if ledger.invalid_entries == 1 else 'ies'} without path, hash, reviewer and reviewedAt are ignored (and kept in the file)")

    def reviewer(self, root: Path | None) -> str:
        key = root or Path(os.getcwd())
        if key not in self.reviewers:
            self.reviewers[key] = default_reviewer(key)
        return self.reviewers[key]

    def trace_index(self, root: Path | None) -> agent_trace.TraceIndex | None:
        if root is None:
            return None
        path = root / agent_trace.TRACE_FILE
        try:
            st = path.stat()
            stamp: Any = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        cached = self.traces.get(root)
        if cached is not None and cached.stamp == stamp:
            return cached.index
        index = agent_trace.load_traces(root) if stamp is not None else None
        self.traces[root] = _TraceCache(stamp, index)
        if index is not None:
            self.server.log(f"{path}: {index.summary()}", types.MessageType.Warning if index.problem_count else types.MessageType.Log)
        return index

    # -- per document --------------------------------------------------------------
    def state(self, doc: Document) -> DocumentRegions:
        state = doc.extra.get("regions")
        if state is None:
            path, root, relative = self.locate(doc.uri)
            state = DocumentRegions(RegionTracker(self.rule()), path, root, relative)
            doc.extra["regions"] = state
        return state

    def rule(self) -> BulkRule:
        settings = self.server.settings
        return BulkRule(settings.bulk_insert_lines, settings.bulk_insert_chars)

    def is_reviewed(self, state: DocumentRegions, content_hash: str) -> Review | bool | None:
        ledger = self.ledgers.get(state.root) if state.root is not None else None
        if ledger is None and state.root is not None:
            ledger = self.ledger(state.root)
        if ledger is not None and state.relative is not None:
            return ledger.lookup(state.relative, content_hash)
        return content_hash in state.memory_reviews

    def region_state(self, doc: Document, state: DocumentRegions, region: Region) -> str:
        return review_state(region, doc.source, lambda h: bool(self.is_reviewed(state, h)))

    def counted_provenances(self) -> frozenset[str]:
        if self.server.settings.scope == "changed":
            return AI_PROVENANCES | {UNCOMMITTED}
        return AI_PROVENANCES

    # -- deriving regions -----------------------------------------------------------
    def derive_markers(self, doc: Document, state: DocumentRegions) -> None:
        fresh = [
            Region(
                span.start, span.end, MARKER,
                source=span.source or "comment marker",
                model=span.model,
                detail=(
                    f"between the `draftguard: ai-begin` comment on line {span.begin_line + 1} and `ai-end` on line {span.end_line + 1}"
                    if span.end_line is not None
                    else f"after the `draftguard: ai-begin` comment on line {span.begin_line + 1} (no `ai-end`: runs to the end of the file)"
                ),
            )
            for span in scan_markers(doc.source, doc.spec, doc.tree if MARKER_WORD in doc.source else None)
        ]
        state.tracker.replace_provenance(MARKER, fresh)

    def derive_agent_trace(self, doc: Document, state: DocumentRegions, force: bool = False) -> None:
        index = self.trace_index(state.root)
        stamp = self.traces.get(state.root).stamp if state.root in self.traces else None
        if not force and stamp == state.trace_stamp:
            return
        state.trace_stamp = stamp
        ranges = index.ranges_for(state.relative) if index is not None and state.relative else []
        fresh: list[Region] = []
        if ranges:
            anchored = agent_trace.anchor_ranges(ranges, doc.source, self._revision_reader(state))
            for item in sorted(anchored, key=lambda a: (a.start, a.end)):
                trace = item.trace
                region = Region(
                    item.start, item.end, AGENT_TRACE,
                    created_at=trace.timestamp or utc_now(),
                    source=trace.tool or "Agent Trace",
                    model=trace.model,
                    detail=f"Agent Trace record {trace.record_id or '(no id)'}, lines {trace.start_line}-{trace.end_line} ({item.how})",
                )
                if fresh and fresh[-1].end >= region.start:  # overlapping records: one region, newest metadata
                    previous = fresh.pop()
                    newer = region if (region.created_at or "") >= (previous.created_at or "") else previous
                    region = newer.copy(previous.start, max(previous.end, region.end))
                fresh.append(region)
        state.tracker.replace_provenance(AGENT_TRACE, fresh)

    def _revision_reader(self, state: DocumentRegions):
        if state.path is None:
            return None
        located: dict[str, Any] = {}

        def read(revision: str) -> bytes | None:
            if "root" not in located:
                root = git.repo_root(state.path)
                located["root"] = root
                located["relative"] = git.relative_to(root, state.path) if root else None
            if located["root"] is None or located["relative"] is None:
                return None
            return git.blob_at(located["root"], revision, located["relative"])

        return read

    def derive_uncommitted(self, doc: Document, state: DocumentRegions, refresh_head: bool = False) -> None:
        if state.path is None:
            state.head = None
            return
        if state.head is _UNSET or refresh_head:
            state.head = head_version(state.path)
        head = state.head
        if not isinstance(head, HeadVersion):
            state.tracker.replace_provenance(UNCOMMITTED, [])
            return
        detail = f"differs from git HEAD ({head.revision[:10]})" if head.blob is not None and head.revision else "not in git HEAD (a new or untracked file)"
        fresh = [Region(s, e, UNCOMMITTED, source="git", detail=detail) for s, e in changed_spans(head.blob, doc.source)]
        state.tracker.replace_provenance(UNCOMMITTED, fresh)

    def ensure_uncommitted(self, doc: Document, state: DocumentRegions) -> None:
        if self.server.settings.scope == "changed" and state.head is _UNSET:
            self.derive_uncommitted(doc, state)

    def extend_uncommitted(self, doc: Document, state: DocumentRegions, edits) -> None:
        """In the `changed` scope, lines edited in the editor are uncommitted too."""
        if not isinstance(state.head, HeadVersion):
            return
        source = doc.source
        for edit in edits:
            if edit.new_end <= edit.start:
                continue
            begin = source.rfind(b"\n", 0, edit.start) + 1
            stop = source.find(b"\n", edit.new_end)
            span = stripped_span(source[begin : len(source) if stop < 0 else stop], begin)
            if span is None:
                continue
            start, end = span
            for region in [r for r in state.regions if r.provenance == UNCOMMITTED and r.start <= end + 1 and start <= r.end + 1]:
                start, end = min(start, region.start), max(end, region.end)
                state.tracker.remove(region)
            state.tracker.add(Region(start, end, UNCOMMITTED, source="git", detail="edited since git HEAD"))

    # -- reporting -----------------------------------------------------------------------
    def region_json(self, doc: Document, state: DocumentRegions, region: Region, counted: frozenset[str]) -> dict:
        region_state = self.region_state(doc, state, region)
        review = self.is_reviewed(state, region.hash(doc.source))
        data = {
            "id": region.id,
            "range": range_json(to_range(doc, region.start, region.end)),
            "provenance": region.provenance,
            "state": region_state,
            "mixed": region.mixed,
            "counted": region.provenance in counted and region_state != REVIEWED,
            "createdAt": region.created_at,
            "source": region.source,
            "model": region.model,
            "detail": region.detail,
            "hash": region.hash(doc.source),
        }
        if isinstance(review, Review):
            data["reviewedBy"], data["reviewedAt"] = review.reviewer, review.reviewed_at
        return data

    def notify_if_changed(self, doc: Document, state: DocumentRegions) -> None:
        signature = tuple((r.id, r.provenance, r.mixed, self.region_state(doc, state, r)) for r in state.regions)
        if signature == state.signature:  # draftguard: ignore[PY-TIMING-001] - a tuple of region states, not a secret
            return
        state.signature = signature
        try:
            self.server.protocol.notify(REGIONS_CHANGED, {"uri": doc.uri, "version": doc.version})
        except Exception:  # noqa: S110 - no client attached: nobody to tell
            pass

    def review(self, doc: Document, state: DocumentRegions, start: int, end: int) -> list[Region]:
        """Record every unreviewed region intersecting [start, end] in the ledger."""
        targets = [r for r in state.regions if r.intersects(start, end) or (start <= r.start and r.end <= end)]
        ledger = self.ledger(state.root)
        reviewed: list[Region] = []
        for region in targets:
            content_hash = region.hash(doc.source)
            if self.is_reviewed(state, content_hash):
                continue
            if ledger is not None and state.relative is not None:
                lines = doc.source.count(b"\n", region.start, region.end) + 1
                message = ledger.add(Review(state.relative, content_hash, self.reviewer(state.root), utc_now(), region.provenance, lines))
                if message:
                    self.report_once(message, types.MessageType.Error)
            else:
                state.memory_reviews.add(content_hash)
                self.report_once(f"{doc.uri} is outside the workspace folders: its reviews last until the server stops")
            region.reviewed_hash = content_hash
            reviewed.append(region)
        return reviewed


def _same_as_disk(path: Path | None, source: bytes) -> bool:
    if path is None:
        return False
    try:
        if path.stat().st_size != len(source):
            return False
    except OSError:
        return False
    return read_confined(path, len(source)) == source  # never blocks on a FIFO


_PROVENANCE_TEXT = {
    BULK_INSERT: "inserted in one bulk change (an AI completion, chat apply or paste)",
    CLIENT: "reported as AI-inserted by the editor",
    MARKER: "fenced by `draftguard: ai-begin` / `ai-end` comments",
    AGENT_TRACE: "attributed to an AI tool by an Agent Trace record",
    UNCOMMITTED: "changed since the last git commit",
}


_WHEN = {BULK_INSERT: "Inserted", CLIENT: "Inserted", AGENT_TRACE: "Recorded", MARKER: "Seen since", UNCOMMITTED: "Seen since"}


def _time(stamp: str) -> str:
    return stamp.replace("T", " ").replace("Z", " UTC")


def hover_markdown(service: RegionService, doc: Document, state: DocumentRegions, regions: list[Region]) -> str:
    sections = []
    for region in regions:
        region_state = service.region_state(doc, state, region)
        first = doc.lines.line_of(region.start) + 1
        last = doc.lines.line_of(max(region.start, region.end - 1)) + 1
        title = "Changed lines" if region.provenance == UNCOMMITTED else "AI region"
        lines = [f"**{title}** (lines {first}-{last}): {_PROVENANCE_TEXT.get(region.provenance, region.provenance)}."]
        origin = [part for part in (region.source, f"model `{region.model}`" if region.model else None) if part]
        if origin:
            lines.append(f"- From: {', '.join(origin)}")
        if region.detail:
            lines.append(f"- How: {region.detail}")
        lines.append(f"- {_WHEN.get(region.provenance, 'When')}: {_time(region.created_at)}")
        if region.mixed:
            lines.append("- Edited by hand since.")
        review = service.is_reviewed(state, region.hash(doc.source))
        if region_state == REVIEWED:
            who = f" by {review.reviewer} at {_time(review.reviewed_at)}" if isinstance(review, Review) else ""
            lines.append(f"- Reviewed{who}: findings here are not shown under the `aiRegions` and `changed` scopes.")
        elif region.reviewed_hash is not None:
            lines.append("- Modified after review: the code changed since it was marked reviewed, so it is checked again.")
        else:
            lines.append(f"- Not reviewed. The code action \"{REVIEW_TITLE}\" records a review in `.draftguard/reviews.json`.")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def _plain(value: Any) -> Any:
    """pygls hands custom params over as namedtuples; turn them back into data."""
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _offsets(doc: Document, raw: Any) -> tuple[int, int] | None:
    try:
        start, end = raw["start"], raw["end"]
        values = [int(start["line"]), int(start["character"]), int(end["line"]), int(end["character"])]
    except (KeyError, TypeError, ValueError):
        return None
    a, b = doc.offset(values[0], values[1]), doc.offset(values[2], values[3])
    return (a, b) if a <= b else (b, a)


def republish(ls: DraftguardServer, doc: Document) -> None:
    """Findings did not change, what is shown did (regions, reviews)."""
    ls.publish(doc)
    ls.refresh_pulled_diagnostics()


def _guarded(what: str, fallback=None):
    """A failure in region handling is logged and never costs the diagnostics."""

    def wrap(fn):
        def run(ls: DraftguardServer, doc: Document, *args):
            try:
                return fn(ls, doc, *args)
            except Exception as exc:  # a bug here must not stop analysis and publishing
                log.exception("AI regions: %s failed", what)
                ls.log(f"AI regions: {what} failed for {doc.uri}: {type(exc).__name__}: {exc}", types.MessageType.Error)
                return fallback(*args) if fallback else None

        return run

    return wrap


def register(server: DraftguardServer) -> None:
    service = RegionService(server)

    @_guarded("opening")
    def on_open(ls: DraftguardServer, doc: Document) -> None:
        if not service.watching:
            service.watching = True
            watch_state_files(ls)
        state = service.state(doc)
        service.ledger(state.root)
        service.restore_regions(doc, state)
        service.derive_markers(doc, state)
        service.derive_agent_trace(doc, state, force=True)
        service.ensure_uncommitted(doc, state)

    @_guarded("tracking a change")
    def on_change(ls: DraftguardServer, doc: Document, changes: list[TextChange]) -> None:
        state = service.state(doc)
        state.tracker.rule = service.rule()
        result = state.tracker.apply(
            ((c.start, c.removed, c.text.encode("utf-8", "surrogatepass")) for c in changes),
            doc.source,
        )
        if result.created:
            service.drop_non_ai_inserts(doc, state, result.created)
        if result.marker_text_touched:
            service.derive_markers(doc, state)
        if ls.settings.scope == "changed":
            service.ensure_uncommitted(doc, state)
            service.extend_uncommitted(doc, state, result.edits)

    @_guarded("the scope filter", fallback=lambda findings: findings)
    def scope_filter(ls: DraftguardServer, doc: Document, findings: list[Finding]) -> list[Finding]:
        state = service.state(doc)
        service.ledger(state.root)  # one stat: picks up reviews written by other windows
        if ls.settings.scope != "changed" and state.head is not _UNSET:
            state.tracker.replace_provenance(UNCOMMITTED, [])  # not kept current outside `changed`
            state.head = _UNSET
        service.ensure_uncommitted(doc, state)
        service.notify_if_changed(doc, state)
        if ls.settings.scope == "all":
            return findings
        counted = service.counted_provenances()
        active = [r for r in state.regions if r.provenance in counted and service.region_state(doc, state, r) != REVIEWED]
        return [f for f in findings if any(r.intersects(f.start_byte, f.end_byte) for r in active)]

    @_guarded("hover")
    def hover(ls: DraftguardServer, doc: Document, offset: int) -> str | None:
        state = service.state(doc)
        line = doc.lines.line_of(offset)
        counted = service.counted_provenances()
        hits = [
            r for r in state.regions
            if r.provenance in counted and doc.lines.line_of(r.start) <= line <= doc.lines.line_of(max(r.start, r.end - 1))
        ]
        return hover_markdown(service, doc, state, hits) if hits else None

    @_guarded("code actions", fallback=lambda *_args: [])
    def code_actions(ls: DraftguardServer, doc: Document, start: int, end: int, findings: list[Finding]) -> list[types.CodeAction]:
        state = service.state(doc)
        lo = min([start] + [f.start_byte for f in findings])
        hi = max([end] + [f.end_byte for f in findings])
        first_line, last_line = doc.lines.line_of(lo), doc.lines.line_of(hi)
        counted = service.counted_provenances()
        candidates = [
            r for r in state.regions
            if r.provenance in counted and doc.lines.line_of(r.start) <= last_line and first_line <= doc.lines.line_of(max(r.start, r.end - 1))
            and service.region_state(doc, state, r) != REVIEWED
        ]
        groups: dict[tuple[int, int], list[Region]] = {}
        for region in candidates:
            groups.setdefault((region.start, region.end), []).append(region)
        actions = []
        for (r_start, r_end), _regions in sorted(groups.items()):
            diagnostics = [to_diagnostic(doc, f) for f in doc.extra.get("visible", []) if r_start < f.end_byte and f.start_byte < r_end]
            title = REVIEW_TITLE
            if len(groups) > 1:
                title += f" (lines {doc.lines.line_of(r_start) + 1}-{doc.lines.line_of(max(r_start, r_end - 1)) + 1})"
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=diagnostics or None,
                    command=types.Command(title=title, command=MARK_REVIEWED, arguments=[doc.uri, range_json(to_range(doc, r_start, r_end))]),
                )
            )
        return actions

    server.open_listeners.append(on_open)
    server.change_listeners.append(on_change)
    server.scope_filters.append(scope_filter)
    server.hover_providers.append(hover)
    server.code_action_providers.append(code_actions)
    server.close_listeners.append(_guarded("recording regions")(lambda ls, doc: service.keep_regions(doc, service.state(doc))))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DraftguardServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return
        state = service.state(doc)
        service.ledger(state.root)
        service.keep_regions(doc, state)
        service.derive_agent_trace(doc, state)
        if ls.settings.scope == "changed":
            service.derive_uncommitted(doc, state, refresh_head=True)
        republish(ls, doc)

    def watched_files_changed(ls: DraftguardServer, changes: list[types.FileEvent]) -> None:
        if not any(c.uri.endswith(STATE_FILES) for c in changes):
            return
        for ledger in service.ledgers.values():
            ledger.refresh_if_changed()
            service._report_ledger(ledger)
        for doc in list(ls.documents.documents.values()):
            service.derive_agent_trace(doc, service.state(doc))
        ls.republish_all()

    server.watched_file_listeners.append(watched_files_changed)

    def watch_state_files(ls: DraftguardServer) -> None:
        """Ask the client to report changes of the ledger and trace files."""
        caps = ls.client_capabilities
        watched = caps and caps.workspace and caps.workspace.did_change_watched_files
        if not (watched and watched.dynamic_registration):
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=f"**{name}") for name in STATE_FILES]
        )
        registration = types.Registration(id="draftguard-state-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)

        def done(future: Any) -> None:
            error = future.exception()
            if error is not None:  # stat checks on open, save and publish still apply
                ls.log(f"could not watch review and trace files: {error}", types.MessageType.Log)

        ls.client_register_capability(types.RegistrationParams(registrations=[registration])).add_done_callback(done)

    @server.feature(MARK_AI_REGION)
    def mark_ai_region(ls: DraftguardServer, params: Any) -> None:
        data = _plain(params)
        if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
            ls.log(f"{MARK_AI_REGION}: expected {{uri, range, source, model?}}, got {data!r}"[:300], types.MessageType.Warning)
            return
        doc = ls.documents.get(data["uri"])
        if doc is None:
            ls.log(f"{MARK_AI_REGION}: {data['uri']} is not open", types.MessageType.Warning)
            return
        version = data.get("version")
        if isinstance(version, int) and version != doc.version:
            ls.log(f"{MARK_AI_REGION}: range is for version {version} but the document is at {doc.version}; ignored", types.MessageType.Warning)
            return
        offsets = _offsets(doc, data.get("range"))
        if offsets is None:
            ls.log(f"{MARK_AI_REGION}: bad range {data.get('range')!r}"[:300], types.MessageType.Warning)
            return
        span = stripped_span(doc.source[offsets[0] : offsets[1]], offsets[0])
        if span is None:
            return
        state = service.state(doc)
        for region in [r for r in state.regions if r.provenance == BULK_INSERT and span[0] <= r.start and r.end <= span[1]]:
            state.tracker.remove(region)
        source = data.get("source") if isinstance(data.get("source"), str) and data.get("source") else "editor extension"
        model = data.get("model") if isinstance(data.get("model"), str) and data.get("model") else None
        state.tracker.add(Region(span[0], span[1], CLIENT, source=source, model=model, detail=f"reported by {source} through {MARK_AI_REGION}"))
        republish(ls, doc)

    @server.feature(REGIONS)
    def regions_request(ls: DraftguardServer, params: Any) -> dict:
        data = _plain(params)
        uri = data.get("uri") if isinstance(data, dict) else None
        doc = ls.documents.get(uri) if isinstance(uri, str) else None
        if doc is None:
            return {"uri": uri, "version": None, "scope": ls.settings.scope, "regions": []}
        state = service.state(doc)
        service.ensure_uncommitted(doc, state)
        counted = service.counted_provenances()
        return {
            "uri": doc.uri,
            "version": doc.version,
            "scope": ls.settings.scope,
            "regions": [service.region_json(doc, state, r, counted) for r in state.regions],
        }

    @server.command(MARK_REVIEWED)
    def mark_reviewed(ls: DraftguardServer, *args: Any) -> dict:
        values = [_plain(a) for a in args]
        if len(values) == 1 and isinstance(values[0], dict):
            uri, raw_range = values[0].get("uri"), values[0].get("range")
        else:
            uri = values[0] if values else None
            raw_range = values[1] if len(values) > 1 else None
        doc = ls.documents.get(uri) if isinstance(uri, str) else None
        if doc is None:
            return {"reviewed": 0, "regions": [], "message": f"{uri!r} is not an open document"}
        if raw_range is None:
            offsets: tuple[int, int] | None = (0, len(doc.source))
        else:
            offsets = _offsets(doc, raw_range)
        if offsets is None:
            return {"reviewed": 0, "regions": [], "message": f"bad range {raw_range!r}"}
        state = service.state(doc)
        reviewed = service.review(doc, state, *offsets)
        counted = service.counted_provenances()
        republish(ls, doc)
        return {
            "reviewed": len(reviewed),
            "regions": [service.region_json(doc, state, r, counted) for r in reviewed],
            "message": None if reviewed else "no unreviewed region intersects that range",
        }
