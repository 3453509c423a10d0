"""Skip a rule on a unit whose text cannot hold what the rule looks for.

Most rules look for a call, attribute, keyword or setting with a known name
(`execute`, `MODE_ECB`, `verify=`, `SECRET_KEY`) and spend their time
walking every call of every unit to find out there is none. Semgrep skips a
rule on a file that lacks its required strings; draftguard does the same per
unit (top-level statement), before the rule runs:

- a rule declares `triggers`, literal strings at least one of which occurs
  in the text of every unit it can report in (the *last part* of every
  dotted name it resolves, so `from subprocess import run` is covered by
  `run`, not by `subprocess`);
- the one way a name can be absent from a unit that uses it is an import
  that renames it (`from hashlib import md5 as h`, `import yaml as y`): the
  module fact `trigger_aliases` lists such names per file with the rules
  their target triggers (languages register the provider; see
  `python/imports.py`), and a unit that uses one runs those rules too;
- a rule without triggers (`None`) runs on every unit.

Skipping is an optimisation only: `AnalysisConfig(prefilter=False)` runs
every rule everywhere, and the tests check that both give the same findings
on every fixture (`tests/unit/test_prefilter.py`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from .context import AnalysisContext
    from .rules.base import Rule

TRIGGER_ALIASES = "trigger_aliases"
"""The module fact: {renamed import name: [ids of the rules its target triggers]}."""

_PATTERNS: dict[str, re.Pattern[bytes] | None] = {}


def trigger_pattern(rule: "Rule") -> re.Pattern[bytes] | None:
    """The compiled alternation of the rule's triggers (None: always run)."""
    try:
        return _PATTERNS[rule.id]
    except KeyError:
        pass
    triggers = getattr(rule, "triggers", None)
    if triggers is None:
        pattern = None
    else:
        if isinstance(triggers, str) or not triggers or not all(isinstance(t, str) and t for t in triggers):
            raise TypeError(f"rule {rule.id}: triggers must be a non-empty tuple of non-empty strings or None")
        dotted = [t for t in triggers if "." in t]
        if dotted:
            # `from os import system` leaves no `os.system` in the unit's text
            raise TypeError(f"rule {rule.id}: triggers name the last part of a dotted name, not {dotted[0]!r}")
        flags = re.IGNORECASE if getattr(rule, "triggers_ignore_case", False) else 0
        alternation = b"|".join(re.escape(t.encode("utf-8")) for t in sorted(set(triggers), key=len, reverse=True))
        pattern = re.compile(alternation, flags)
    _PATTERNS[rule.id] = pattern
    return pattern


def rules_triggered_by(name: str, rules: Iterable["Rule"]) -> list[str]:
    """Ids of the rules with triggers that `name` (an import target such as
    `hashlib.md5`) contains: a unit using an alias of it may need them."""
    encoded = name.encode("utf-8")
    return sorted(rule.id for rule in rules if (pattern := trigger_pattern(rule)) is not None and pattern.search(encoded))


def applicable_rules(rules: Sequence["Rule"], ctx: "AnalysisContext") -> list["Rule"]:
    """The rules worth running on `ctx.unit`: every rule without triggers,
    the rules whose triggers occur in the unit's text, and those a renamed
    import used in the unit triggers."""
    unit = ctx.unit
    text = ctx.source[unit.start_byte : unit.end_byte]
    selected: list[Rule] = []
    skipped: list[Rule] = []
    for rule in rules:
        pattern = trigger_pattern(rule)
        if pattern is None or pattern.search(text) is not None:
            selected.append(rule)
        else:
            skipped.append(rule)
    if skipped:
        enabled = _enabled_by_aliases(ctx, text)
        if enabled:
            selected.extend(rule for rule in skipped if rule.id in enabled)
            order = {id(rule): i for i, rule in enumerate(rules)}
            selected.sort(key=lambda rule: order[id(rule)])
    return selected


def _enabled_by_aliases(ctx: "AnalysisContext", text: bytes) -> set[str]:
    """Rule ids enabled by the renamed imports the unit's text uses. The
    fact is read whole (one recorded read): it changes only when an import
    that renames a triggering name is added, removed or edited."""
    aliases = ctx.facts.get(TRIGGER_ALIASES)
    if not aliases:
        return set()
    enabled: set[str] = set()
    for alias, rule_ids in aliases.items():
        if re.search(rb"(?<![\w.])" + re.escape(alias.encode("utf-8")) + rb"(?!\w)", text):
            enabled.update(rule_ids)
    return enabled
