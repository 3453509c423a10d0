"""Keystroke-to-diagnostics latency and memory of language servers over stdio.

Each server gets the same generated module, the same AI inserts and the same
edits (corpus.edit_script), one at a time: the time of an edit is from
sending its didChange to receiving publishDiagnostics *for that version*, so
a server that debounces or publishes stale results is not flattered. The
server's CPU time over all edits (from /proc) is reported too: it does not
depend on what else the shared machine is doing.

draftguard runs with `scope: all` (every finding of the file is published, the
worst case; the editor default `aiRegions` publishes fewer) and no publishing
debounce. ruff runs `ruff server` with `lint.select = ["S"]` (its
flake8-bandit security rules), so both servers parse and check the whole file
for security rules on every edit and push diagnostics.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import bulk_inserts, edit_script, generate  # noqa: E402
from figures import distribution  # noqa: E402
from lspclient import LspProcess  # noqa: E402

ROOT_URI = "file:///bench"


@dataclass(frozen=True)
class ServerKind:
    name: str
    command: list[str]
    options: dict


def draftguard_server(extra: dict | None = None) -> ServerKind:
    return ServerKind("draftguard", [sys.executable, "-m", "draftguard.server"], {"scope": "all", **(extra or {})})


def ruff_server(ruff: str) -> ServerKind:
    return ServerKind("ruff server", [ruff, "server"], {"settings": {"lint": {"select": ["S"]}}})


def regions_for(lines: int) -> int:
    """AI inserts per file: a few per thousand lines, at least two."""
    return max(2, min(12, lines // 2500))


def keystrokes(server: ServerKind, lines: int, edits: int, seed: int = 1, slowest: int = 0) -> dict:
    """Open a generated module of `lines` lines, paste AI blocks, then run
    `edits` planned edits; latency figures in milliseconds. With `slowest`,
    the result lists that many of the slowest edits (milliseconds, edit
    number, kind, line, column, inserted text) under "slowest"."""
    text = generate(lines)
    uri = f"{ROOT_URI}/service_{lines}.py"
    client = LspProcess(server.command)
    try:
        client.initialize(ROOT_URI, server.options)
        open_ms = client.open_document(uri, text)
        rows = text.split("\n")
        version = 1
        bulk_ms = []
        for insert in bulk_inserts(text, regions_for(lines)):
            version += 1
            bulk_ms.append(client.timed_change(uri, version, [insert.change()]))
            insert.apply(rows)
        plan = edit_script("\n".join(rows), edits, seed)
        samples: dict[str, list[float]] = {}
        timed: list[tuple] = []
        every: list[float] = []
        cpu_before = client.cpu_seconds()
        for edit in plan:
            version += 1
            ms = client.timed_change(uri, version, [edit.change()])
            every.append(ms)
            if slowest:
                timed.append((ms, len(every), edit, rows[edit.line]))
            edit.apply(rows)
            samples.setdefault(edit.kind.rstrip("+-"), []).append(ms)
        cpu = client.cpu_seconds() - cpu_before
        rss = client.rss_kb() / 1024
    finally:
        client.close()
    return {
        "server": server.name,
        "lines": len(rows),
        "edits": len(every),
        "open_ms": open_ms,
        "bulk_ms": distribution(bulk_ms)["p50"],
        **distribution(every),
        "by_kind": {kind: distribution(values)["p50"] for kind, values in sorted(samples.items())},
        "cpu_ms_per_edit": cpu * 1000 / max(1, len(every)),
        "rss_mb": rss,
        **({"slowest": [_described(*item) for item in sorted(timed, key=lambda t: -t[0])[:slowest]]} if slowest else {}),
    }


def _described(ms: float, number: int, edit, row: str) -> str:
    """One edit as the --slowest listing shows it: where and what, in the line it changed."""
    action = f"type {edit.text!r}" if edit.start == edit.end else f"replace {row[edit.start:edit.end]!r} by {edit.text!r}"
    return f"{ms:8.2f} ms  #{number:<4} {edit.kind:8} line {edit.line + 1}:{edit.start}  {action}  in {row.strip()[:70]!r}"


def memory(server: ServerKind, documents: int, lines: int, edits: int, seed: int = 5) -> dict:
    """RSS with `documents` open modules of `lines` lines, then after `edits`
    typing edits spread over them (and after the first tenth, when caches
    are warm)."""
    client = LspProcess(server.command)
    rng = random.Random(seed)
    try:
        client.initialize(ROOT_URI, server.options)
        base_rss = client.rss_kb() / 1024
        docs = []
        started = time.perf_counter()
        for i in range(documents):
            text = generate(lines, seed=1000 + i)
            uri = f"{ROOT_URI}/mem/module_{i:03d}.py"
            client.open_document(uri, text)
            docs.append([uri, 1, edit_script(text, max(2, edits // documents + 2), seed=i, flaw_share=0.0)])
        open_s = time.perf_counter() - started
        opened_rss = client.rss_kb() / 1024
        warm_rss = opened_rss
        for n in range(edits):
            entry = docs[n % documents] if n % 7 else rng.choice(docs)
            uri, version, plan = entry
            edit = plan[(version - 1) % len(plan)]
            entry[1] = version + 1
            client.timed_change(uri, version + 1, [edit.change()])
            if n + 1 == edits // 10:
                warm_rss = client.rss_kb() / 1024
        final_rss = client.rss_kb() / 1024
    finally:
        client.close()
    return {
        "server": server.name,
        "documents": documents,
        "lines": lines,
        "edits": edits,
        "idle_rss_mb": base_rss,
        "open_rss_mb": opened_rss,
        "open_seconds": open_s,
        "warm_rss_mb": warm_rss,
        "final_rss_mb": final_rss,
        "growth_pct": 100 * (final_rss - opened_rss) / opened_rss,
        "growth_after_warm_pct": 100 * (final_rss - warm_rss) / warm_rss,
    }
