"""The JSON text of a document's published diagnostics, kept per finding.

Publishing sends every visible finding of a file on every keystroke. Turning
a finding into its diagnostic means converting each of its byte offsets (the
finding's range, every fix edit) into an LSP line and character, then
encoding the whole list as JSON: in a 50,000-line module with 300 findings
that was 12 ms per keystroke, most of it for findings the keystroke did not
touch but moved (every finding below a typed character gets new byte
offsets, so it is a new `Finding` object).

A finding from an incrementally analysed unit carries an `anchor` (relative
finding, row, epoch; see analyzers.incremental): findings with the same
relative finding and epoch are the same text at another place, so their
diagnostics differ only in line numbers, and only in the positions inside
the unit (a fix's added import sits at the top of the file and does not
move; it changes the epoch when it must) and in a message that names a line
of the unit. So the first rendering of an anchored finding becomes a
template: its JSON text split at those line numbers, each stored relative to
the unit's row. A moved finding costs a string join, a new one a full
conversion, and the list is joined as text, never re-encoded. Documents with
lone `\\r` line breaks (LSP lines and tree-sitter rows then differ) are
rendered in full.
"""

from __future__ import annotations

import json
import re

from draftguard.analyzers import Finding

from .convert import diagnostic_json
from .documents import Document

_SLOT = "\x00line-%d\x00"
_SLOTS = re.compile(r'"\\u0000line-(\d+)\\u0000"|\\u0000(-?\d+)\\u0000')
"""A line slot (the whole JSON value), or a line mark in the message (see
analyzers.incremental: a message names a line of its unit as a row offset)."""


class _Template:
    __slots__ = ("relative", "epoch", "pieces", "lines")

    def __init__(self, relative: Finding, epoch: int, pieces: list[str], lines: list[int]):
        self.relative, self.epoch = relative, epoch
        self.pieces, self.lines = pieces, lines
        """`pieces[0] + str(row + lines[0]) + pieces[1] + ... + pieces[-1]`: the diagnostic at `row`."""

    def render(self, row: int) -> str:
        pieces, out = self.pieces, [self.pieces[0]]
        for i, line in enumerate(self.lines):
            out.append(str(row + line))
            out.append(pieces[i + 1])
        return "".join(out)


class DiagnosticTexts:
    """Per document: JSON text per finding, from the last publish."""

    __slots__ = ("by_finding", "templates")

    def __init__(self) -> None:
        self.by_finding: dict[int, tuple[Finding, str]] = {}
        self.templates: dict[int, _Template] = {}

    def render(self, doc: Document, findings: list[Finding]) -> list[str]:
        """The JSON text of each finding's diagnostic, in order; everything
        cached for findings no longer published is dropped."""
        if doc.lines.lone_cr:  # an edit can move LSP lines without moving any finding's bytes or rows
            self.by_finding, self.templates = {}, {}
            return [json.dumps(diagnostic_json(doc, finding)) for finding in findings]
        cached, templates = self.by_finding, self.templates
        fresh: dict[int, tuple[Finding, str]] = {}
        used: dict[int, _Template] = {}
        out: list[str] = []
        for finding in findings:
            hit = cached.get(id(finding))
            if hit is None or hit[0] is not finding:
                text = None
                anchor = finding.anchor
                if anchor is not None:
                    relative, row, epoch = anchor
                    template = templates.get(id(relative))
                    if template is None or template.relative is not relative or template.epoch != epoch:
                        template = _template(doc, finding, relative, row, epoch)
                    used[id(relative)] = template
                    text = template.render(row)
                if text is None:
                    text = json.dumps(diagnostic_json(doc, finding))
                hit = (finding, text)
            elif finding.anchor is not None and id(finding.anchor[0]) in templates:
                used[id(finding.anchor[0])] = templates[id(finding.anchor[0])]
            fresh[id(finding)] = hit
            out.append(hit[1])
        self.by_finding, self.templates = fresh, used
        return out


def _template(doc: Document, finding: Finding, relative: Finding, row: int, epoch: int) -> _Template:
    """Render `finding` (the anchored relative finding at `row`) and keep the
    line numbers of its in-unit positions as slots."""
    data = diagnostic_json(doc, finding)
    lines: list[int] = []

    def slot(position: dict) -> None:
        lines.append(position["line"] - row)
        position["line"] = _SLOT % (len(lines) - 1)

    slot(data["range"]["start"])
    slot(data["range"]["end"])
    for fix, own in zip(data["data"]["fixes"], relative.fixes):
        for edit in fix["edits"][: len(own.edits)]:  # the rest (added imports, renames) do not move with the unit
            slot(edit["range"]["start"])
            slot(edit["range"]["end"])
    if "\x00" in relative.message:  # "built on line N": the relative message keeps N as a mark
        data["message"] = relative.message + data["message"][len(finding.message) :]
    parts = _SLOTS.split(json.dumps(data))
    pieces = parts[0::3]
    offsets = [lines[int(slot)] if slot is not None else int(mark) + 1 for slot, mark in zip(parts[1::3], parts[2::3])]
    return _Template(relative, epoch, pieces, offsets)
