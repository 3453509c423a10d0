/**
 * Every identifier the extension shares with its manifest (package.json) or
 * with the language server, in one place.
 *
 * Why one module: a command id typed twice drifts, and a command the code
 * registers but the manifest does not contribute never shows up in the
 * palette. `test/manifest.test.ts` checks these lists against package.json
 * and against the packaged .vsix, so the two cannot disagree silently.
 */

/** The language client's id: also the prefix of `draftguard.trace.server`. */
export const CLIENT_ID = 'draftguard';
export const CLIENT_NAME = 'draftguard';

/**
 * Commands this extension registers. None of them may equal a server command
 * id (see SERVER_COMMANDS): vscode-languageclient registers a VS Code command
 * for every command the server lists in `executeCommandProvider`, and two
 * registrations of one id make activation fail.
 */
export const COMMANDS = {
  restart: 'draftguard.restart',
  markRegionReviewed: 'draftguard.markRegionReviewed',
  showAiRegions: 'draftguard.showAiRegions',
  scanWorkspace: 'draftguard.scan',
  toggleScope: 'draftguard.toggleScope',
  openRuleDocumentation: 'draftguard.openRuleDocumentation',
  showOutput: 'draftguard.showOutput',
} as const;

/** `workspace/executeCommand` commands implemented by the Python server. */
export const SERVER_COMMANDS = {
  markReviewed: 'draftguard.markReviewed',
  scanWorkspace: 'draftguard.scanWorkspace',
  ruleDocumentation: 'draftguard.ruleDocumentation',
} as const;

/** Custom LSP methods (issue 3's protocol). */
export const METHODS = {
  markAiRegion: 'draftguard/markAiRegion',
  regions: 'draftguard/regions',
  /** Server to client `{uri, version}`: a document's regions or their states changed. */
  regionsChanged: 'draftguard/regionsChanged',
} as const;

/** The configuration section and every key below it that the code reads. */
export const SECTION = 'draftguard';
export const SETTINGS = {
  interpreter: 'interpreter',
  scope: 'scope',
  bulkInsertLines: 'bulkInsertThreshold.lines',
  bulkInsertCharacters: 'bulkInsertThreshold.characters',
  rulesDisabled: 'rules.disabled',
  severityOverrides: 'severityOverrides',
  traceServer: 'trace.server',
  dependencyInterpreter: 'dependencies.pythonInterpreter',
} as const;

/** Context keys for `when` clauses in package.json menus. */
export const CONTEXT_KEYS = {
  /** 1-based line numbers of the active editor inside unreviewed AI regions. */
  unreviewedLines: 'draftguard.unreviewedLines',
  /** True when the active editor has at least one unreviewed AI region. */
  hasUnreviewedRegion: 'draftguard.hasUnreviewedRegion',
} as const;

/** Theme colours contributed in package.json. */
export const COLORS = {
  regionBackground: 'draftguard.unreviewedAiRegionBackground',
  regionOverviewRuler: 'draftguard.unreviewedAiRegionOverviewRuler',
} as const;

/** Scheme of the read-only rule documentation documents. */
export const RULE_DOC_SCHEME = 'draftguard-rule';

/** Languages the server analyses (LSP language ids). */
export const LANGUAGES = ['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact'] as const;

/** `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'draftguard';

/** Oldest Python the draftguard package supports (pyproject requires-python). */
export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Python module that runs the language server on stdio. */
export const SERVER_MODULE = 'draftguard.server';
