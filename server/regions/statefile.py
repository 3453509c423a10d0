"""A JSON state file under `<workspace>/.draftguard/`, shared by editor windows, people and git.

The review ledger and the region store are such files. Both are edited by
hand, merged with git and written by several editor windows at once, so:

- a write re-reads the file under an advisory lock (fcntl where the platform
  has it) and applies its change to what is on disk now, so another window's
  write is merged, not lost; the write itself is atomic (`server/atomic.py`:
  temp file in the same folder, fsync, `os.replace`);
- entries are one JSON object per line, in order, so merges touch few lines;
- top-level keys and entries this version does not understand are kept
  verbatim; a file with a newer format version is read but never rewritten;
- a file that is not valid JSON, or not an object with the expected list, is
  never overwritten: it stays as it is, a copy is kept beside it
  (`<name>.corrupt-<hash>`), and `error` says which file and what is wrong.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Callable, Iterator

from ..atomic import atomic_write
from ..confine import check_within

STATE_DIR = ".draftguard"
FORMAT_VERSION = 1
MAX_STATE_BYTES = 32 * 1024 * 1024

try:  # advisory locking where the platform has it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class StateFileUnreadable(ValueError):
    """The file exists but cannot safely be rewritten by this version."""


def _render(top: dict[str, Any], list_key: str, entries: list[Any]) -> bytes:
    head = {key: value for key, value in top.items() if key != list_key}
    head.setdefault("version", FORMAT_VERSION)
    parts = [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}," for key, value in head.items()]
    body = ",\n".join(f"    {json.dumps(entry, ensure_ascii=False, sort_keys=True)}" for entry in entries)
    text = "{\n" + "\n".join(parts) + f"\n  {json.dumps(list_key)}: [\n" + body + ("\n" if entries else "") + "  ]\n}\n"
    return text.encode("utf-8")


class StateFile:
    """`<root>/.draftguard/<name>`: a JSON object holding a list under `list_key`."""

    def __init__(self, root: str | os.PathLike, name: str, list_key: str, what: str, while_unusable: str):
        self.root = Path(root)
        self.folder = self.root / STATE_DIR
        self.path = self.folder / name
        self.list_key = list_key
        self.what = what
        self.while_unusable = while_unusable
        """The sentence the error ends with: what happens meanwhile."""
        self.top: dict[str, Any] = {"version": FORMAT_VERSION}
        self.entries: list[Any] = []
        self.error: str | None = None
        self.read_only_reason: str | None = None
        self._stamp: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def changed_on_disk(self) -> bool:
        return self._stat() != self._stamp

    def load(self) -> None:
        """Read the file (a missing file is empty); sets `error` or `read_only_reason`."""
        self._stamp = self._stat()
        self.error = self.read_only_reason = None
        self.top, self.entries = {"version": FORMAT_VERSION}, []
        if self._stamp is None:
            return
        try:
            check_within(self.root, self.path, f"the {self.what}")
        except OSError as exc:
            self.error = f"{exc.strerror}. {self.while_unusable}"
            return
        try:
            self.top, self.entries = self._parse(self._read())
        except (OSError, StateFileUnreadable) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            aside = self._keep_aside()
            kept = f" A copy is kept as {aside.name}." if aside else ""
            self.error = f"The {self.what} {self.path} cannot be used: {reason}. It is left unchanged.{kept} {self.while_unusable}"
            return
        version = self.top.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
            self.read_only_reason = f"{self.path} has format version {version!r}, newer than this draftguard ({FORMAT_VERSION}); it is read but not modified"

    def _read(self) -> bytes:
        st = self.path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            raise StateFileUnreadable("not a regular file")
        if st.st_size > MAX_STATE_BYTES:
            raise StateFileUnreadable(f"larger than {MAX_STATE_BYTES} bytes")
        return self.path.read_bytes()

    def _parse(self, raw: bytes) -> tuple[dict[str, Any], list[Any]]:
        if not raw.strip():
            return {"version": FORMAT_VERSION}, []
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise StateFileUnreadable(f"not UTF-8 text (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise StateFileUnreadable(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise StateFileUnreadable("nested too deeply") from None
        if not isinstance(data, dict):
            raise StateFileUnreadable(f"expected a JSON object with a {json.dumps(self.list_key)} list, found a {type(data).__name__}")
        entries = data.get(self.list_key, [])
        if not isinstance(entries, list):
            raise StateFileUnreadable(f"{json.dumps(self.list_key)} must be a list, found a {type(entries).__name__}")
        return data, entries

    def _keep_aside(self) -> Path | None:
        try:
            raw = self._read()
        except (OSError, StateFileUnreadable):
            return None
        aside = self.folder / f"{self.path.name}.corrupt-{hashlib.sha256(raw).hexdigest()[:12]}"
        if not aside.exists():
            try:
                atomic_write(aside, raw)
            except OSError:
                return None
        return aside

    def update(self, change: Callable[[list[Any]], list[Any] | None]) -> str | None:
        """Apply `change` (current entries -> new entries, or None for no
        write) to the file as it is on disk now; returns why it could not be
        written, or None."""
        if self.read_only_reason:
            return self.read_only_reason
        try:
            with self._locked():
                # Always re-read under the lock: another window's write may have
                # the same size and modification time as the version we know
                # (same-length entries within one clock tick, a reused inode).
                self.load()
                self._remove_stale_temporaries()
                if self.error:
                    return self.error
                if self.read_only_reason:
                    return self.read_only_reason
                entries = change(list(self.entries))
                if entries is not None:
                    atomic_write(self.path, _render(self.top, self.list_key, entries))
                    self.entries = entries
                self._stamp = self._stat()
        except OSError as exc:
            return f"could not write the {self.what} {self.path}: {exc.strerror or exc}"
        return None

    def _remove_stale_temporaries(self) -> None:
        """Temporary files of this file left by a writer that was killed
        mid-write. Writers create them only while holding the lock, which we
        hold now, so any that exist are abandoned."""
        for stale in self.folder.glob(f".{glob.escape(self.path.name)}.{'?' * 8}.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        check_within(self.root, self.folder, "the state folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        check_within(self.root, self.folder, "the state folder")
        if fcntl is None:
            yield
            return
        fd = os.open(self.folder / f"{self.path.name}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with os.fdopen(fd, "r+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
