/**
 * The status bar item: what draftguard sees in the active file.
 *
 * Text stays short ("$(shield) 2 AI · 3 findings"); the tooltip spells it
 * out. When the server is not running the item says so and a click leads to
 * the fix (the interpreter setting or the log) instead of listing regions.
 */
import type * as vscode from 'vscode';
import { COMMANDS, SECTION, SETTINGS } from './constants';
import { type Scope } from './settings';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusInput {
  readonly server: ServerState;
  /** Why the server is not running (shown in the tooltip). */
  readonly problem?: string;
  /** True when the problem is the interpreter: a click opens the setting. */
  readonly interpreterProblem?: boolean;
  readonly scope: Scope;
  /** Counts for the active editor, undefined when it is not a draftguard language. */
  readonly file?: {
    /** Unreviewed AI regions; undefined when the server cannot report regions. */
    readonly unreviewedRegions: number | undefined;
    readonly findings: number;
  };
}

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly command: { readonly command: string; readonly title: string; readonly arguments?: unknown[] } | undefined;
  readonly severity: 'normal' | 'warning' | 'error';
  readonly visible: boolean;
}

const SCOPE_NAMES: Readonly<Record<Scope, string>> = { aiRegions: 'AI regions', changed: 'changed lines', all: 'whole file' };

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function statusView(input: StatusInput): StatusView {
  if (input.server === 'failed') {
    return {
      text: '$(error) draftguard',
      tooltip: `draftguard is not running: ${input.problem ?? 'the server stopped'}.\nClick to ${input.interpreterProblem === true ? 'choose the Python interpreter' : 'open the log'}.`,
      command:
        input.interpreterProblem === true
          ? { command: 'workbench.action.openSettings', title: 'Open draftguard.interpreter', arguments: [`${SECTION}.${SETTINGS.interpreter}`] }
          : { command: COMMANDS.showOutput, title: 'Show draftguard log' },
      severity: 'error',
      visible: true,
    };
  }
  if (input.server === 'starting') {
    return { text: '$(sync~spin) draftguard', tooltip: 'draftguard: starting the language server…', command: { command: COMMANDS.showOutput, title: 'Show draftguard log' }, severity: 'normal', visible: true };
  }
  if (input.server === 'stopped') {
    return { text: '$(circle-slash) draftguard', tooltip: 'draftguard: the language server is stopped. Click to restart it.', command: { command: COMMANDS.restart, title: 'Restart draftguard' }, severity: 'warning', visible: true };
  }
  const file = input.file;
  if (file === undefined) {
    return { text: '$(shield) draftguard', tooltip: `draftguard is running (scope: ${SCOPE_NAMES[input.scope]}).`, command: undefined, severity: 'normal', visible: false };
  }
  const parts: string[] = [];
  const lines: string[] = [];
  if (file.unreviewedRegions !== undefined) {
    if (file.unreviewedRegions > 0) {
      parts.push(`${file.unreviewedRegions} AI`);
    }
    lines.push(`${plural(file.unreviewedRegions, 'unreviewed AI region')} in this file`);
  } else {
    lines.push('AI regions: not reported by this draftguard server');
  }
  parts.push(plural(file.findings, 'finding'));
  lines.push(`${plural(file.findings, 'finding')} shown in this file (scope: ${SCOPE_NAMES[input.scope]})`);
  if (file.unreviewedRegions !== undefined && file.unreviewedRegions > 0) {
    lines.push('Click to list the AI regions.');
  } else {
    lines.push('Click to change the scope.');
  }
  return {
    text: `$(shield) ${parts.join(' · ')}`,
    tooltip: `draftguard\n${lines.join('\n')}`,
    command:
      file.unreviewedRegions !== undefined && file.unreviewedRegions > 0
        ? { command: COMMANDS.showAiRegions, title: 'Show AI regions in this file' }
        : { command: COMMANDS.toggleScope, title: 'Change the draftguard scope' },
    severity: 'normal',
    visible: true,
  };
}

export interface StatusHost {
  readonly window: Pick<typeof vscode.window, 'createStatusBarItem'>;
  readonly StatusBarAlignment: typeof vscode.StatusBarAlignment;
  readonly ThemeColor: typeof vscode.ThemeColor;
}

export class StatusBar {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly host: StatusHost) {
    this.item = host.window.createStatusBarItem('draftguard.status', host.StatusBarAlignment.Left, 50);
    this.item.name = 'draftguard';
  }

  show(input: StatusInput): StatusView {
    const view = statusView(input);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command === undefined ? undefined : { ...view.command, arguments: view.command.arguments ?? [] };
    this.item.backgroundColor =
      view.severity === 'error'
        ? new this.host.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new this.host.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    if (view.visible) {
      this.item.show();
    } else {
      this.item.hide();
    }
    return view;
  }

  dispose(): void {
    this.item.dispose();
  }
}
