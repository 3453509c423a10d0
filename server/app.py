"""The draftguard language server object: state plus the analysis pipeline.

Feature modules in `features/` register LSP handlers on it. Later layers
(AI regions, review ledger, workspace scans) plug in through the two hook
lists: `change_listeners` see every applied text change, `scope_filters`
decide which findings the current scope publishes.
"""

from __future__ import annotations

import logging
from typing import Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from draftguard.analyzers import Finding, analyze_detailed

from .convert import to_diagnostic
from .documents import Document, DocumentStore, TextChange
from .protocol import DraftguardProtocol
from .settings import Settings, parse_settings

log = logging.getLogger("draftguard")
VERSION = "0.1.0"

ChangeListener = Callable[["DraftguardServer", Document, list[TextChange]], None]
ScopeFilter = Callable[["DraftguardServer", Document, list[Finding]], list[Finding]]


class DraftguardServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("draftguard", VERSION, protocol_cls=DraftguardProtocol, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents = DocumentStore()
        self.settings = Settings()
        self.initialization_settings: object = None
        self.change_listeners: list[ChangeListener] = []
        self.open_listeners: list[Callable[["DraftguardServer", Document], None]] = []
        self.scope_filters: list[ScopeFilter] = []
        self.hover_providers: list[Callable[["DraftguardServer", Document, int], str | None]] = []
        self.code_action_providers: list[Callable[["DraftguardServer", Document, int, int, list[Finding]], list[types.CodeAction]]] = []
        self.workspace_root: str | None = None

    # -- settings -------------------------------------------------------------
    def apply_settings(self, raw: object, origin: str) -> None:
        settings, warnings = parse_settings(raw, self.settings, origin=origin)
        for warning in warnings:
            self.log(f"configuration: {warning}", types.MessageType.Warning)
        changed = settings != self.settings
        self.settings = settings
        if changed:
            self.reanalyze_all()

    # -- analysis ---------------------------------------------------------------
    def analyze(self, doc: Document) -> list[Finding]:
        """Run the analyzers on the document and store every finding."""
        if not doc.supported or doc.tree is None:
            doc.extra["findings"] = []
            return []
        result = analyze_detailed(doc.source, doc.tree, doc.spec.id, config=self.settings.analysis_config(), cache=doc.analysis_cache)
        for error in result.rule_errors:
            self.log(f"{doc.uri}: rule error {error}", types.MessageType.Error)
        doc.extra["findings"] = result.findings
        return result.findings

    def visible_findings(self, doc: Document) -> list[Finding]:
        findings = list(doc.extra.get("findings", []))
        for scope_filter in self.scope_filters:
            findings = scope_filter(self, doc, findings)
        return findings

    def publish(self, doc: Document) -> None:
        visible = self.visible_findings(doc)
        doc.extra["visible"] = visible
        diagnostics = [to_diagnostic(doc, f) for f in visible]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=diagnostics, version=doc.version))

    def analyze_and_publish(self, doc: Document) -> None:
        self.analyze(doc)
        self.publish(doc)

    def reanalyze_all(self) -> None:
        for doc in list(self.documents.documents.values()):
            self.analyze_and_publish(doc)

    def republish_all(self) -> None:
        for doc in list(self.documents.documents.values()):
            self.publish(doc)

    # -- messages ---------------------------------------------------------------
    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        log.info(message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no client attached (unit tests, CLI)
            log.debug("could not send log message", exc_info=True)

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
