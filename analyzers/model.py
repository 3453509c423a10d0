"""Plain data the analyzers produce: findings, fixes and edits.

Everything here is independent of the Language Server Protocol. Positions are
UTF-8 byte offsets plus tree-sitter points (row, byte column) so the CLI, the
server and the tests can all convert them to whatever their consumer needs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(enum.IntEnum):
    """How bad the flaw is if exploited; ordered so `>=` compares levels."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of {names}") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Confidence(enum.IntEnum):
    """How sure the rule is that the match is a real, reachable flaw."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


Point = tuple[int, int]
"""A tree-sitter point: (row, column in UTF-8 bytes), both zero-based."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source bytes [start_byte, end_byte) with `text`."""

    start_byte: int
    end_byte: int
    text: str

    def shifted(self, delta: int) -> "Edit":
        return Edit(self.start_byte + delta, self.end_byte + delta, self.text)


@dataclass(frozen=True, slots=True)
class DependencyChange:
    """Declare `package` in the manifest at `manifest`, a file other than the
    analysed one. Analyzers never read files, so a fix carries this intent and
    the server (a WorkspaceEdit on the manifest) or the CLI (a listed change)
    computes the edit with `dependencies.manifest_edit.add_dependency`."""

    ecosystem: str
    """`pypi` or `npm`."""
    package: str
    manifest: str
    """Path of the manifest."""
    kind: str
    """The manifest's kind (see dependencies.project.DependencyManifest)."""


@dataclass(frozen=True, slots=True)
class Fix:
    """A named rewrite made of non-overlapping edits on one document."""

    title: str
    edits: tuple[Edit, ...]
    imports: tuple[str, ...] = ()
    """Import statements the fixed code needs; the engine turns the missing ones
    into edits at the file's import block, so unit-cached fixes stay valid."""
    renames: tuple[tuple[str, str], ...] = ()
    """Module names the fix renames everywhere in the file (old, new); the
    engine adds the edits, for the same reason as `imports`."""
    dependency: DependencyChange | None = None
    """A dependency to declare in another file, alongside or instead of `edits`."""

    def shifted(self, delta: int) -> "Fix":
        return Fix(self.title, tuple(e.shifted(delta) for e in self.edits), self.imports, self.renames, self.dependency)


@dataclass(frozen=True, slots=True)
class Finding:
    """One flaw found by one rule at one place.

    Rule metadata (CWE, OWASP, severity, confidence) is copied in so that
    consumers never need the registry to render a finding; `severity` and
    `confidence` may differ from the rule's defaults when the evidence does
    (for example, taint from a request raises confidence).
    """

    rule_id: str
    message: str
    start_byte: int
    end_byte: int
    start_point: Point
    end_point: Point
    severity: Severity
    confidence: Confidence
    cwe: int
    owasp: str
    fixes: tuple[Fix, ...] = ()
    details: tuple[tuple[str, Any], ...] = field(default=())
    anchor: tuple | None = field(default=None, compare=False, repr=False)
    """(relative finding, row, epoch) when the finding is a unit's cached
    finding placed at `row` (see analyzers.incremental): two findings with
    the same relative finding object and epoch differ only by whole lines
    and bytes before them, so a consumer can derive one's rendering from the
    other's (the server does for diagnostics). Not part of equality."""

    def shifted(self, byte_delta: int, row_delta: int, message: str | None = None, anchor: tuple | None = None) -> "Finding":
        """The same finding after text before it grew by whole lines (and
        with another message, when given). Built directly: this runs for
        every finding that moves on every keystroke."""
        return Finding(
            self.rule_id,
            self.message if message is None else message,
            self.start_byte + byte_delta,
            self.end_byte + byte_delta,
            (self.start_point[0] + row_delta, self.start_point[1]),
            (self.end_point[0] + row_delta, self.end_point[1]),
            self.severity,
            self.confidence,
            self.cwe,
            self.owasp,
            tuple(f.shifted(byte_delta) for f in self.fixes) if self.fixes and byte_delta else self.fixes,
            self.details,
            anchor,
        )


class EditConflict(ValueError):
    """Raised when edits of one fix overlap, which would corrupt the text."""


def apply_edits(source: bytes, edits: tuple[Edit, ...] | list[Edit]) -> bytes:
    """Apply non-overlapping byte edits to `source` and return the result."""
    ordered = sorted(edits, key=lambda e: (e.start_byte, e.end_byte))
    out: list[bytes] = []
    cursor = 0
    for edit in ordered:
        if edit.start_byte < cursor or edit.end_byte < edit.start_byte or edit.end_byte > len(source):
            raise EditConflict(f"edit {edit} overlaps another edit or leaves the document")
        out.append(source[cursor : edit.start_byte])
        out.append(edit.text.encode("utf-8"))
        cursor = edit.end_byte
    out.append(source[cursor:])
    return b"".join(out)
