import { strict as assert } from 'assert';
import { aiRegionNotifications, detailedReasonOf, insertedSpans } from '../src/aiEdits';
import { FakeTextDocument, FakeUri } from './fakeVscode';

describe('aiEdits: telling the server what the AI wrote', () => {
  it('shifts each change by the changes before it (all are reported against the old text)', () => {
    // old "abcdef": replace "b" (1,1) with "XYZ", insert "!!" at 4; reported in reverse order like VS Code does
    assert.deepEqual(
      insertedSpans([
        { rangeOffset: 4, rangeLength: 0, text: '!!' },
        { rangeOffset: 1, rangeLength: 1, text: 'XYZ' },
      ]),
      [
        { start: 1, end: 4 },
        { start: 6, end: 8 },
      ],
    );
    assert.deepEqual(insertedSpans([{ rangeOffset: 3, rangeLength: 5, text: '' }]), [], 'deletions insert nothing');
  });

  it('marks an accepted inline completion and a chat edit, with the model when known', () => {
    const document = new FakeTextDocument(FakeUri.parse('file:///w/app.py'), 'def f():\n    return 1\n');
    const inline = aiRegionNotifications({
      document,
      contentChanges: [{ range: undefined as never, rangeOffset: 9, rangeLength: 0, text: '    return 1\n' }],
      detailedReason: { source: 'inlineCompletionAccept', metadata: { $extensionId: 'GitHub.copilot' } },
    } as never);
    assert.deepEqual(inline, [{ uri: 'file:///w/app.py', range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, source: 'inline-completion', version: 1 }]);
    const chat = aiRegionNotifications({
      document,
      contentChanges: [{ range: undefined as never, rangeOffset: 0, rangeLength: 0, text: 'def f():\n' }],
      detailedReason: { source: 'Chat.applyEdits', metadata: { $modelId: 'claude-sonnet' } },
    } as never);
    assert.equal(chat[0]?.source, 'chat-edit');
    assert.equal(chat[0]?.model, 'claude-sonnet');
  });

  it('sends nothing for typing, pastes, undo or a VS Code without the proposal', () => {
    const document = new FakeTextDocument(FakeUri.parse('file:///w/app.py'), 'x = 1\n');
    const change = [{ range: undefined as never, rangeOffset: 0, rangeLength: 0, text: 'x = 1\n' }];
    assert.deepEqual(aiRegionNotifications({ document, contentChanges: change }), []);
    assert.deepEqual(aiRegionNotifications({ document, contentChanges: change, reason: 1 } as never), []);
    assert.deepEqual(aiRegionNotifications({ document, contentChanges: change, detailedReason: { source: 'cursor', metadata: { kind: 'type' } } } as never), []);
    assert.deepEqual(aiRegionNotifications({ document, contentChanges: change, detailedReason: undefined } as never), []);
  });

  it('survives a guarded property that throws', () => {
    const event = Object.defineProperty({}, 'detailedReason', {
      get() {
        throw new Error('proposed API textDocumentChangeReason is not enabled');
      },
    });
    assert.equal(detailedReasonOf(event), undefined);
  });
});
