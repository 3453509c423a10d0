/**
 * A small, typed stand-in for the parts of the `vscode` API the extension's
 * modules use. VS Code itself cannot run here, so the modules receive this
 * object where the extension passes the real `vscode` namespace; TypeScript
 * checks that it fits the same `Pick<typeof vscode...>` slices.
 *
 * Value classes (Position, Range, Selection, Uri) behave like VS Code's;
 * UI calls (messages, quick picks, decorations, status bar) are recorded and
 * answered from scripted replies so tests can assert on them.
 */
import type * as vscode from 'vscode';
import * as path from 'path';

export class FakePosition implements vscode.Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isBefore(other: vscode.Position): boolean {
    return this.compareTo(other) < 0;
  }
  isBeforeOrEqual(other: vscode.Position): boolean {
    return this.compareTo(other) <= 0;
  }
  isAfter(other: vscode.Position): boolean {
    return this.compareTo(other) > 0;
  }
  isAfterOrEqual(other: vscode.Position): boolean {
    return this.compareTo(other) >= 0;
  }
  isEqual(other: vscode.Position): boolean {
    return this.compareTo(other) === 0;
  }
  compareTo(other: vscode.Position): number {
    return this.line !== other.line ? this.line - other.line : this.character - other.character;
  }
  translate(lineDeltaOrChange?: number | { lineDelta?: number; characterDelta?: number }, characterDelta = 0): vscode.Position {
    if (typeof lineDeltaOrChange === 'object') {
      return new FakePosition(this.line + (lineDeltaOrChange.lineDelta ?? 0), this.character + (lineDeltaOrChange.characterDelta ?? 0));
    }
    return new FakePosition(this.line + (lineDeltaOrChange ?? 0), this.character + characterDelta);
  }
  with(lineOrChange?: number | { line?: number; character?: number }, character?: number): vscode.Position {
    if (typeof lineOrChange === 'object') {
      return new FakePosition(lineOrChange.line ?? this.line, lineOrChange.character ?? this.character);
    }
    return new FakePosition(lineOrChange ?? this.line, character ?? this.character);
  }
}

export class FakeRange implements vscode.Range {
  readonly start: vscode.Position;
  readonly end: vscode.Position;
  constructor(start: vscode.Position, end: vscode.Position);
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number);
  constructor(a: vscode.Position | number, b: vscode.Position | number, c?: number, d?: number) {
    const start = typeof a === 'number' ? new FakePosition(a, b as number) : a;
    const end = typeof a === 'number' ? new FakePosition(c ?? 0, d ?? 0) : (b as vscode.Position);
    [this.start, this.end] = start.isAfter(end) ? [end, start] : [start, end];
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
  get isSingleLine(): boolean {
    return this.start.line === this.end.line;
  }
  contains(positionOrRange: vscode.Position | vscode.Range): boolean {
    if ('start' in positionOrRange) {
      return this.contains(positionOrRange.start) && this.contains(positionOrRange.end);
    }
    return positionOrRange.isAfterOrEqual(this.start) && positionOrRange.isBeforeOrEqual(this.end);
  }
  isEqual(other: vscode.Range): boolean {
    return this.start.isEqual(other.start) && this.end.isEqual(other.end);
  }
  intersection(range: vscode.Range): vscode.Range | undefined {
    const start = range.start.isAfter(this.start) ? range.start : this.start;
    const end = range.end.isBefore(this.end) ? range.end : this.end;
    return start.isAfter(end) ? undefined : new FakeRange(start, end);
  }
  union(other: vscode.Range): vscode.Range {
    return new FakeRange(other.start.isBefore(this.start) ? other.start : this.start, other.end.isAfter(this.end) ? other.end : this.end);
  }
  with(startOrChange?: vscode.Position | { start?: vscode.Position; end?: vscode.Position }, end?: vscode.Position): vscode.Range {
    if (startOrChange !== undefined && !(startOrChange instanceof FakePosition) && !('line' in startOrChange)) {
      return new FakeRange(startOrChange.start ?? this.start, startOrChange.end ?? this.end);
    }
    return new FakeRange((startOrChange) ?? this.start, end ?? this.end);
  }
}

