/**
 * Unreviewed AI regions on screen: a tinted background, a gutter bar and an
 * overview-ruler mark on every line an AI inserted that no human has marked
 * reviewed yet.
 *
 * Regions come from the server's `draftguard/regions` request. They are
 * fetched again after every diagnostics publication for a visible document
 * (the server publishes after each change, and regions move with edits), with
 * at most one request in flight per document: a change that arrives while a
 * request is pending schedules exactly one more, so typing never queues up a
 * backlog. Between two answers VS Code moves the decorations with the text
 * itself. A server without the request (JSON-RPC "method not found") switches
 * the feature off until the next restart.
 *
 * The hover on region lines comes from the server, so decorations carry none.
 */
import type * as vscode from 'vscode';
import { COLORS } from './constants';
import { type AiRegion, type LspPosition, type LspRange, comparePositions, isMethodNotFound, needsReview, parseRegions, rangeContains } from './protocol';

// ---------------------------------------------------------------------------
// Pure geometry

/** 0-based first and last line a region covers; an end at column 0 of a later line does not count that line. */
export function regionLineSpan(range: LspRange): { first: number; last: number } {
  const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
  return { first: range.start.line, last };
}

export interface DecorationPlan {
  /** Whole-line ranges to tint, one per unreviewed region. */
  readonly background: LspRange[];
  /** One empty range per line for the gutter bar (a gutter icon is drawn per range). */
  readonly gutter: LspRange[];
}

/** Largest number of gutter marks per document: a 50,000-line paste still renders. */
export const MAX_GUTTER_LINES = 5_000;

export function decorationPlan(regions: readonly AiRegion[]): DecorationPlan {
  const background: LspRange[] = [];
  const lines = new Set<number>();
  for (const region of regions) {
    if (!needsReview(region)) {
      continue;
    }
    const { first, last } = regionLineSpan(region.range);
    background.push({ start: { line: first, character: 0 }, end: { line: last, character: 0 } });
    for (let line = first; line <= last && lines.size < MAX_GUTTER_LINES; line++) {
      lines.add(line);
    }
  }
  const gutter = [...lines].sort((a, b) => a - b).map((line) => ({ start: { line, character: 0 }, end: { line, character: 0 } }));
  return { background, gutter };
}

/** 1-based line numbers inside unreviewed regions: the `editorLineNumber in ...` context key. */
export function unreviewedLineNumbers(regions: readonly AiRegion[]): number[] {
  return decorationPlan(regions).gutter.map((range) => range.start.line + 1);
}

export function unreviewedRegions(regions: readonly AiRegion[]): AiRegion[] {
  return regions.filter(needsReview);
}

/** The unreviewed region under a position, the innermost (latest-starting) if they nest. */
export function regionAt(regions: readonly AiRegion[], position: LspPosition): AiRegion | undefined {
  const hits = regions.filter((region) => needsReview(region) && rangeContains(region.range, position));
  return hits.sort((a, b) => comparePositions(b.range.start, a.range.start))[0];
}

/** The unreviewed region covering a 0-based line (as the gutter menu reports it). */
export function regionAtLine(regions: readonly AiRegion[], line: number): AiRegion | undefined {
  const hits = regions.filter((region) => {
    if (!needsReview(region)) {
      return false;
    }
    const span = regionLineSpan(region.range);
    return span.first <= line && line <= span.last;
  });
  return hits.sort((a, b) => comparePositions(b.range.start, a.range.start))[0];
}

/** One line describing a region, for quick picks and messages. */
export function regionLabel(region: AiRegion): string {
  const { first, last } = regionLineSpan(region.range);
  const lines = first === last ? `Line ${first + 1}` : `Lines ${first + 1}-${last + 1}`;
  const details = [region.source, region.model ?? region.origin, region.mixed ? 'edited by a human since' : undefined].filter((part) => part !== undefined);
  return `${lines} · ${details.join(' · ')} · ${region.state}`;
}

// ---------------------------------------------------------------------------
// Decorations in the editor

