"""Dependency verification in the editor: every open document carries the
dependency picture of its project, kept current without costing keystrokes.

- On open, a document gets its picture from the project index (folder facts
  are read once and cached; a keystroke only reads `doc.extra`).
- The selected environment is probed once in a worker thread (the server's
  own interpreter, or `dependencies.pythonInterpreter`); until the answer
  arrives the Python rules stay quiet, then open documents are re-analysed.
- `workspace/didChangeWatchedFiles` for manifests, lock files, tsconfig,
  bundler configuration and created or deleted modules invalidates the
  folders concerned (the watchers are registered dynamically when the client
  allows it), re-probes the environment after manifest or lock-file changes,
  and re-publishes only the documents whose picture changed.
- `draftguard.refreshDependencies` forgets everything and probes again
  (after a `pip install` outside the workspace, for example).
- A quick fix that declares a dependency becomes a WorkspaceEdit on the
  manifest (see code_actions.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from draftguard.analyzers import ProjectDependencies

from ..app import DraftguardServer
from ..documents import Document
from ..project.environment import PythonEnvironment, default_interpreter, probe_python
from ..project.index import LOCK_NAMES, MANIFEST_NAMES, ProjectIndex, is_dependency_file
from ..settings import Settings

REFRESH_COMMAND = "draftguard.refreshDependencies"
_SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_WATCHED = (
    types.FileSystemWatcher(glob_pattern="**/{" + ",".join(MANIFEST_NAMES + LOCK_NAMES) + "}"),
    types.FileSystemWatcher(glob_pattern="**/requirements*.txt"),
    types.FileSystemWatcher(glob_pattern="**/requirements/*.txt"),
    types.FileSystemWatcher(glob_pattern="**/{vite,vitest,webpack,svelte,babel,rollup,astro,nuxt}.config.*"),
    types.FileSystemWatcher(glob_pattern="**/.babelrc"),
    types.FileSystemWatcher(
        glob_pattern="**/*.{" + ",".join(s[1:] for s in _SOURCE_SUFFIXES) + "}",
        kind=types.WatchKind.Create | types.WatchKind.Delete,
    ),
)


def _identities(findings) -> list[tuple]:
    return [(f.rule_id, f.start_byte, f.end_byte, f.message, f.fixes) for f in findings]


class DependencyService:
    def __init__(self, ls: DraftguardServer):
        self.ls = ls
        self.index: ProjectIndex | None = None
        self.probe_generation = 0
        self.probing = False

    # -- the index and the environment ----------------------------------------------
    def ensure_index(self) -> ProjectIndex:
        if self.index is None:
            self.index = ProjectIndex(self.ls.workspace_root)
            self.ls.dependency_index = self.index
            self.start_probe()
        return self.index

    def interpreter(self) -> tuple[str, ...]:
        return self.ls.settings.python_interpreter or default_interpreter()

    def start_probe(self) -> None:
        """Probe the selected interpreter in a worker thread; a later probe wins."""
        self.probe_generation += 1
        generation = self.probe_generation
        interpreter = self.interpreter()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (unit use): probe inline
            self._probed(generation, probe_python(interpreter))
            return
        self.probing = True
        future = loop.run_in_executor(None, probe_python, interpreter)
        future.add_done_callback(lambda f: self._probed(generation, f.result() if not f.cancelled() and f.exception() is None else None))

    def _probed(self, generation: int, env: PythonEnvironment | None) -> None:
        if generation != self.probe_generation or self.index is None:
            return
        self.probing = False
        if env is None:
            env = PythonEnvironment(self.interpreter(), error="the probe failed")
        if env.error:
            self.ls.log(f"dependency rules: cannot read the Python environment ({env.error}); packages count as not installed", types.MessageType.Warning)
        else:
            self.ls.log(f"dependency rules: {len(env.distributions)} distributions installed in {env.label}")
        self.index.set_environment(env)
        self.refresh_documents()

    # -- pictures -------------------------------------------------------------------------
    def picture(self, doc: Document) -> ProjectDependencies | None:
        index = self.ensure_index()
        path = to_fs_path(doc.uri) if doc.uri.startswith("file:") else None
        if path is None:
            if not self.ls.workspace_root:
                return None
            path = str(Path(self.ls.workspace_root) / "untitled")  # an unsaved buffer belongs to the workspace
        try:
            return index.dependencies_for(Path(path))
        except OSError as exc:
            self.ls.log(f"{doc.uri}: dependency picture unavailable: {exc}", types.MessageType.Warning)
            return None

    def on_open(self, ls: DraftguardServer, doc: Document) -> None:
        if doc.supported:
            doc.extra["dependencies"] = self.picture(doc)

    def refresh_documents(self) -> None:
        """Re-analyse the open documents whose picture changed, and publish
        those whose findings changed (a new picture often changes nothing)."""
        changed = False
        for doc in list(self.ls.documents.documents.values()):
            if not doc.supported:
                continue
            old = doc.extra.get("dependencies")
            new = self.picture(doc)
            if (old.fingerprint if old else None) == (new.fingerprint if new else None):
                continue
            doc.extra["dependencies"] = new
            if doc.extra.get("analysis_run") is not None:
                continue  # being analysed in the background: it finishes, is not current, and analyses again (only units that read the picture)
            before = _identities(doc.extra.get("findings", []))
            if _identities(self.ls.analyze(doc)) != before:
                self.ls.publish(doc)
                changed = True
        if changed:
            self.ls.refresh_pulled_diagnostics()

    # -- events ---------------------------------------------------------------------------
    def on_watched_files(self, ls: DraftguardServer, changes: list[types.FileEvent]) -> None:
        if self.index is None:
            return
        paths = [Path(p) for p in (to_fs_path(c.uri) for c in changes) if p]
        relevant = [p for p in paths if is_dependency_file(p) or p.suffix in _SOURCE_SUFFIXES or p.name == "__init__.py"]
        if not relevant:
            return
        self.index.invalidate(relevant)
        if any(is_dependency_file(p) for p in relevant):
            self.start_probe()  # installs usually follow (or come with) manifest and lock-file changes
        self.refresh_documents()

    def on_settings(self, ls: DraftguardServer, old: Settings, new: Settings) -> None:
        if self.index is not None and old.python_interpreter != new.python_interpreter:
            self.start_probe()

    def refresh(self) -> None:
        if self.index is None:
            self.ensure_index()
            return
        self.index.invalidate_all()
        self.start_probe()
        self.refresh_documents()


def register(server: DraftguardServer) -> None:
    service = DependencyService(server)
    server.dependency_service = service  # type: ignore[attr-defined]
    server.open_listeners.append(service.on_open)
    server.watched_file_listeners.append(service.on_watched_files)
    server.settings_listeners.append(service.on_settings)
    server.file_watchers.extend(_WATCHED)

    @server.command(REFRESH_COMMAND)
    def refresh_dependencies(ls: DraftguardServer, *args) -> dict:
        service.refresh()
        return {"root": ls.workspace_root, "interpreter": list(service.interpreter())}
