"""The review ledger: `<workspace>/.draftguard/reviews.json`.

One entry per review: the file path (workspace-relative, forward slashes),
the hash of the reviewed region's normalised text (`model.content_hash`), the
reviewer and the time. Because entries are keyed by content, reviewed code is
recognised again after a restart, after it moved within the file, and in a
teammate's checkout when the ledger is committed; any change to the code
makes it unreviewed again.

The file is written through `statefile.StateFile`: atomic, locked, merged
with what other windows wrote, unknown data kept. A ledger is never
overwritten with less data: reviews are only ever appended, and a file that
cannot be read (not JSON, not a ledger) stays untouched, is copied aside, and
new reviews wait in memory until it is fixed, then are merged in.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from typing import Any, Iterator

from . import git
from .statefile import STATE_DIR, StateFile

LEDGER_DIR = STATE_DIR
LEDGER_FILE = "reviews.json"


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


def default_reviewer(root: str | os.PathLike) -> str:
    """`git config user.name`, else the operating-system user."""
    name = git.user_name(root)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no USER variable
        return "unknown"


class Ledger:
    """The review ledger of one workspace folder."""

    def __init__(self, root: str | os.PathLike):
        self.file = StateFile(
            root, LEDGER_FILE, "reviews", "review ledger",
            "New reviews are kept in memory and are written once the file is fixed or removed.",
        )
        self.index: dict[tuple[str, str], Review] = {}
        self.pending: list[Review] = []
        """Reviews not on disk yet because the file could not be written."""
        self.invalid_entries = 0

    @property
    def path(self):
        return self.file.path

    @property
    def error(self) -> str | None:
        return self.file.error

    @property
    def read_only_reason(self) -> str | None:
        return self.file.read_only_reason

    def load(self) -> None:
        """Read the file (a missing file is an empty ledger); sets `error`."""
        self.file.load()
        self._reindex()

    def refresh_if_changed(self) -> bool:
        """Reload when the file changed on disk; True when it did. Reviews
        waiting in memory are written as soon as the file is usable again."""
        if not self.file.changed_on_disk():
            return False
        self.load()
        if self.pending and self.error is None:
            self._flush()
        return True

    def _reindex(self) -> None:
        self.index = {}
        self.invalid_entries = 0
        for entry in self.file.entries:
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

    def add(self, review: Review) -> str | None:
        """Record a review; returns a message when it could not be written yet."""
        self.index.setdefault((review.path, review.hash), review)
        self.pending.append(review)
        return self._flush()

    def _flush(self) -> str | None:
        pending = [r.to_json() for r in self.pending]

        def append(entries: list[Any]) -> list[Any] | None:
            present = {_entry_key(entry) for entry in entries}
            additions = [entry for entry in pending if _entry_key(entry) not in present]
            return entries + additions if additions else None

        problem = self.file.update(append)
        if problem is None:
            self.pending = []
            self._reindex()
        elif not self.error and not self.read_only_reason:
            problem += "; the review is kept in memory"
        return problem


def _entry_key(entry: Any) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)
