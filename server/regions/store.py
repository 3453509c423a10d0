"""Regions only an editing session sees, kept across restarts: `.draftguard/regions.json`.

Markers, Agent Trace records and git can be read again after a restart; a
bulk insert or an editor extension's report cannot. Without a record, AI
code inserted before the editor closed would silently count as human code
afterwards. So when a document is saved or closed, its `bulk-insert` and
`client` regions are written here (per file: provenance, origin, time,
`mixed`, and how to find the text again: the hash of its normalised text, its
number of non-blank lines, a short hash of its first line and where in the
first and last line it starts and ends). When the file is opened again, each
entry is looked for in the text, nearest its old line first; an entry whose
code changed outside the editor is not found and is dropped at the next
save. No source code is stored, only hashes.

The CLI can read the same records (`RegionStore.regions_for`).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from .detection import iter_lines
from .model import BULK_INSERT, CLIENT, Region, content_hash
from .statefile import StateFile

STORE_FILE = "regions.json"
PERSISTED = frozenset({BULK_INSERT, CLIENT})
MAX_ENTRIES_PER_FILE = 500
_WS = b" \t\r\n\f\v"


def _short(text: bytes) -> str:
    return hashlib.sha256(text.strip(_WS)).hexdigest()[:16]


def describe(region: Region, relative: str, source: bytes) -> dict[str, Any]:
    """The store entry for one region of `source`."""
    s, e = region.start, region.end
    first_start = source.rfind(b"\n", 0, s) + 1
    first_end = source.find(b"\n", s)
    first_end = len(source) if first_end < 0 else first_end
    first_line = source[first_start:first_end]
    prefix = max(0, s - (first_start + len(first_line) - len(first_line.lstrip(_WS))))
    last_start = source.rfind(b"\n", 0, max(s, e - 1)) + 1
    last_end = source.find(b"\n", max(s, e - 1))
    last_line = source[last_start : len(source) if last_end < 0 else last_end]
    suffix = max(0, last_start + len(last_line.rstrip(_WS)) - e)
    text = source[s:e]
    entry: dict[str, Any] = {
        "path": relative,
        "provenance": region.provenance,
        "hash": content_hash(text),
        "lines": sum(1 for _a, _b, line in iter_lines(text) if line.strip(_WS)),
        "line": source.count(b"\n", 0, s),
        "prefix": prefix,
        "suffix": suffix,
        "first": _short(source[s:first_end]),
        "createdAt": region.created_at,
        "mixed": region.mixed,
    }
    for key, value in (("source", region.source), ("model", region.model), ("detail", region.detail)):
        if value:
            entry[key] = value
    return entry


def _valid(entry: Any) -> bool:
    if not isinstance(entry, dict) or entry.get("provenance") not in PERSISTED:
        return False
    ints = [entry.get(k) for k in ("lines", "line", "prefix", "suffix")]
    return (
        all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints)
        and entry["lines"] > 0
        and all(isinstance(entry.get(k), str) for k in ("path", "hash", "first", "createdAt"))
    )


def find(entries: list[dict[str, Any]], source: bytes) -> list[Region]:
    """The regions of `entries` found in `source` (each at most once)."""
    rows = [(number, start, line) for number, (start, _end, line) in enumerate(iter_lines(source)) if line.strip(_WS)]
    by_prefix: dict[int, dict[str, list[int]]] = {}
    found: list[Region] = []
    for entry in entries:
        prefix, suffix, count = entry["prefix"], entry["suffix"], entry["lines"]
        table = by_prefix.get(prefix)
        if table is None:
            table = by_prefix[prefix] = {}
            for index, (_n, _s, line) in enumerate(rows):
                table.setdefault(_short(line.lstrip(_WS)[prefix:]), []).append(index)
        candidates = sorted(table.get(entry["first"], []), key=lambda i: abs(rows[i][0] - entry["line"]))
        for index in candidates:
            if index + count > len(rows):
                continue
            _n, first_start, first_line = rows[index]
            _n, last_start, last_line = rows[index + count - 1]
            start = first_start + len(first_line) - len(first_line.lstrip(_WS)) + prefix
            end = last_start + len(last_line.rstrip(_WS)) - suffix
            if end <= start or content_hash(source[start:end]) != entry["hash"]:
                continue
            if any(r.start < end and start < r.end for r in found):
                continue
            found.append(
                Region(
                    start, end, entry["provenance"],
                    created_at=entry["createdAt"],
                    source=entry.get("source") if isinstance(entry.get("source"), str) else None,
                    model=entry.get("model") if isinstance(entry.get("model"), str) else None,
                    detail=entry.get("detail") if isinstance(entry.get("detail"), str) else None,
                    mixed=entry.get("mixed") is True,
                )
            )
            break
    return sorted(found, key=lambda r: (r.start, r.end))


class RegionStore:
    """The region store of one workspace folder."""

    def __init__(self, root: str | os.PathLike):
        self.file = StateFile(root, STORE_FILE, "regions", "region store", "Regions of this session are not kept for the next one until it is fixed or removed.")
        self.file.load()

    @property
    def error(self) -> str | None:
        return self.file.error

    def refresh_if_changed(self) -> None:
        if self.file.changed_on_disk():
            self.file.load()

    def entries_for(self, relative: str) -> list[dict[str, Any]]:
        return [e for e in self.file.entries if _valid(e) and e["path"] == relative]

    def regions_for(self, relative: str, source: bytes) -> list[Region]:
        return find(self.entries_for(relative), source)

    def save(self, relative: str, regions: list[Region], source: bytes) -> str | None:
        """Replace the file's entries by its current persisted regions; None when written (or nothing changed)."""
        fresh = [describe(r, relative, source) for r in regions if r.provenance in PERSISTED][:MAX_ENTRIES_PER_FILE]

        def replace(entries: list[Any]) -> list[Any] | None:
            kept = [e for e in entries if not (isinstance(e, dict) and e.get("path") == relative)]
            mine = [e for e in entries if isinstance(e, dict) and e.get("path") == relative]
            return None if mine == fresh else kept + fresh

        return self.file.update(replace)
