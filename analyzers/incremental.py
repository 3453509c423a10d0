"""Incremental analysis of one open document: redo only what an edit touched.

The document's state is a list of top-level units (`unitlist`), each with
its fact parts, its findings (relative to the unit) and what its rules read
from the module facts (`factdeps`). The server reports every edit as it is
applied (`edited`) and the ranges tree-sitter re-structured when it reparsed
(`reparsed`). The next analysis then:

1. takes the units the edits and changed ranges touch ("dirty"), grown until
   the old units it replaces and the new units of the tree cover the same
   bytes; every other unit keeps its results and has only moved;
2. recomputes the fact parts of the dirty units (or reuses those of a unit
   with the same text seen recently, e.g. a character typed and deleted) and
   recombines a provider's facts only when a part changed;
3. lists which fact atoms changed and re-runs the stage-1+ fact parts and the
   rules of the units that read one of them; a new helper summary re-runs its
   callers, not the file;
4. makes the findings absolute again only for units that moved.

Work per edit is the dirty units' analysis plus O(units / block) bookkeeping;
O(units) passes happen only when a fact changes (its providers are
recombined and every unit's reads are checked against the changed atoms).

`run()` is a generator that yields between units so the language server can
give way to newer messages; state is committed only when it finishes, so an
abandoned run leaves the document as it was (the units it did analyse are
remembered by text and reused next time).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Iterable

from tree_sitter import Node, Tree

from .context import AnalysisContext
from .factdeps import MISSING, PROJECT, FactsReader, changed_atoms, still_valid
from .facts import ModuleFacts, UnitFacts, stages, unit_providers, whole_file_facts
from .model import Finding
from .unitlist import Entry, UnitList

log = logging.getLogger(__name__)

_IMPORT_FACTS = frozenset({"imports", "imported_modules", "module_style"})
"""Facts whose change can change how a fix's imports are added (see engine._with_imports)."""

RULES = -1
"""The layer of `DocumentAnalysis.readers` that holds what rules read."""

PROVISIONAL_KEPT = 64
"""Rule results of units analysed provisionally, kept by text until the
next full analysis (which reuses them): gaps already analysed are not
analysed again on the next keystroke."""

PROVISIONAL_BYTES = 64 * 1024
"""The most text `provisional` analyses on its own (about 1,600 lines):
beyond that, waiting for the whole file's analysis is as quick."""

RESULTS_KEPT = 8
"""Analysed units remembered by text after they left the document (per
document): a character typed and deleted, an undo, a line cut and pasted
back find their results. Each result kept is memory nothing else shares,
and 512 made a server with 200 open documents grow by 10% over 10,000
edits; 8 keeps that under 3%."""


class TreeNeeded(Exception):
    """Completing a finding needs the whole file's tree (a fix's imports
    not turned into edits yet), and there is none at hand."""


@dataclass
class AnalysisResult:
    findings: list[Finding]
    rule_errors: list[str] = field(default_factory=list)
    units_analyzed: int = 0
    units_reused: int = 0


@dataclass(frozen=True)
class Setup:
    """Everything about one analysis that is not the text."""

    language: str
    family: str
    unit_rules: tuple
    module_rules: tuple
    context: tuple
    """Changes when unit results cannot carry over (language, rule set); a
    new dependency picture (`project`) re-runs only the units that read it."""
    output: tuple
    """Changes when findings must be re-rated (severity overrides, nosec)."""
    run_rule: Callable
    """(rule, ctx, errors) -> findings; a failing rule reports into errors."""
    complete: Callable
    """(finding, source, tree, state) -> the finding as reported: severity
    overrides applied, fix imports turned into edits (cached in the state)."""
    suppressed: Callable
    """(finding, source) -> whether a comment silences it."""
    project: Any = None
    """The project's dependency picture (dependencies.project), if any."""
    select_rules: Callable = lambda rules, ctx: rules
    """(unit rules, ctx) -> those worth running on ctx.unit (analyzers/prefilter.py)."""


class _Saved:
    """The results of one unit, remembered by its key for reuse."""

    __slots__ = ("parts", "part_seen", "findings", "seen", "errors")

    def __init__(self, entry: Entry | None, findings: tuple = (), seen: dict | None = None, errors: tuple = ()):
        """An entry's results, or (entry None) rule results alone."""
        if entry is None:
            self.parts, self.part_seen, self.findings, self.seen, self.errors = [], [], findings, seen or {}, errors
            return
        self.parts, self.part_seen = entry.parts, entry.part_seen
        self.findings, self.seen, self.errors = entry.findings, entry.seen, entry.errors


