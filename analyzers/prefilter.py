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
  `python/imports.py`, `javascript/imports.py`), and a unit that uses one
  runs those rules too;
- a rule whose calls go through a few modules (`requests`, `httpx`) can
  name them in `trigger_modules` instead of listing everyday method names
  (`get`, `post`): the module names become triggers, and a name imported
  from one of them (`from requests import get`) is listed in
  `trigger_aliases` for the rule, so units that call `get(url)` run it;
- a rule without triggers (`None`) runs on every unit.

Skipping is an optimisation only: `AnalysisConfig(prefilter=False)` runs
every rule everywhere, and the tests check that both give the same findings
on every fixture (`tests/unit/test_prefilter.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from .context import AnalysisContext
    from .rules.base import Rule

TRIGGER_ALIASES = "trigger_aliases"
"""The module fact: {renamed import name: [ids of the rules its target triggers]}."""

_WORD = re.compile(rb"\w+")
"""A run of word characters: the words of a unit, and the test for a word-only trigger."""
_WORD_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class _Compiled:
    """One rule's triggers: all of them (import targets are matched against
    this), and split into those made of word characters only, which can
    only occur inside one identifier or number of the text, and the rest
    (`==`, `://`, `@`), searched in the whole text."""

    pattern: re.Pattern[bytes]
    words: re.Pattern[bytes] | None
    others: re.Pattern[bytes] | None


_COMPILED: dict[str, _Compiled | None] = {}


def _alternation(triggers: Iterable[str], flags: int) -> re.Pattern[bytes] | None:
    encoded = sorted({t.encode("utf-8") for t in triggers}, key=len, reverse=True)
    return re.compile(b"|".join(re.escape(t) for t in encoded), flags) if encoded else None


def _compiled(rule: "Rule") -> _Compiled | None:
    try:
        return _COMPILED[rule.id]
    except KeyError:
        pass
    triggers = getattr(rule, "triggers", None)
    modules = tuple(getattr(rule, "trigger_modules", ()) or ())
    if modules:
        triggers = (*(triggers or ()), *modules)
    compiled = None
    if triggers is not None:
        if isinstance(triggers, str) or not triggers or not all(isinstance(t, str) and t for t in triggers):
            raise TypeError(f"rule {rule.id}: triggers must be a non-empty tuple of non-empty strings or None")
        dotted = [t for t in triggers if "." in t]
        if dotted:
            # `from os import system` leaves no `os.system` in the unit's text
            raise TypeError(f"rule {rule.id}: triggers name the last part of a dotted name, not {dotted[0]!r}")
        flags = re.IGNORECASE if getattr(rule, "triggers_ignore_case", False) else 0
        words = [t for t in triggers if _WORD.fullmatch(t.encode("utf-8"))]
        others = [t for t in triggers if t not in words]
        compiled = _Compiled(_alternation(triggers, flags), _alternation(words, flags), _alternation(others, flags))  # type: ignore[arg-type]
    _COMPILED[rule.id] = compiled
    return compiled


def trigger_pattern(rule: "Rule") -> re.Pattern[bytes] | None:
    """The compiled alternation of the rule's triggers (None: always run)."""
    compiled = _compiled(rule)
    return compiled.pattern if compiled is not None else None


class _WordIndex:
    """Which of a rule set's rules each word of the source triggers, as a
    bit mask, remembered per distinct word: a unit is split into its words once
    (in C) and its rules are looked up, instead of searching the unit's
    text once per rule (which cost more than the rules it skipped). Most
    words of a unit trigger nothing and are known: they are set aside in C
    (a set difference) before the words that do are looked up."""

    def __init__(self, rules: Iterable["Rule"]):
        self.bits: dict[str, int] = {}
        self.by_start: dict[bytes, list[tuple[bytes, bool, int]]] = {}
        self.short: list[tuple[bytes, bool, int]] = []
        for index, rule in enumerate(rules):
            compiled = _compiled(rule)
            if compiled is None:
                continue
            self.bits[rule.id] = 1 << index
            if compiled.words is None:
                continue
            ignore_case = bool(compiled.words.flags & re.IGNORECASE)
            for trigger in _word_triggers(rule):
                entry = (trigger.lower() if ignore_case else trigger, ignore_case, 1 << index)
                if len(trigger) < _START:
                    self.short.append(entry)
                else:
                    self.by_start.setdefault(trigger[:_START].lower(), []).append(entry)
        self.hits: dict[bytes, int] = {}
        self.misses: set[bytes] = set()

    def mask(self, text: bytes) -> int:
        mask = 0
        hits = self.hits
        for word in set(_WORD.findall(text)).difference(self.misses):
            bits = hits.get(word)
            if bits is None:
                if len(hits) + len(self.misses) >= _WORD_CACHE_LIMIT:
                    hits.clear()
                    self.misses.clear()
                bits = self._bits(word)
                if bits:
                    hits[word] = bits
                else:
                    self.misses.add(word)
            mask |= bits
        return mask

    def _bits(self, word: bytes) -> int:
        """The rules whose word triggers occur in `word` (anywhere inside
        it; case folded for rules with `triggers_ignore_case`). Only the
        triggers that start like three consecutive characters of the word
        (case folded) are looked for, and the few shorter ones."""
        lowered = word.lower()
        bits = 0
        for trigger, ignore_case, bit in self.short:
            if not bits & bit and trigger in (lowered if ignore_case else word):
                bits |= bit
        by_start = self.by_start
        for start in by_start.keys() & set(_STARTS.findall(lowered)):
            for trigger, ignore_case, bit in by_start[start]:
                if not bits & bit and trigger in (lowered if ignore_case else word):
                    bits |= bit
        return bits


_START = 3
_STARTS = re.compile(rb"(?=(...))", re.DOTALL)
"""Every `_START` consecutive bytes of a word (overlapping)."""


def _word_triggers(rule: "Rule") -> list[bytes]:
    """The rule's triggers made only of word characters (see `_Compiled`)."""
    triggers = (*(getattr(rule, "triggers", None) or ()), *(getattr(rule, "trigger_modules", ()) or ()))
    return [encoded for t in triggers if _WORD.fullmatch(encoded := t.encode("utf-8"))]


def rules_importing_from(target: str, rules: Iterable["Rule"]) -> list[str]:
    """Ids of the rules whose `trigger_modules` contain a module of the
    import target `target` (`requests.get` -> the rules naming `requests`):
    a unit using the imported name needs them whatever it is called."""
    modules = set(target.split(".")[:-1])
    return sorted(rule.id for rule in rules if modules.intersection(getattr(rule, "trigger_modules", ()) or ()))


def rules_triggered_by(name: str, rules: Iterable["Rule"]) -> list[str]:
    """Ids of the rules with triggers that `name` (an import target such as
    `hashlib.md5`) contains: a unit using an alias of it may need them."""
    encoded = name.encode("utf-8")
    return sorted(rule.id for rule in rules if (pattern := trigger_pattern(rule)) is not None and pattern.search(encoded))


def merge_trigger_aliases(parts: list[dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """The `trigger_aliases` fact from the parts of every unit (a
    `register_unit_facts` combine): each name with the rules of all its imports."""
    merged: dict[str, list[str]] = {}
    for part in parts:
        for alias, rule_ids in part.items():
            merged[alias] = sorted(set(merged.get(alias, ())) | set(rule_ids))
    return {TRIGGER_ALIASES: merged}


def applicable_rules(rules: Sequence["Rule"], ctx: "AnalysisContext") -> Sequence["Rule"]:
    """The rules worth running on `ctx.unit`, in their order: every rule
    without triggers, the rules whose triggers occur in the unit's text, and
    those a renamed import used in the unit triggers."""
    unit = ctx.unit
    text = ctx.source[unit.start_byte : unit.end_byte]
    selected = _plan(rules).select(text)
    if len(selected) < len(rules):
        enabled = _enabled_by_aliases(ctx, text)
        if enabled:
            chosen = {id(rule) for rule in selected}
            selected = [rule for rule in rules if id(rule) in chosen or rule.id in enabled]
    return selected


class _Plan:
    """Selection among one tuple of rules (the engine passes the
    same rules for every unit of a file): the unit's word mask, plus the
    triggers with non-word characters, picks a selection remembered per mask."""

    def __init__(self, rules: tuple):
        self.rules = rules
        self.index = index = _WordIndex(rules)
        self.bits = [index.bits.get(rule.id) for rule in rules]
        self.others = [(index.bits[rule.id], compiled.others) for rule in rules if (compiled := _compiled(rule)) is not None and compiled.others is not None]
        self.relevant = 0
        for bit in self.bits:
            self.relevant |= bit or 0
        self.chosen: dict[int, tuple] = {}

    def select(self, text: bytes) -> tuple:
        mask = self.index.mask(text)
        for bit, pattern in self.others:
            if not mask & bit and pattern.search(text) is not None:
                mask |= bit
        mask &= self.relevant
        found = self.chosen.get(mask)
        if found is None:
            if len(self.chosen) >= _SELECTIONS_KEPT:
                self.chosen.clear()
            found = self.chosen[mask] = tuple(rule for rule, bit in zip(self.rules, self.bits) if bit is None or mask & bit)
        return found


_SELECTIONS_KEPT = 4096
_PLANS: dict[tuple, _Plan] = {}
_PLANS_KEPT = 16


def _plan(rules: Sequence["Rule"]) -> _Plan:
    """The plan for `rules` (one per rule set: a language and a configuration)."""
    last_rules, last_plan = _LAST_PLAN
    if last_rules is rules and type(rules) is tuple:
        return last_plan  # the same rules object as for the previous unit: not hashed again
    key = tuple(rules)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _PLANS_KEPT:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(key)
    _LAST_PLAN[:] = rules, plan  # holding `rules` keeps its id from being reused
    return plan


_LAST_PLAN: list = [None, None]


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
