"""Render benchmark results: Markdown tables, a PNG chart, the README section.

The chart needs matplotlib (`pip install -e '.[bench]'`); without it the
tables are still printed and the chart is skipped with that hint.
"""

from __future__ import annotations

import re
from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGETS = {10000: 16.0, 50000: 50.0}


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:
        return "–"
    if isinstance(value, (int, float)) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def latency_table(rows: list[dict]) -> str:
    out = [
        "| lines | server | first diagnostics after didOpen (ms) | p50 | p95 | p99 | max | server CPU ms/edit | p50 vs ruff | p99 target |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    ruff = {r["lines"]: r for r in rows if r["server"] == "ruff server"}
    for r in rows:
        peer = ruff.get(r["lines"])
        ratio = f"{r['p50'] / peer['p50']:.1f}x" if peer and r["server"] != "ruff server" else ""
        target = TARGETS.get(_size(r["lines"]))
        verdict = ""
        if target and r["server"] == "draftguard":
            verdict = f"≤ {target:.0f} ms: {'met' if r['p99'] <= target else 'missed'}"
        out.append(
            f"| {r['lines']:,} | {r['server']} | {_f(r['open_ms'])} | {_f(r['p50'], 2)} | {_f(r['p95'], 2)} | {_f(r['p99'], 2)} | "
            f"{_f(r['max'], 1)} | {_f(r['cpu_ms_per_edit'], 2)} | {ratio} | {verdict} |"
        )
    return "\n".join(out)


def kinds_table(rows: list[dict]) -> str:
    kinds = sorted({k for r in rows for k in r["by_kind"]})
    out = ["| lines | server | AI insert (ms) | " + " | ".join(f"p50 {k}" for k in kinds) + " |", "|---:|---|---:|" + "---:|" * len(kinds)]
    for r in rows:
        out.append(f"| {r['lines']:,} | {r['server']} | {_f(r['bulk_ms'], 2)} | " + " | ".join(_f(r["by_kind"].get(k), 2) for k in kinds) + " |")
    return "\n".join(out)


def _size(lines: int) -> int:
    """The nominal size a generated file of `lines` lines was asked for."""
    for nominal in (1000, 10000, 50000):
        if nominal <= lines < nominal * 1.2:
            return nominal
    return lines


def batch_table(batch: dict) -> str:
    out = [
        f"Corpus: {batch['files']} generated modules, {batch['lines']:,} lines.",
        "",
        "| tool | lines/s | vs Bandit | lines per CPU-second | vs Bandit (CPU) | peak memory (MB) | findings |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in batch["tools"]:
        vs = f"{r['vs_bandit']:.2f}x" if r["vs_bandit"] else ""
        vs_cpu = f"{r['cpu_vs_bandit']:.2f}x" if r["cpu_vs_bandit"] else ""
        out.append(
            f"| `{r['tool']}` | {_f(r['lines_per_s'])} | {vs} | {_f(r['lines_per_cpu_s'])} | {vs_cpu} | {_f(r['peak_mb'], 0)} | {r['findings']:,} |"
        )
    return "\n".join(out)


def memory_table(m: dict) -> str:
    return "\n".join(
        [
            "| open documents | RSS idle | RSS with all open | after first 10% of edits | after all edits | growth over the edits | growth after warm-up |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| {m['documents']} × {m['lines']:,} lines, {m['edits']:,} edits | {_f(m['idle_rss_mb'])} MB | {_f(m['open_rss_mb'])} MB | "
            f"{_f(m['warm_rss_mb'])} MB | {_f(m['final_rss_mb'])} MB | {m['growth_pct']:+.1f}% | {m['growth_after_warm_pct']:+.1f}% |",
        ]
    )


def machine_line(results: dict) -> str:
    m = results["machine"]
    loads = ", ".join(f"{x:.1f}" for x in results.get("loads", []))
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['system']}, Python {m['python']}; commit {m['commit']}, "
        f"{results['date']}. One-minute load average during the run: {loads} (the machine is shared)."
    )