export interface RegionsHost {
  readonly window: Pick<typeof vscode.window, 'createTextEditorDecorationType' | 'visibleTextEditors'>;
  readonly Range: typeof vscode.Range;
  readonly ThemeColor: typeof vscode.ThemeColor;
  readonly OverviewRulerLane: typeof vscode.OverviewRulerLane;
  readonly DecorationRangeBehavior: typeof vscode.DecorationRangeBehavior;
}

export type DecoratedEditor = Pick<vscode.TextEditor, 'setDecorations'> & { readonly document: Pick<vscode.TextDocument, 'uri'> };

export class RegionDecorations {
  private readonly background: vscode.TextEditorDecorationType;
  private readonly gutter: vscode.TextEditorDecorationType;
  private readonly regionsByUri = new Map<string, AiRegion[]>();

  constructor(private readonly host: RegionsHost, gutterIcon: vscode.Uri) {
    this.background = host.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new host.ThemeColor(COLORS.regionBackground),
      overviewRulerColor: new host.ThemeColor(COLORS.regionOverviewRuler),
      overviewRulerLane: host.OverviewRulerLane.Left,
      rangeBehavior: host.DecorationRangeBehavior.ClosedClosed,
    });
    this.gutter = host.window.createTextEditorDecorationType({
      gutterIconPath: gutterIcon,
      gutterIconSize: 'contain',
      rangeBehavior: host.DecorationRangeBehavior.ClosedClosed,
    });
  }

  regions(uri: string): readonly AiRegion[] {
    return this.regionsByUri.get(uri) ?? [];
  }

  set(uri: string, regions: AiRegion[]): void {
    this.regionsByUri.set(uri, regions);
    this.render(this.host.window.visibleTextEditors.filter((editor) => editor.document.uri.toString() === uri));
  }

  forget(uri: string): void {
    this.set(uri, []);
    this.regionsByUri.delete(uri);
  }

  clearAll(): void {
    for (const uri of [...this.regionsByUri.keys()]) {
      this.forget(uri);
    }
  }

  render(editors: readonly DecoratedEditor[]): void {
    for (const editor of editors) {
      const plan = decorationPlan(this.regions(editor.document.uri.toString()));
      editor.setDecorations(this.background, plan.background.map((range) => this.toRange(range)));
      editor.setDecorations(this.gutter, plan.gutter.map((range) => this.toRange(range)));
    }
  }

  dispose(): void {
    this.background.dispose();
    this.gutter.dispose();
  }

  private toRange(range: LspRange): vscode.Range {
    return new this.host.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  }
}

// ---------------------------------------------------------------------------
// Fetching

export type RegionsRequest = (uri: string) => Promise<unknown>;

/**
 * Fetches regions per document with at most one request in flight and at
 * most one queued behind it.
 */
export class RegionFetcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();
  private supported = true;

  constructor(
    private readonly request: RegionsRequest,
    private readonly onRegions: (uri: string, regions: AiRegion[]) => void,
    private readonly log: (message: string) => void,
  ) {}

  get isSupported(): boolean {
    return this.supported;
  }

  /** Ask for the regions of `uri`; resolves once an answer newer than this call arrived. */
  refresh(uri: string): Promise<void> {
    if (!this.supported) {
      return Promise.resolve();
    }
    const pending = this.inFlight.get(uri);
    if (pending !== undefined) {
      let queued = this.queued.get(uri);
      if (queued === undefined) {
        queued = pending.then(() => {
          this.queued.delete(uri);
          return this.refresh(uri);
        });
        this.queued.set(uri, queued);
      }
      return queued;
    }
    const run = this.fetch(uri).finally(() => this.inFlight.delete(uri));
    this.inFlight.set(uri, run);
    return run;
  }

  /** A new server may support the request again. */
  reset(): void {
    this.supported = true;
  }

  private async fetch(uri: string): Promise<void> {
    try {
      const result = await this.request(uri);
      this.onRegions(uri, parseRegions(result));
    } catch (error) {
      if (isMethodNotFound(error)) {
        this.supported = false;
        this.log('The draftguard server does not answer draftguard/regions (an older draftguard package): AI-region decorations are off.');
        return;
      }
      this.log(`draftguard/regions failed for ${uri}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
