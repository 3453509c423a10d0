/**
 * The extension's commands: restart, mark an AI region reviewed (palette,
 * gutter menu, server code action), list the AI regions of a file, scan the
 * workspace, switch the scope, open a rule's documentation.
 *
 * The pure parts (which region a command means, which rule ids sit under the
 * cursor, how a scan result reads) are exported for the unit tests; the
 * handlers talk to VS Code through the `CommandHost` slice and to the server
 * through `workspace/executeCommand`.
 */
import type * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, SECTION, SERVER_COMMANDS, SETTINGS } from './constants';
import { type AiRegion, type LspPosition, isMethodNotFound } from './protocol';
import { regionAt, regionAtLine, regionLabel, unreviewedRegions } from './regions';
import { SCOPES, SCOPE_LABELS, type Scope, scopeTarget } from './settings';
import { type ClientLike } from './server';
import { plural } from './status';

// ---------------------------------------------------------------------------
// Pure helpers

/** What a "mark reviewed" invocation points at. */
export type ReviewTarget =
  | { readonly kind: 'line'; readonly uri: string; readonly line: number }
  | { readonly kind: 'position'; readonly uri: string; readonly position: LspPosition }
  | { readonly kind: 'none' };

interface UriLike {
  toString(): string;
}

/**
 * Reads the arguments VS Code passes: `{lineNumber, uri}` (1-based) from the
 * line-number context menu, `(uri, range)` from code, nothing from the
 * palette (then the active editor's cursor decides).
 */
export function reviewTarget(args: readonly unknown[], active: { uri: string; position: LspPosition } | undefined): ReviewTarget {
  const first = args[0];
  if (isRecord(first) && typeof first['lineNumber'] === 'number' && isUriLike(first['uri'])) {
    return { kind: 'line', uri: first['uri'].toString(), line: Math.max(0, first['lineNumber'] - 1) };
  }
  if ((typeof first === 'string' || isUriLike(first)) && isRecord(args[1]) && isRecord(args[1]['start'])) {
    const start = args[1]['start'];
    if (typeof start['line'] === 'number' && typeof start['character'] === 'number') {
      return { kind: 'position', uri: first.toString(), position: { line: start['line'], character: start['character'] } };
    }
  }
  if (active !== undefined) {
    return { kind: 'position', uri: active.uri, position: active.position };
  }
  return { kind: 'none' };
}

export function regionForTarget(regions: readonly AiRegion[], target: ReviewTarget): AiRegion | undefined {
  switch (target.kind) {
    case 'line':
      return regionAtLine(regions, target.line);
    case 'position':
      return regionAt(regions, target.position) ?? regionAtLine(regions, target.position.line);
    case 'none':
      return undefined;
  }
}

type DiagnosticLike = Pick<vscode.Diagnostic, 'source' | 'code'> & { readonly range: { readonly start: LspPosition; readonly end: LspPosition } };

export function ruleIdOf(diagnostic: Pick<vscode.Diagnostic, 'code'>): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'string') {
    return code;
  }
  if (typeof code === 'object' && typeof code.value === 'string') {
    return code.value;
  }
  return undefined;
}

/** Rule ids of draftguard diagnostics under the cursor, else of the whole file; unique, in order. */
export function ruleIdsFor(diagnostics: readonly DiagnosticLike[], position: LspPosition | undefined): string[] {
  const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
  const atCursor =
    position === undefined
      ? []
      : ours.filter((d) => {
          const { start, end } = d.range;
          const afterStart = start.line < position.line || (start.line === position.line && start.character <= position.character);
          const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
          return afterStart && beforeEnd;
        });
  const chosen = atCursor.length > 0 ? atCursor : ours;
  return [...new Set(chosen.map(ruleIdOf).filter((id): id is string => id !== undefined))];
}

/** One sentence about a finished workspace scan (`{files, findings, hidden, skipped, cancelled}`). */
export function scanSummary(result: unknown): string {
  if (isRecord(result)) {
    const files = numberField(result, ['files']);
    const findings = numberField(result, ['findings']) ?? (Array.isArray(result['findings']) ? result['findings'].length : undefined);
    if (files !== undefined && findings !== undefined) {
      const hidden = numberField(result, ['hidden']) ?? 0;
      const skipped = numberField(result, ['skipped']) ?? 0;
      const parts = [
        `${result['cancelled'] === true ? 'Scan cancelled after' : 'draftguard scanned'} ${plural(files, 'file')}: ${plural(findings, 'finding')} shown in the Problems panel`,
        hidden > 0 ? `${hidden} more outside the current scope ("draftguard: Change Scope" to see them)` : undefined,
        skipped > 0 ? `${plural(skipped, 'file')} skipped` : undefined,
      ].filter((part): part is string => part !== undefined);
      return `${parts.join('; ')}.`;
    }
    if (typeof result['message'] === 'string') {
      return `draftguard: ${result['message']}`;
    }
  }
  return 'draftguard finished scanning the workspace; findings are listed in the Problems panel.';
}