export class FakeSelection extends FakeRange implements vscode.Selection {
  readonly anchor: vscode.Position;
  readonly active: vscode.Position;
  constructor(anchor: vscode.Position, active: vscode.Position);
  constructor(anchorLine: number, anchorCharacter: number, activeLine: number, activeCharacter: number);
  constructor(a: vscode.Position | number, b: vscode.Position | number, c?: number, d?: number) {
    const anchor = typeof a === 'number' ? new FakePosition(a, b as number) : a;
    const active = typeof a === 'number' ? new FakePosition(c ?? 0, d ?? 0) : (b as vscode.Position);
    super(anchor, active);
    this.anchor = anchor;
    this.active = active;
  }
  get isReversed(): boolean {
    return this.active.isBefore(this.anchor);
  }
}

export class FakeUri implements vscode.Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static parse(value: string): FakeUri {
    const match = /^([a-z][a-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(value);
    if (match === null) {
      throw new Error(`not a URI: ${value}`);
    }
    return new FakeUri(match[1] ?? '', match[2] ?? '', decodeURIComponent(match[3] ?? ''), match[4] ?? '', match[5] ?? '');
  }
  static file(fsPath: string): FakeUri {
    return new FakeUri('file', '', fsPath, '', '');
  }
  static from(components: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): FakeUri {
    return new FakeUri(components.scheme, components.authority ?? '', components.path ?? '', components.query ?? '', components.fragment ?? '');
  }
  static joinPath(base: vscode.Uri, ...segments: string[]): FakeUri {
    return new FakeUri(base.scheme, base.authority, path.posix.join(base.path, ...segments), base.query, base.fragment);
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): vscode.Uri {
    return new FakeUri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString(): string {
    const authority = this.authority.length > 0 || this.scheme === 'file' ? `//${this.authority}` : '';
    const query = this.query.length > 0 ? `?${this.query}` : '';
    const fragment = this.fragment.length > 0 ? `#${this.fragment}` : '';
    return `${this.scheme}:${authority}${encodeURI(this.path)}${query}${fragment}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

export class FakeThemeColor implements vscode.ThemeColor {
  constructor(readonly id: string) {}
}

/** A text document over a string, with VS Code's offset/position arithmetic. */
export class FakeTextDocument implements vscode.TextDocument {
  readonly fileName: string;
  readonly isUntitled = false;
  readonly isDirty = false;
  readonly isClosed = false;
  readonly eol = 1 as vscode.EndOfLine.LF;
  version = 1;
  constructor(
    readonly uri: vscode.Uri,
    public text: string,
    readonly languageId = 'python',
  ) {
    this.fileName = uri.fsPath;
  }
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  save(): Thenable<boolean> {
    return Promise.resolve(true);
  }
  lineAt(lineOrPosition: number | vscode.Position): vscode.TextLine {
    const line = typeof lineOrPosition === 'number' ? lineOrPosition : lineOrPosition.line;
    const text = this.text.split('\n')[line] ?? '';
    const range = new FakeRange(line, 0, line, text.length);
    return {
      lineNumber: line,
      text,
      range,
      rangeIncludingLineBreak: new FakeRange(line, 0, line + 1, 0),
      firstNonWhitespaceCharacterIndex: text.length - text.trimStart().length,
      isEmptyOrWhitespace: text.trim().length === 0,
    };
  }
  offsetAt(position: vscode.Position): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < position.line && i < lines.length; i++) {
      offset += (lines[i] ?? '').length + 1;
    }
    return Math.min(offset + position.character, this.text.length);
  }
  positionAt(offset: number): vscode.Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const before = this.text.slice(0, clamped);
    const line = before.split('\n').length - 1;
    return new FakePosition(line, clamped - (before.lastIndexOf('\n') + 1));
  }
  getText(range?: vscode.Range): string {
    return range === undefined ? this.text : this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  getWordRangeAtPosition(): vscode.Range | undefined {
    return undefined;
  }
  validateRange(range: vscode.Range): vscode.Range {
    return range;
  }
  validatePosition(position: vscode.Position): vscode.Position {
    return position;
  }
}

export interface RecordedDecoration {
  readonly type: FakeDecorationType;
  readonly ranges: readonly vscode.Range[];
}

export class FakeDecorationType implements vscode.TextEditorDecorationType {
  static count = 0;
  readonly key = `decoration-${FakeDecorationType.count++}`;
  disposed = false;
  constructor(readonly options: vscode.DecorationRenderOptions) {}
  dispose(): void {
    this.disposed = true;
  }
}

export class FakeTextEditor implements vscode.TextEditor {
  selection: vscode.Selection = new FakeSelection(0, 0, 0, 0);
  readonly visibleRanges: readonly vscode.Range[] = [];
  readonly options: vscode.TextEditorOptions = {};
  readonly viewColumn = undefined;
  readonly decorations = new Map<string, RecordedDecoration>();
  revealed: vscode.Range | undefined;
  constructor(readonly document: vscode.TextDocument) {}
  get selections(): readonly vscode.Selection[] {
    return [this.selection];
  }
  edit(): Thenable<boolean> {
    return Promise.resolve(false);
  }
  insertSnippet(): Thenable<boolean> {
    return Promise.resolve(false);
  }
  setDecorations(type: vscode.TextEditorDecorationType, ranges: readonly vscode.Range[] | readonly vscode.DecorationOptions[]): void {
    const plain = (ranges as readonly (vscode.Range | vscode.DecorationOptions)[]).map((item) => ('range' in item ? item.range : item));
    this.decorations.set(type.key, { type: type as FakeDecorationType, ranges: plain });
  }
  revealRange(range: vscode.Range): void {
    this.revealed = range;
  }
  show(): void {}
  hide(): void {}
  /** Ranges currently shown for decorations created with `option` set. */
  rangesWith(option: keyof vscode.DecorationRenderOptions): readonly vscode.Range[] {
    return [...this.decorations.values()].filter((d) => d.type.options[option] !== undefined).flatMap((d) => d.ranges);
  }
}

export class FakeStatusBarItem implements vscode.StatusBarItem {
  readonly id = 'draftguard.status';
  readonly alignment = 1 as vscode.StatusBarAlignment.Left;
  readonly priority = 50;
  name: string | undefined;
  text = '';
  tooltip: string | vscode.MarkdownString | undefined;
  color: string | vscode.ThemeColor | undefined;
  backgroundColor: vscode.ThemeColor | undefined;
  command: string | vscode.Command | undefined;
  accessibilityInformation: vscode.AccessibilityInformation | undefined;
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

/** A `WorkspaceConfiguration` over a flat map of dotted keys. */
export class FakeConfiguration implements vscode.WorkspaceConfiguration {
  readonly updates: { key: string; value: unknown; target: unknown }[] = [];
  constructor(
    private readonly values: Record<string, unknown> = {},
    private readonly inspected: Record<string, { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }> = {},
  ) {}
  readonly [key: string]: unknown;
  get<T>(section: string, defaultValue?: T): T | undefined {
    return section in this.values ? (this.values[section] as T) : defaultValue;
  }
  has(section: string): boolean {
    return section in this.values;
  }
  inspect<T>(section: string): { key: string; globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined {
    return { key: section, ...(this.inspected[section] as { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined) };
  }
  update(section: string, value: unknown, target?: unknown): Thenable<void> {
    this.updates.push({ key: section, value, target });
    this.values[section] = value;
    return Promise.resolve();
  }
}

type MessageCall = { readonly level: 'info' | 'warning' | 'error'; readonly message: string; readonly items: readonly string[] };

/** The fake namespace; its members satisfy the `Pick<typeof vscode...>` slices the modules declare. */
export function createFakeVscode() {
  const messages: MessageCall[] = [];
  const quickPicks: { items: unknown[]; options: unknown }[] = [];
  const executed: { command: string; args: unknown[] }[] = [];
  const opened: vscode.Uri[] = [];
  const statusMessages: string[] = [];
  const quickPickAnswers: ((items: readonly unknown[]) => unknown)[] = [];
  const diagnostics = new Map<string, vscode.Diagnostic[]>();
  let configuration = new FakeConfiguration();

  const message =
    (level: MessageCall['level']) =>
    (text: string, ...rest: unknown[]): Thenable<undefined> => {
      const items = rest.filter((item): item is string => typeof item === 'string');
      messages.push({ level, message: text, items });
      return Promise.resolve(undefined);
    };

  const window = {
    activeTextEditor: undefined as vscode.TextEditor | undefined,
    visibleTextEditors: [] as readonly vscode.TextEditor[],
    createTextEditorDecorationType: (options: vscode.DecorationRenderOptions): vscode.TextEditorDecorationType => new FakeDecorationType(options),
    createStatusBarItem: ((): vscode.StatusBarItem => new FakeStatusBarItem()) as typeof vscode.window.createStatusBarItem,
    showInformationMessage: message('info') as typeof vscode.window.showInformationMessage,
    showWarningMessage: message('warning') as typeof vscode.window.showWarningMessage,
    showErrorMessage: message('error') as typeof vscode.window.showErrorMessage,
    showQuickPick: ((items: readonly unknown[] | Thenable<readonly unknown[]>, options?: unknown): Thenable<unknown> =>
      Promise.resolve(items).then((list) => {
        quickPicks.push({ items: [...list], options });
        const answer = quickPickAnswers.shift();
        return answer === undefined ? undefined : answer(list);
      })) as typeof vscode.window.showQuickPick,
    setStatusBarMessage: ((text: string) => {
      statusMessages.push(text);
      return { dispose: () => undefined };
    }) as typeof vscode.window.setStatusBarMessage,
    showTextDocument: ((document: vscode.TextDocument | vscode.Uri) => {
      opened.push('uri' in document ? document.uri : document);
      return Promise.resolve(new FakeTextEditor(document as vscode.TextDocument));
    }) as typeof vscode.window.showTextDocument,
  };

  const fake = {
    window,
    workspace: {
      workspaceFolders: undefined as readonly vscode.WorkspaceFolder[] | undefined,
      getConfiguration: ((): vscode.WorkspaceConfiguration => configuration) as typeof vscode.workspace.getConfiguration,
      openTextDocument: ((uri?: vscode.Uri | string | object) =>
        Promise.resolve(new FakeTextDocument(uri instanceof FakeUri ? uri : FakeUri.parse('untitled:doc'), ''))) as typeof vscode.workspace.openTextDocument,
    },
    commands: {
      executeCommand: <T>(command: string, ...args: unknown[]): Thenable<T> => {
        executed.push({ command, args });
        return Promise.resolve(undefined as T);
      },
    },
    languages: {
      getDiagnostics: ((uri: vscode.Uri) => diagnostics.get(uri.toString()) ?? []) as typeof vscode.languages.getDiagnostics,
    },
    env: {
      openExternal: (target: vscode.Uri): Thenable<boolean> => {
        opened.push(target);
        return Promise.resolve(true);
      },
    },
    Uri: FakeUri,
    Range: FakeRange,
    Position: FakePosition,
    Selection: FakeSelection,
    ThemeColor: FakeThemeColor as typeof vscode.ThemeColor,
    OverviewRulerLane: { Left: 1, Center: 2, Right: 4, Full: 7 } as typeof vscode.OverviewRulerLane,
    DecorationRangeBehavior: { OpenOpen: 0, ClosedClosed: 1, OpenClosed: 2, ClosedOpen: 3 } as typeof vscode.DecorationRangeBehavior,
    StatusBarAlignment: { Left: 1, Right: 2 } as typeof vscode.StatusBarAlignment,
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 } as typeof vscode.ConfigurationTarget,
    TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 } as typeof vscode.TextEditorRevealType,
    // Test controls
    recorded: { messages, quickPicks, executed, opened, statusMessages },
    answerQuickPick(choose: (items: readonly unknown[]) => unknown): void {
      quickPickAnswers.push(choose);
    },
    setDiagnostics(uri: vscode.Uri, list: vscode.Diagnostic[]): void {
      diagnostics.set(uri.toString(), list);
    },
    setConfiguration(config: FakeConfiguration): void {
      configuration = config;
    },
  };
  return fake;
}

export type FakeVscode = ReturnType<typeof createFakeVscode>;

/** An editor showing `text` at `uri`, registered as active and visible. */
export function openEditor(fake: FakeVscode, uri: string, text: string, languageId = 'python'): FakeTextEditor {
  const editor = new FakeTextEditor(new FakeTextDocument(FakeUri.parse(uri), text, languageId));
  fake.window.activeTextEditor = editor;
  fake.window.visibleTextEditors = [...fake.window.visibleTextEditors, editor];
  return editor;
}
