"""A self-contained HTML report for reviewers: open the file, nothing loads.

No scripts, styles, fonts or images come from elsewhere: the CSS is inlined
(report.css next to this module) and the charts are inline SVG drawn here.
Filtering by severity is CSS only (`:has()`), so the file works offline and
under strict content security policies. Links to CWE and OWASP pages are
plain anchors and fetch nothing until clicked.

Layout: summary cards, charts (findings by severity, by CWE, by file, share
in AI-written regions when provenance is known), then every finding grouped
by file with its code excerpt, fix (as a diff when a quick fix exists, as
advice otherwise) and the rule's explanation.
"""

from __future__ import annotations

import datetime
import html
import re
from collections import Counter
from importlib import resources

from draftguard.analyzers import Severity
from draftguard.analyzers.rules import get_rule
from draftguard.analyzers.taxonomy import cwe_url, owasp_name, owasp_url

from ..scan import FileResult, Reported
from . import ScanReport, tool_version

COLOURS = {Severity.CRITICAL: "#8b1538", Severity.HIGH: "#d1342f", Severity.MEDIUM: "#c77700", Severity.LOW: "#2f6fd1"}
AI_COLOUR, OTHER_COLOUR = "#7b4fd6", "#c9cedb"
e = html.escape


def _markdown_inline(text: str) -> str:
    """Escape, then render the bits of Markdown rule texts use: `code`,
    **bold**, *emphasis* and [links](https://...)."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]+`)", text)):
        if i % 2:
            out.append(f"<code>{e(part[1:-1])}</code>")
            continue
        part = e(part)
        part = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", part)
        part = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r'<a href="\2">\1</a>', part)
        out.append(part)
    return "".join(out)


# -- charts -------------------------------------------------------------------------

def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]


def bar_chart(rows: list[tuple[str, int, str, str]], *, label_width: int = 150, width: int = 520) -> str:
    """Horizontal bars: (label, value, colour, muted note) per row; notes sit
    in their own column on the right so they never run off the chart."""
    if not rows or not any(value for _l, value, _c, _n in rows):
        return '<div class="empty">No findings.</div>'
    row_h, top = 28, 4
    biggest = max(value for _l, value, _c, _n in rows) or 1
    note_width = 170 if any(note for *_rest, note in rows) else 0
    bar_space = width - label_width - 44 - note_width
    parts = [f'<svg viewBox="0 0 {width} {top + row_h * len(rows)}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, colour, note) in enumerate(rows):
        y = top + i * row_h
        length = max(2 if value else 0, round(bar_space * value / biggest))
        tip = f"{e(label)}: {value}" + (f" · {e(note)}" if note else "")
        parts.append(f'<text x="{label_width - 10}" y="{y + 17}" text-anchor="end">{e(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{length}" height="17" rx="3" fill="{colour}"><title>{tip}</title></rect>')
        parts.append(f'<text class="v" x="{label_width + length + 7}" y="{y + 18}">{value}</text>')
        if note:
            parts.append(f'<text class="m" x="{width - note_width + 6}" y="{y + 18}">{e(_short_end(note, 24))}<title>{e(note)}</title></text>')
    parts.append("</svg>")
    return "".join(parts)


def _short_end(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def donut(parts: list[tuple[str, int, str]], centre: str, caption: str) -> str:
    total = sum(v for _l, v, _c in parts)
    size, r, stroke = 180, 62, 26
    circumference = 2 * 3.141592653589793 * r
    out = [f'<svg viewBox="0 0 {size + 230} {size}" role="img" xmlns="http://www.w3.org/2000/svg">']
    out.append(f'<circle cx="{size / 2}" cy="{size / 2}" r="{r}" fill="none" stroke="#eef0f5" stroke-width="{stroke}"/>')
    offset = 0.0
    for label, value, colour in parts:
        if not value or not total:
            continue
        length = circumference * value / total
        out.append(
            f'<circle cx="{size / 2}" cy="{size / 2}" r="{r}" fill="none" stroke="{colour}" stroke-width="{stroke}" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {size / 2} {size / 2})"><title>{e(label)}: {value}</title></circle>'
        )
        offset += length
    out.append(f'<text x="{size / 2}" y="{size / 2 + 2}" text-anchor="middle" class="v" style="font-size:22px">{e(centre)}</text>')
    out.append(f'<text x="{size / 2}" y="{size / 2 + 20}" text-anchor="middle" class="m">{e(caption)}</text>')
    for i, (label, value, colour) in enumerate(parts):
        y = 62 + i * 26
        out.append(f'<rect x="{size + 14}" y="{y - 10}" width="12" height="12" rx="2" fill="{colour}"/>')
        out.append(f'<text x="{size + 34}" y="{y}">{e(label)}: <tspan class="v">{value}</tspan></text>')
    out.append("</svg>")
    return "".join(out)


def _severity_chart(report: ScanReport) -> str:
    counts = report.by_severity()
    return bar_chart([(s.label.capitalize(), counts.get(s, 0), COLOURS[s], "") for s in sorted(Severity, reverse=True)], label_width=90)


def _cwe_chart(report: ScanReport) -> str:
    counts: Counter[int] = Counter()
    worst: dict[int, Severity] = {}
    names: dict[int, Counter[str]] = {}
    for _file, r in report.findings():
        f = r.finding
        counts[f.cwe] += 1
        worst[f.cwe] = max(worst.get(f.cwe, f.severity), f.severity)
        rule = get_rule(f.rule_id)
        names.setdefault(f.cwe, Counter())[rule.name if rule else f.rule_id] += 1
    rows = [(f"CWE-{cwe}", n, COLOURS[worst[cwe]], names[cwe].most_common(1)[0][0]) for cwe, n in counts.most_common(8)]
    return bar_chart(rows, label_width=90)


def _file_chart(report: ScanReport) -> str:
    rows = []
    for file in sorted((f for f in report.files if f.findings), key=lambda f: (-len(f.findings), f.path))[:8]:
        worst = max(r.finding.severity for r in file.findings)
        rows.append((_short(report.relative(file.path), 26), len(file.findings), COLOURS[worst], ""))
    return bar_chart(rows, label_width=200)


def _ai_chart(report: ScanReport) -> str:
    known = [f for f in report.files if f.ai_lines is not None]
    if not known:
        return (
            '<div class="empty">Unknown: no AI provenance was found for these files '
            "(no <code>draftguard: ai-begin</code> markers, Agent Trace records or review-ledger entries).</div>"
        )
    findings = [r for f in known for r in f.findings]
    inside = sum(1 for r in findings if r.ai_region)
    ai_lines = sum(f.ai_lines or 0 for f in known)
    lines = sum(f.lines for f in known) or 1
    share = f"{100 * inside / len(findings):.0f}%" if findings else "–"
    chart = donut([("in AI-written code", inside, AI_COLOUR), ("elsewhere", len(findings) - inside, OTHER_COLOUR)], share, "of findings")
    return chart + f'<div class="legend">AI-written code is {100 * ai_lines / lines:.1f}% of the {lines:,} lines with known provenance.</div>'


# -- findings -----------------------------------------------------------------------

def _excerpt(reported: Reported) -> str:
    first, last = reported.span.start_line + 1, reported.span.end_line + 1
    rows = []
    for number, text in reported.excerpt:
        hit = " hit" if first <= number <= last else ""
        rows.append(f'<span class="ln{hit}" data-n="{number}">{e(text) or " "}</span>')
    return f'<pre class="code">{"".join(rows)}</pre>'


def _diff(text: str) -> str:
    rows = []
    for line in text.splitlines():
        if line.startswith(("---", "+++")):
            continue  # the file is named in the section heading
        kind = "file" if line.startswith(("---", "+++")) else "hunk" if line.startswith("@@") else "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        rows.append(f'<span class="{kind}">{e(line) or " "}</span>')
    return f'<pre class="diff">{"".join(rows)}</pre>'


def _finding(report: ScanReport, file: FileResult, reported: Reported, explained: set[str]) -> str:
    f = reported.finding
    rule = get_rule(f.rule_id)
    sev = f.severity.label
    ai = f'<span class="badge ai">{"AI-written · reviewed" if reported.ai_reviewed else "AI-written"}</span>' if reported.ai_region else ""
    where = f"{e(report.relative(file.path))}:{reported.line}:{reported.span.start_col + 1}"
    parts = [
        f'<article class="finding sev-{sev}" id="f-{e(reported.fingerprint)}">',
        f'<div class="head"><span class="badge">{sev}</span>{ai}<span class="rule">{e(f.rule_id)}</span>',
        f'<span class="rule-name">{e(rule.name) if rule else ""}</span><span class="where">{where}</span></div>',
        f'<div class="msg">{_markdown_inline(f.message)}</div>',
        f'<div class="tags"><a href="{cwe_url(f.cwe)}">CWE-{f.cwe}</a> · <a href="{owasp_url(f.owasp)}">OWASP {e(f.owasp)} {e(owasp_name(f.owasp))}</a>'
        f" · {f.confidence.label} confidence</div>",
        _excerpt(reported),
    ]
    if reported.fixes and reported.fixes[0].diff:
        fix = reported.fixes[0]
        parts.append(f'<div class="fixbox"><h4>Quick fix: {e(fix.title)}</h4>{_diff(fix.diff)}</div>')
    elif rule is not None:
        parts.append(f'<div class="fixbox"><h4>How to fix</h4><div>{_markdown_inline(rule.explanation.fix)}</div></div>')
    if rule is not None:
        x = rule.explanation
        is_open = " open" if f.rule_id not in explained else ""
        explained.add(f.rule_id)
        parts.append(
            f"<details{is_open}><summary>Why this is dangerous although the code works</summary><dl>"
            f"<dt>What</dt><dd>{_markdown_inline(x.what)}</dd>"
            f"<dt>Why it matters</dt><dd>{_markdown_inline(x.why)}</dd>"
            f"<dt>Hostile input</dt><dd>{_markdown_inline(x.hostile_input)}</dd>"
            f"<dt>Fix</dt><dd>{_markdown_inline(x.fix)}</dd></dl></details>"
        )
    parts.append("</article>")
    return "".join(parts)


def _findings(report: ScanReport) -> str:
    if not report.total:
        return '<div class="clean">No findings. Every scanned file passed the enabled rules.</div>'
    counts = report.by_severity()
    toggles = "".join(
        f'<label><input type="checkbox" id="show-{s.label}" checked>{s.label} ({counts.get(s, 0)})</label>' for s in sorted(Severity, reverse=True)
    )
    out = [f'<div class="toolbar">Show: {toggles}</div>']
    explained: set[str] = set()
    files = sorted((f for f in report.files if f.findings), key=lambda f: (-max(r.finding.severity for r in f.findings), report.relative(f.path)))
    for file in files:
        n = len(file.findings)
        out.append(f'<section class="file"><h3>{e(report.relative(file.path))}<span class="count">{n} finding{"s" if n != 1 else ""}</span></h3>')
        ordered = sorted(file.findings, key=lambda r: (-r.finding.severity, r.span.start_line))
        out.extend(_finding(report, file, r, explained) for r in ordered)
        out.append("</section>")
    return "".join(out)


def _skipped(report: ScanReport) -> str:
    rows = "".join(f"<tr><td>{e(report.relative(f.path))}</td><td>{e(f.error or '')}</td></tr>" for f in report.files if f.error)
    if not rows:
        return ""
    return f'<h2>Files not fully analysed</h2><table class="skipped"><tr><th>File</th><th>Reason</th></tr>{rows}</table>'


def render_html(report: ScanReport) -> str:
    css = resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")
    counts = report.by_severity()
    scanned = report.scanned
    when = datetime.datetime.fromtimestamp(report.started).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    cards = [
        (str(report.total), "findings", ""),
        *[(str(counts.get(s, 0)), s.label, s.label) for s in sorted(Severity, reverse=True)],
        (f"{len(scanned):,}", "files scanned", ""),
        (f"{sum(f.lines for f in scanned):,}", "lines", ""),
    ]
    filters = f'<div class="filters">Showing only {e(" and ".join(report.filters))}; {report.filtered_out} other findings hidden</div>' if report.filters else ""
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>draftguard report: {report.total} findings in {e(report.root.name or str(report.root))}</title>",
        f"<style>{css}</style></head><body>",
        f'<header class="top"><div class="inner"><h1>draftguard report <span>· {e(report.root.name or str(report.root))}</span></h1>',
        f'<div class="meta"><code>{e(str(report.root))}</code> · {e(when)} · draftguard {e(tool_version())} · {len(report.rules)} rule{"s" if len(report.rules) != 1 else ""} · {report.duration:.1f} s</div>{filters}</div></header>',
        "<main>",
        '<div class="cards">' + "".join(f'<div class="card {cls}"><div class="n">{n}</div><div class="l">{e(label)}</div></div>' for n, label, cls in cards) + "</div>",
        "<h2>Summary</h2>",
        '<div class="charts">',
        f'<div class="chart"><h3>By severity</h3>{_severity_chart(report)}</div>',
        f'<div class="chart"><h3>By CWE</h3>{_cwe_chart(report)}</div>',
        f'<div class="chart"><h3>By file</h3>{_file_chart(report)}</div>',
        f'<div class="chart"><h3>AI-written code</h3>{_ai_chart(report)}</div>',
        "</div>",
        "<h2>Findings</h2>",
        _findings(report),
        _skipped(report),
        '<footer>Generated by draftguard. Suppress a finding with a <code>draftguard: ignore[RULE-ID]</code> comment on its line.</footer>',
        "</main></body></html>",
    ]
    return "\n".join(body) + "\n"
