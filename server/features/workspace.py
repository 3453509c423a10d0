"""Whole-workspace analysis: the `draftguard.scanWorkspace` command and LSP
3.17 pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`).

Both scan the files on disk through the workspace index (worker processes,
re-scanning only files that changed) and report progress with `$/progress`
work-done notifications, using the client's token when it sent one and
creating one otherwise. A client can cancel through the progress UI or by
cancelling the request. Open documents are always reported from the editor's
live text, never from disk.

The scan honours the configured scope (`aiRegions`, `changed`, `all`); the
command accepts `{"scope": "all"}` to look at everything once. In push mode
the command publishes the findings of files that are not open; in pull mode it
asks the client to pull again.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from draftguard.analyzers import spec_for_path

from ..app import DraftguardServer
from ..convert import reported_to_diagnostic
from ..documents import Document
from ..findingfilter import Filter, kept, repo_top, scope_filters
from ..scan import FileResult, ScanOptions, scan_file
from ..settings import SCOPES
from ..workspace_index import IndexedFile, WorkspaceIndex

SCAN_COMMAND = "draftguard.scanWorkspace"
REPORT_INTERVAL = 0.2


def _result_id(diagnostics: list[types.Diagnostic]) -> str:
    key = repr([(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message, d.severity) for d in diagnostics])
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


class WorkDone:
    """`$/progress` for one long operation; silent when the client cannot show it."""

    def __init__(self, ls: DraftguardServer, token: types.ProgressToken | None):
        self.ls = ls
        self.token = token
        self.last = 0.0

    async def begin(self, title: str) -> None:
        if self.token is None:
            caps = self.ls.client_capabilities
            if not (caps and caps.window and caps.window.work_done_progress):
                return
            token = f"draftguard-{uuid.uuid4()}"
            try:
                await self.ls.work_done_progress.create_async(token)
            except Exception:  # the client refused: no progress UI
                return
            self.token = token
        self.ls.work_done_progress.begin(self.token, types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0))

    def report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.token is None or (now - self.last < REPORT_INTERVAL and done < total):
            return
        self.last = now
        percentage = int(100 * done / total) if total else 100
        self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=percentage))

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))

    @property
    def cancelled(self) -> bool:
        future = self.ls.work_done_progress.tokens.get(self.token) if self.token is not None else None
        return bool(future is not None and future.cancelled())


class WorkspaceScanner:
    """The index plus what a scan needs from the server, shared by features."""

    def __init__(self, ls: DraftguardServer):
        self.ls = ls
        self.index = WorkspaceIndex()
        self.published: set[str] = set()
        self.lock = asyncio.Lock()

    def root(self) -> Path | None:
        return Path(self.ls.workspace_root).resolve() if self.ls.workspace_root else None

    def filters(self, scope: str | None = None) -> list[Filter]:
        root = self.root()
        return scope_filters(scope or self.ls.settings.scope, repo_top(root) if root else None)

    async def scan(self, progress: WorkDone, title: str) -> tuple[list[IndexedFile], bool]:
        root = self.root()
        if root is None:
            return [], False
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        project = self.ls.project_config
        exclude_root = project.root if project is not None else root

        def on_progress(done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress.report, done, total)

        def cancelled() -> bool:
            return stop.is_set() or progress.cancelled

        async with self.lock:
            await progress.begin(title)
            try:
                entries, stats = await loop.run_in_executor(
                    None,
                    lambda: self.index.refresh(
                        root, self.ls.settings, exclude_root, self.ls.position_encoding, progress=on_progress, cancelled=cancelled, dependencies=self.ls.dependency_index
                    ),
                )
            except asyncio.CancelledError:
                stop.set()
                progress.end("cancelled")
                raise
            findings = sum(len(e.result.findings) for e in entries)
            progress.end("cancelled" if stats.cancelled else f"{stats.files} files, {findings} findings before scope")
            return entries, stats.cancelled

    def diagnostics(self, doc: Document | None, result: FileResult | None, filters: list[Filter]) -> list[types.Diagnostic]:
        if doc is not None:
            self.ls.ensure_current(doc)
            return self.ls.diagnostics(doc)
        if result is None:
            return []
        return [reported_to_diagnostic(r) for r in kept(result, filters)]


def _document_for(ls: DraftguardServer, uri: str) -> Document | None:
    return ls.documents.get(uri)


def register(server: DraftguardServer) -> None:
    scanner = WorkspaceScanner(server)
    server.workspace_scanner = scanner  # type: ignore[attr-defined]

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="draftguard", inter_file_dependencies=False, workspace_diagnostics=True),
    )
    async def document_diagnostic(ls: DraftguardServer, params: types.DocumentDiagnosticParams):
        uri = params.text_document.uri
        doc = _document_for(ls, uri)
        result = None
        if doc is None:
            path = to_fs_path(uri)
            if path and spec_for_path(path) is not None and Path(path).is_file():
                options = ScanOptions(config=ls.settings.analysis_config(), encoding=ls.position_encoding, root=ls.workspace_root, dependencies=ls.dependency_index)
                result = await asyncio.get_running_loop().run_in_executor(None, scan_file, path, options)
        diagnostics = scanner.diagnostics(doc, result, scanner.filters() if doc is None else [])
        result_id = _result_id(diagnostics)
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=diagnostics, result_id=result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: DraftguardServer, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        previous = {p.uri: p.value for p in params.previous_result_ids}
        entries, _cancelled = await scanner.scan(WorkDone(ls, params.work_done_token), "draftguard: workspace diagnostics")
        filters = scanner.filters()
        items: list[Any] = []
        seen: set[str] = set()
        for entry in entries:
            uri = from_fs_path(str(entry.path))
            doc = _document_for(ls, uri)
            seen.add(uri)
            diagnostics = scanner.diagnostics(doc, entry.result, filters)
            if not diagnostics and uri not in previous:
                continue  # nothing to show and nothing to clear
            result_id = _result_id(diagnostics)
            version = doc.version if doc is not None else None
            if previous.get(uri) == result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=version))
            else:
                items.append(types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=diagnostics, result_id=result_id, version=version))
        for uri in set(previous) - seen:  # deleted, now excluded or no longer scanned
            items.append(types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None))
        return types.WorkspaceDiagnosticReport(items=items)

    @server.command(SCAN_COMMAND)
    async def scan_workspace(ls: DraftguardServer, *args: Any) -> dict:
        token = ls.command_work_done_token
        options = args[0] if args and isinstance(args[0], dict) else {}
        scope = options.get("scope")
        if scope is not None and scope not in SCOPES:
            raise ValueError(f"scope: expected one of {', '.join(SCOPES)}, got {scope!r}")
        if ls.workspace_root is None:
            ls.show_message("draftguard: open a folder to scan a workspace", types.MessageType.Warning)
            return {"files": 0, "findings": 0, "hidden": 0, "skipped": 0, "cancelled": False}
        entries, cancelled = await scanner.scan(WorkDone(ls, token), "draftguard: scanning workspace")
        filters = scanner.filters(scope)
        total = shown = skipped = 0
        published: set[str] = set()
        for entry in entries:
            total += len(entry.result.findings)
            skipped += bool(entry.result.skipped)
            uri = from_fs_path(str(entry.path))
            doc = _document_for(ls, uri)
            diagnostics = scanner.diagnostics(doc, entry.result, filters)
            shown += len(diagnostics)
            if doc is None and not ls.pull_diagnostics and (diagnostics or uri in scanner.published):
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
                if diagnostics:
                    published.add(uri)
        if not ls.pull_diagnostics:
            for uri in scanner.published - published - {from_fs_path(str(e.path)) for e in entries}:
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            scanner.published = published
        else:
            ls.refresh_pulled_diagnostics()
        summary = {"files": len(entries), "findings": shown, "hidden": max(0, total - shown), "skipped": skipped, "cancelled": cancelled}
        ls.log(f"workspace scan: {summary}")
        return summary
