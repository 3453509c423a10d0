"""Plain text: one line per finding, in the `file:line:col:` form editors and
terminals turn into links."""

from __future__ import annotations

from . import ScanReport


def render_text(report: ScanReport) -> str:
    lines = []
    for file, reported in report.findings():
        f = reported.finding
        fix = f"  (fix: {reported.fixes[0].title})" if reported.fixes else ""
        lines.append(f"{file.path}:{reported.line}:{reported.span.start_col + 1}: {f.rule_id} [{f.severity.label}] {f.message} (CWE-{f.cwe}){fix}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(report: ScanReport) -> str:
    """The one-line tally printed on stderr after every scan."""
    total = report.total
    counts = report.by_severity()
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    files = len(report.scanned)
    text = f"draftguard: {total} finding{'s' if total != 1 else ''}"
    if parts:
        text += f" ({', '.join(parts)})"
    text += f" in {files} file{'s' if files != 1 else ''}"
    skipped = sum(1 for f in report.files if f.skipped)
    if skipped:
        text += f", {skipped} skipped"
    if report.filters:
        text += f"; showing only {' and '.join(report.filters)}"
        if report.filtered_out:
            text += f" ({report.filtered_out} other finding{'s' if report.filtered_out != 1 else ''} hidden)"
    return text
