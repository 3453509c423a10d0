/**
 * The wire contract with the real Python server, without VS Code: the same
 * launch command server.ts builds, the same payloads settings.ts builds, the
 * same custom requests the extension sends, spoken over stdio with
 * vscode-languageserver-protocol (what vscode-languageclient is built on).
 */
import { strict as assert } from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  type ProtocolConnection,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { METHODS, SERVER_COMMANDS } from '../src/constants';
import { aiRegionNotifications } from '../src/aiEdits';
import { type AiRegion, isMethodNotFound, needsReview, parseRegions } from '../src/protocol';
import { probeInterpreter, processRunner } from '../src/python';
import { serverExecutable } from '../src/server';
import { DEFAULTS, didChangeConfigurationParams, toServerOptions } from '../src/settings';
import { FakeRange, FakeTextDocument, FakeUri } from './fakeVscode';
import { NO_PYTHON, projectPython, tempDir } from './helpers';

const VULNERABLE = [
  'import sqlite3',
  '',
  'def get_user(conn, user_id):',
  '    cur = conn.cursor()',
  '    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")',
  '    return cur.fetchone()',
  '',
].join('\n');

describe('real server over stdio: the wire contract', function () {
  this.timeout(120_000);
  const python = projectPython();
  let workspace: string;
  let child: ChildProcess | undefined;
  let connection: ProtocolConnection | undefined;
  const logs: string[] = [];
  const diagnostics: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  let configurationRequests = 0;

  function nextDiagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}: ${JSON.stringify(diagnostics.filter((p) => p.uri === uri).map((p) => [p.version, p.diagnostics.length]))}; logs:\n${logs.join("\n")}`)), 15_000);
      const check = (): boolean => {
        const found = diagnostics.find((params) => params.uri === uri && accept(params));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      const wait = (): void => {
        if (!check()) {
          waiters.push(wait);
        }
      };
      wait();
    });
  }

  before(async function () {
    if (python === undefined) {
      console.log(`      (skipped: ${NO_PYTHON})`);
      this.skip();
    }
    workspace = tempDir('workspace');
    // A hostile module in the workspace: the server must not import it.
    fs.mkdirSync(path.join(workspace, 'draftguard'));
    fs.writeFileSync(path.join(workspace, 'draftguard', '__init__.py'), 'raise SystemExit("imported from the workspace")\n');
    const probe = await probeInterpreter({ command: [python], source: 'setting' }, processRunner(workspace));
    assert.ok(probe.ok, probe.ok ? '' : probe.problem.detail);
    const executable = serverExecutable(probe.interpreter, workspace, process.env);
    child = spawn(executable.command, executable.args ?? [], { cwd: executable.options?.cwd, env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(`stderr: ${chunk.toString()}`));
    connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.onNotification(LogMessageNotification.type, (params) => logs.push(params.message));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      diagnostics.push(params);
      waiters.splice(0).forEach((waiter) => waiter());
    });
    // What the extension's configuration middleware answers.
    connection.onRequest(ConfigurationRequest.type, (params) => {
      configurationRequests++;
      return params.items.map((item) => (item.section === 'draftguard' ? toServerOptions({ ...DEFAULTS, scope: 'all' }) : null));
    });
    connection.listen();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: `file://${workspace}`,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } } },
      initializationOptions: toServerOptions({ ...DEFAULTS, scope: 'all' }),
      workspaceFolders: null,
    });
    assert.equal(result.serverInfo?.name, 'draftguard');
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    if (connection !== undefined) {
      await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
      await connection.sendNotification(ExitNotification.type).catch(() => undefined);
      connection.dispose();
    }
    child?.kill();
    if (workspace !== undefined) {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('starts from the command server.ts builds, in a workspace holding a fake draftguard package', () => {
    assert.equal(child?.exitCode, null, logs.join('\n'));
  });

  it('publishes a finding for an opened document (scope all via initializationOptions)', async () => {
    const uri = `file://${workspace}/app.py`;
    await connection!.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: VULNERABLE } });
    const published = await nextDiagnostics(uri, (params) => params.diagnostics.length > 0);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.source, d.range.start.line]),
      [['PY-SQLI-001', 'draftguard', 4]],
    );
  });

  it('accepts the didChangeConfiguration payload: disabling the rule clears the finding, with no settings warning', async () => {
    const uri = `file://${workspace}/app.py`;
    const before = diagnostics.length;
    await connection!.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams({ ...DEFAULTS, scope: 'all', rulesDisabled: ['PY-SQLI-001'] }));
    await nextDiagnostics(uri, (params) => diagnostics.indexOf(params) >= before && params.diagnostics.length === 0);
    await connection!.sendNotification(
      DidChangeConfigurationNotification.type,
      didChangeConfigurationParams({ ...DEFAULTS, scope: 'all', bulkInsertLines: 3, bulkInsertCharacters: 80, severityOverrides: { 'PY-SQLI-001': 'critical' } }),
    );
    await nextDiagnostics(uri, (params) => params.diagnostics.length > 0 && diagnostics.indexOf(params) > before);
    assert.deepEqual(
      logs.filter((line) => line.startsWith('configuration:')),
      [],
      'every key the extension sends is understood by server/settings.py',
    );
    assert.ok(configurationRequests >= 1, 'the server asked workspace/configuration, which the extension answers');
  });

  it('answers draftguard/regions with regions the extension can parse, or says the method is unknown', async () => {
    const uri = `file://${workspace}/app.py`;
    try {
      const result = await connection!.sendRequest(METHODS.regions, { uri });
      assert.ok(Array.isArray(result) || (typeof result === 'object' && result !== null), `unexpected answer ${JSON.stringify(result)}`);
      parseRegions(result);
    } catch (error) {
      assert.ok(isMethodNotFound(error), `draftguard/regions failed: ${String(error)}`);
    }
  });

  it('regions: a bulk insert, the extension\'s markAiRegion and markReviewed round-trip (when the server tracks regions)', async function () {
    const uri = `file://${workspace}/regions.py`;
    const regionsOf = async (): Promise<AiRegion[]> => parseRegions(await connection!.sendRequest(METHODS.regions, { uri }));
    try {
      await connection!.sendRequest(METHODS.regions, { uri });
    } catch (error) {
      if (isMethodNotFound(error)) {
        console.log('      (this draftguard server has no draftguard/regions yet)');
        this.skip();
      }
      throw error;
    }
    const header = 'import sqlite3\n\n';
    await connection!.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: header } });
    const body = VULNERABLE.split('\n').slice(2).join('\n');
    await connection!.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: body }],
    });
    await nextDiagnostics(uri, (params) => params.version === 2);
    const bulk = (await regionsOf()).filter(needsReview);
    assert.deepEqual(bulk.map((region) => region.source), ['bulk-insert'], JSON.stringify(bulk));

    // What the extension sends for an accepted inline completion (detailedReason present).
    const document = new FakeTextDocument(FakeUri.parse(uri), header + body + '# ai\n');
    document.version = 3;
    await connection!.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '# ai\n' }],
    });
    const marks = aiRegionNotifications({
      document,
      contentChanges: [{ range: new FakeRange(6, 0, 6, 0), rangeOffset: (header + body).length, rangeLength: 0, text: '# ai\n' }],
      detailedReason: { source: 'inlineCompletionAccept', metadata: { $modelId: 'test-model' } },
    } as unknown as Parameters<typeof aiRegionNotifications>[0]);
    assert.equal(marks.length, 1);
    await connection!.sendNotification(METHODS.markAiRegion, marks[0]);
    const withClient = await regionsOf();
    assert.ok(withClient.some((region) => region.source === 'client' && region.model === 'test-model'), JSON.stringify(withClient));

    // "Mark AI Region as Reviewed" on the bulk region.
    await connection!.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.markReviewed, arguments: [uri, bulk[0]!.range] });
    const after = await regionsOf();
    assert.ok(!after.some((region) => region.source === 'bulk-insert' && needsReview(region)), JSON.stringify(after));
  });

  it('returns rule documentation through workspace/executeCommand', async () => {
    const markdown: unknown = await connection!.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.ruleDocumentation, arguments: ['PY-SQLI-001'] });
    assert.equal(typeof markdown, 'string');
    assert.match(markdown as string, /^# PY-SQLI-001/);
  });
});
