"""`draftguard check`: scan paths, filter, report, and turn the result into an
exit code (0 clean, 1 findings at or above --fail-on, 2 usage or
configuration error).

Settings come from the project configuration (projectconfig.py), then the
command line on top. Filters narrow what is reported, never what is
analysed: `--since REV` keeps findings on lines changed since a git revision,
`--ai-only` (or scope `aiRegions`) keeps findings inside AI-written regions,
scope `changed` keeps AI regions plus lines changed against HEAD.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from draftguard.analyzers import Severity, all_rules, get_rule

from . import gcpolicy
from .atomic import atomic_write
from .discover import IgnoreRules, discover
from .findingfilter import Filter, apply_filters, repo_top, scope_filters, since_filter
from .git import GitError
from .project.environment import PendingProbe, default_interpreter, start_probe
from .project.index import ProjectIndex
from .projectconfig import ConfigError, ProjectConfig, load_project_config
from .reports import ScanReport, render
from .reports.text import summary_line
from .scan import FileResult, ScanOptions, default_jobs, scan_files
from .settings import Settings, overlay
from .termprogress import ProgressBar

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT


class UsageError(Exception):
    """Bad flags or configuration: exit code 2 with this message."""


def _common_start(paths: list[Path]) -> Path:
    resolved = [p.resolve() for p in paths]
    dirs = [p if p.is_dir() else p.parent for p in resolved]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _rule_ids(value: str | None, flag: str) -> frozenset[str] | None:
    if value is None:
        return None
    ids = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(i for i in ids if get_rule(i) is None)
    if unknown:
        known = ", ".join(r.id for r in all_rules())
        raise UsageError(f"{flag}: unknown rule id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (known: {known})")
    if not ids:
        raise UsageError(f"{flag}: expected a comma-separated list of rule ids")
    return ids


def effective_settings(args, project: ProjectConfig) -> Settings:
    """Project settings with the command line's flags on top."""
    raw: dict = {}
    only = _rule_ids(args.rules, "--rules")
    excluded = _rule_ids(args.exclude_rules, "--exclude-rules")
    if only is not None:
        raw["rules.only"] = sorted(only)
    if excluded is not None:
        raw["rules.disabled"] = sorted(excluded)
    if args.scope:
        raw["scope"] = args.scope
    if args.ai_only:
        raw["scope"] = "aiRegions"
    settings, issues = overlay(project.settings, raw, origin="command line")
    if issues:
        raise UsageError("; ".join(str(i) for i in issues))
    return settings


def build_filters(settings: Settings, since: str | None, git_root: Path | None) -> list[Filter]:
    filters: list[Filter] = []
    if since is not None:
        if git_root is None:
            raise UsageError("--since needs the scanned paths to be inside a git repository")
        try:
            filters.append(since_filter(git_root, since))
        except GitError as exc:
            raise UsageError(f"--since: {exc}") from None
    filters.extend(scope_filters(settings.scope, git_root))
    return filters


def dependency_index(config, root: Path, python: str | None, settings: Settings, stderr: TextIO, probe: PendingProbe | None = None) -> ProjectIndex | None:
    """The dependency picture for the PY-DEP/JS-DEP rules, when any is enabled;
    the Python environment is read from `--python` (else the configured
    interpreter, else the one running draftguard), by `probe` when the
    caller started it (`start_environment_probe`)."""
    if not any(config.rule_enabled(r.id, r.default_enabled) for r in all_rules() if r.id.startswith(("PY-DEP-", "JS-DEP-"))):
        return None
    environment = None
    if any(config.rule_enabled(r.id, r.default_enabled) for r in all_rules() if r.id.startswith("PY-DEP-")):
        environment = (probe or start_probe(_interpreter(python, settings))).result()
        if environment.error:
            if python:
                raise UsageError(f"--python: {environment.error}")
            print(f"draftguard: warning: cannot read the Python environment ({environment.error}); packages count as not installed", file=stderr)
    return ProjectIndex(root, environment)


def start_environment_probe(config, python: str | None, settings: Settings) -> PendingProbe | None:
    """The Python environment probe, started before the rules are loaded
    (they decide whether it is needed) so that the interpreter answers
    while draftguard loads them and lists the files; None when the rule
    selection leaves out every PY-DEP rule."""
    if config.only_rules is not None and not any(r.startswith("PY-DEP-") for r in config.only_rules):
        return None
    return start_probe(_interpreter(python, settings))


def _interpreter(python: str | None, settings: Settings) -> tuple[str, ...]:
    return (python,) if python else settings.python_interpreter or default_interpreter()


# -- the command -------------------------------------------------------------------

def run_check(args, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        return _run(args, stdout, stderr)
    except (UsageError, ConfigError) as exc:
        print(f"draftguard: error: {exc}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ndraftguard: interrupted; no report written", file=stderr)
        return EXIT_INTERRUPTED


def _run(args, stdout: TextIO, stderr: TextIO) -> int:
    paths = [Path(p) for p in (args.paths or ["."])]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs: expected a positive number, got {args.jobs}")
    start = _common_start(paths)
    project = load_project_config(start, Path(args.config) if args.config else None)
    project.raise_for_errors()
    for warning in project.warnings:
        print(f"draftguard: warning: {warning}", file=stderr)
    settings = effective_settings(args, project)
    config = settings.analysis_config()
    probe = start_environment_probe(config, args.python, settings)
    try:
        with gcpolicy.loading():  # loads the rules
            files = discover(paths, IgnoreRules([(settings.exclude, project.root), (args.exclude or (), Path.cwd())]))
            git_root = repo_top(start)
            filters = build_filters(settings, args.since, git_root)
            dependencies = dependency_index(config, git_root or project.root, args.python, settings, stderr, probe)
    finally:
        if probe is not None:
            probe.close()
    options = ScanOptions(config=config, root=str(git_root or project.root), dependencies=dependencies, include_minified=args.include_minified)
    began = time.monotonic()
    bar = ProgressBar(stderr, len(files), enabled=not args.no_progress)
    results: list[FileResult] = []
    try:
        for result in scan_files(files, options, jobs=args.jobs or default_jobs(), progress=bar.update):
            results.append(result)
    finally:
        bar.close()
    order = {str(p): i for i, p in enumerate(files)}
    results.sort(key=lambda r: order.get(r.path, len(order)))
    dropped = apply_filters(results, filters)
    active = [r for r in all_rules() if config.rule_enabled(r.id, r.default_enabled)]
    report = ScanReport(
        root=git_root or project.root,
        files=results,
        rules=active,
        severities={r.id: settings.severity_overrides.get(r.id, r.severity) for r in active},
        filters=[name for name, _keep in filters],
        filtered_out=dropped,
        duration=time.monotonic() - began,
    )
    output = render(report, args.format)
    if args.output:
        try:
            atomic_write(args.output, output)
        except OSError as exc:
            raise UsageError(f"--output: cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        stdout.write(output)
        stdout.flush()
    for file in results:
        if file.error:
            print(f"{file.path}: {file.error}", file=stderr)
    if not args.quiet:
        print(summary_line(report), file=stderr)
    threshold = Severity.parse(args.fail_on)
    failing = any(r.finding.severity >= threshold for _f, r in report.findings())
    return EXIT_FINDINGS if failing else EXIT_CLEAN
