import { strict as assert } from 'assert';
import type { ErrorHandler, Executable, LanguageClientOptions } from 'vscode-languageclient/node';
import type { ProbeOutcome } from '../src/python';
import { type ClientLike, type LanguageClientEnums, ServerController, type ServerEvents } from '../src/server';
import { DEFAULTS, type ExtensionSettings } from '../src/settings';
import type { ServerState } from '../src/status';

// vscode-languageclient's enum values (common/client.ts, State from api).
const enums: LanguageClientEnums = {
  CloseAction: { DoNotRestart: 1, Restart: 2 },
  ErrorAction: { Continue: 1, Shutdown: 2 },
  State: { Stopped: 1, Starting: 3, Running: 2 },
};

class FakeClient implements ClientLike {
  started = 0;
  stopped = 0;
  readonly notifications: { method: string; params: unknown }[] = [];
  private listeners: ((e: { oldState: number; newState: number }) => void)[] = [];
  constructor(
    readonly executable: Executable,
    readonly options: LanguageClientOptions,
    private readonly failStart = false,
  ) {}
  start(): Promise<void> {
    this.started++;
    this.fire(3);
    if (this.failStart) {
      this.fire(1);
      return Promise.reject(new Error('server exited with code 1'));
    }
    this.fire(2);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped++;
    this.fire(1);
    return Promise.resolve();
  }
  sendRequest<R>(): Promise<R> {
    return Promise.resolve(undefined as R);
  }
  sendNotification(method: string, params?: unknown): Promise<void> {
    this.notifications.push({ method, params });
    return Promise.resolve();
  }
  onNotification(): { dispose(): void } {
    return { dispose: () => undefined };
  }
  onDidChangeState = ((listener: (e: { oldState: number; newState: number }) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }) as unknown as ClientLike['onDidChangeState'];
  fire(newState: number): void {
    for (const listener of this.listeners) {
      listener({ oldState: 0, newState });
    }
  }
  get errorHandler(): ErrorHandler {
    return this.options.errorHandler!;
  }
}

const good: ProbeOutcome = {
  ok: true,
  interpreter: { choice: { command: ['python3'], source: 'path' }, executable: '/usr/bin/python3.12', version: [3, 12, 0], draftguardVersion: '0.1.0' },
};
const tooOld: ProbeOutcome = { ok: false, problem: { kind: 'too-old', choice: { command: ['python3'], source: 'path' }, detail: 'python3 is Python 3.8.10', version: [3, 8, 10] } };

function harness(outcomes: ProbeOutcome[], options: { failStart?: boolean; gate?: () => Promise<void> } = {}) {
  const clients: FakeClient[] = [];
  const states: ServerState[] = [];
  const shownProblems: string[] = [];
  const crashes: string[] = [];
  const started: FakeClient[] = [];
  let settings: ExtensionSettings = DEFAULTS;
  let now = 0;
  const events: ServerEvents = {
    onState: (state) => states.push(state),
    showInterpreterProblem: (problem) => shownProblems.push(problem.kind),
    showCrash: (message) => crashes.push(message),
    onStarted: (client) => started.push(client as FakeClient),
    onStopped: () => undefined,
    log: () => undefined,
  };
  const controller = new ServerController({
    findInterpreter: async () => {
      await options.gate?.();
      return outcomes.length > 1 ? outcomes.shift()! : outcomes[0]!;
    },
    createClient: (executable, clientOptions) => {
      const client = new FakeClient(executable, clientOptions, options.failStart);
      clients.push(client);
      return client;
    },
    enums,
    clientOptions: () => ({ documentSelector: [{ language: 'python' }] }),
    settings: () => settings,
    cwd: () => '/workspace',
    env: () => ({ PATH: '/usr/bin' }),
    events,
    now: () => now,
  });
  return {
    controller,
    clients,
    states,
    shownProblems,
    crashes,
    started,
    setSettings: (next: ExtensionSettings) => (settings = next),
    advance: (ms: number) => (now += ms),
  };
}

