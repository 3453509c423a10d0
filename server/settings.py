"""User settings: parsed from plain data with clear messages, never fatal.

The same parser serves LSP `initializationOptions`, the `draftguard`
configuration section, `workspace/didChangeConfiguration` and the
`[tool.draftguard]` table of pyproject.toml, so every entry point accepts the
same keys. Unknown keys and bad values produce warnings; the previous value
of a bad key is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from draftguard.analyzers import AnalysisConfig, Severity

SCOPES = ("aiRegions", "changed", "all")
_SCOPE_ALIASES = {"ai": "aiRegions", "airegions": "aiRegions", "ai-regions": "aiRegions", "ai_regions": "aiRegions", "changed": "changed", "all": "all", "file": "all"}


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

    def analysis_config(self) -> AnalysisConfig:
        return AnalysisConfig(
            disabled_rules=self.rules_disabled,
            only_rules=self.only_rules,
            enabled_rules=self.rules_enabled,
            severity_overrides=dict(self.severity_overrides),
            honour_nosec=self.honour_nosec,
        )


def _string_list(value: Any, key: str, warnings: list[str]) -> frozenset[str] | None:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        warnings.append(f"{key}: expected a list of rule ids, got {type(value).__name__}")
        return None
    return frozenset(value)


def _positive_int(value: Any, key: str, warnings: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        warnings.append(f"{key}: expected a positive whole number, got {value!r}")
        return None
    return value


def parse_settings(raw: Any, base: Settings | None = None, *, origin: str = "settings") -> tuple[Settings, list[str]]:
    """Merge `raw` (a mapping, possibly nested like VS Code's) onto `base`."""
    settings = base or Settings()
    warnings: list[str] = []
    if raw is None:
        return settings, warnings
    if not isinstance(raw, Mapping):
        return settings, [f"{origin}: expected an object, got {type(raw).__name__}"]
    flat = _flatten(raw)
    changes: dict[str, Any] = {}
    for key, value in flat.items():
        name = f"{origin}.{key}"
        normalised = key.replace("_", "").replace("-", "").replace(".", "").lower()
        if normalised == "scope":
            scope = _SCOPE_ALIASES.get(str(value).lower()) if isinstance(value, str) else None
            if scope is None:
                warnings.append(f"{name}: expected one of {', '.join(SCOPES)}, got {value!r}")
            else:
                changes["scope"] = scope
        elif normalised in ("rulesdisabled", "disable", "disabledrules", "excluderules"):
            parsed = _string_list(value, name, warnings)
            if parsed is not None:
                changes["rules_disabled"] = parsed
        elif normalised in ("rulesenabled", "enable", "enabledrules"):
            parsed = _string_list(value, name, warnings)
            if parsed is not None:
                changes["rules_enabled"] = parsed
        elif normalised in ("rulesonly", "only", "rules") and not isinstance(value, Mapping):
            parsed = _string_list(value, name, warnings)
            if parsed is not None:
                changes["only_rules"] = parsed or None
        elif normalised in ("severityoverrides", "severity"):
            if not isinstance(value, Mapping):
                warnings.append(f"{name}: expected an object mapping rule ids to severities")
                continue
            overrides = dict(settings.severity_overrides)
            for rule_id, level in value.items():
                try:
                    overrides[str(rule_id)] = Severity.parse(str(level))
                except ValueError as exc:
                    warnings.append(f"{name}.{rule_id}: {exc}")
            changes["severity_overrides"] = overrides
        elif normalised in ("honournosec", "honornosec", "nosec"):
            if isinstance(value, bool):
                changes["honour_nosec"] = value
            else:
                warnings.append(f"{name}: expected true or false, got {value!r}")
        elif normalised in ("bulkinsertthresholdlines", "bulkinsertlines"):
            parsed_int = _positive_int(value, name, warnings)
            if parsed_int is not None:
                changes["bulk_insert_lines"] = parsed_int
        elif normalised in ("bulkinsertthresholdcharacters", "bulkinsertthresholdchars", "bulkinsertchars", "bulkinsertcharacters"):
            parsed_int = _positive_int(value, name, warnings)
            if parsed_int is not None:
                changes["bulk_insert_chars"] = parsed_int
        elif normalised in ("exclude", "excludes"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                changes["exclude"] = tuple(value)
            else:
                warnings.append(f"{name}: expected a list of glob patterns")
        elif normalised in ("traceserver", "trace", "interpreter", "path", "enable", "showstatusbar"):
            continue  # client-side settings the server does not use
        else:
            warnings.append(f"{name}: unknown setting (ignored)")
    return replace(settings, **changes), warnings


def _flatten(raw: Mapping, prefix: str = "") -> dict[str, Any]:
    """`{"rules": {"disabled": [..]}}` -> `{"rules.disabled": [..]}`; objects
    whose values are not all objects stay whole (severity overrides)."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and full.replace("_", "").lower() in ("rules", "bulkinsertthreshold", "trace", "draftguard"):
            flat.update(_flatten(value, f"{full}." if full.lower() != "draftguard" else ""))
        else:
            flat[full] = value
    return flat
