"""The review ledger: `<workspace>/.draftguard/reviews.json`.

One entry per review: the file path (workspace-relative, forward slashes),
the hash of the reviewed region's normalised text (`model.content_hash`), the
reviewer and the time. Because entries are keyed by content, reviewed code is
recognised again after a restart, after it moved within the file, and in a
teammate's checkout when the ledger is committed; any change to the code
makes it unreviewed again.

The file is shared state that people edit by hand and merge with git, so:

- writes are atomic (`server/atomic.py`: temp file in the same folder, fsync,
  `os.replace`) under an advisory lock, and re-read the file first, merging
  what another editor window wrote meanwhile;
- entries are one JSON object per line, in the order they were added, so
  merges touch few lines;
- entries and top-level keys this version does not understand are kept
  verbatim, and a file written by a newer format version is never rewritten;
- a file that is not valid JSON (or not a ledger) is never overwritten: it
  stays as it is, a copy is kept beside it (`reviews.json.corrupt-<hash>`),
  the error names the file and the problem, and new reviews wait in memory
  until the file is fixed, then are merged in.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..atomic import atomic_write
from . import git
from .model import utc_now

LEDGER_DIR = ".draftguard"
LEDGER_FILE = "reviews.json"
FORMAT_VERSION = 1
MAX_LEDGER_BYTES = 32 * 1024 * 1024

try:  # advisory locking where the platform has it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Review:
    path: str
    hash: str
    reviewer: str
    reviewed_at: str
    provenance: str | None = None
    lines: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "hash": self.hash, "reviewer": self.reviewer, "reviewedAt": self.reviewed_at}
        if self.provenance:
            data["provenance"] = self.provenance
        if self.lines is not None:
            data["lines"] = self.lines
        return data

    @classmethod
    def from_json(cls, data: Any) -> "Review | None":
        if not isinstance(data, dict):
            return None
        values = [data.get(key) for key in ("path", "hash", "reviewer", "reviewedAt")]
        if not all(isinstance(v, str) and v for v in values):
            return None
        lines = data.get("lines")
        provenance = data.get("provenance")
        return cls(
            values[0].replace("\\", "/"), values[1], values[2], values[3],
            provenance if isinstance(provenance, str) else None,
            lines if isinstance(lines, int) and not isinstance(lines, bool) else None,
        )


class LedgerUnreadable(ValueError):
    """The file exists but is not a ledger this version can safely rewrite."""


def default_reviewer(root: str | os.PathLike) -> str:
    """`git config user.name`, else the operating-system user."""
    name = git.user_name(root)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no USER variable
        return "unknown"


def _parse(raw: bytes) -> tuple[dict[str, Any], list[Any]]:
    """(top-level object, raw entries) of a ledger file, or LedgerUnreadable."""
    if not raw.strip():
        return {"version": FORMAT_VERSION}, []
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LedgerUnreadable(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise LedgerUnreadable(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise LedgerUnreadable("nested too deeply") from None
    if not isinstance(data, dict):
        raise LedgerUnreadable(f"expected a JSON object with a \"reviews\" list, found a {type(data).__name__}")
    entries = data.get("reviews", [])
    if not isinstance(entries, list):
        raise LedgerUnreadable(f"\"reviews\" must be a list, found a {type(entries).__name__}")
    return data, entries


def _render(top: dict[str, Any], entries: list[Any]) -> bytes:
    head = {key: value for key, value in top.items() if key != "reviews"}
    head.setdefault("version", FORMAT_VERSION)
    parts = [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}," for key, value in head.items()]
    body = ",\n".join(f"    {json.dumps(entry, ensure_ascii=False, sort_keys=True)}" for entry in entries)
    text = "{\n" + "\n".join(parts) + '\n  "reviews": [\n' + body + ("\n" if entries else "") + "  ]\n}\n"
    return text.encode("utf-8")


def _entry_key(entry: Any) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


class Ledger:
    """The review ledger of one workspace folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.folder = self.root / LEDGER_DIR
        self.path = self.folder / LEDGER_FILE
        self.top: dict[str, Any] = {"version": FORMAT_VERSION}
        self.entries: list[Any] = []
        self.index: dict[tuple[str, str], Review] = {}
        self.pending: list[Review] = []
        """Reviews not on disk yet because the file could not be written."""
        self.error: str | None = None
        self.read_only_reason: str | None = None
        self.invalid_entries = 0
        self._stamp: tuple[int, int] | None = None

    # -- reading ---------------------------------------------------------------
    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def load(self) -> None:
        """Read the file (a missing file is an empty ledger); sets `error`."""
        stamp = self._stat()
        self._stamp = stamp
        self.error = None
        self.read_only_reason = None
        if stamp is None:
            self.top, self.entries = {"version": FORMAT_VERSION}, []
        else:
            try:
                raw = self._read_bytes()
                self.top, self.entries = _parse(raw)
            except (OSError, LedgerUnreadable) as exc:
                self._unreadable(exc)
                self.top, self.entries = {"version": FORMAT_VERSION}, []
        version = self.top.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
            self.read_only_reason = f"{self.path} has format version {version!r}, newer than this draftguard ({FORMAT_VERSION}); it is read but not modified"
        self._reindex()

    def _read_bytes(self) -> bytes:
        if self.path.stat().st_size > MAX_LEDGER_BYTES:
            raise LedgerUnreadable(f"larger than {MAX_LEDGER_BYTES} bytes")
        return self.path.read_bytes()

    def _unreadable(self, exc: Exception) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        aside = self._keep_aside()
        kept = f" A copy is kept as {aside.name}." if aside else ""
        self.error = (
            f"The review ledger {self.path} cannot be used: {reason}. It is left unchanged.{kept} "
            "New reviews are kept in memory and are written once the file is fixed or removed."
        )

    def _keep_aside(self) -> Path | None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        aside = self.folder / f"{LEDGER_FILE}.corrupt-{hashlib.sha256(raw).hexdigest()[:12]}"
        if not aside.exists():
            try:
                atomic_write(aside, raw)
            except OSError:
                return None
        return aside

    def refresh_if_changed(self) -> bool:
        """Reload when the file changed on disk; True when it did. Reviews
        waiting in memory are written as soon as the file is usable again."""
        if self._stat() == self._stamp:
            return False
        self.load()
        if self.pending and self.error is None:
            self._flush()
        return True

    def _reindex(self) -> None:
        self.index = {}
        self.invalid_entries = 0
        for entry in self.entries:
            review = Review.from_json(entry)
            if review is None:
                self.invalid_entries += 1
                continue
            self.index.setdefault((review.path, review.hash), review)
        for review in self.pending:
            self.index.setdefault((review.path, review.hash), review)

    def lookup(self, path: str, content_hash: str) -> Review | None:
        return self.index.get((path, content_hash))

    def reviews(self) -> Iterator[Review]:
        return iter(self.index.values())

    # -- writing -----------------------------------------------------------------
    def add(self, review: Review) -> str | None:
        """Record a review; returns a message when it could not be written yet."""
        self.index.setdefault((review.path, review.hash), review)
        self.pending.append(review)
        return self._flush()

    def _flush(self) -> str | None:
        if self.read_only_reason:
            return self.read_only_reason
        try:
            with self._locked():
                stamp = self._stat()
                if stamp != self._stamp:
                    self.load()  # someone else wrote: merge onto their version
                if self.error:
                    return self.error
                known = {_entry_key(entry) for entry in self.entries}
                additions = [r.to_json() for r in self.pending if _entry_key(r.to_json()) not in known]
                if additions:
                    entries = self.entries + additions
                    atomic_write(self.path, _render(self.top, entries))
                    self.entries = entries
                self._stamp = self._stat()
                self.pending = []
                self._reindex()
        except OSError as exc:
            return f"could not write the review ledger {self.path}: {exc.strerror or exc}; the review is kept in memory"
        return None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        with open(self.folder / f"{LEDGER_FILE}.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