describe('server: start, stop, restart', () => {
  it('starts `<python> -P -m draftguard.server` over stdio with the settings as initializationOptions', async () => {
    const h = harness([good]);
    h.setSettings({ ...DEFAULTS, scope: 'all' });
    await h.controller.restart();
    const client = h.clients[0]!;
    assert.deepEqual([client.executable.command, ...(client.executable.args ?? [])], ['/usr/bin/python3.12', '-P', '-m', 'draftguard.server']);
    assert.equal(client.executable.options?.cwd, '/workspace');
    assert.equal((client.options.initializationOptions as { scope: string }).scope, 'all');
    assert.equal(client.executable.transport, undefined, 'an Executable without transport is stdio');
    assert.deepEqual(h.states, ['starting', 'running']);
    assert.equal(h.controller.running, client);
    assert.deepEqual(h.started, [client]);
  });

  it('a bad interpreter shows one error, however often the start is retried, and no client is created', async () => {
    const h = harness([tooOld]);
    await h.controller.restart();
    await h.controller.restart();
    await h.controller.restart();
    assert.deepEqual(h.shownProblems, ['too-old']);
    assert.equal(h.clients.length, 0);
    assert.equal(h.states.at(-1), 'failed');
    await h.controller.restart(true);
    assert.deepEqual(h.shownProblems, ['too-old', 'too-old'], 'the Restart command shows it again');
  });

  it('serialises restarts: requests before a restart begins join it; a burst during one queues exactly one more', async () => {
    let release!: () => void;
    let probes = 0;
    const h = harness([good], {
      gate: () => {
        probes++;
        return probes === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
    });
    const first = h.controller.restart();
    assert.equal(h.controller.restart(), first, 'not started yet: the same restart');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(probes, 1, 'the first restart is now probing');
    const burst = [h.controller.restart(), h.controller.restart(), h.controller.restart()];
    assert.ok(burst.every((p) => p === burst[0]), 'one queued restart for the whole burst');
    release();
    await Promise.all([first, ...burst]);
    assert.equal(h.clients.length, 2);
    assert.equal(h.clients[0]!.stopped, 1, 'the old client is stopped before the new one starts');
    assert.equal(h.controller.running, h.clients[1]);
  });

  it('sends changed settings as didChangeConfiguration without restarting', async () => {
    const h = harness([good]);
    await h.controller.restart();
    await h.controller.notifySettings({ ...DEFAULTS, scope: 'changed', rulesDisabled: ['PY-SQLI-001'] });
    assert.equal(h.clients.length, 1);
    assert.deepEqual(h.clients[0]!.notifications, [
      {
        method: 'workspace/didChangeConfiguration',
        params: { settings: { draftguard: { scope: 'changed', bulkInsertThreshold: { lines: 2, characters: 60 }, rules: { disabled: ['PY-SQLI-001'] }, severityOverrides: {}, dependencies: { pythonInterpreter: [] } } } },
      },
    ]);
  });

  it('restarts a crashed server once, then stops after a second crash within three minutes with one message', async () => {
    const h = harness([good]);
    await h.controller.restart();
    const client = h.clients[0]!;
    const first = await client.errorHandler.closed();
    assert.equal(first.action, 2, 'Restart');
    assert.equal(first.handled, true, 'no extra notification from the client library');
    client.fire(1); // the library reports Stopped right after the crash
    client.fire(3);
    client.fire(2);
    assert.equal(h.controller.currentState, 'running');
    assert.equal(h.started.length, 2, 'features are re-attached after the automatic restart');
    h.advance(60_000);
    const second = await client.errorHandler.closed();
    assert.equal(second.action, 1, 'DoNotRestart');
    assert.equal(h.crashes.length, 1);
    assert.equal(h.controller.currentState, 'failed');
    assert.equal(h.controller.running, undefined);
  });

  it('crashes further apart than the window are each restarted', async () => {
    const h = harness([good]);
    await h.controller.restart();
    const client = h.clients[0]!;
    assert.equal((await client.errorHandler.closed()).action, 2);
    h.advance(4 * 60_000);
    assert.equal((await client.errorHandler.closed()).action, 2);
    assert.equal(h.crashes.length, 0);
  });

  it('a server that fails to start leaves the state failed without a second notification', async () => {
    const h = harness([good], { failStart: true });
    await h.controller.restart();
    assert.equal(h.controller.currentState, 'failed');
    assert.equal(h.crashes.length, 0);
    assert.deepEqual(h.shownProblems, []);
  });

  it('a close event from a replaced client neither restarts nor reports', async () => {
    const h = harness([good]);
    await h.controller.restart();
    const old = h.clients[0]!;
    await h.controller.restart();
    assert.equal((await old.errorHandler.closed()).action, 1);
    assert.equal(h.crashes.length, 0);
    assert.equal(h.controller.currentState, 'running');
  });
});
