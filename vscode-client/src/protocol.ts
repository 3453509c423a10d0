/**
 * The custom part of the draftguard protocol, as plain LSP-shaped data.
 *
 * Defined by issue 3 (server side):
 * - notification `draftguard/markAiRegion` `{uri, range, source, model?}`:
 *   the editor knows an AI inserted this text;
 * - request `draftguard/regions` `{uri}`: the AI regions of a document with
 *   provenance and review state;
 * - command `draftguard.markReviewed` `(uri, range)`.
 *
 * Responses are parsed defensively: a region without a usable range is
 * dropped, unknown fields are ignored, and both a bare array and
 * `{regions: [...]}` are accepted, so a server a version ahead or behind the
 * extension degrades to fewer decorations instead of an exception.
 */

export interface LspPosition {
  readonly line: number;
  readonly character: number;
}

export interface LspRange {
  readonly start: LspPosition;
  readonly end: LspPosition;
}

export type RegionState = 'unreviewed' | 'reviewed' | 'modified-after-review' | (string & {});

export interface AiRegion {
  readonly id?: string;
  readonly range: LspRange;
  /** Provenance: bulk-insert, client, marker, agent-trace, uncommitted... */
  readonly source: string;
  readonly state: RegionState;
  /** The server's verdict: this region counts as unreviewed in the current scope. */
  readonly counted?: boolean;
  /** Free-text origin the server recorded (the tool, "git", "comment marker"...). */
  readonly origin?: string;
  /** A human edited text inside the region after it was inserted. */
  readonly mixed: boolean;
  readonly model?: string;
  readonly createdAt?: string;
  readonly reviewedBy?: string;
  readonly reviewedAt?: string;
}

export interface MarkAiRegionParams {
  readonly uri: string;
  readonly range: LspRange;
  readonly source: string;
  readonly model?: string;
  /** Document version the range refers to; the server ignores stale ranges. */
  readonly version?: number;
}

export interface RegionsParams {
  readonly uri: string;
}

/**
 * A region wants a human look when the server counts it (unreviewed and of a
 * provenance the current scope covers); without that field, unless reviewed.
 */
export function needsReview(region: AiRegion): boolean {
  return region.counted ?? region.state !== 'reviewed';
}

export function parseRegions(result: unknown): AiRegion[] {
  const list = Array.isArray(result) ? result : isRecord(result) && Array.isArray(result['regions']) ? result['regions'] : [];
  const regions: AiRegion[] = [];
  for (const item of list as unknown[]) {
    const region = parseRegion(item);
    if (region !== undefined) {
      regions.push(region);
    }
  }
  return regions;
}

function parseRegion(item: unknown): AiRegion | undefined {
  if (!isRecord(item)) {
    return undefined;
  }
  const range = parseRange(item['range']);
  if (range === undefined) {
    return undefined;
  }
  const provenance = item['provenance'];
  const provenanceRecord = isRecord(provenance) ? provenance : undefined;
  const source =
    (typeof provenance === 'string' && provenance.length > 0 ? provenance : undefined) ??
    (provenanceRecord !== undefined ? stringField(provenanceRecord, 'source') ?? stringField(provenanceRecord, 'kind') : undefined) ??
    stringField(item, 'source') ??
    'unknown';
  const review = isRecord(item['review']) ? item['review'] : undefined;
  const state = stringField(item, 'state') ?? 'unreviewed';
  const mixed = item['mixed'] === true || state === 'mixed';
  const optional: { -readonly [K in 'id' | 'model' | 'createdAt' | 'reviewedBy' | 'reviewedAt' | 'origin']?: string } & { counted?: boolean } = {};
  if (typeof item['counted'] === 'boolean') {
    optional.counted = item['counted'];
  }
  const origin = typeof provenance === 'string' ? stringField(item, 'source') : undefined;
  if (origin !== undefined && origin !== source) {
    optional.origin = origin;
  }
  const id = item['id'];
  if (typeof id === 'string' || typeof id === 'number') {
    optional.id = String(id);
  }
  const model = stringField(item, 'model') ?? (provenanceRecord !== undefined ? stringField(provenanceRecord, 'model') : undefined);
  if (model !== undefined) {
    optional.model = model;
  }
  const createdAt = stringField(item, 'createdAt') ?? stringField(item, 'created') ?? (provenanceRecord !== undefined ? stringField(provenanceRecord, 'time') : undefined);
  if (createdAt !== undefined) {
    optional.createdAt = createdAt;
  }
  const reviewedBy = stringField(item, 'reviewedBy') ?? stringField(item, 'reviewer') ?? (review !== undefined ? stringField(review, 'reviewer') : undefined);
  if (reviewedBy !== undefined) {
    optional.reviewedBy = reviewedBy;
  }
  const reviewedAt = stringField(item, 'reviewedAt') ?? (review !== undefined ? stringField(review, 'time') : undefined);
  if (reviewedAt !== undefined) {
    optional.reviewedAt = reviewedAt;
  }
  return { range, source, state: state === 'mixed' ? 'unreviewed' : state, mixed, ...optional };
}

export function parseRange(value: unknown): LspRange | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const start = parsePosition(value['start']);
  const end = parsePosition(value['end']);
  if (start === undefined || end === undefined || comparePositions(start, end) > 0) {
    return undefined;
  }
  return { start, end };
}

function parsePosition(value: unknown): LspPosition | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const line = value['line'];
  const character = value['character'];
  if (!isNonNegativeInt(line) || !isNonNegativeInt(character)) {
    return undefined;
  }
  return { line, character };
}

export function comparePositions(a: LspPosition, b: LspPosition): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function rangeContains(range: LspRange, position: LspPosition): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

/** A JSON-RPC "method not found": the server predates this feature. */
export function isMethodNotFound(error: unknown): boolean {
  return isRecord(error) && error['code'] === -32601;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
