"""Project configuration in `[tool.draftguard]` and `.draftguard.toml`."""

from __future__ import annotations

import json

import pytest

from draftguard.analyzers import Severity
from draftguard.server.projectconfig import ConfigError, find_config, load_project_config
from draftguard.server.settings import Settings, overlay


def test_pyproject_disables_a_rule(run_cli, project) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.draftguard.rules]\ndisabled = ["PY-SQLI-001"]\n')
    assert run_cli(cwd=project).code == 0


def test_dedicated_file_wins_over_pyproject(run_cli, project) -> None:
    (project / "pyproject.toml").write_text('[tool.draftguard]\nrules = { disabled = ["PY-SQLI-001"] }\n')
    (project / ".draftguard.toml").write_text('honour-nosec = true\n')
    assert find_config(project) == project / ".draftguard.toml"
    assert run_cli(cwd=project).code == 1


def test_severity_override_changes_fail_on_and_reports(run_cli, project) -> None:
    (project / ".draftguard.toml").write_text('[severity-overrides]\n"PY-SQLI-001" = "critical"\n')
    result = run_cli("--fail-on", "critical", "--format", "json", cwd=project)
    assert result.code == 1
    assert json.loads(result.out)["findings"][0]["severity"] == "critical"


def test_excludes_are_relative_to_the_config_file(run_cli, project) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "app.py").write_text((project / "app.py").read_text())
    (project / ".draftguard.toml").write_text('exclude = ["/app.py"]\n')
    result = run_cli(str(project / "sub"), "--format", "json")
    assert [f["path"] for f in json.loads(result.out)["findings"]] == ["sub/app.py"]
    assert run_cli(str(project / "app.py")).code == 0  # excluded even when named


def test_honour_nosec(run_cli, project) -> None:
    text = (project / "app.py").read_text().replace("'{name}'\")", "'{name}'\")  # nosec")
    (project / "app.py").write_text(text)
    assert run_cli(cwd=project).code == 1
    (project / ".draftguard.toml").write_text("honour-nosec = true\n")
    assert run_cli(cwd=project).code == 0


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('scope = "everything"', "scope"),
        ("honour-nosec = 1", "honour-nosec"),
        ('exclude = [1, 2]', "exclude"),
        ('[rules]\ndisabled = 5', "rules.disabled"),
        ('[severity-overrides]\n"PY-SQLI-001" = "huge"', "severity-overrides.PY-SQLI-001"),
        ('[bulk-insert-threshold]\nlines = 0', "bulk-insert-threshold.lines"),
    ],
)
def test_invalid_values_exit_2_naming_the_key(run_cli, project, toml, key) -> None:
    (project / ".draftguard.toml").write_text(toml + "\n")
    result = run_cli(cwd=project)
    assert result.code == 2
    assert f".draftguard.toml: {key}: " in result.err


def test_invalid_value_in_pyproject_names_the_table(run_cli, project) -> None:
    (project / "pyproject.toml").write_text('[tool.draftguard]\nscope = 3\n')
    result = run_cli(cwd=project)
    assert result.code == 2 and "pyproject.toml: tool.draftguard.scope: expected one of" in result.err


def test_broken_toml_exits_2(run_cli, project) -> None:
    (project / ".draftguard.toml").write_text('scope = "all\n')
    result = run_cli(cwd=project)
    assert result.code == 2 and "invalid TOML" in result.err and "line 1" in result.err


def test_unknown_keys_and_rule_ids_warn(run_cli, project) -> None:
    (project / ".draftguard.toml").write_text('colour = "blue"\n[rules]\ndisabled = ["PY-FUTURE-999"]\n')
    result = run_cli(cwd=project)
    assert result.code == 1
    assert "warning: " in result.err and "colour: unknown setting" in result.err
    assert "unknown rule id 'PY-FUTURE-999'" in result.err


def test_explicit_config_flag(run_cli, project, tmp_path) -> None:
    other = tmp_path / "strict.toml"
    other.write_text('[rules]\ndisabled = ["PY-SQLI-001"]\n')
    assert run_cli(str(project), "--config", str(other)).code == 0
    assert run_cli(str(project), "--config", str(tmp_path / "none.toml")).code == 2


def test_search_stops_at_the_repository_root(tmp_path) -> None:
    (tmp_path / ".draftguard.toml").write_text('scope = "all"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo) is None
    assert load_project_config(repo).root == repo.resolve()


def test_unreadable_toml_is_a_config_error(tmp_path) -> None:
    (tmp_path / ".draftguard.toml").write_text("[[[")
    with pytest.raises(ConfigError):
        load_project_config(tmp_path)


def test_editor_settings_overlay_project_settings() -> None:
    project = Settings(rules_disabled=frozenset({"A", "B"}), scope="all", severity_overrides={"A": Severity.LOW})
    merged, issues = overlay(project, {"scope": "aiRegions", "rules": {"disabled": [], "enabled": ["B"]}, "severityOverrides": {"C": "high"}})
    assert merged.scope == "aiRegions"
    assert merged.rules_disabled == {"A"} and "B" in merged.rules_enabled
    assert merged.severity_overrides == {"A": Severity.LOW, "C": Severity.HIGH}
    assert [i.unknown for i in issues] == [True, True]  # B and C are not known rule ids
