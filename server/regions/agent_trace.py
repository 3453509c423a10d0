"""Agent Trace import: line ranges AI tools say they wrote, re-anchored to the current text.

Agent Trace (v0.1.0) tools append one JSON record per line to
`.agent-trace/traces.jsonl`; each lists files, conversations (with a
contributor and model) and 1-based inclusive line ranges that refer to the
file at the recorded revision. The importer is tolerant by design: a
malformed line, a record without files, an unknown field, a range with
nonsense numbers, a file or revision that no longer exists is skipped (and
counted for one log line), never fatal. Ranges whose contributor is `human`
are not AI regions; `ai`, `mixed`, `unknown` and missing contributors are.

Re-anchoring, per range, first that works:

1. `content_hash` (`sha256:`, `sha1:`, `crc32:` or `murmur3:` of the range's
   lines joined by `\\n`, with or without a final newline): the recorded
   lines if they still hash the same, else the nearest window of the same
   length that does (searched while the file is small enough);
2. the file at the recorded git revision, diffed against the current text:
   the recorded lines that are still there, at their current position
   (lines edited since drop out);
3. the recorded lines as they are, when there is no revision to diff
   against and they are inside the file (the hover says so).

A range that can be placed nowhere (all its lines changed, or past the end of
the file) is dropped.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import posixpath
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..confine import open_confined
from .detection import iter_lines, stripped_span

TRACE_FILE = Path(".agent-trace") / "traces.jsonl"
MAX_TRACE_BYTES = 64 * 1024 * 1024
MAX_RANGE_LINES = 100_000
WINDOW_SEARCH_BUDGET = 400_000
"""Lines hashed at most when searching a moved range by its content hash."""
_PROBLEMS_KEPT = 20


@dataclass(frozen=True)
class TraceRange:
    path: str
    start_line: int
    end_line: int
    record_id: str | None = None
    timestamp: str | None = None
    tool: str | None = None
    model: str | None = None
    contributor: str | None = None
    conversation_url: str | None = None
    vcs_type: str | None = None
    revision: str | None = None
    content_hash: str | None = None


@dataclass
class TraceIndex:
    by_path: dict[str, list[TraceRange]] = field(default_factory=dict)
    records: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < _PROBLEMS_KEPT:
            self.problems.append(message)

    def ranges_for(self, relative_path: str) -> list[TraceRange]:
        return self.by_path.get(normalise_path(relative_path) or "", [])

    def summary(self) -> str:
        text = f"{self.records} Agent Trace record(s) for {len(self.by_path)} file(s)"
        if self.problem_count:
            text += f"; {self.problem_count} problem(s) skipped, first: {self.problems[0]}"
        return text


def normalise_path(path: str, root: str | os.PathLike | None = None) -> str | None:
    """A record's path in repository-relative posix form, None when unusable."""
    if not isinstance(path, str) or not path.strip() or "\0" in path:
        return None
    path = path.strip().replace("\\", "/")
    if path.startswith("file://"):
        path = path[len("file://") :]
    if posixpath.isabs(path) or (len(path) > 2 and path[1] == ":"):
        if root is None:
            return None
        try:
            path = Path(path).relative_to(root).as_posix()
        except ValueError:
            return None
    path = posixpath.normpath(path)
    if path.startswith("../") or path == ".." or path == ".":
        return None
    return path


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _line_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def parse_traces(lines: Iterable[bytes | str], root: str | os.PathLike | None = None) -> TraceIndex:
    index = TraceIndex()
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            index.problem(f"line {number}: not JSON ({exc})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("files"), list):
            index.problem(f"line {number}: not a trace record (no files list)")
            continue
        index.records += 1
        _parse_record(record, number, index, root)
    for ranges in index.by_path.values():
        ranges.sort(key=lambda r: r.timestamp or "")
    return index


def _parse_record(record: dict, number: int, index: TraceIndex, root) -> None:
    vcs = record.get("vcs") if isinstance(record.get("vcs"), dict) else {}
    tool = record.get("tool") if isinstance(record.get("tool"), dict) else {}
    tool_name = " ".join(part for part in (_text(tool.get("name")), _text(tool.get("version"))) if part) or None
    common = dict(
        record_id=_text(record.get("id")),
        timestamp=_text(record.get("timestamp")),
        tool=tool_name,
        vcs_type=_text(vcs.get("type")),
        revision=_text(vcs.get("revision")),
    )
    for file_entry in record["files"]:
        if not isinstance(file_entry, dict):
            index.problem(f"line {number}: a file entry is not an object")
            continue
        path = normalise_path(file_entry.get("path"), root)
        if path is None:
            index.problem(f"line {number}: unusable path {file_entry.get('path')!r}")
            continue
        conversations = file_entry.get("conversations")
        if not isinstance(conversations, list):
            index.problem(f"line {number}: {path}: no conversations list")
            continue
        for conversation in conversations:
            if not isinstance(conversation, dict) or not isinstance(conversation.get("ranges"), list):
                index.problem(f"line {number}: {path}: a conversation without ranges")
                continue
            contributor = conversation.get("contributor") if isinstance(conversation.get("contributor"), dict) else {}
            for entry in conversation["ranges"]:
                parsed = _parse_range(entry, path, contributor, conversation, common)
                if parsed is None:
                    index.problem(f"line {number}: {path}: bad range {entry!r}"[:200])
                elif parsed.contributor != "human":
                    index.by_path.setdefault(path, []).append(parsed)


def _parse_range(entry: Any, path: str, contributor: dict, conversation: dict, common: dict) -> TraceRange | None:
    if not isinstance(entry, dict):
        return None
    start, end = _line_number(entry.get("start_line")), _line_number(entry.get("end_line"))
    if start is None or end is None or end < start or end - start >= MAX_RANGE_LINES:
        return None
    override = entry.get("contributor") if isinstance(entry.get("contributor"), dict) else {}
    kind = _text(override.get("type")) or _text(contributor.get("type"))
    model = _text(override.get("model_id")) or _text(contributor.get("model_id"))
    return TraceRange(
        path=path,
        start_line=start,
        end_line=end,
        model=model,
        contributor=kind.lower() if kind else None,
        conversation_url=_text(conversation.get("url")),
        content_hash=_text(entry.get("content_hash")),
        **common,
    )


def load_traces(root: str | os.PathLike) -> TraceIndex | None:
    """The workspace's trace file parsed, None when there is none."""
    path = Path(root) / TRACE_FILE
    if not os.path.lexists(path):
        return None
    try:  # a link out of the workspace, a FIFO or an oversized file is refused, not read
        with open_confined(path, MAX_TRACE_BYTES, root) as handle:
            return parse_traces(handle, root)
    except OSError as exc:
        index = TraceIndex()
        index.problem(f"cannot read {TRACE_FILE}: {exc.strerror or exc}")
        return index


# -- content hashes -----------------------------------------------------------------
def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit, the hash Agent Trace suggests for ranges."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    full = len(data) - len(data) % 4
    for i in range(0, full, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[full:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h


_ALGORITHMS: dict[str, Callable[[bytes], str]] = {
    "sha256": lambda data: hashlib.sha256(data).hexdigest(),
    "sha1": lambda data: hashlib.sha1(data, usedforsecurity=False).hexdigest(),
    "crc32": lambda data: f"{zlib.crc32(data) & 0xFFFFFFFF:08x}",
    "murmur3": lambda data: f"{murmur3_32(data):08x}",
}


def hash_checker(content_hash: str | None) -> Callable[[list[bytes]], bool] | None:
    """A predicate on a window of lines, None when the hash cannot be checked."""
    if not content_hash or ":" not in content_hash:
        return None
    algorithm, _, expected = content_hash.partition(":")
    digest = _ALGORITHMS.get(algorithm.strip().lower())
    expected = expected.strip().lower()
    if digest is None or not expected:
        return None

    def matches(lines: list[bytes]) -> bool:
        joined = b"\n".join(lines)
        return digest(joined) == expected or digest(joined + b"\n") == expected

    return matches


# -- re-anchoring ---------------------------------------------------------------------
@dataclass(frozen=True)
class AnchoredRange:
    start: int
    end: int
    trace: TraceRange
    how: str


def anchor_ranges(
    ranges: Iterable[TraceRange],
    current: bytes,
    file_at_revision: Callable[[str], bytes | None] | None = None,
) -> list[AnchoredRange]:
    """Place each range in `current`; `file_at_revision(revision)` returns the
    file's bytes at a git revision (or None)."""
    bounds = [(start, end) for start, end, _line in iter_lines(current)]
    lines = [line.rstrip(b"\r") for _s, _e, line in iter_lines(current)]
    revisions: dict[str, bytes | None] = {}
    mappings: dict[str, dict[int, int]] = {}
    placed: list[AnchoredRange] = []
    for trace in ranges:
        for first, last, how in _place(trace, lines, file_at_revision, revisions, mappings):
            span = stripped_span(current[bounds[first][0] : bounds[last][1]], bounds[first][0])
            if span is not None:
                placed.append(AnchoredRange(span[0], span[1], trace, how))
    return placed


def _place(trace, lines, file_at_revision, revisions, mappings) -> list[tuple[int, int, str]]:
    first, last = trace.start_line - 1, trace.end_line - 1
    count = last - first + 1
    check = hash_checker(trace.content_hash)
    if check is not None:
        if last < len(lines) and check(lines[first : last + 1]):
            return [(first, last, "content hash at the recorded lines")]
        if count * len(lines) <= WINDOW_SEARCH_BUDGET:
            candidates = sorted(range(0, len(lines) - count + 1), key=lambda i: abs(i - first))
            for i in candidates:
                if check(lines[i : i + count]):
                    return [(i, i + count - 1, f"content hash, moved from line {trace.start_line} to {i + 1}")]
    how = "lines as recorded"
    if trace.revision and file_at_revision is not None and (trace.vcs_type or "git") == "git":
        if trace.revision not in revisions:
            revisions[trace.revision] = file_at_revision(trace.revision)
        old = revisions[trace.revision]
        if old is not None:
            if trace.revision not in mappings:
                mappings[trace.revision] = _line_map(old, lines)
            mapping = mappings[trace.revision]
            kept = [mapping[i] for i in range(first, last + 1) if i in mapping]
            return [(a, b, f"diffed from revision {trace.revision[:12]}") for a, b in _runs(kept)]
        how = f"lines as recorded (revision {trace.revision[:12]} not available)"
    if first < len(lines):
        return [(first, min(last, len(lines) - 1), how)]
    return []


def _line_map(old: bytes, new_lines: list[bytes]) -> dict[int, int]:
    old_lines = [line.rstrip(b"\r") for line in old.split(b"\n")]
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and index == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs
