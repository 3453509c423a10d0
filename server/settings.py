"""User settings: parsed from plain data with clear messages, never fatal here.

One parser serves every entry point: LSP `initializationOptions`, the
`draftguard` configuration section, `workspace/didChangeConfiguration`, the
`[tool.draftguard]` table of pyproject.toml and `.draftguard.toml` (see
projectconfig.py), so every entry point accepts the same keys. Problems come
back as `SettingIssue`s naming the offending key; the caller decides whether
they are fatal (the CLI stops on invalid values, the server only warns).
Unknown keys are always just warnings, so a newer configuration still works
with an older draftguard. A bad key keeps its previous value.

`overlay()` layers editor settings over project settings: a scalar given by
the editor wins, rule switches and severity overrides are merged per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from draftguard.analyzers import AnalysisConfig, Severity, get_rule

from .discover import check_patterns

SCOPES = ("aiRegions", "changed", "all")
_SCOPE_ALIASES = {"ai": "aiRegions", "airegions": "aiRegions", "ai-regions": "aiRegions", "ai_regions": "aiRegions", "changed": "changed", "all": "all", "file": "all"}
DIAGNOSTIC_MODES = ("auto", "push", "pull")


@dataclass(frozen=True)
class Settings:
    scope: str = "all"
    rules_disabled: frozenset[str] = frozenset()
    rules_enabled: frozenset[str] = frozenset()
    only_rules: frozenset[str] | None = None
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    honour_nosec: bool = False
    bulk_insert_lines: int = 2
    bulk_insert_chars: int = 60
    exclude: tuple[str, ...] = ()
    diagnostic_mode: str = "auto"
    analysis_timeout: float = 15.0
    """Seconds one analysis of one file may take; past it the file gets a
    warning instead of findings (analyzers/budget.py). 0 switches the limit off."""
    python_interpreter: tuple[str, ...] = ()
    """The interpreter (program and arguments) whose installed packages the
    dependency rules see; empty: the one running draftguard. Editor or command
    line only: a project file must not choose a program for us to run."""
    debounce_ms: int = 0
    """Wait this long after an edit before analysing (0: analyse at once; a
    newer edit supersedes a running analysis either way)."""

    def analysis_config(self) -> AnalysisConfig:
        return AnalysisConfig(
            disabled_rules=self.rules_disabled,
            only_rules=self.only_rules,
            enabled_rules=self.rules_enabled,
            severity_overrides=dict(self.severity_overrides),
            honour_nosec=self.honour_nosec,
        )


EDITOR_DEFAULTS = Settings(scope="aiRegions")
"""Where the language server starts: squiggles only in unreviewed AI regions.
The CLI starts from `Settings()`, whose scope is the whole file (`all`)."""


@dataclass(frozen=True)
class SettingIssue:
    """One problem with one key; `unknown` issues are never fatal."""

    key: str
    message: str
    unknown: bool = False

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def _string_list(value: Any, key: str, issues: list[SettingIssue]) -> frozenset[str] | None:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        issues.append(SettingIssue(key, f"expected a list of rule ids, got {_describe(value)}"))
        return None
    _known_rules(value, key, issues)
    return frozenset(value)


def _known_rules(ids: Any, key: str, issues: list[SettingIssue]) -> None:
    """Unknown rule ids are warnings: the configuration may be newer than us."""
    for rule_id in sorted(ids):
        if get_rule(rule_id) is None:
            issues.append(SettingIssue(key, f"unknown rule id {rule_id!r} (ignored)", unknown=True))


def _positive_int(value: Any, key: str, issues: list[SettingIssue]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        issues.append(SettingIssue(key, f"expected a positive whole number, got {value!r}"))
        return None
    return value


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if not isinstance(value, (list, dict)) else type(value).__name__


def _normalise(key: str) -> str:
    return key.replace("_", "").replace("-", "").replace(".", "").lower()


_CLIENT_ONLY = {"traceserver", "trace", "interpreter", "path", "enable", "showstatusbar"}


def parse_changes(raw: Any, *, origin: str = "settings", trusted: bool = True) -> tuple[dict[str, Any], list[SettingIssue]]:
    """The Settings fields `raw` sets (only the valid ones) and the issues found.
    `trusted` is false for project files, which cannot set what runs programs."""
    issues: list[SettingIssue] = []
    if raw is None:
        return {}, issues
    if not isinstance(raw, Mapping):
        return {}, [SettingIssue(origin or "settings", f"expected a table of settings, got {type(raw).__name__}")]
    changes: dict[str, Any] = {}
    for key, value in _flatten(raw).items():
        name = f"{origin}.{key}" if origin else key
        normalised = _normalise(key)
        if normalised == "scope":
            scope = _SCOPE_ALIASES.get(value.lower()) if isinstance(value, str) else None
            if scope is None:
                issues.append(SettingIssue(name, f"expected one of {', '.join(SCOPES)}, got {value!r}"))
            else:
                changes["scope"] = scope
        elif normalised in ("rulesdisabled", "disable", "disabledrules", "excluderules"):
            parsed = _string_list(value, name, issues)
            if parsed is not None:
                changes["rules_disabled"] = parsed
        elif normalised in ("rulesenabled", "enable", "enabledrules") and not (normalised == "enable" and isinstance(value, bool)):
            parsed = _string_list(value, name, issues)
            if parsed is not None:
                changes["rules_enabled"] = parsed
        elif normalised in ("rulesonly", "only", "rules") and not isinstance(value, Mapping):
            parsed = _string_list(value, name, issues)
            if parsed is not None:
                changes["only_rules"] = parsed or None
        elif normalised in ("severityoverrides", "severity"):
            if not isinstance(value, Mapping):
                issues.append(SettingIssue(name, f"expected a table mapping rule ids to severities, got {_describe(value)}"))
                continue
            overrides: dict[str, Severity] = {}
            for rule_id, level in value.items():
                try:
                    overrides[str(rule_id)] = Severity.parse(level) if isinstance(level, str) else Severity.parse(repr(level))
                except ValueError as exc:
                    issues.append(SettingIssue(f"{name}.{rule_id}", str(exc)))
            _known_rules(overrides, name, issues)
            changes["severity_overrides"] = overrides
        elif normalised in ("honournosec", "honornosec", "nosec"):
            if isinstance(value, bool):
                changes["honour_nosec"] = value
            else:
                issues.append(SettingIssue(name, f"expected true or false, got {value!r}"))
        elif normalised in ("bulkinsertthresholdlines", "bulkinsertlines"):
            parsed_int = _positive_int(value, name, issues)
            if parsed_int is not None:
                changes["bulk_insert_lines"] = parsed_int
        elif normalised in ("bulkinsertthresholdcharacters", "bulkinsertthresholdchars", "bulkinsertchars", "bulkinsertcharacters"):
            parsed_int = _positive_int(value, name, issues)
            if parsed_int is not None:
                changes["bulk_insert_chars"] = parsed_int
        elif normalised in ("exclude", "excludes"):
            if isinstance(value, str):
                value = [value]
            unusable = check_patterns(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None
            if unusable:
                issues.append(SettingIssue(name, "; ".join(f"pattern {pattern!r} is {why}" for pattern, why in unusable)))
            elif unusable is not None:
                changes["exclude"] = tuple(value)
            else:
                issues.append(SettingIssue(name, f"expected a list of gitignore-style patterns, got {_describe(value)}"))
        elif normalised in ("analysistimeout", "analysistimeoutseconds"):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                changes["analysis_timeout"] = float(value)
            else:
                issues.append(SettingIssue(name, f"expected a number of seconds (0: no limit), got {value!r}"))
        elif normalised in ("debouncems", "analysisdebouncems", "debounce"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2000:
                issues.append(SettingIssue(name, f"expected milliseconds from 0 to 2000, got {value!r}"))
            else:
                changes["debounce_ms"] = value
        elif normalised == "diagnosticmode":
            if value in DIAGNOSTIC_MODES:
                changes["diagnostic_mode"] = value
            else:
                issues.append(SettingIssue(name, f"expected one of {', '.join(DIAGNOSTIC_MODES)}, got {value!r}"))
        elif normalised in ("dependenciespythoninterpreter", "pythoninterpreter"):
            if not trusted:
                issues.append(SettingIssue(name, "can only be set in the editor or with --python: a project file must not choose a program to run (ignored)"))
            elif isinstance(value, str) and value.strip():
                changes["python_interpreter"] = (value.strip(),)
            elif isinstance(value, list) and all(isinstance(v, str) and v for v in value):
                changes["python_interpreter"] = tuple(value)
            elif value in ("", [], None):
                changes["python_interpreter"] = ()
            else:
                issues.append(SettingIssue(name, f"expected a path or a list of program and arguments, got {_describe(value)}"))
        elif normalised in _CLIENT_ONLY:
            continue  # client-side settings the server does not use
        else:
            issues.append(SettingIssue(name, "unknown setting (ignored)", unknown=True))
    return changes, issues


def parse_settings(raw: Any, base: Settings | None = None, *, origin: str = "settings", trusted: bool = True) -> tuple[Settings, list[SettingIssue]]:
    """Replace the fields `raw` sets on `base` (or the defaults)."""
    changes, issues = parse_changes(raw, origin=origin, trusted=trusted)
    return replace(base or Settings(), **changes), issues


def overlay(base: Settings, raw: Any, *, origin: str = "settings", trusted: bool = True) -> tuple[Settings, list[SettingIssue]]:
    """`raw` (editor or command-line settings) over `base` (project settings).

    Scalars given in `raw` win. Rule switches merge per rule, so a project's
    `rules.disabled` survives an editor that sends an empty list, and an
    editor can still switch on one rule the project disabled.
    """
    changes, issues = parse_changes(raw, origin=origin, trusted=trusted)
    disabled = set(base.rules_disabled)
    enabled = set(base.rules_enabled)
    if "rules_enabled" in changes:
        disabled -= changes["rules_enabled"]
        enabled |= changes["rules_enabled"]
    if "rules_disabled" in changes:
        enabled -= changes["rules_disabled"]
        disabled |= changes["rules_disabled"]
    changes["rules_disabled"] = frozenset(disabled)
    changes["rules_enabled"] = frozenset(enabled)
    if "severity_overrides" in changes:
        changes["severity_overrides"] = {**base.severity_overrides, **changes["severity_overrides"]}
    if "exclude" in changes:
        changes["exclude"] = tuple(dict.fromkeys(base.exclude + changes["exclude"]))
    return replace(base, **changes), issues


def _flatten(raw: Mapping, prefix: str = "") -> dict[str, Any]:
    """`{"rules": {"disabled": [..]}}` -> `{"rules.disabled": [..]}`; objects
    whose values are not all objects stay whole (severity overrides)."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and _normalise(full) in ("rules", "bulkinsertthreshold", "trace", "draftguard", "dependencies"):
            flat.update(_flatten(value, f"{full}." if full.lower() != "draftguard" else ""))
        else:
            flat[full] = value
    return flat
