/**
 * VS Code settings -> what the server receives, and what a change requires.
 *
 * The server (server/settings.py) accepts the same keys from
 * `initializationOptions`, the `draftguard` section of
 * `workspace/configuration` and `workspace/didChangeConfiguration`, so one
 * function (`toServerOptions`) builds the payload for all three. Client-only
 * keys (`interpreter`, `trace.server`) never reach the server.
 *
 * Only a different interpreter needs a new server process; every other change
 * is sent as `workspace/didChangeConfiguration` and the server re-publishes.
 */
import type * as vscode from 'vscode';
import { SETTINGS } from './constants';

export const SCOPES = ['aiRegions', 'changed', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface ExtensionSettings {
  readonly interpreter: readonly string[];
  readonly scope: Scope;
  readonly bulkInsertLines: number;
  readonly bulkInsertCharacters: number;
  readonly rulesDisabled: readonly string[];
  readonly severityOverrides: Readonly<Record<string, Severity>>;
  readonly trace: TraceLevel;
  /** Python whose installed packages the dependency rules check; empty: the server's own. */
  readonly dependencyInterpreter: readonly string[];
}

export const DEFAULTS: ExtensionSettings = {
  interpreter: [],
  scope: 'aiRegions',
  bulkInsertLines: 2,
  bulkInsertCharacters: 60,
  rulesDisabled: [],
  severityOverrides: {},
  trace: 'off',
  dependencyInterpreter: [],
};

/** What the server's settings parser receives (server/settings.py). */
export interface ServerOptions {
  scope: Scope;
  bulkInsertThreshold: { lines: number; characters: number };
  rules: { disabled: string[] };
  severityOverrides: Record<string, Severity>;
  dependencies: { pythonInterpreter: string[] };
}

/** Reads one key of the `draftguard` section. */
export type SettingReader = Pick<vscode.WorkspaceConfiguration, 'get'>;

/**
 * Reads and validates the section. A malformed value falls back to its
 * default and is reported through `warn`, never thrown: a typo in
 * settings.json must not stop the extension.
 */
export function readSettings(config: SettingReader, warn: (message: string) => void = () => undefined): ExtensionSettings {
  const interpreter = stringList(config.get<unknown>(SETTINGS.interpreter), SETTINGS.interpreter, warn);
  const scopeValue = config.get<unknown>(SETTINGS.scope);
  let scope = DEFAULTS.scope;
  if (isScope(scopeValue)) {
    scope = scopeValue;
  } else if (scopeValue !== undefined) {
    warn(`draftguard.scope: expected one of ${SCOPES.join(', ')}, got ${JSON.stringify(scopeValue)}`);
  }
  return {
    interpreter: interpreter ?? DEFAULTS.interpreter,
    scope,
    bulkInsertLines: positiveInt(config.get<unknown>(SETTINGS.bulkInsertLines), SETTINGS.bulkInsertLines, DEFAULTS.bulkInsertLines, warn),
    bulkInsertCharacters: positiveInt(config.get<unknown>(SETTINGS.bulkInsertCharacters), SETTINGS.bulkInsertCharacters, DEFAULTS.bulkInsertCharacters, warn),
    rulesDisabled: stringList(config.get<unknown>(SETTINGS.rulesDisabled), SETTINGS.rulesDisabled, warn) ?? DEFAULTS.rulesDisabled,
    severityOverrides: severityMap(config.get<unknown>(SETTINGS.severityOverrides), warn),
    trace: traceLevel(config.get<unknown>(SETTINGS.traceServer)),
    dependencyInterpreter:
      stringList(config.get<unknown>(SETTINGS.dependencyInterpreter), SETTINGS.dependencyInterpreter, warn) ?? DEFAULTS.dependencyInterpreter,
  };
}

export function toServerOptions(settings: ExtensionSettings): ServerOptions {
  return {
    scope: settings.scope,
    bulkInsertThreshold: { lines: settings.bulkInsertLines, characters: settings.bulkInsertCharacters },
    rules: { disabled: [...settings.rulesDisabled] },
    severityOverrides: { ...settings.severityOverrides },
    dependencies: { pythonInterpreter: [...settings.dependencyInterpreter] },
  };
}

/** The `workspace/didChangeConfiguration` parameters for these settings. */
export function didChangeConfigurationParams(settings: ExtensionSettings): { settings: { draftguard: ServerOptions } } {
  return { settings: { draftguard: toServerOptions(settings) } };
}

export type SettingsChange = 'none' | 'notify' | 'restart';

/**
 * What a settings change requires: a new process only when the interpreter
 * changed; a notification when anything the server reads changed; nothing for
 * client-only keys (`trace.server` is applied by vscode-languageclient itself).
 */
export function classifyChange(before: ExtensionSettings, after: ExtensionSettings): SettingsChange {
  if (!sameList(before.interpreter, after.interpreter)) {
    return 'restart';
  }
  return JSON.stringify(toServerOptions(before)) === JSON.stringify(toServerOptions(after)) ? 'none' : 'notify';
}

export function nextScope(scope: Scope): Scope {
  const index = SCOPES.indexOf(scope);
  return SCOPES[(index + 1) % SCOPES.length] ?? 'aiRegions';
}

export const SCOPE_LABELS: Readonly<Record<Scope, string>> = {
  aiRegions: 'AI regions: findings in unreviewed AI-inserted code only',
  changed: 'Changed: AI regions plus lines not yet committed',
  all: 'All: every finding in the file',
};

/**
 * Where a scope change is written: wherever the scope is set now (most
 * specific first), else the workspace when one is open, else user settings.
 */
export function scopeTarget(
  inspected: Pick<NonNullable<ReturnType<vscode.WorkspaceConfiguration['inspect']>>, 'workspaceFolderValue' | 'workspaceValue' | 'globalValue'> | undefined,
  hasWorkspace: boolean,
): 'workspaceFolder' | 'workspace' | 'global' {
  if (inspected?.workspaceFolderValue !== undefined) {
    return 'workspaceFolder';
  }
  if (inspected?.workspaceValue !== undefined) {
    return 'workspace';
  }
  if (inspected?.globalValue !== undefined) {
    return 'global';
  }
  return hasWorkspace ? 'workspace' : 'global';
}

function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

function stringList(value: unknown, key: string, warn: (message: string) => void): string[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'string') {
    return value.trim().length > 0 ? [value.trim()] : [];
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return (value).map((item) => item.trim()).filter((item) => item.length > 0);
  }
  warn(`draftguard.${key}: expected a list of strings`);
  return undefined;
}

function positiveInt(value: unknown, key: string, fallback: number, warn: (message: string) => void): number {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) {
    return value;
  }
  warn(`draftguard.${key}: expected a whole number of at least 1, got ${JSON.stringify(value)}`);
  return fallback;
}

function severityMap(value: unknown, warn: (message: string) => void): Record<string, Severity> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    warn('draftguard.severityOverrides: expected an object mapping rule ids to severities');
    return {};
  }
  const result: Record<string, Severity> = {};
  for (const [ruleId, level] of Object.entries(value as Record<string, unknown>)) {
    const normalised = typeof level === 'string' ? level.toLowerCase() : level;
    if (typeof normalised === 'string' && (SEVERITIES as readonly string[]).includes(normalised)) {
      result[ruleId] = normalised as Severity;
    } else {
      warn(`draftguard.severityOverrides.${ruleId}: expected one of ${SEVERITIES.join(', ')}`);
    }
  }
  return result;
}

function traceLevel(value: unknown): TraceLevel {
  return value === 'messages' || value === 'verbose' ? value : 'off';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
