"""Every output format, the SARIF schema, and fingerprint stability."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.cli.conftest import VULNERABLE

REPO = Path(__file__).resolve().parents[2]
SCHEMA_NAME = Path("shared", "schemas", "sarif-schema-2.1.0.json")


def sarif_schema_path() -> Path:
    """`../shared/schemas/...` next to the repository root; from a git
    worktree, next to the main checkout the worktree belongs to."""
    candidates = [REPO / ".." / SCHEMA_NAME]
    common = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=REPO, capture_output=True, text=True, timeout=30)
    if common.returncode == 0:
        candidates.append((REPO / common.stdout.strip()).resolve().parent / ".." / SCHEMA_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise AssertionError(f"SARIF schema not found at {', '.join(map(str, candidates))}")


def sarif_of(run_cli, *argv) -> dict:
    result = run_cli(*argv, "--format", "sarif")
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def test_text_format(run_cli, project) -> None:
    out = run_cli(cwd=project).out
    assert re.fullmatch(r"app\.py:6:17: PY-SQLI-001 \[high\] .+ \(CWE-89\)  \(fix: Parameterise query.*\)\n", out)


def test_json_format(run_cli, project) -> None:
    data = json.loads(run_cli("--format", "json", cwd=project).out)
    assert data["tool"]["name"] == "draftguard"
    assert data["summary"]["files"] == 2 and data["summary"]["findings"] == 1
    assert data["summary"]["bySeverity"] == {"critical": 0, "high": 1, "medium": 0, "low": 0}
    finding = data["findings"][0]
    assert (finding["path"], finding["line"], finding["column"], finding["ruleId"], finding["cwe"]) == ("app.py", 6, 17, "PY-SQLI-001", 89)
    assert finding["fixes"][0]["edits"][0]["newText"] == "\"SELECT * FROM users WHERE name = ?\""
    assert "+    cur.execute(\"SELECT * FROM users WHERE name = ?\", (name,))" in finding["fixes"][0]["diff"]


def test_sarif_validates_against_the_official_schema(run_cli, project) -> None:
    (project / "skipped.py").write_bytes(b"\x00binary")
    doc = sarif_of(run_cli, str(project))
    schema = json.loads(sarif_schema_path().read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert doc["runs"][0]["results"], "the document under test must contain results"
    assert doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]


def test_sarif_content_github_reads(run_cli, project) -> None:
    run = sarif_of(run_cli, str(project))["runs"][0]
    result = run["results"][0]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "PY-SQLI-001" and rule["name"] == "sql-injection-string-built-query"
    assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert "although the code works" in rule["help"]["markdown"]
    assert {"security", "external/cwe/cwe-089", "CWE-89", "OWASP-A03:2021"} <= set(rule["properties"]["tags"])
    assert float(rule["properties"]["security-severity"]) >= 7.0
    assert result["ruleId"] == "PY-SQLI-001" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (6, 17)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacements[0]["insertedContent"]["text"] == "\"SELECT * FROM users WHERE name = ?\""


def _fingerprints(run_cli, root) -> list[str]:
    run = sarif_of(run_cli, str(root))["runs"][0]
    return [r["partialFingerprints"]["draftguardFindingHash/v1"] for r in run["results"]]


def test_fingerprints_survive_unrelated_edits(run_cli, tmp_path) -> None:
    app = tmp_path / "app.py"
    app.write_text(VULNERABLE)
    before = _fingerprints(run_cli, tmp_path)
    app.write_text('"""Docs added above."""\nimport os\n\n\n' + VULNERABLE.replace("    cur = conn.cursor()", "    cur  =  conn.cursor()  # reformatted"))
    assert _fingerprints(run_cli, tmp_path) == before
    app.write_text(VULNERABLE.replace("users", "accounts"))
    assert _fingerprints(run_cli, tmp_path) != before


def test_identical_findings_get_distinct_fingerprints(run_cli, tmp_path) -> None:
    (tmp_path / "app.py").write_text(VULNERABLE + "\n\n" + VULNERABLE.split("\n\n\n", 1)[1].replace("find_user", "find_user2"))
    prints = _fingerprints(run_cli, tmp_path)
    assert len(prints) == 2 and len(set(prints)) == 2


def test_html_is_self_contained(run_cli, project) -> None:
    html = run_cli(str(project), "--format", "html").out
    assert html.startswith("<!DOCTYPE html>")
    assert "PY-SQLI-001" in html and "although the code works" in html and "<svg" in html
    assert "SELECT * FROM users WHERE name = ?" in html  # the fix
    # nothing that makes the browser fetch: no scripts or styles from elsewhere, no remote images or fonts
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "@import" not in html


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html"])
def test_every_format_renders_an_empty_scan(run_cli, tmp_path, fmt) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run_cli(str(tmp_path), "--format", fmt)
    assert result.code == 0
    if fmt in ("json", "sarif"):
        json.loads(result.out)