function numberField(record: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      return value;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Handlers

export interface CommandHost {
  readonly window: Pick<
    typeof vscode.window,
    'activeTextEditor' | 'showInformationMessage' | 'showErrorMessage' | 'showWarningMessage' | 'showQuickPick' | 'setStatusBarMessage' | 'showTextDocument'
  >;
  readonly workspace: Pick<typeof vscode.workspace, 'getConfiguration' | 'workspaceFolders' | 'openTextDocument'>;
  readonly commands: Pick<typeof vscode.commands, 'executeCommand'>;
  readonly languages: Pick<typeof vscode.languages, 'getDiagnostics'>;
  readonly env: Pick<typeof vscode.env, 'openExternal'>;
  readonly Uri: Pick<typeof vscode.Uri, 'parse' | 'from'>;
  readonly Range: typeof vscode.Range;
  readonly Selection: typeof vscode.Selection;
  readonly ConfigurationTarget: typeof vscode.ConfigurationTarget;
  readonly TextEditorRevealType: typeof vscode.TextEditorRevealType;
}

export interface CommandDeps {
  readonly host: CommandHost;
  /** The running client, or undefined. */
  readonly client: () => ClientLike | undefined;
  readonly regions: (uri: string) => readonly AiRegion[];
  readonly refreshRegions: (uri: string) => Promise<void>;
  readonly regionsSupported: () => boolean;
  readonly ruleDocs: { show(ruleId: string, markdown: string): Promise<void> };
  readonly log: (message: string) => void;
}

const NOT_RUNNING = 'The draftguard server is not running. Run "draftguard: Restart Server" or check the draftguard output.';

function executeServerCommand<R>(client: ClientLike, command: string, args: unknown[]): Promise<R> {
  return client.sendRequest<R>('workspace/executeCommand', { command, arguments: args });
}

function activeCursor(host: CommandHost): { uri: string; position: LspPosition } | undefined {
  const editor = host.window.activeTextEditor;
  if (editor === undefined) {
    return undefined;
  }
  const active = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line: active.line, character: active.character } };
}

export async function markRegionReviewed(deps: CommandDeps, args: readonly unknown[]): Promise<boolean> {
  const { host } = deps;
  const client = deps.client();
  if (client === undefined) {
    void host.window.showWarningMessage(NOT_RUNNING);
    return false;
  }
  if (!deps.regionsSupported()) {
    void host.window.showWarningMessage('This draftguard server does not track AI regions; update the draftguard package to review regions.');
    return false;
  }
  const target = reviewTarget(args, activeCursor(host));
  if (target.kind === 'none') {
    void host.window.showInformationMessage('Open a file with AI regions to mark one as reviewed.');
    return false;
  }
  const regions = deps.regions(target.uri);
  let region = regionForTarget(regions, target);
  if (region === undefined) {
    const open = unreviewedRegions(regions);
    if (open.length === 0) {
      void host.window.showInformationMessage('No unreviewed AI region in this file.');
      return false;
    }
    const picked = await host.window.showQuickPick(
      open.map((candidate) => ({ label: regionLabel(candidate), region: candidate })),
      { placeHolder: 'The cursor is not in an AI region. Which region did you review?' },
    );
    if (picked === undefined) {
      return false;
    }
    region = picked.region;
  }
  try {
    await executeServerCommand(client, SERVER_COMMANDS.markReviewed, [target.uri, region.range]);
  } catch (error) {
    void host.window.showErrorMessage(`draftguard could not record the review: ${errorMessage(error)}`);
    return false;
  }
  await deps.refreshRegions(target.uri);
  return true;
}