def markdown(results: dict) -> str:
    parts = [machine_line(results), ""]
    if results.get("latency"):
        parts += [
            f"**Keystroke latency** (ms from didChange to publishDiagnostics of that version, {results['settings']['edits']} edits per file, "
            f"median of {results['settings']['repeat']} run(s); draftguard with scope `all`, the worst case):",
            "",
            latency_table(results["latency"]),
            "",
            kinds_table(results["latency"]),
            "",
        ]
    if results.get("batch"):
        parts += ["**Batch throughput** (same corpus, same run):", "", batch_table(results["batch"]), ""]
    if results.get("memory"):
        parts += ["**Server memory:**", "", memory_table(results["memory"]), ""]
    return "\n".join(parts)


def update_readme(readme: Path, body: str, chart: str | None) -> None:
    from draftguard.server.atomic import atomic_write

    text = readme.read_text(encoding="utf-8")
    section = f"{BEGIN}\n{body}\n" + (f"\n![benchmark chart]({chart})\n" if chart else "") + END
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Performance\n\n" + section + "\n"
    atomic_write(readme, text)


def chart(results: dict, path: Path) -> str | None:
    """Write the PNG; returns None (and says why) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("chart skipped: matplotlib is not installed (pip install -e '.[bench]')")
        return None
    panels = [k for k in ("latency", "batch", "memory") if results.get(k)]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), dpi=90)
    axes = [axes] if len(panels) == 1 else list(axes)
    for ax, panel in zip(axes, panels):
        _PLOTS[panel](ax, results[panel])
    fig.suptitle(f"draftguard benchmark · {results['machine']['cores']} cores, load {max(results.get('loads') or [0]):.1f} · {results['date']}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return str(path)


def _plot_latency(ax, rows: list[dict]) -> None:
    for server, colour in (("draftguard", "#c0392b"), ("ruff server", "#2c3e50")):
        mine = sorted((r for r in rows if r["server"] == server), key=lambda r: r["lines"])
        if not mine:
            continue
        xs = [r["lines"] for r in mine]
        ax.plot(xs, [r["p50"] for r in mine], "o-", color=colour, label=f"{server} p50")
        ax.plot(xs, [r["p99"] for r in mine], "s--", color=colour, alpha=0.6, label=f"{server} p99")
    for size, target in TARGETS.items():
        ax.plot([size], [target], marker="_", markersize=18, color="green")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("file size (lines)")
    ax.set_ylabel("didChange → diagnostics (ms)")
    ax.set_title("keystroke latency (green: p99 targets)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)


def _plot_batch(ax, batch: dict) -> None:
    tools = batch["tools"]
    names = [t["tool"].replace(" --select S", "\n--select S").replace(" --jobs", "\n--jobs") for t in tools]
    values = [t["lines_per_s"] for t in tools]
    colours = ["#c0392b" if t["tool"].startswith("draftguard") else "#7f8c8d" for t in tools]
    ax.barh(names, values, color=colours)
    ax.set_xscale("log")
    ax.set_xlabel("lines per second (wall clock)")
    ax.set_title(f"batch scan of {batch['lines']:,} lines", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()


def _plot_memory(ax, m: dict) -> None:
    labels = ["idle", f"{m['documents']} open", "warm", f"+{m['edits']:,} edits"]
    values = [m["idle_rss_mb"], m["open_rss_mb"], m["warm_rss_mb"], m["final_rss_mb"]]
    ax.bar(labels, values, color="#c0392b")
    ax.axhline(300, color="green", linestyle="--", label="300 MB target")
    ax.set_ylabel("server RSS (MB)")
    ax.set_title(f"memory, {m['documents']} × {m['lines']:,}-line documents", fontsize=10)
    ax.legend(fontsize=8)


_PLOTS = {"latency": _plot_latency, "batch": _plot_batch, "memory": _plot_memory}
