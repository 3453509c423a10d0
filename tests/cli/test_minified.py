"""Minified JavaScript (built or vendored bundles) is skipped by default, with
a reason, and analysed with --include-minified."""

from __future__ import annotations

from pathlib import Path

from draftguard.server.scan import MINIFIED_AVERAGE_LINE, minified

HANDLER = 'app.get("/run", (req, res) => { res.send(eval(req.query.code)); });\n'
LIBRARY = "".join(f"function f{i}(a){{return a+{i}}};" for i in range(200)) + HANDLER


def test_minified_files_are_skipped_with_a_reason_and_analysed_on_request(run_cli, tmp_path: Path) -> None:
    (tmp_path / "server.js").write_text("const express = require('express');\nconst app = express();\n" + HANDLER)
    (tmp_path / "vendor.min.js").write_text(HANDLER)
    (tmp_path / "bundle.js").write_text(LIBRARY)
    default = run_cli(str(tmp_path), "--no-progress")
    assert default.out.count("JS-EVAL-001") == 1 and "server.js" in default.out
    assert "vendor.min.js: skipped: minified code" in default.err and "bundle.js: skipped: minified code" in default.err
    assert "1 finding (1 critical) in 1 file, 2 skipped" in default.err
    everything = run_cli(str(tmp_path), "--no-progress", "--include-minified")
    assert everything.out.count("JS-EVAL-001") == 3 and "skipped" not in everything.err


def test_what_counts_as_minified() -> None:
    assert minified(Path("jquery-3.2.1.min.js"), b"x")
    assert minified(Path("app.bundle.js"), b"x")
    long_line = b"x" * (MINIFIED_AVERAGE_LINE + 1)
    assert not minified(Path("snippet.js"), long_line)  # under 2 KB: somebody's one long line
    assert minified(Path("dist.js"), (long_line * 2 + b"\n") * 40)
    assert not minified(Path("app.js"), b"const a = 1;\n" * 400)
