/**
 * Telling the server which text an AI wrote, as far as VS Code lets an
 * extension know.
 *
 * What VS Code exposes (checked against the API, see the README section
 * "What VS Code tells an extension about AI edits"):
 * - Stable API: `workspace.onDidChangeTextDocument` carries the content
 *   changes and `reason` = Undo | Redo | undefined. Nothing says whether a
 *   change came from typing, a paste, an accepted inline completion or a
 *   chat/agent edit. There is no event for accepting another extension's
 *   inline completion (microsoft/vscode#180577 open, #229538 closed as out of
 *   scope); `InlineCompletionItem.command` runs only for the items of the
 *   extension that provided them.
 * - Proposed API `textDocumentChangeReason`: the event gains
 *   `detailedReason = {source, metadata}`, where VS Code's edit sources are
 *   e.g. `inlineCompletionAccept`, `inlineCompletionPartialAccept`,
 *   `Chat.applyEdits` and `inlineChat.applyEdits` (with `$modelId` /
 *   `$extensionId` metadata). Proposed APIs are only delivered to extensions
 *   that list them in `enabledApiProposals`, which the Marketplace does not
 *   accept for published extensions.
 *
 * So this module reads `detailedReason` when it is present (a development
 * build with the proposal enabled, or once the API is finalised) and sends
 * `draftguard/markAiRegion` for the inserted text; otherwise it sends nothing
 * and the server's bulk-insert detection applies.
 *
 * The ranges are computed while the document is exactly in the state right
 * after the change (inside the language client's didChange middleware, before
 * the change is even sent), and the notification is sent after the didChange,
 * so the server reads them against the text it has.
 */
import type * as vscode from 'vscode';
import { type LspRange, type MarkAiRegionParams } from './protocol';

/** VS Code edit sources that mean "an AI produced this text", mapped to our provenance. */
export const AI_EDIT_SOURCES: Readonly<Record<string, string>> = {
  inlineCompletionAccept: 'inline-completion',
  inlineCompletionPartialAccept: 'inline-completion',
  'inline-completion': 'inline-completion',
  'Chat.applyEdits': 'chat-edit',
  'inlineChat.applyEdits': 'chat-edit',
  'chat-edit': 'chat-edit',
};

export interface DetailedReason {
  readonly source: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** `event.detailedReason` if this VS Code delivers it, else undefined (never throws). */
export function detailedReasonOf(event: unknown): DetailedReason | undefined {
  let value: unknown;
  try {
    value = (event as { detailedReason?: unknown }).detailedReason;
  } catch {
    return undefined; // a guarded proposed property may throw when the proposal is not enabled
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const source = (value as { source?: unknown }).source;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof source !== 'string') {
    return undefined;
  }
  return { source, metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {} };
}

export interface ContentChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

/**
 * Where each change's inserted text sits in the document *after* the event.
 * VS Code reports all changes of one event against the text before it, so a
 * change is shifted by the length difference of every change before it.
 * Returns [start, end) offsets of non-empty insertions, in document order.
 */
export function insertedSpans(changes: readonly ContentChange[]): { start: number; end: number }[] {
  const ordered = [...changes].sort((a, b) => a.rangeOffset - b.rangeOffset);
  const spans: { start: number; end: number }[] = [];
  let delta = 0;
  for (const change of ordered) {
    const start = change.rangeOffset + delta;
    if (change.text.length > 0) {
      spans.push({ start, end: start + change.text.length });
    }
    delta += change.text.length - change.rangeLength;
  }
  return spans;
}

export type ChangeEvent = Pick<vscode.TextDocumentChangeEvent, 'contentChanges'> & {
  readonly document: Pick<vscode.TextDocument, 'uri' | 'positionAt' | 'version'>;
};

/** The `draftguard/markAiRegion` notifications one change event calls for (maybe none). */
export function aiRegionNotifications(event: ChangeEvent): MarkAiRegionParams[] {
  const reason = detailedReasonOf(event);
  if (reason === undefined) {
    return [];
  }
  const source = AI_EDIT_SOURCES[reason.source];
  if (source === undefined) {
    return [];
  }
  const model = modelOf(reason.metadata);
  const uri = event.document.uri.toString();
  const version = event.document.version;
  return insertedSpans(event.contentChanges).map((span) => {
    const range = toLspRange(event.document.positionAt(span.start), event.document.positionAt(span.end));
    return model === undefined ? { uri, range, source, version } : { uri, range, source, model, version };
  });
}

function modelOf(metadata: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of ['$modelId', 'modelId', 'model']) {
    const value = metadata[key];
    if (typeof value === 'string' && value.length > 0) {
      return value;
    }
  }
  return undefined;
}

function toLspRange(start: vscode.Position, end: vscode.Position): LspRange {
  return { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } };
}
