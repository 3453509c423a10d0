"""Which rules run and how their findings are rated: analysis-side settings.

The server and the CLI both build an AnalysisConfig from their own sources of
settings (editor configuration, pyproject.toml, command-line flags).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping

from .model import Severity


@dataclass(frozen=True)
class AnalysisConfig:
    disabled_rules: frozenset[str] = frozenset()
    only_rules: frozenset[str] | None = None
    enabled_rules: frozenset[str] = frozenset()
    """Rules that are off by default and switched on explicitly."""
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    honour_nosec: bool = False
    prefilter: bool = True
    """Skip rules on units that lack their trigger words (analyzers/prefilter.py).
    Off only to check that skipping changes no finding."""

    def rule_enabled(self, rule_id: str, default_enabled: bool) -> bool:
        if self.only_rules is not None:
            return rule_id in self.only_rules
        if rule_id in self.disabled_rules:
            return False
        return default_enabled or rule_id in self.enabled_rules

    @property
    def fingerprint(self) -> str:
        """Changes whenever the set of findings a unit can produce changes."""
        parts = (
            sorted(self.disabled_rules),
            sorted(self.only_rules) if self.only_rules is not None else None,
            sorted(self.enabled_rules),
            self.prefilter,
        )
        return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


DEFAULT_CONFIG = AnalysisConfig()