export async function showAiRegions(deps: CommandDeps): Promise<void> {
  const { host } = deps;
  const editor = host.window.activeTextEditor;
  if (editor === undefined) {
    void host.window.showInformationMessage('Open a file to list its AI regions.');
    return;
  }
  if (!deps.regionsSupported() || deps.client() === undefined) {
    void host.window.showInformationMessage(deps.client() === undefined ? NOT_RUNNING : 'This draftguard server does not report AI regions.');
    return;
  }
  const uri = editor.document.uri.toString();
  await deps.refreshRegions(uri);
  const regions = [...deps.regions(uri)].sort((a, b) => Number(a.state === 'reviewed') - Number(b.state === 'reviewed') || a.range.start.line - b.range.start.line);
  if (regions.length === 0) {
    void host.window.showInformationMessage('draftguard knows of no AI-inserted region in this file.');
    return;
  }
  const picked = await host.window.showQuickPick(
    regions.map((region) => ({
      label: regionLabel(region),
      description: region.createdAt,
      detail: region.reviewedBy !== undefined ? `reviewed by ${region.reviewedBy}${region.reviewedAt !== undefined ? ` on ${region.reviewedAt}` : ''}` : undefined,
      region,
    })),
    { placeHolder: `${plural(unreviewedRegions(regions).length, 'unreviewed AI region')}; pick one to go there` },
  );
  if (picked === undefined) {
    return;
  }
  const { start, end } = picked.region.range;
  const range = new host.Range(start.line, start.character, end.line, end.character);
  editor.selection = new host.Selection(range.start, range.end);
  editor.revealRange(range, host.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * Runs the server's workspace scan in the configured scope. The server
 * reports progress itself (`$/progress`, shown and cancellable by
 * vscode-languageclient), so this only shows a status bar note meanwhile.
 */
export async function scanWorkspace(deps: CommandDeps): Promise<void> {
  const { host } = deps;
  const client = deps.client();
  if (client === undefined) {
    void host.window.showWarningMessage(NOT_RUNNING);
    return;
  }
  if ((host.workspace.workspaceFolders ?? []).length === 0) {
    void host.window.showInformationMessage('Open a folder to scan a workspace with draftguard.');
    return;
  }
  const request = executeServerCommand<unknown>(client, SERVER_COMMANDS.scanWorkspace, []);
  host.window.setStatusBarMessage('$(sync~spin) draftguard: scanning the workspace…', request);
  try {
    void host.window.showInformationMessage(scanSummary(await request));
  } catch (error) {
    if (isMethodNotFound(error) || /unknown command|not found|No command/i.test(errorMessage(error))) {
      void host.window.showWarningMessage('This draftguard server cannot scan a workspace yet; update the draftguard package, or run "draftguard check ." in a terminal.');
      return;
    }
    void host.window.showErrorMessage(`draftguard workspace scan failed: ${errorMessage(error)}`);
  }
}

export async function toggleScope(deps: CommandDeps): Promise<Scope | undefined> {
  const { host } = deps;
  const config = host.workspace.getConfiguration(SECTION);
  const current = config.get<string>(SETTINGS.scope);
  const picked = await host.window.showQuickPick(
    SCOPES.map((scope) => ({ label: scope, description: scope === current ? '(current)' : undefined, detail: SCOPE_LABELS[scope], scope })),
    { placeHolder: 'Which findings should draftguard show?' },
  );
  if (picked === undefined || picked.scope === current) {
    return undefined;
  }
  const target = scopeTarget(config.inspect(SETTINGS.scope), (host.workspace.workspaceFolders ?? []).length > 0);
  const targets = { workspaceFolder: host.ConfigurationTarget.WorkspaceFolder, workspace: host.ConfigurationTarget.Workspace, global: host.ConfigurationTarget.Global };
  await config.update(SETTINGS.scope, picked.scope, targets[target]);
  return picked.scope;
}

export async function openRuleDocumentation(deps: CommandDeps, args: readonly unknown[]): Promise<void> {
  const { host } = deps;
  const editor = host.window.activeTextEditor;
  const diagnostics = editor === undefined ? [] : host.languages.getDiagnostics(editor.document.uri);
  let ruleId = typeof args[0] === 'string' ? args[0] : undefined;
  if (ruleId === undefined) {
    const cursor = editor?.selection.active;
    const ids = ruleIdsFor(diagnostics, cursor === undefined ? undefined : { line: cursor.line, character: cursor.character });
    if (ids.length === 0) {
      void host.window.showInformationMessage('No draftguard finding here: put the cursor on a squiggle to open its rule documentation.');
      return;
    }
    ruleId = ids.length === 1 ? ids[0] : (await host.window.showQuickPick(ids, { placeHolder: 'Which rule?' }));
    if (ruleId === undefined) {
      return;
    }
  }
  const client = deps.client();
  if (client !== undefined) {
    try {
      const markdown = await executeServerCommand<unknown>(client, SERVER_COMMANDS.ruleDocumentation, [ruleId]);
      if (typeof markdown === 'string' && markdown.length > 0) {
        await deps.ruleDocs.show(ruleId, markdown);
        return;
      }
    } catch (error) {
      deps.log(`rule documentation for ${ruleId}: ${errorMessage(error)}`);
    }
  }
  const link = diagnostics.find((d) => ruleIdOf(d) === ruleId)?.code;
  if (typeof link === 'object' && link.target !== undefined) {
    await host.env.openExternal(link.target);
    return;
  }
  void host.window.showWarningMessage(`draftguard has no documentation for ${ruleId} (${client === undefined ? 'the server is not running' : 'unknown rule'}).`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : isRecord(error) && typeof error['message'] === 'string' ? error['message'] : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUriLike(value: unknown): value is UriLike {
  return isRecord(value) && typeof value['scheme'] === 'string' && typeof value['toString'] === 'function';
}
