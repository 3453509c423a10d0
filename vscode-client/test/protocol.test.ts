import { strict as assert } from 'assert';
import { isMethodNotFound, needsReview, parseRange, parseRegions } from '../src/protocol';

const range = { start: { line: 2, character: 0 }, end: { line: 5, character: 4 } };

describe('protocol: parsing draftguard/regions answers', () => {
  it('accepts a bare list and {regions: [...]}', () => {
    const region = { range, source: 'bulk-insert', state: 'unreviewed' };
    assert.equal(parseRegions([region]).length, 1);
    assert.equal(parseRegions({ regions: [region] }).length, 1);
    assert.deepEqual(parseRegions(null), []);
    assert.deepEqual(parseRegions({ something: 'else' }), []);
  });

  it('reads provenance from `source`, a `provenance` string or a `provenance` object', () => {
    const [a, b, c] = parseRegions([
      { range, source: 'client', state: 'reviewed' },
      { range, provenance: 'marker' },
      { range, provenance: { source: 'agent-trace', model: 'gpt-x', time: '2025-01-01T00:00:00Z' }, review: { reviewer: 'ana', time: 't' } },
    ]);
    assert.equal(a?.source, 'client');
    assert.equal(b?.source, 'marker');
    assert.equal(b?.state, 'unreviewed', 'a region without a state needs review');
    assert.equal(c?.source, 'agent-trace');
    assert.equal(c?.model, 'gpt-x');
    assert.equal(c?.createdAt, '2025-01-01T00:00:00Z');
    assert.equal(c?.reviewedBy, 'ana');
  });

  it('reads the server\'s answer shape: provenance kind, free-text source, counted', () => {
    const answer = {
      uri: 'file:///w/app.py',
      version: 3,
      scope: 'aiRegions',
      regions: [
        { id: 7, range, provenance: 'bulk-insert', state: 'unreviewed', mixed: false, counted: true, createdAt: '2025-11-25T20:00:00Z', source: 'editor extension', model: null, detail: 'x', hash: 'h' },
        { id: 8, range, provenance: 'uncommitted', state: 'unreviewed', mixed: false, counted: false, source: 'git' },
        { id: 9, range, provenance: 'marker', state: 'reviewed', mixed: false, counted: false, reviewedBy: 'ana', reviewedAt: 't' },
      ],
    };
    const [bulk, uncommitted, reviewed] = parseRegions(answer);
    assert.deepEqual(bulk, { id: '7', range, source: 'bulk-insert', origin: 'editor extension', state: 'unreviewed', mixed: false, counted: true, createdAt: '2025-11-25T20:00:00Z' });
    assert.equal(needsReview(bulk), true);
    assert.equal(needsReview(uncommitted!), false, 'not counted in this scope (uncommitted lines outside `changed`)');
    assert.equal(reviewed?.reviewedBy, 'ana');
    assert.equal(needsReview(reviewed), false);
  });

  it('drops regions whose range is missing, negative, fractional or reversed', () => {
    const bad = [
      { source: 'x' },
      { range: { start: { line: -1, character: 0 }, end: { line: 1, character: 0 } } },
      { range: { start: { line: 1.5, character: 0 }, end: { line: 2, character: 0 } } },
      { range: { start: { line: 4, character: 0 }, end: { line: 1, character: 0 } } },
      'not an object',
    ];
    assert.deepEqual(parseRegions(bad), []);
    assert.equal(parseRange({ start: { line: 1, character: 2 }, end: { line: 1, character: 2 } })?.start.character, 2);
  });

  it('treats `mixed` as an unreviewed region edited by a human', () => {
    const [region] = parseRegions([{ range, source: 'bulk-insert', state: 'mixed' }]);
    assert.equal(region?.mixed, true);
    assert.equal(region?.state, 'unreviewed');
    assert.equal(needsReview(region), true);
  });

  it('a modified-after-review region needs review again; a reviewed one does not', () => {
    const [modified, reviewed] = parseRegions([
      { range, source: 's', state: 'modified-after-review' },
      { range, source: 's', state: 'reviewed' },
    ]);
    assert.equal(needsReview(modified!), true);
    assert.equal(needsReview(reviewed!), false);
  });

  it('recognises JSON-RPC method-not-found errors only', () => {
    assert.equal(isMethodNotFound({ code: -32601, message: 'Unhandled method' }), true);
    assert.equal(isMethodNotFound({ code: -32603 }), false);
    assert.equal(isMethodNotFound(new Error('x')), false);
  });
});
