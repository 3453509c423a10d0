import { strict as assert } from 'assert';
import type { AiRegion } from '../src/protocol';
import {
  MAX_GUTTER_LINES,
  RegionDecorations,
  RegionFetcher,
  decorationPlan,
  regionAt,
  regionAtLine,
  regionLabel,
  regionLineSpan,
  unreviewedLineNumbers,
} from '../src/regions';
import { FakeUri, createFakeVscode, openEditor } from './fakeVscode';
import { RpcError } from './helpers';

function region(startLine: number, startChar: number, endLine: number, endChar: number, state = 'unreviewed', source = 'bulk-insert'): AiRegion {
  return { range: { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } }, source, state, mixed: false };
}

describe('regions: regions to decoration ranges', () => {
  it('a region ending at column 0 does not cover that last line', () => {
    assert.deepEqual(regionLineSpan(region(3, 4, 6, 0).range), { first: 3, last: 5 });
    assert.deepEqual(regionLineSpan(region(3, 4, 6, 2).range), { first: 3, last: 6 });
    assert.deepEqual(regionLineSpan(region(3, 0, 3, 0).range), { first: 3, last: 3 });
  });

  it('tints whole lines of unreviewed regions and marks each of their lines in the gutter', () => {
    const plan = decorationPlan([region(1, 2, 3, 0), region(10, 0, 10, 5, 'reviewed'), region(2, 0, 4, 1, 'modified-after-review')]);
    assert.deepEqual(plan.background, [
      { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
      { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } },
    ]);
    assert.deepEqual(
      plan.gutter.map((r) => r.start.line),
      [1, 2, 3, 4],
      'overlapping regions mark a line once; the reviewed region is not drawn',
    );
    assert.deepEqual(unreviewedLineNumbers([region(1, 2, 3, 0)]), [2, 3], 'context key lines are 1-based like editorLineNumber');
  });

  it('caps gutter marks for enormous regions', () => {
    assert.equal(decorationPlan([region(0, 0, 80_000, 0)]).gutter.length, MAX_GUTTER_LINES);
  });

  it('finds the innermost unreviewed region under a position or line', () => {
    const outer = region(0, 0, 20, 0);
    const inner = region(5, 0, 8, 3);
    const reviewed = region(6, 0, 7, 0, 'reviewed');
    const regions = [outer, inner, reviewed];
    assert.equal(regionAt(regions, { line: 6, character: 1 }), inner);
    assert.equal(regionAt(regions, { line: 15, character: 0 }), outer);
    assert.equal(regionAt(regions, { line: 25, character: 0 }), undefined);
    assert.equal(regionAtLine(regions, 8), inner);
    assert.equal(regionAtLine([region(0, 0, 3, 0)], 3), undefined, 'the line the region ends on at column 0 is outside');
  });

  it('labels a region with its lines, provenance and state', () => {
    assert.equal(regionLabel({ ...region(4, 0, 9, 0), model: 'gpt-4o', mixed: true }), 'Lines 5-9 · bulk-insert · gpt-4o · edited by a human since · unreviewed');
    assert.equal(regionLabel(region(0, 0, 0, 9, 'reviewed', 'marker')), 'Line 1 · marker · reviewed');
  });

  it('draws the decorations on every visible editor of the document, and clears them', () => {
    const fake = createFakeVscode();
    const editor = openEditor(fake, 'file:///w/app.py', 'a\nb\nc\nd\n');
    const other = openEditor(fake, 'file:///w/other.py', 'x\n');
    const decorations = new RegionDecorations(fake, FakeUri.file('/ext/media/ai-region.svg'));
    decorations.set('file:///w/app.py', [region(1, 0, 3, 0)]);
    assert.deepEqual(editor.rangesWith('backgroundColor').map((r) => [r.start.line, r.end.line]), [[1, 2]]);
    assert.deepEqual(editor.rangesWith('gutterIconPath').map((r) => r.start.line), [1, 2]);
    assert.equal(other.decorations.size, 0, 'another document is untouched');
    decorations.forget('file:///w/app.py');
    assert.equal(editor.rangesWith('backgroundColor').length, 0);
    assert.equal(editor.rangesWith('gutterIconPath').length, 0);
    decorations.dispose();
  });
});

describe('regions: fetching from the server', () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('keeps at most one request in flight and one queued per document', async () => {
    const pending: ReturnType<typeof deferred<unknown>>[] = [];
    const seen: number[] = [];
    const fetcher = new RegionFetcher(
      () => {
        const d = deferred<unknown>();
        pending.push(d);
        return d.promise;
      },
      (_uri, regions) => seen.push(regions.length),
      () => undefined,
    );
    const first = fetcher.refresh('file:///a.py');
    const second = fetcher.refresh('file:///a.py');
    const third = fetcher.refresh('file:///a.py');
    assert.equal(pending.length, 1, 'calls during a request do not start more requests');
    assert.equal(second, third, 'they share one queued follow-up');
    pending[0]!.resolve([]);
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pending.length, 2, 'exactly one follow-up request');
    pending[1]!.resolve([region(0, 0, 1, 0)]);
    await second;
    assert.deepEqual(seen, [0, 1]);
  });

  it('turns itself off on method-not-found and back on after reset', async () => {
    let calls = 0;
    const logs: string[] = [];
    const fetcher = new RegionFetcher(
      () => {
        calls++;
        return Promise.reject(new RpcError(-32601, 'Method Not Found'));
      },
      () => assert.fail('no regions expected'),
      (message) => logs.push(message),
    );
    await fetcher.refresh('file:///a.py');
    await fetcher.refresh('file:///a.py');
    assert.equal(calls, 1);
    assert.equal(fetcher.isSupported, false);
    assert.equal(logs.length, 1);
    fetcher.reset();
    assert.equal(fetcher.isSupported, true);
  });

  it('logs other failures and keeps going', async () => {
    const logs: string[] = [];
    let fail = true;
    const got: number[] = [];
    const fetcher = new RegionFetcher(
      () => (fail ? Promise.reject(new Error('server busy')) : Promise.resolve({ regions: [region(0, 0, 2, 0)] })),
      (_uri, regions) => got.push(regions.length),
      (message) => logs.push(message),
    );
    await fetcher.refresh('file:///a.py');
    fail = false;
    await fetcher.refresh('file:///a.py');
    assert.match(logs[0] ?? '', /server busy/);
    assert.deepEqual(got, [1]);
  });
});
