import { strict as assert } from 'assert';
import type * as vscode from 'vscode';
import {
  type CommandDeps,
  markRegionReviewed,
  openRuleDocumentation,
  reviewTarget,
  ruleIdsFor,
  scanSummary,
  scanWorkspace,
  showAiRegions,
  toggleScope,
} from '../src/commands';
import { SERVER_COMMANDS } from '../src/constants';
import type { AiRegion } from '../src/protocol';
import type { ClientLike } from '../src/server';
import { RpcError } from './helpers';
import { FakeConfiguration, FakeRange, FakeSelection, FakeUri, createFakeVscode, openEditor } from './fakeVscode';

const URI = 'file:///w/app.py';
const region = (first: number, last: number, state = 'unreviewed'): AiRegion => ({
  range: { start: { line: first, character: 0 }, end: { line: last, character: 5 } },
  source: 'bulk-insert',
  state,
  mixed: false,
});

function setup(regions: AiRegion[] = [region(2, 4), region(10, 12)], answer: (command: string, args: unknown[]) => unknown = () => null) {
  const fake = createFakeVscode();
  const requests: { method: string; params: { command: string; arguments: unknown[] } }[] = [];
  const client = {
    sendRequest: (method: string, params: { command: string; arguments: unknown[] }) => {
      requests.push({ method, params });
      try {
        return Promise.resolve(answer(params.command, params.arguments));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  } as unknown as ClientLike;
  const refreshed: string[] = [];
  const shownDocs: { ruleId: string; markdown: string }[] = [];
  const deps: CommandDeps = {
    host: fake,
    client: () => client,
    regions: () => regions,
    refreshRegions: (uri) => {
      refreshed.push(uri);
      return Promise.resolve();
    },
    regionsSupported: () => true,
    ruleDocs: {
      show: (ruleId, markdown) => {
        shownDocs.push({ ruleId, markdown });
        return Promise.resolve();
      },
    },
    log: () => undefined,
  };
  return { fake, deps, requests, refreshed, shownDocs };
}

describe('commands: mark AI region reviewed', () => {
  it('from the gutter: the 1-based line of the line-number menu picks the region', async () => {
    const { deps, requests, refreshed } = setup();
    assert.equal(await markRegionReviewed(deps, [{ lineNumber: 12, uri: FakeUri.parse(URI) }]), true);
    assert.deepEqual(requests[0], {
      method: 'workspace/executeCommand',
      params: { command: SERVER_COMMANDS.markReviewed, arguments: [URI, region(10, 12).range] },
    });
    assert.deepEqual(refreshed, [URI], 'decorations are refreshed after the review');
  });

  it('from the palette: the cursor picks the region', async () => {
    const { fake, deps, requests } = setup();
    const editor = openEditor(fake, URI, 'x\n'.repeat(20));
    editor.selection = new FakeSelection(3, 1, 3, 1);
    await markRegionReviewed(deps, []);
    assert.deepEqual(requests[0]?.params.arguments, [URI, region(2, 4).range]);
  });

  it('from a server code action: (uri, range) arguments', async () => {
    const { deps, requests } = setup();
    await markRegionReviewed(deps, [URI, { start: { line: 11, character: 0 }, end: { line: 11, character: 3 } }]);
    assert.deepEqual(requests[0]?.params.arguments, [URI, region(10, 12).range]);
  });

  it('outside any region it asks which one, and does nothing when cancelled', async () => {
    const { fake, deps, requests } = setup();
    openEditor(fake, URI, 'x\n'.repeat(20)).selection = new FakeSelection(7, 0, 7, 0);
    fake.answerQuickPick(() => undefined);
    assert.equal(await markRegionReviewed(deps, []), false);
    assert.equal(fake.recorded.quickPicks[0]?.items.length, 2);
    assert.equal(requests.length, 0);
    fake.answerQuickPick((items) => items[1]);
    assert.equal(await markRegionReviewed(deps, []), true);
    assert.deepEqual(requests[0]?.params.arguments, [URI, region(10, 12).range]);
  });

  it('reports the server\'s refusal (e.g. a corrupt review ledger) as one error', async () => {
    const { deps, fake } = setup(undefined, () => {
      throw new RpcError(-32603, '.draftguard/reviews.json is not valid JSON; fix or move it');
    });
    assert.equal(await markRegionReviewed(deps, [URI, region(2, 4).range]), false);
    assert.deepEqual(
      fake.recorded.messages.map((m) => m.level),
      ['error'],
    );
    assert.match(fake.recorded.messages[0]!.message, /reviews\.json is not valid JSON/);
  });

  it('says so when the file has no unreviewed region', async () => {
    const { fake, deps, requests } = setup([region(2, 4, 'reviewed')]);
    openEditor(fake, URI, 'x\n');
    assert.equal(await markRegionReviewed(deps, []), false);
    assert.equal(requests.length, 0);
    assert.match(fake.recorded.messages[0]!.message, /No unreviewed AI region/);
  });

  it('parses the argument shapes', () => {
    assert.deepEqual(reviewTarget([{ lineNumber: 1, uri: FakeUri.parse(URI) }], undefined), { kind: 'line', uri: URI, line: 0 });
    assert.deepEqual(reviewTarget([], undefined), { kind: 'none' });
  });
});

describe('commands: regions list, scope, scan, rule documentation', () => {
  it('lists regions (unreviewed first) and reveals the chosen one', async () => {
    const { fake, deps } = setup([region(10, 12, 'reviewed'), region(2, 4)]);
    const editor = openEditor(fake, URI, 'x\n'.repeat(20));
    fake.answerQuickPick((items) => items[1]);
    await showAiRegions(deps);
    const labels = (fake.recorded.quickPicks[0]!.items as { label: string }[]).map((item) => item.label);
    assert.deepEqual(labels, ['Lines 3-5 · bulk-insert · unreviewed', 'Lines 11-13 · bulk-insert · reviewed']);
    assert.equal(editor.revealed?.start.line, 10);
    assert.equal(editor.selection.start.line, 10);
  });

  it('switches the scope where it is configured', async () => {
    const { fake, deps } = setup();
    const config = new FakeConfiguration({ scope: 'aiRegions' }, { scope: { workspaceValue: 'aiRegions' } });
    fake.setConfiguration(config);
    fake.answerQuickPick((items) => items.find((item) => (item as { scope: string }).scope === 'all'));
    assert.equal(await toggleScope(deps), 'all');
    assert.deepEqual(config.updates, [{ key: 'scope', value: 'all', target: 2 }]);
  });

  it('runs the workspace scan without arguments (the configured scope) and summarises the answer', async () => {
    assert.equal(scanSummary({ files: 12, findings: 3, hidden: 0, skipped: 0, cancelled: false }), 'draftguard scanned 12 files: 3 findings shown in the Problems panel.');
    assert.equal(
      scanSummary({ files: 1, findings: 1, hidden: 4, skipped: 2, cancelled: true }),
      'Scan cancelled after 1 file: 1 finding shown in the Problems panel; 4 more outside the current scope ("draftguard: Change Scope" to see them); 2 files skipped.',
    );
    const run = setup(undefined, () => ({ files: 2, findings: 0, hidden: 0, skipped: 0, cancelled: false }));
    run.fake.workspace.workspaceFolders = [{ uri: FakeUri.parse('file:///w'), name: 'w', index: 0 }];
    await scanWorkspace(run.deps);
    assert.deepEqual(run.requests[0]?.params, { command: SERVER_COMMANDS.scanWorkspace, arguments: [] });
    assert.match(run.fake.recorded.statusMessages[0] ?? '', /scanning the workspace/);
    assert.equal(run.fake.recorded.messages[0]?.message, 'draftguard scanned 2 files: 0 findings shown in the Problems panel.');

    const old = setup(undefined, () => {
      throw new RpcError(-32601, 'Unknown command draftguard.scanWorkspace');
    });
    old.fake.workspace.workspaceFolders = [{ uri: FakeUri.parse('file:///w'), name: 'w', index: 0 }];
    await scanWorkspace(old.deps);
    assert.equal(old.fake.recorded.messages[0]?.level, 'warning');
    assert.match(old.fake.recorded.messages[0].message, /cannot scan a workspace yet/);
  });

  it('opens the rule under the cursor, falling back to its CWE link', async () => {
    const diagnostic = (code: string, line: number): vscode.Diagnostic =>
      ({ source: 'draftguard', code: { value: code, target: FakeUri.parse(`https://cwe.mitre.org/${code}`) }, range: new FakeRange(line, 0, line, 10), message: '', severity: 0 });
    assert.deepEqual(ruleIdsFor([diagnostic('A', 1), diagnostic('B', 3), diagnostic('A', 5)], { line: 3, character: 2 }), ['B']);
    assert.deepEqual(ruleIdsFor([diagnostic('A', 1), diagnostic('B', 3), diagnostic('A', 5)], { line: 9, character: 0 }), ['A', 'B']);

    const docs = setup(undefined, (command, args) => (command === SERVER_COMMANDS.ruleDocumentation ? `# ${String(args[0])}` : null));
    const editor = openEditor(docs.fake, URI, 'x\n'.repeat(10));
    docs.fake.setDiagnostics(editor.document.uri, [diagnostic('PY-SQLI-001', 3)]);
    editor.selection = new FakeSelection(3, 2, 3, 2);
    await openRuleDocumentation(docs.deps, []);
    assert.deepEqual(docs.shownDocs, [{ ruleId: 'PY-SQLI-001', markdown: '# PY-SQLI-001' }]);

    const old = setup(undefined, () => {
      throw new RpcError(-32601, 'no such command');
    });
    const oldEditor = openEditor(old.fake, URI, 'x\n');
    old.fake.setDiagnostics(oldEditor.document.uri, [diagnostic('PY-SQLI-001', 0)]);
    await openRuleDocumentation(old.deps, ['PY-SQLI-001']);
    assert.equal(old.fake.recorded.opened[0]?.toString(), 'https://cwe.mitre.org/PY-SQLI-001');
  });
});
