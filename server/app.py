"""The draftguard language server object: state plus the analysis pipeline.

Feature modules in `features/` register LSP handlers on it. Later layers
(AI regions, review ledger, workspace scans) plug in through the two hook
lists: `change_listeners` see every applied text change, `scope_filters`
decide which findings the current scope publishes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls import IS_WASM
from pygls.exceptions import JsonRpcParseError
from pygls.lsp.server import LanguageServer

from draftguard.analyzers import Finding, UnitCache
from draftguard.analyzers.budget import MAX_SOURCE_BYTES, NESTED_TOO_DEEPLY, BudgetExceeded, time_limit
from draftguard.analyzers.engine import analysis_steps, provisional_findings

from . import gcpolicy
from .convert import notice_diagnostic, notice_json, to_diagnostic
from .diagnostic_text import DiagnosticTexts
from .documents import Document, DocumentStore, TextChange
from .protocol import DraftguardProtocol
from .project.index import ProjectIndex
from .projectconfig import ConfigError, ProjectConfig, load_project_config
from .settings import EDITOR_DEFAULTS, Settings, overlay
from .stdio import serve_stdio

log = logging.getLogger("draftguard")
VERSION = "0.1.0"
ANALYSIS_SLICE = 0.008
"""Seconds of analysis between two looks at the incoming messages."""

_PRESENT = object()

GIVE_WAY_ROUNDS = 4
"""Event-loop rounds between two slices of work. A message becomes a call
of its handler over several rounds (the reader reads the header lines and
the body one await at a time), so with one round per slice a didChange
that supersedes the work waited several slices to be seen."""


async def _give_way() -> None:
    """Let the event loop run a few rounds: pending messages get handled."""
    for _ in range(GIVE_WAY_ROUNDS):
        await asyncio.sleep(0)

ChangeListener = Callable[["DraftguardServer", Document, list[TextChange]], None]
ScopeFilter = Callable[["DraftguardServer", Document, list[Finding]], list[Finding]]


class DraftguardServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("draftguard", VERSION, protocol_cls=DraftguardProtocol, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents = DocumentStore()
        self.default_settings = EDITOR_DEFAULTS
        self.settings = self.default_settings
        self.project_config: ProjectConfig | None = None
        self.editor_settings: dict[str, object] = {}
        """Raw editor settings by layer ("initializationOptions", then "workspace")."""
        self.initialization_settings: object = None
        self.change_listeners: list[ChangeListener] = []
        self.open_listeners: list[Callable[["DraftguardServer", Document], None]] = []
        self.close_listeners: list[Callable[["DraftguardServer", Document], None]] = []
        self.scope_filters: list[ScopeFilter] = []
        self.hover_providers: list[Callable[["DraftguardServer", Document, int], str | None]] = []
        self.code_action_providers: list[Callable[["DraftguardServer", Document, int, int, list[Finding]], list[types.CodeAction]]] = []
        self.watched_file_listeners: list[Callable[["DraftguardServer", list[types.FileEvent]], None]] = []
        """Told about every `workspace/didChangeWatchedFiles` batch (review ledger, Agent Trace file)."""
        self.file_watchers: list[types.FileSystemWatcher] = []
        """Files, besides the configuration files, whose changes the client should report."""
        self.settings_listeners: list[Callable[["DraftguardServer", Settings, Settings], None]] = []
        """Called with (old, new) when the effective settings change, before re-analysis."""
        self.dependency_index: ProjectIndex | None = None
        """Dependency pictures for files on disk (workspace scans, pulled diagnostics)."""
        self.workspace_root: str | None = None
        self.pull_diagnostics = False
        """True when the client pulls diagnostics (LSP 3.17) instead of receiving them."""
        self.command_work_done_token: types.ProgressToken | None = None
        """The work-done token of the workspace/executeCommand being dispatched."""

    def start_io(self, stdin=None, stdout=None) -> None:
        """Serve over stdin/stdout, reading stdin on the event loop (server/stdio.py)."""
        if IS_WASM:
            super().start_io(stdin, stdout)
            return
        serve_stdio(self, stdin, stdout)

    # -- settings -------------------------------------------------------------
    def apply_settings(self, raw: object, origin: str) -> None:
        """Editor settings from `origin`; they override the project file's."""
        layer = "initializationOptions" if origin == "initializationOptions" else "workspace"
        self.editor_settings[layer] = raw
        self.recompute_settings(warn_for=layer)

    def load_project_config(self) -> None:
        """(Re)read `.draftguard.toml` / `[tool.draftguard]` at the workspace root."""
        if not self.workspace_root:
            return
        try:
            self.project_config = load_project_config(Path(self.workspace_root))
        except ConfigError as exc:
            self.project_config = None
            self.show_message(f"draftguard configuration ignored: {exc}", types.MessageType.Error)
            return
        for issue in self.project_config.issues:
            kind = types.MessageType.Warning if issue.unknown else types.MessageType.Error
            self.log(f"configuration: {issue}", kind)
        if self.project_config.errors:
            self.show_message(
                "draftguard: invalid settings ignored: " + "; ".join(str(i) for i in self.project_config.errors), types.MessageType.Error
            )
        self.recompute_settings()

    def recompute_settings(self, warn_for: str | None = None) -> None:
        """defaults < project configuration file < initializationOptions < workspace settings."""
        settings = self.default_settings
        if self.project_config is not None and self.project_config.raw is not None:
            settings, _issues = overlay(settings, self.project_config.raw, origin=self.project_config.origin, trusted=False)
        for layer in ("initializationOptions", "workspace"):
            if layer in self.editor_settings:
                settings, issues = overlay(settings, self.editor_settings[layer], origin=layer)
                if layer == warn_for:
                    for issue in issues:
                        self.log(f"configuration: {issue}", types.MessageType.Warning)
        changed = settings != self.settings
        old, self.settings = self.settings, settings
        if changed:
            for listener in self.settings_listeners:
                listener(self, old, settings)
            self.reanalyze_all()

    # -- analysis ---------------------------------------------------------------
    def analyze(self, doc: Document) -> list[Finding]:
        """Run the analyzers on the document now, to the end, and store every
        finding, or the reason (`doc.extra["notices"]`) why there are none."""
        self.abandon_analysis(doc)
        version = doc.version
        steps = self._start(doc)
        if steps is None:
            return doc.extra["findings"]
        self._advance(doc, version, steps, None)
        return doc.extra["findings"]

    def _start(self, doc: Document):
        """The analysis steps for the document's present version, or None when
        it is not analysed (unsupported, too large, paused after an overrun);
        then its (empty) findings and notices are stored already."""
        notice = None
        if not doc.supported:
            pass
        elif doc.tree is None:
            if len(doc.source) > MAX_SOURCE_BYTES:
                notice = f"draftguard does not analyse this file: at {len(doc.source) / 2**20:.1f} MiB it is over the {MAX_SOURCE_BYTES / 2**20:g} MiB limit for one file."
        else:
            retry_at = doc.extra.get("retry_analysis_at")
            if retry_at is None or time.monotonic() >= retry_at:
                doc.extra["analysis_spent"] = 0.0
                doc.extra["run_project"] = project = doc.extra.get("dependencies")
                return analysis_steps(doc.source, doc.tree, doc.spec.id, doc.analysis_cache, config=self.settings.analysis_config(), project=project)
            notice = doc.extra["overrun"] + f" It is analysed again at the first change after {retry_at - time.monotonic():.0f} s."
        self._store(doc, doc.version, [], [notice] if notice else [])
        return None

    def _advance(self, doc: Document, version: int, steps, until: float | None) -> bool:
        """Run analysis steps until they finish (True: results stored) or the
        clock passes `until` (False: more to do). The time spent across all
        slices of one version is bounded by the `analysisTimeout` setting
        (analyzers/budget.py): an overrun ends in a warning diagnostic and a
        pause of four budgets before the next try, so one hostile file cannot
        keep the server busy."""
        seconds = self.settings.analysis_timeout
        spent = doc.extra.get("analysis_spent", 0.0)
        started = time.perf_counter()
        try:
            with time_limit(max(seconds - spent, 0.001) if seconds else 0):
                while True:
                    try:
                        next(steps)
                    except StopIteration as done:
                        result = done.value
                        break
                    if until is not None and time.perf_counter() >= until:
                        doc.extra["analysis_spent"] = spent + time.perf_counter() - started
                        return False
        except (BudgetExceeded, RecursionError) as exc:
            steps.close()
            doc.extra.pop("analysis_run", None)
            doc.analysis_cache = UnitCache()  # abandoned mid-way: start clean
            what = f"after {seconds:g} s (an unusually large or deeply nested expression?)" if isinstance(exc, BudgetExceeded) else "because it is nested too deeply"
            doc.extra["overrun"] = f"draftguard stopped analysing this file {what}; its findings are not shown."
            doc.extra["retry_analysis_at"] = time.monotonic() + 4 * (seconds or 1)
            self.log(f"{doc.uri}: {doc.extra['overrun']}", types.MessageType.Warning)
            self._store(doc, version, [], [doc.extra["overrun"]])
            return True
        doc.extra.pop("retry_analysis_at", None)
        doc.extra.pop("analysis_run", None)
        for error in result.rule_errors:
            self.log(f"{doc.uri}: rule error {error}", types.MessageType.Error)
        notices = []
        if any(error.endswith(NESTED_TOO_DEEPLY) for error in result.rule_errors):
            notices.append("draftguard skipped statements of this file that are nested too deeply to analyse; findings there are not shown.")
        self._store(doc, version, result.findings, notices, doc.extra.get("run_project"))
        gcpolicy.settled(result.units_analyzed)
        return True

    def _store(self, doc: Document, version: int, findings: list[Finding], notices: list[str], project: object = _PRESENT) -> None:
        """Findings of `version`, analysed with the dependency picture
        `project` (by default the present one: nothing was analysed)."""
        doc.extra["findings"], doc.extra["notices"] = findings, notices
        doc.extra["analyzed_version"] = version
        doc.extra["analyzed_project"] = doc.extra.get("dependencies") if project is _PRESENT else project

    def abandon_analysis(self, doc: Document) -> None:
        """Close the background analysis of an older state, if one is half-way."""
        steps = doc.extra.pop("analysis_run", None)
        if steps is not None:
            steps.close()

    def is_current(self, doc: Document) -> bool:
        """Whether the stored findings are those of the present text and
        dependency picture (a new picture arriving while a background analysis
        runs makes it analyse again when done: see features/dependencies)."""
        extra = doc.extra
        return extra.get("analyzed_version") == doc.version and "findings" in extra and extra.get("analyzed_project") is extra.get("dependencies")

    def ensure_current(self, doc: Document) -> None:
        """Findings for the document's present version before answering a
        request about it (hover, code actions, pulled diagnostics): finish
        the analysis now if an edit is still being analysed, and publish."""
        if not self.is_current(doc):
            self.analyze_and_publish(doc)
        elif "visible" not in doc.extra:
            self.publish(doc)

    def schedule_analysis(self, doc: Document) -> None:
        """Analyse the document in the background and publish when done
        (didOpen, didChange). The analysis gives way to incoming messages
        every ANALYSIS_SLICE seconds; a newer version supersedes it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (tests driving the server object directly)
            self.analyze_and_publish(doc)
            return
        task = doc.extra.get("analysis_task")
        if task is None or task.done():
            doc.extra["analysis_task"] = loop.create_task(self._analyse_in_background(doc))

    async def _analyse_in_background(self, doc: Document) -> None:
        try:
            while self.documents.get(doc.uri) is doc and not self.is_current(doc):
                if self.settings.debounce_ms:
                    version = doc.version
                    await asyncio.sleep(self.settings.debounce_ms / 1000)
                    if doc.version != version:
                        continue
                await self._analyse_version(doc)
            if self.documents.get(doc.uri) is doc and doc.extra.get("published_version") != doc.version:
                self.publish(doc)  # analysed to the end by another caller (dependencies, settings) that did not publish
        except Exception:  # never let a failed analysis kill the task silently
            log.exception("analysis of %s failed", doc.uri)
            self.log(f"{doc.uri}: analysis failed (see the server log)", types.MessageType.Error)

    async def _analyse_version(self, doc: Document) -> None:
        version = doc.version
        self.abandon_analysis(doc)
        if not await self._parse_in_slices(doc, version):
            return
        steps = self._start(doc)
        if steps is None:
            self.publish(doc)
            return
        doc.extra["analysis_run"] = steps
        while not self._advance(doc, version, steps, time.perf_counter() + ANALYSIS_SLICE):
            await _give_way()
            if doc.version != version or doc.extra.get("analysis_run") is not steps or self.documents.get(doc.uri) is not doc:
                if doc.extra.get("analysis_run") is steps:
                    self.abandon_analysis(doc)  # superseded: the loop starts on the newer version
                return
        self.publish(doc)

    async def _parse_in_slices(self, doc: Document, version: int) -> bool:
        """Bring the document's tree up to date, giving way to incoming
        messages every ANALYSIS_SLICE seconds (False: a newer version or a
        close superseded this one). A reparse that takes longer than one
        slice (tree-sitter recovering from a syntax error in a large file),
        or one still under way for an older version, publishes provisional
        findings first (`publish_provisional`)."""
        provisional = False
        if doc.parse_under_way:
            provisional = True
            self.publish_provisional(doc)
        while doc.parser is not None and not doc.reparse(time.perf_counter() + ANALYSIS_SLICE):
            if not provisional:
                provisional = True
                self.publish_provisional(doc)
            await _give_way()
            if doc.version != version or self.documents.get(doc.uri) is not doc:
                return False
        return True

    def publish_provisional(self, doc: Document) -> None:
        """While a long reparse runs (tree-sitter recovering from a syntax
        error in a large file), publish the findings of the present text with
        the edited statements parsed and analysed on their own (see
        analyzers.incremental, `provisional`); the full analysis publishes
        again when it is done. Nothing is stored: requests about the document
        still wait for the full analysis (`ensure_current`)."""
        if self.pull_diagnostics or not doc.supported or "retry_analysis_at" in doc.extra or "findings" not in doc.extra:
            return
        project = doc.extra.get("dependencies")
        if project is not doc.extra.get("analyzed_project"):
            return
        try:
            with time_limit(self.settings.analysis_timeout or 0):
                findings = provisional_findings(
                    doc.source, doc.spec.id, doc.analysis_cache, doc.parse_region, config=self.settings.analysis_config(), project=project
                )
        except (BudgetExceeded, RecursionError):
            return  # the full analysis reports the overrun
        except Exception:  # provisional results are a courtesy: never let them stop the full analysis
            log.exception("provisional analysis of %s failed", doc.uri)
            return
        if findings is not None:
            self._send(doc, self.visible_findings(doc, findings), doc.extra.get("notices", ()), provisional=True)

    def visible_findings(self, doc: Document, findings: list[Finding] | None = None) -> list[Finding]:
        findings = list(doc.extra.get("findings", []) if findings is None else findings)
        for scope_filter in self.scope_filters:
            findings = scope_filter(self, doc, findings)
        return findings

    def publish(self, doc: Document) -> None:
        """Publish what the present scope shows. Findings of an older version
        are never published over a newer one: while an edit is being analysed
        the background analysis publishes when it is done."""
        if not self.is_current(doc):
            return
        visible = self.visible_findings(doc)
        doc.extra["visible"] = visible
        if self.pull_diagnostics:
            return  # the client asks with textDocument/diagnostic after its changes
        doc.extra["published_version"] = doc.version
        self._send(doc, visible, doc.extra.get("notices", ()))

    def _send(self, doc: Document, visible: list[Finding], notices, provisional: bool = False) -> None:
        """publishDiagnostics for the document's present version; the full
        analysis confirming the provisional findings sent for the same
        version does not send them again."""
        texts = doc.extra.get("diagnostic_texts")
        if texts is None:
            texts = doc.extra["diagnostic_texts"] = DiagnosticTexts()
        items = texts.render(doc, visible)
        items += [json.dumps(notice_json(text)) for text in notices]
        params = '{"uri": %s, "version": %d, "diagnostics": [%s]}' % (json.dumps(doc.uri), doc.version, ", ".join(items))
        if doc.extra.pop("provisional", None) == params and not provisional:
            return
        if provisional:
            doc.extra["provisional"] = params
        self.protocol.notify_json_text(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    def diagnostics(self, doc: Document) -> list[types.Diagnostic]:
        """What the editor shows for an open document: the visible findings
        and any notice why analysis is incomplete."""
        diagnostics = [to_diagnostic(doc, f) for f in doc.extra.get("visible", [])]
        return diagnostics + [notice_diagnostic(text) for text in doc.extra.get("notices", ())]

    def analyze_and_publish(self, doc: Document) -> None:
        self.analyze(doc)
        self.publish(doc)

    def reanalyze_all(self) -> None:
        for doc in list(self.documents.documents.values()):
            self.analyze_and_publish(doc)
        self.refresh_pulled_diagnostics()

    def republish_all(self) -> None:
        for doc in list(self.documents.documents.values()):
            self.publish(doc)
        self.refresh_pulled_diagnostics()

    def refresh_pulled_diagnostics(self) -> None:
        """Ask a pulling client to pull again: findings changed without an edit
        (settings, reviews, regions, a workspace scan)."""
        if not self.pull_diagnostics:
            return
        caps = self.client_capabilities
        workspace_caps = caps.workspace if caps else None
        if workspace_caps and workspace_caps.diagnostics and workspace_caps.diagnostics.refresh_support:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:  # client gone
                log.debug("diagnostic refresh failed", exc_info=True)

    def choose_diagnostic_mode(self) -> None:
        """Pull when the client supports it (setting `diagnosticMode` "auto"),
        or when the user insists; push otherwise."""
        caps = self.client_capabilities
        client_pulls = bool(caps and caps.text_document and caps.text_document.diagnostic is not None)
        mode = self.settings.diagnostic_mode
        self.pull_diagnostics = client_pulls if mode == "auto" else mode == "pull"

    # -- messages ---------------------------------------------------------------
    def report_server_error(self, error: Exception, source) -> None:
        """pygls reports a frame whose body is not JSON here: answer it with a
        JSON-RPC parse error (`id: null`) instead of a pop-up, and keep serving."""
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            log.warning("ignored a message that is not JSON: %s", error)
            self.protocol.send_error(None, JsonRpcParseError(f"not valid JSON: {error}"[:300]))
            return
        super().report_server_error(error, source)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        log.info(message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no client attached (unit tests, CLI)
            log.debug("could not send log message", exc_info=True)

    def show_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        log.info(message)
        try:
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))
        except Exception:  # no client attached
            log.debug("could not show message", exc_info=True)

    @property
    def position_encoding(self) -> str:
        try:
            encoding = self.protocol.workspace.position_encoding
        except RuntimeError:
            return "utf-16"
        return getattr(encoding, "value", encoding) or "utf-16"


def create_server() -> DraftguardServer:
    from .features import register_all

    server = DraftguardServer()
    register_all(server)
    return server
