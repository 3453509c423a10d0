"""Soak test: far more of what the reliability tests do in CI, with figures.

    python bench/soak.py                      # everything, default sizes (~20-40 min on 2 cores)
    python bench/soak.py --examples 20000 --edits 100000 --server-edits 20000 --cycles 5000 --kills 300
    python bench/soak.py --only fuzz          # one part: fuzz, session, server, ledger

Parts (each prints its figures; the script exits non-zero on any failure):

1. fuzz: the differential fuzzer of `tests/reliability/test_sync_differential.py`
   (hypothesis) for `--examples` random edit sessions: text, line index,
   tree node by node and AI regions against the reference models.
2. session: one in-process document taking `--edits` random edits (every
   kind the fuzzer makes) through the server's document and region code,
   checked against the reference model every edit and against a fresh parse
   every 100; traced memory at start and end.
3. server: the real server process over stdio: `--server-edits` didChange
   notifications to one document and `--cycles` documents opened, edited and
   closed, plus hostile frames in between; resident memory at start, along the
   way and at the end, and whether it ever stopped answering (crashes).
4. ledger: `--kills` writer processes killed with SIGKILL at random moments
   (the ledger must always be the old or the new complete file, never lose a
   review), then concurrent writers that must not drop reviews.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import signal
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from draftguard.server.documents import RangeSpec  # noqa: E402
from tests.reliability.rawlsp import RawServer, span  # noqa: E402
from tests.reliability.syncfuzz import Session, changes, encodings, fragments, languages  # noqa: E402
from tests.reliability.syncmodel import PIECES, check_document  # noqa: E402


def mib(kb: float) -> str:
    return f"{kb / 1024:.1f} MiB"


# -- 1. fuzz ----------------------------------------------------------------------------
def soak_fuzz(examples: int) -> dict:
    counter = {"examples": 0, "notifications": 0, "edits": 0}

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data(), language=languages(), encoding=encodings(), initial=fragments)
    def session(data, language, encoding, initial) -> None:
        counter["examples"] += 1
        s = Session.open(language[0], language[1], initial, encoding)
        for _ in range(data.draw(st.integers(0, 3))):
            size = len(s.doc.source)
            start = data.draw(st.integers(0, size))
            s.add_region(start, data.draw(st.integers(start, size)))
        for _ in range(data.draw(st.integers(1, 12))):
            s.notify(data.draw(changes(s.model)))
        counter["notifications"] += s.notifications
        counter["edits"] += s.edits

    started = time.perf_counter()
    session()
    counter["seconds"] = round(time.perf_counter() - started, 1)
    return counter


# -- 2. one long in-process session ---------------------------------------------------------
def random_change(rng: random.Random, s: Session) -> list[tuple[RangeSpec | None, str]]:
    model = s.model
    lines = model.line_count()

    def position() -> tuple[int, int]:
        line = rng.randint(0, lines - 1) if rng.random() < 0.95 else rng.randint(-2, lines + 3)
        units = model.line_units(line)
        return line, (rng.randint(0, units) if rng.random() < 0.95 else rng.randint(-2, units + 5))

    def text(big: bool = False) -> str:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(10, 50) if big else rng.randint(0, 4)))

    kind = rng.random()
    if kind < 0.001:
        return [(None, model.text)]  # a whole-document resend of the same text
    a = position()
    if len(model.text) > 30_000:  # keep the document from growing without bound
        return [(RangeSpec(a[0], 0, a[0] + rng.randint(5, 60), 0), "")]
    if kind < 0.02:
        return [(RangeSpec(a[0], a[1], a[0], a[1]), text(big=True))]  # a paste or an AI completion
    if kind < 0.45:  # deleting a few characters, sometimes across a line break
        b = (a[0] + (rng.random() < 0.1), rng.randint(0, 8))
        return [(RangeSpec(a[0], a[1], *max(a, b)), "")]
    b = (a[0], a[1] + rng.randint(0, 3)) if rng.random() < 0.3 else a
    batch = [(RangeSpec(a[0], a[1], b[0], b[1]), text())]
    if rng.random() < 0.05:  # multi-cursor: a second change in the same notification
        c = position()
        batch.append((RangeSpec(c[0], c[1], c[0], c[1]), text()))
    return batch


def soak_session(edits: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    gc.collect()
    tracemalloc.start()
    s = Session.open("python", "file:///soak/long.py", "import os\n\n" + "def f(a):\n    return a + 1\n" * 200, "utf-16")
    start_mem = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    full_checks = 0
    for i in range(edits):
        batch = random_change(rng, s)
        # the cheap checks every edit; the node-by-node tree comparison every 100
        s.notify(batch, full=(i % 100 == 0))
        full_checks += i % 100 == 0
    check_document(s.doc, s.model)
    gc.collect()
    end_mem, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "edits": s.edits,
        "full tree comparisons": full_checks + 1,
        "final document bytes": len(s.doc.source),
        "regions at end": len(s.tracker.regions),
        "traced memory at start": mib(start_mem / 1024),
        "traced memory at end": mib(end_mem / 1024),
        "traced memory peak": mib(peak / 1024),
        "seconds": round(time.perf_counter() - started, 1),
    }


# -- 3. the real server ---------------------------------------------------------------------
HOSTILE = [b"{not json", b"[]", b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "textDocument/hover"}', b"\xff\xfe"]


def soak_server(edits: int, cycles: int, seed: int = 11) -> dict:
    rng = random.Random(seed)
    crashes = 0
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="draftguard-soak-") as tmp:
        server = RawServer(cwd=tmp)
        server.initialize(Path(tmp))
        uri = Path(tmp, "long.py").as_uri()
        rows = ["import os", ""] + [f"def handler_{i}(request):\n    return os.path.join('/srv', request.args.get('n{i}'))" for i in range(40)]
        text = "\n".join(rows) + "\n"
        server.open(uri, text)
        server.diagnostics(uri, 1)
        figures["resident memory at start"] = server.rss_kb()
        samples = []
        started = time.perf_counter()
        version = checked = 1
        line_count = text.count("\n")
        for i in range(edits):
            version += 1
            if i % 2 == 0:
                line = rng.randrange(line_count)
                change = span(line, 0, line, 0, "#")  # typed, then deleted again: the text stays the same size
            else:
                change = span(line, 0, line, 1, "")
            server.change(uri, version, [change])
            if i % 1000 == 999:
                for frame in HOSTILE:
                    server.frame(frame)
                server.diagnostics(uri, version, timeout=600)
                checked = version
                if "result" not in server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 4}}):
                    crashes += 1
            if i % 10_000 == 9_999:
                samples.append(server.rss_kb())
        if checked != version:  # a version is published once: the last checkpoint may have taken it
            server.diagnostics(uri, version, timeout=600)
        figures["didChange notifications"] = edits
        figures["edit seconds"] = round(time.perf_counter() - started, 1)
        figures["resident memory after edits"] = server.rss_kb()
        figures["resident memory every 10,000 edits"] = ", ".join(mib(s) for s in samples)
        started = time.perf_counter()
        doc_text = "import os\n\ndef h(request):\n    return os.path.join('/srv', request.args.get('name'))\n"
        for i in range(cycles):
            other = Path(tmp, f"cycle{i}.py").as_uri()
            server.open(other, doc_text)
            server.change(other, 2, [span(0, 0, 0, 0, "# edited\n")])
            server.notify("textDocument/didClose", {"textDocument": {"uri": other}})
            if i % 500 == 499:
                server.wait(lambda m, u=other: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == u and m["params"]["diagnostics"] == [], timeout=600)
        figures["open/edit/close cycles"] = cycles
        figures["cycle seconds"] = round(time.perf_counter() - started, 1)
        figures["resident memory at end"] = server.rss_kb()
        alive = server.proc.poll() is None and "result" in server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
        crashes += 0 if alive else 1
        code = server.close()
        crashes += 0 if code == 0 else 1
    for key in ("resident memory at start", "resident memory after edits", "resident memory at end"):
        figures[key] = mib(figures[key])
    figures["crashes (server died or stopped answering)"] = crashes
    return figures


# -- 4. the ledger under kill -9 and concurrent writers ---------------------------------------
def soak_ledger(kills: int, writers: int = 4, per_writer: int = 400, seed: int = 5) -> dict:
    from tests.reliability.ledgerwriter import review_hash
    from tests.reliability.test_state_durability import ledger_hashes, prefill, start_writer, wait_for_progress

    rng = random.Random(seed)
    torn = lost = 0
    with tempfile.TemporaryDirectory(prefix="draftguard-ledger-") as tmp:
        root = Path(tmp)
        old = prefill(root, 2_000)
        written = 0
        for round_ in range(kills):
            writer = start_writer(root, "kill", 100_000, "--region-store", "--slow-disk")
            wait_for_progress(writer, 1 if round_ else 0)
            time.sleep(rng.uniform(0, 0.15))
            writer.send_signal(signal.SIGKILL)
            writer.communicate(timeout=60)
            try:
                hashes = ledger_hashes(root)
            except (ValueError, KeyError, AssertionError):
                torn += 1
                continue
            mine = hashes[len(old) :]
            if hashes[: len(old)] != old or mine != [review_hash("kill", n) for n in range(len(mine))] or len(mine) < written:
                lost += 1
            written = max(written, len(mine))
            for path in (root / ".draftguard").glob("*.json"):
                try:
                    json.loads(path.read_bytes())
                except ValueError:
                    torn += 1
    with tempfile.TemporaryDirectory(prefix="draftguard-ledger-") as tmp:
        root = Path(tmp)
        tags = [f"w{i}" for i in range(writers)]
        procs = [start_writer(root, tag, per_writer) for tag in tags]
        for proc in procs:
            proc.communicate(timeout=3600)
        hashes = set(ledger_hashes(root))
        dropped = sum(1 for tag in tags for n in range(per_writer) if review_hash(tag, n) not in hashes)
    return {
        "kill -9 rounds": kills,
        "torn or unreadable files": torn,
        "rounds that lost reviews": lost,
        "reviews written by killed writers": written,
        "concurrent writers": f"{writers} x {per_writer} reviews",
        "reviews dropped by concurrent writes": dropped,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--edits", type=int, default=100_000)
    parser.add_argument("--server-edits", type=int, default=20_000, help="didChange notifications to the real server (each is analysed)")
    parser.add_argument("--cycles", type=int, default=5_000)
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--only", choices=["fuzz", "session", "server", "ledger"], action="append")
    args = parser.parse_args()
    parts = args.only or ["fuzz", "session", "server", "ledger"]
    failed = False
    for part in parts:
        print(f"\n== {part}", flush=True)
        try:
            if part == "fuzz":
                figures = soak_fuzz(args.examples)
            elif part == "session":
                figures = soak_session(args.edits)
            elif part == "server":
                figures = soak_server(args.server_edits, args.cycles)
            else:
                figures = soak_ledger(args.kills)
        except Exception as exc:  # report and go on with the other parts
            failed = True
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        for key, value in figures.items():
            print(f"{key:>45}: {value}", flush=True)
        bad = [k for k in figures if (k.startswith(("crashes", "torn", "rounds that lost", "reviews dropped"))) and figures[k]]
        failed |= bool(bad)
    print("\nresult:", "FAILED" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
