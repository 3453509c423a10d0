"""The region record: a byte range of a document with a provenance and a review state.

A region is where code came from, not what it does: `bulk-insert` (one content
change the size of a paste or an AI completion), `client` (an editor extension
said an AI inserted it), `marker` (`draftguard: ai-begin` ... `ai-end`
comments), `agent-trace` (an AI tool's attribution record) and `uncommitted`
(lines that differ from git HEAD; counted only by the `changed` scope).

The review state is derived, never stored on the region: a region is
`reviewed` when the review ledger holds the hash of its normalised text,
`modified-after-review` when it was reviewed in this session but its text has
changed since, `unreviewed` otherwise. `mixed` records that a human edited
inside it. Hashing normalises line endings, trailing whitespace, blank lines
and the block's indentation, so moving or re-indenting reviewed code keeps
its review, while any change to the code itself does not.
"""

from __future__ import annotations

import hashlib
import itertools
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timezone

BULK_INSERT = "bulk-insert"
CLIENT = "client"
MARKER = "marker"
AGENT_TRACE = "agent-trace"
UNCOMMITTED = "uncommitted"

AI_PROVENANCES = frozenset({BULK_INSERT, CLIENT, MARKER, AGENT_TRACE})
"""Provenances that mean "an AI wrote this"; `uncommitted` only means "changed"."""

UNREVIEWED = "unreviewed"
REVIEWED = "reviewed"
MODIFIED_AFTER_REVIEW = "modified-after-review"

_ids = itertools.count(1)


def new_region_id() -> str:
    return f"r{next(_ids)}"


def utc_now() -> str:
    """RFC 3339 UTC timestamp with second precision, as stored everywhere."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(slots=True, eq=False)
class Region:
    """A half-open byte range [start, end) of one document's UTF-8 text."""

    start: int
    end: int
    provenance: str
    created_at: str = field(default_factory=utc_now)
    source: str | None = None
    """Who says so: the editor extension's tool name, the trace's tool, "comment marker"."""
    model: str | None = None
    detail: str | None = None
    """One human-readable sentence on how the region was found, for the hover."""
    mixed: bool = False
    id: str = field(default_factory=new_region_id)
    reviewed_hash: str | None = None
    """Hash of the text when it was marked reviewed in this session."""
    _hash: str | None = None

    def text_changed(self, by_human: bool) -> None:
        self._hash = None
        if by_human:
            self.mixed = True

    def hash(self, source: bytes) -> str:
        if self._hash is None:
            self._hash = content_hash(source[self.start : self.end])
        return self._hash

    def intersects(self, start: int, end: int) -> bool:
        if start == end:
            return self.start <= start < self.end
        return start < self.end and self.start < end

    def copy(self, start: int, end: int) -> "Region":
        return Region(start, end, self.provenance, self.created_at, self.source, self.model, self.detail, self.mixed, self.id, self.reviewed_hash)


def normalise(text: bytes | str) -> str:
    """The text a review applies to: LF endings, no trailing whitespace, no
    blank lines, and the block's indentation removed (the first line's
    entirely, the following lines' common part), so the same code moved into
    a class or reformatted keeps its hash while a change of nesting inside
    it does not."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    return "\n".join([lines[0].lstrip(), *textwrap.dedent("\n".join(lines[1:])).split("\n")]) if len(lines) > 1 else lines[0].lstrip()


def content_hash(text: bytes | str) -> str:
    return "sha256:" + hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def review_state(region: Region, source: bytes, is_reviewed) -> str:
    """`is_reviewed(hash) -> bool` asks the ledger."""
    if is_reviewed(region.hash(source)):
        return REVIEWED
    if region.reviewed_hash is not None:
        return MODIFIED_AFTER_REVIEW
    return UNREVIEWED