class DocumentAnalysis:
    """The analysis state of one open document (see the module docstring)."""

    def __init__(self) -> None:
        self.units = UnitList()
        self.ready = False
        self.context: tuple | None = None
        self.removed: list[list] = []
        """[start, end, entry] of committed units edits removed since the last commit (current coordinates)."""
        self.dirty: list[list[int]] = []
        """[lo, hi] byte spans (current coordinates) whose units must be found again."""
        self.whole: dict[str, Any] = {}
        self.outputs: list[dict[str, Any]] = []
        """What each unit provider's combine returned last time, in provider order."""
        self.facts: ModuleFacts = ModuleFacts({})
        self.module_findings: tuple = ()
        self.saved: OrderedDict[tuple, _Saved] = OrderedDict()
        self.provisional_saved: OrderedDict[tuple, _Saved] = OrderedDict()
        """Rule results of units `provisional` analysed (see PROVISIONAL_KEPT)."""
        self.materialized: dict[tuple, tuple] = {}
        self.import_horizon = 0
        self.epoch = 0
        self.output_key: tuple | None = None
        self.definers: dict[int, dict[Any, set[Entry]]] = {}
        """Per keyed provider, which units define each key."""
        self.readers: dict[int, dict[tuple, set[Entry]]] = {}
        """Per layer (a stage-1+ provider's index, or RULES), which units read each fact atom."""
        self.pinned: dict[int, Entry] = {}
        """Committed units whose results point outside the unit (see `_relative`)."""
        self.changes = 0
        """Counts edits and commits: a run that saw either happen while it was
        suspended must not commit (the server closes such runs)."""
        self.broken: dict[int, Entry] = {}
        """Committed units with syntax errors: a reparse may recover from an
        error differently without reporting a changed range, so their tree
        shape is compared on every analysis."""

    # -- edits ------------------------------------------------------------------------
    def edited(self, start: int, old_end: int, new_end: int, old_end_row: int, new_end_row: int) -> None:
        """Bytes [start, old_end) became [start, new_end); rows likewise."""
        self.changes += 1
        if not self.ready:
            return
        delta, drow = new_end - old_end, new_end_row - old_end_row
        units = self.units
        hit = units.overlapping(start, old_end)
        previous = units.before(start)
        if previous is not None and start - units.span(previous)[1] <= len(previous.key[4]):
            hit.append(previous)  # on its last line: a fix that adds the line after it moved
        following = units.after(old_end)
        while following is not None and units.span(following)[2] == old_end_row:
            hit.append(following)  # on the edited row: its column moved
            following = units.after(units.span(following)[0])
        if following is not None and units.span(following)[2] == old_end_row + 1:
            following.out_at = following.kept = None  # a suppression comment on the line above it may have changed
        for entry in hit:
            begin, end, _row = units.span(entry)
            self.removed.append([begin, end, entry])
            self.pinned.pop(id(entry), None)
            self.broken.pop(id(entry), None)
        units.remove(hit)
        for item in self.removed:
            item[0] = _map_low(item[0], start, old_end, new_end)
            item[1] = _map_high(item[1], start, old_end, new_end)
        for span in self.dirty:
            span[0] = _map_low(span[0], start, old_end, new_end)
            span[1] = _map_high(span[1], start, old_end, new_end)
        self.dirty.append([start, new_end])
        self.dirty.extend([item[0], item[1]] for item in self.removed[len(self.removed) - len(hit) :])
        units.shift(old_end, delta, drow)
        if start < self.import_horizon:
            self._forget_imports()

    def reparsed(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Byte ranges (current coordinates) whose syntax changed in the last reparse."""
        self.changes += 1
        if self.ready:
            self.dirty.extend([lo, hi] for lo, hi in ranges)

    # -- provisional results --------------------------------------------------------
    def provisional(self, source: bytes, setup: Setup, parse_region: Callable[[int, int], Tree]) -> list[Finding] | None:
        """Findings of the present text before the whole file is parsed again.

        The edits since the last analysis left gaps between the committed
        units (`edited` removed the units they touched and moved the others).
        Each gap, grown to whole lines, is parsed on its own
        (`parse_region(start, end)`: a tree of those bytes with their
        positions in the whole text) and its statements are analysed with the
        module facts of the last analysis; every other unit keeps its
        findings. The result is what the full analysis gives, except that a
        fact the edited statements define (a helper's summary, an import) is
        seen by other units only when the full analysis comes, and a syntax
        error stays inside its gap. Nothing committed changes (unit caches
        of positions aside); None when there is nothing to do this way: no
        analysis yet, other rules, no edit, gaps too large, or a fix whose
        imports would need the whole tree."""
        if not self.ready or setup.context != self.context or setup.output != self.output_key or not self.dirty:
            return None
        cut = self._gaps(source)
        if cut is None:
            return None
        gaps, covered = cut
        found: list[Finding] = []
        reuse = dict(self.saved)
        reuse.update((entry.key, _Saved(entry)) for _s, _e, entry in self.removed if not entry.pinned)
        reuse.update(self.provisional_saved)
        for start, end in gaps:
            tree = parse_region(start, end)
            for node in tree.root_node.children:
                if node.end_byte == node.start_byte or not start <= node.start_byte < end:
                    continue
                key = unit_key(source, node)
                saved = reuse.get(key)
                if saved is None or not still_valid(self.facts, saved.seen):
                    relative, seen, errors, pinned = self._rules(setup, source, tree, self.facts, node)
                    saved = _Saved(None, relative, seen, errors)
                    if not pinned:
                        self.provisional_saved[key] = saved
                        if len(self.provisional_saved) > PROVISIONAL_KEPT:
                            self.provisional_saved.popitem(last=False)
                row = node.start_point.row
                found.extend(_absolute(f, node.start_byte, row, self.epoch) for f in saved.findings)
        try:
            fresh = [f for f in (setup.complete(f, source, None, self) for f in sorted_unique(found)) if not setup.suppressed(f, source)]
            return sorted_unique([*self._output(source, None, setup, skip=covered), *fresh])
        except TreeNeeded:
            return None

    def _gaps(self, source: bytes) -> tuple[list[tuple[int, int]], set[int]] | None:
        """The stretches of whole lines between committed units that hold the
        dirty spans, merged, and the committed units inside them (a reparse
        marked them dirty: the gap replaces them); None if a gap cannot be
        cut out cleanly (a unit shares a line with it) or they hold more than
        PROVISIONAL_BYTES."""
        units = self.units
        gaps: list[list[int]] = []
        covered: set[int] = set()
        for lo, hi in _merged([list(span) for span in self.dirty]):
            inside = units.overlapping(lo, hi)
            if inside:
                covered.update(id(entry) for entry in inside)
                lo, hi = min(lo, units.span(inside[0])[0]), max(hi, units.span(inside[-1])[1])
            before, after = units.before(lo), units.after(hi)
            start = 0
            if before is not None:
                start = source.find(b"\n", units.span(before)[1]) + 1
                if start == 0 or start > lo:
                    return None
            end = len(source)
            if after is not None:
                end = units.span(after)[0] - _indent(source, units.span(after)[0])
                if end < hi or (end > 0 and source[end - 1] != 0x0A):
                    return None  # the next unit does not start a line
            gaps.append([start, end])
        gaps = _merged(gaps)
        if sum(end - start for start, end in gaps) > PROVISIONAL_BYTES:
            return None
        return [(start, end) for start, end in gaps], covered

    # -- analysis -----------------------------------------------------------------------
    def run(self, source: bytes, tree: Tree, setup: Setup) -> Generator[None, None, AnalysisResult]:
        root = tree.root_node
        changes = self.changes
        same_context = setup.context == self.context
        if not same_context:  # other rules or language: nothing computed carries over
            self.saved.clear()
        full = not self.ready or not same_context
        plan = _Plan(self, source, root, full, reuse_old=same_context)
        result = AnalysisResult(findings=[])
        providers = unit_providers(setup.family)
        index_of = {id(p): i for i, p in enumerate(providers)}
        old_outputs = self.outputs if not full and len(self.outputs) == len(providers) else [{} for _ in providers]

        whole = whole_file_facts(setup.family, source, root)
        atoms = changed_atoms(self.whole, whole) if not full else set()
        data: dict[str, Any] = dict(whole)
        outputs: list[dict[str, Any]] = list(old_outputs)
        new_parts: dict[int, list] = {}  # id(entry) -> parts (clean entries whose part was recomputed)
        new_seen: dict[int, list] = {}
        for stage in stages(setup.family):
            visible = ModuleFacts(dict(data))
            for provider in stage:
                i = index_of[id(provider)]
                changed = full
                for entry in plan.new:
                    yield from self._part(entry, i, provider, source, plan.nodes[id(entry)], visible, plan.reuse.get(entry.key))
                for entry in plan.stale(i, atoms, self.readers.get(i, {})):
                    old = entry.parts[i]
                    parts = new_parts.setdefault(id(entry), list(entry.parts))
                    seen = new_seen.setdefault(id(entry), list(entry.part_seen))
                    node = plan.node_of(entry)
                    part, parts_seen = _compute_part(provider, source, node, visible)
                    parts[i], seen[i] = part, parts_seen
                    changed = changed or part != old
                    yield
                if provider.keyed and not full:
                    outputs[i], keyed_atoms = self._update_keyed(plan, i, provider.keyed, old_outputs[i], new_parts)
                    atoms |= keyed_atoms
                elif changed or plan.parts_differ(i):
                    outputs[i] = provider.combine(plan.parts_in_order(i, new_parts))
                    atoms |= changed_atoms(old_outputs[i], outputs[i])
                data.update(outputs[i])
        project_key = setup.project.fingerprint if setup.project is not None else None
        if not full and project_key != self.facts.project_key:
            atoms.add(PROJECT)
        facts = self.facts if not atoms and not full else ModuleFacts(data)
        facts.project_key = project_key

        rule_runs: dict[int, tuple] = {}
        for entry in plan.new:
            saved = plan.reuse.get(entry.key)
            if saved is not None and still_valid(facts, saved.seen):
                entry.findings, entry.seen, entry.errors = saved.findings, saved.seen, saved.errors
                result.units_reused += 1
                continue
            entry.findings, entry.seen, entry.errors, entry.pinned = self._rules(setup, source, tree, facts, plan.nodes[id(entry)])
            result.rule_errors.extend(entry.errors)
            result.units_analyzed += 1
            yield
        for entry in plan.stale(RULES, atoms, self.readers.get(RULES, {})):
            rule_runs[id(entry)] = (entry, self._rules(setup, source, tree, facts, plan.node_of(entry)))
            result.rule_errors.extend(rule_runs[id(entry)][1][2])
            result.units_analyzed += 1
            yield

        module_findings: tuple = ()
        if setup.module_rules:
            ctx = AnalysisContext(source, tree, setup.language, facts, root, setup.project)
            found: list[Finding] = []
            for rule in setup.module_rules:
                found.extend(setup.run_rule(rule, ctx, result.rule_errors))
            module_findings = tuple(found)

        # -- commit: nothing above changed the committed state ---------------------------
        if self.changes != changes:
            raise RuntimeError("the document changed while this analysis was suspended; start a new one")
        self.changes += 1
        if same_context:
            self._remember(entry for entry in plan.gone())
            self._remember(entry for entry, _r in rule_runs.values())
        keyed = [index_of[id(p)] for p in providers if p.keyed]
        if full:
            self.readers, self.definers = {}, {}
        else:
            for entry in plan.gone():
                self._index(entry, False)
                self._define(entry, False, keyed)
            for key in new_parts:
                self._index(plan.by_id[key], False, rules=False)
                self._define(plan.by_id[key], False, keyed)
            for entry, _r in rule_runs.values():
                self._index(entry, False, parts=False)
        units = self.units
        if full:
            for entry in plan.new:
                entry.start, entry.end, entry.row = plan.spans[id(entry)]
            units.reset(plan.new)
        else:
            units.remove(plan.replaced)
            for entry in plan.new:
                start, end, row = plan.spans[id(entry)]
                units.insert(entry, start, end, row)
        for key, parts in new_parts.items():
            entry = plan.by_id[key]
            entry.parts, entry.part_seen = parts, new_seen[key]
            self._index(entry, True, rules=False)
            self._define(entry, True, keyed)
        for entry, (findings, seen, errors, pinned) in rule_runs.values():
            entry.findings, entry.seen, entry.errors, entry.pinned = findings, seen, errors, pinned
            entry.out_at = entry.kept = None
            units.refresh(entry)
            self._index(entry, True, parts=False)
        for entry in plan.new:
            self._index(entry, True)
            self._define(entry, True, keyed)
        self._remember(plan.new)
        pinned = self.pinned if not full else {}
        for entry in plan.replaced:
            pinned.pop(id(entry), None)
        for _s, _e, entry in self.removed:
            pinned.pop(id(entry), None)
        for entry in [*plan.new, *(e for e, _r in rule_runs.values())]:
            if entry.pinned:
                pinned[id(entry)] = entry
            else:
                pinned.pop(id(entry), None)
        self.pinned = pinned
        broken = self.broken if not full else {}
        for entry in plan.gone():
            broken.pop(id(entry), None)
        broken.update((id(entry), entry) for entry in plan.new if _is_broken(entry))
        self.broken = broken
        if full or any(len(atom) > 1 and atom[1] in _IMPORT_FACTS for atom in atoms):
            self._forget_imports()
        self.removed, self.dirty = [], []
        self.provisional_saved.clear()
        self.whole, self.outputs, self.facts = whole, outputs, facts
        self.module_findings = module_findings
        self.context, self.ready = setup.context, True
        result.findings = self._output(source, tree, setup)
        if not full:
            result.units_reused += len(units) - len(plan.new) - len(rule_runs)
        return result

    def _part(self, entry: Entry, i: int, provider: UnitFacts, source: bytes, node: Node, visible: ModuleFacts, saved: _Saved | None):
        if len(entry.parts) <= i:
            entry.parts.extend([None] * (i + 1 - len(entry.parts)))
            entry.part_seen.extend([None] * (i + 1 - len(entry.part_seen)))
        if saved is not None and len(saved.parts) > i:
            seen = saved.part_seen[i]
            if seen is None or still_valid(visible, seen):
                entry.parts[i], entry.part_seen[i] = saved.parts[i], seen
                return
        entry.parts[i], entry.part_seen[i] = _compute_part(provider, source, node, visible)
        if provider.stage:
            yield

    def _rules(self, setup: Setup, source: bytes, tree: Tree, facts: ModuleFacts, node: Node) -> tuple[tuple, dict, tuple, bool]:
        seen: dict = {}
        ctx = AnalysisContext(source, tree, setup.language, FactsReader(facts, seen), node, setup.project)
        errors: list[str] = []
        found: list[Finding] = []
        for rule in setup.select_rules(setup.unit_rules, ctx):
            found.extend(setup.run_rule(rule, ctx, errors))
        relative, pinned = _relative(sorted_unique(found), node, source)
        return relative, seen, tuple(errors), pinned

    def _update_keyed(self, plan: "_Plan", i: int, name: str, old_output: dict, new_parts: dict[int, list]) -> tuple[dict, set]:
        """A keyed fact after the edit, patched key by key: each affected key
        takes the value of the last unit (in document order) that defines it."""
        old_facts = old_output.get(name, {})
        affected: set = set()
        for entry in plan.gone():
            affected.update(_part_of(entry, i) or ())
        for entry in plan.new:
            affected.update(_part_of(entry, i) or ())
        for key, parts in new_parts.items():
            affected.update(_part_of(plan.by_id[key], i) or ())
            affected.update(parts[i] or ())
        if not affected:
            return old_output, set()
        definers = self.definers.get(i, {})
        span = self.units.span
        new_by_key: dict = {}
        for entry in plan.new:
            for key in _part_of(entry, i) or ():
                new_by_key.setdefault(key, []).append(entry)
        recomputed_by_key: dict = {}  # units whose part was recomputed may define keys they did not (their part read a fact)
        for entry_id, parts in new_parts.items():
            for key in (parts[i] if len(parts) > i else None) or ():
                recomputed_by_key.setdefault(key, []).append(plan.by_id[entry_id])
        merged = dict(old_facts)
        atoms: set = set()
        for key in affected:
            best_at, best = -1, MISSING
            for entry in definers.get(key, ()):
                if entry.block is None or id(entry) in plan.taken:
                    continue
                part = (new_parts.get(id(entry)) or entry.parts)[i]
                if part and key in part and span(entry)[0] > best_at:
                    best_at, best = span(entry)[0], part[key]
            for entry in recomputed_by_key.get(key, ()):
                if entry.block is not None and id(entry) not in plan.taken and span(entry)[0] > best_at:
                    best_at, best = span(entry)[0], new_parts[id(entry)][i][key]
            for entry in new_by_key.get(key, ()):
                if plan.spans[id(entry)][0] > best_at:
                    best_at, best = plan.spans[id(entry)][0], entry.parts[i][key]
            before = old_facts.get(key, MISSING)
            if best is MISSING:
                merged.pop(key, None)
            else:
                merged[key] = best
            if before is not best and (before is MISSING or best is MISSING or before != best):
                atoms.add(("k", name, key))
        if not atoms:
            return old_output, set()
        atoms.add(("*", name))
        if bool(merged) != bool(old_facts):
            atoms.add(("b", name))
        return {name: merged}, atoms

    def _define(self, entry: Entry, add: bool, keyed: list[int]) -> None:
        """Register (or unregister) the keys `entry` defines in keyed facts."""
        for i in keyed:
            part = _part_of(entry, i)
            if not part:
                continue
            definers = self.definers.setdefault(i, {})
            for key in part:
                if add:
                    definers.setdefault(key, set()).add(entry)
                else:
                    group = definers.get(key)
                    if group is not None:
                        group.discard(entry)
                        if not group:
                            del definers[key]

    def _index(self, entry: Entry, add: bool, parts: bool = True, rules: bool = True) -> None:
        """Register (or unregister) what `entry` read, per layer."""
        layers: list[tuple[int, dict | None]] = []
        if parts:
            layers += [(i, seen) for i, seen in enumerate(entry.part_seen) if seen]
        if rules and entry.seen:
            layers.append((RULES, entry.seen))
        for layer, seen in layers:
            readers = self.readers.setdefault(layer, {})
            for atom in seen:
                if add:
                    readers.setdefault(atom, set()).add(entry)
                else:
                    group = readers.get(atom)
                    if group is not None:
                        group.discard(entry)
                        if not group:
                            del readers[atom]

    def _forget_imports(self) -> None:
        self.materialized.clear()
        self.import_horizon = 0
        self.epoch += 1

    def _remember(self, entries: Iterable[Entry]) -> None:
        saved = self.saved
        for entry in entries:
            if entry.pinned:
                continue
            if entry.key in saved:
                saved.move_to_end(entry.key)
            saved[entry.key] = _Saved(entry)
        while len(saved) > RESULTS_KEPT:
            saved.popitem(last=False)

    def _output(self, source: bytes, tree: Tree | None, setup: Setup, skip: set[int] = frozenset()) -> list[Finding]:
        """Absolute findings of every unit (but those whose id is in `skip`),
        in order, suppressions and imports applied."""
        if setup.output != self.output_key:
            self.output_key = setup.output
            self.epoch += 1
        out: list[Finding] = []
        span = self.units.span
        epoch, output_key = self.epoch, self.output_key
        complete, suppressed = setup.complete, setup.suppressed
        for entry in self.units.flagged():
            if skip and id(entry) in skip:
                continue
            start, _end, row = span(entry)
            at = (start, row, epoch)
            if entry.out_at != at:  # moved, new, or the line above it changed (see `edited`)
                absolute = [complete(_absolute(f, start, row, epoch), source, tree, self) for f in entry.findings]
                kept = entry.kept
                if kept is None or kept[0] != output_key:
                    kept = entry.kept = (output_key, tuple(not suppressed(f, source) for f in absolute))
                entry.out = tuple(f for f, keep in zip(absolute, kept[1]) if keep)
                entry.out_at = at
            out.extend(entry.out)
        if self.module_findings:
            out.extend(f for f in (complete(f, source, tree, self) for f in self.module_findings) if not suppressed(f, source))
            out = sorted_unique(out)
        return out


_LINE_REF = re.compile(r"(?<=\bline )(\d+)")
_LINE_MARK = re.compile("\x00(-?\\d+)\x00")


def _relative(findings: list[Finding], node: Node, source: bytes) -> tuple[tuple[Finding, ...], bool]:
    """Findings relative to the unit `node`: byte offsets and rows from its
    start, and "line N" in messages as a mark relative to its first row.
    Also whether any finding points outside the unit (then it is pinned);
    fix edits may reach the start of the line after it (lines added below)."""
    start, end, row, last_row = node.start_byte, node.end_byte, node.start_point.row, node.end_point.row
    line_end = source.find(b"\n", end)
    reach = len(source) if line_end < 0 else line_end + 1
    pinned = False
    out = []
    for finding in findings:
        message = finding.message
        if "line " in message:
            def mark(match: re.Match) -> str:
                nonlocal pinned
                line = int(match.group(1)) - 1
                if row <= line <= last_row:
                    return f"\x00{line - row}\x00"
                pinned = True
                return match.group(1)

            message = _LINE_REF.sub(mark, message)
        if not (start <= finding.start_byte and finding.end_byte <= end):
            pinned = True
        for fix in finding.fixes:
            if any(not (start <= e.start_byte and e.end_byte <= reach) for e in fix.edits):
                pinned = True
        out.append(finding.shifted(-start, -row, message))
    return tuple(out), pinned


def _absolute(finding: Finding, start: int, row: int, epoch: int) -> Finding:
    message = finding.message
    if "\x00" in message:
        message = _LINE_MARK.sub(lambda m: str(row + int(m.group(1)) + 1), message)
    return finding.shifted(start, row, message, (finding, row, epoch))


def _indent(source: bytes, offset: int) -> int:
    """How many spaces and tabs come right before `offset` on its line."""
    count = 0
    while offset - count > 0 and source[offset - count - 1] in (0x20, 0x09):
        count += 1
    return count


def _part_of(entry: Entry, i: int) -> Any:
    return entry.parts[i] if len(entry.parts) > i else None


def _compute_part(provider: UnitFacts, source: bytes, node: Node, visible: ModuleFacts) -> tuple[Any, dict | None]:
    if not provider.stage:
        return provider.part(source, node, visible), None
    seen: dict = {}
    return provider.part(source, node, FactsReader(visible, seen)), seen


def sorted_unique(findings: Iterable[Finding | None]) -> list:
    seen: set[tuple] = set()
    out = []
    for finding in sorted((f for f in findings if f is not None), key=lambda f: (f.start_byte, f.end_byte, f.rule_id)):
        identity = (finding.rule_id, finding.start_byte, finding.end_byte)
        if identity not in seen:
            seen.add(identity)
            out.append(finding)
    return out


def map_span(lo: int, hi: int, start: int, old_end: int, new_end: int) -> tuple[int, int]:
    """Where the byte span [lo, hi] is after [start, old_end) became [start,
    new_end); a span the edit touched grows to cover what replaced it."""
    return _map_low(lo, start, old_end, new_end), _map_high(hi, start, old_end, new_end)


def _map_low(p: int, start: int, old_end: int, new_end: int) -> int:
    if p <= start:
        return p
    return p + new_end - old_end if p >= old_end else start


def _map_high(p: int, start: int, old_end: int, new_end: int) -> int:
    if p <= start:
        return p
    return p + new_end - old_end if p >= old_end else new_end


def unit_key(source: bytes, node: Node) -> tuple:
    """What a unit's results depend on: its own bytes, the bytes before it on
    its first line (columns), the rest of its last line (a fix may insert
    lines after it, at the start of the next line) and the shape of its tree
    (in broken code the same text can parse differently after different
    text)."""
    start, end = node.start_byte, node.end_byte
    line_end = source.find(b"\n", end)
    key = (
        source[source.rfind(b"\n", 0, start) + 1 : start],
        source[start:end],
        node.type,
        node.descendant_count,
        source[end : len(source) if line_end < 0 else line_end],
    )
    return key + (str(node),) if node.has_error else key


def _is_broken(entry: Entry) -> bool:
    """Whether the unit holds a syntax error (its key then carries the whole tree shape)."""
    return len(entry.key) > 5


def _children_in(root: Node, last: Node | None, lo: int, hi: int) -> list[Node]:
    """Top-level nodes whose span [start, end] meets [lo, hi] (both inclusive);
    `last` is the root's last child."""
    if last is None:
        return []
    if lo >= last.end_byte:  # first_child_for_byte would find nothing (and crashes on that)
        child = last
    else:
        child = root.first_child_for_byte(lo)
    previous = child.prev_sibling
    while previous is not None and previous.end_byte >= lo:
        child, previous = previous, previous.prev_sibling
    found = []
    while child is not None and child.start_byte <= hi:
        if child.end_byte >= lo and child.end_byte > child.start_byte:  # empty error nodes hold nothing to analyse
            found.append(child)
        child = child.next_sibling
    return found


class _Plan:
    """Which units of the new tree replace which committed units."""

    def __init__(self, state: DocumentAnalysis, source: bytes, root: Node, full: bool, reuse_old: bool):
        self.state = state
        self.root = root
        self.full = full
        units = state.units
        self.replaced: list[Entry] = list(units) if full else []
        removed = [(s, e, entry) for s, e, entry in state.removed]
        if full:
            removed += [(*units.span(entry)[:2], entry) for entry in self.replaced]
            spans = [[0, len(source)]]
        else:
            spans = [list(s) for s in state.dirty]
            if spans:  # results that point outside their unit hold only where they were computed
                spans += [list(units.span(entry)[:2]) for entry in state.pinned.values()]
            count = root.child_count
            last = root.child(count - 1) if count else None
            for entry in state.broken.values():
                begin, end, _row = units.span(entry)
                children = _children_in(root, last, begin, end)
                if not any(c.start_byte == begin and c.end_byte == end and str(c) == entry.key[5] for c in children):
                    spans.append([begin, end])
        taken: set[int] = {id(e) for e in self.replaced}
        count = root.child_count
        self.last = root.child(count - 1) if count else None
        nodes: list[Node] = []
        while True:
            spans = _merged(spans)
            grown = False
            found_nodes: list[Node] = []
            for span in spans:
                lo, hi = span
                children = _children_in(root, self.last, lo, hi)
                if children:
                    lo, hi = min(lo, children[0].start_byte), max(hi, children[-1].end_byte)
                if not full:
                    for entry in units.overlapping(lo, hi):
                        if id(entry) not in taken:
                            taken.add(id(entry))
                            self.replaced.append(entry)
                            begin, end, _row = units.span(entry)
                            removed.append((begin, end, entry))
                            lo, hi = min(lo, begin), max(hi, end)
                if [lo, hi] != span:
                    span[0], span[1] = lo, hi
                    grown = True
                found_nodes.extend(children)
            if not grown:
                nodes = found_nodes
                break
        self.spans_dirty = spans
        self.taken = taken
        self.new: list[Entry] = []
        self.nodes: dict[int, Node] = {}
        self.spans: dict[int, tuple[int, int, int]] = {}
        seen_nodes: set[int] = set()
        for node in nodes:
            if node.id in seen_nodes:
                continue
            seen_nodes.add(node.id)
            entry = Entry(node.start_byte, node.end_byte, node.start_point.row, unit_key(source, node))
            self.new.append(entry)
            self.nodes[id(entry)] = node
            self.spans[id(entry)] = (node.start_byte, node.end_byte, node.start_point.row)
        self.new.sort(key=lambda e: self.spans[id(e)][0])
        self.removed = sorted(removed, key=lambda r: (r[0], r[1]))
        self.reuse: dict[tuple, _Saved] = dict(state.saved)
        self.reuse.update(state.provisional_saved)
        for _s, _e, entry in self.removed if reuse_old else ():
            if not entry.pinned:
                self.reuse[entry.key] = _Saved(entry)
        self.by_id: dict[int, Entry] = {}
        self._clean: list[Entry] | None = None

    def gone(self) -> list[Entry]:
        """Committed units that leave the document (removed by edits or replaced)."""
        return [entry for _s, _e, entry in self.removed]

    def clean(self) -> list[Entry]:
        """Committed units the edits did not touch, in order."""
        if self._clean is None:
            replaced = {id(e) for e in self.replaced}
            self._clean = [e for e in self.state.units if id(e) not in replaced]
            self.by_id.update((id(e), e) for e in self._clean)
        return self._clean

    def stale(self, layer: int, atoms: set, readers: dict[tuple, set[Entry]]) -> list[Entry]:
        """Units still in the document, not replaced, that read a changed atom in `layer`."""
        if not atoms or self.full:
            return []
        found: dict[int, Entry] = {}
        for atom in atoms:
            for entry in readers.get(atom, ()):
                if entry.block is not None and id(entry) not in self.taken:
                    found[id(entry)] = entry
        self.by_id.update(found)
        return list(found.values())

    def node_of(self, entry: Entry) -> Node:
        start, end, _row = self.state.units.span(entry)
        for child in _children_in(self.root, self.last, start, end):
            if child.start_byte == start and child.end_byte == end:
                return child
        raise RuntimeError(f"unit [{start}, {end}) is not in the tree")  # the plan keeps units and tree in step

    def parts_differ(self, i: int) -> bool:
        """Whether the dirty spans' new parts differ from the parts they replace."""
        if self.full:
            return True
        new = [(self.spans[id(e)][0], e.parts[i]) for e in self.new if e.parts[i] is not None]
        old = [(s, entry.parts[i] if len(entry.parts) > i else None) for s, _e, entry in self.removed]
        old = [(s, p) for s, p in old if p is not None]
        if not new and not old:
            return False
        if len(new) != len(old):
            return True
        for (new_start, new_part), (old_start, old_part) in zip(new, old):
            if new_part != old_part or self._span_of(new_start) != self._span_of(old_start):
                return True
        return False

    def _span_of(self, offset: int) -> int:
        for index, (lo, hi) in enumerate(self.spans_dirty):
            if lo <= offset <= hi:
                return index
        return -1

    def parts_in_order(self, i: int, overrides: dict[int, list]) -> list:
        """Every unit's part for provider i in document order, after the edit."""
        span = self.state.units.span
        ordered = [(span(e)[0], (overrides.get(id(e)) or e.parts)[i] if len(e.parts) > i else None) for e in self.clean()]
        ordered += [(self.spans[id(e)][0], e.parts[i]) for e in self.new]
        ordered.sort(key=lambda pair: pair[0])
        return [part for _start, part in ordered if part is not None]


def _merged(spans: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out
