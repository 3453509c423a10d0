/**
 * The language server's life: find a Python, start `python -P -m
 * draftguard.server` over stdio with vscode-languageclient, stop, restart.
 *
 * Three rules keep a broken set-up from becoming a storm of notifications:
 * - the interpreter is probed before any client exists (python.ts); a problem
 *   is reported once per (interpreter, kind) and the server is not started;
 * - a server that dies is restarted once; a second death within three minutes
 *   stops it for good, with one message (vscode-languageclient's default
 *   would restart four times and notify each time);
 * - start/stop/restart requests are serialised: a restart asked for while
 *   one runs is queued once (the pattern of Microsoft's Ruff extension).
 *
 * vscode-languageclient is injected (`ClientFactory`, `LanguageClientEnums`)
 * so the unit tests drive this module with a fake client and no VS Code.
 */
import type * as vscode from 'vscode';
import type {
  CloseHandlerResult,
  ErrorHandler,
  ErrorHandlerResult,
  Executable,
  LanguageClientOptions,
  Message,
} from 'vscode-languageclient/node';
import type * as lc from 'vscode-languageclient/node';
import { CLIENT_NAME } from './constants';
import { type InterpreterProblem, type ProbeOutcome, type ProbedInterpreter, commandText, errorText, problemKey, serverCommand } from './python';
import { type ExtensionSettings, didChangeConfigurationParams, toServerOptions } from './settings';
import { type ServerState } from './status';

/** What the extension uses of a LanguageClient. */
export interface ClientLike {
  start(): Promise<void>;
  stop(timeout?: number): Promise<void>;
  sendRequest<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R>;
  sendNotification(method: string, params?: unknown): Promise<void>;
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable;
  onDidChangeState: vscode.Event<{ oldState: lc.State; newState: lc.State }>;
}

export type ClientFactory = (serverOptions: Executable, clientOptions: LanguageClientOptions) => ClientLike;
export type LanguageClientEnums = Pick<typeof lc, 'CloseAction' | 'ErrorAction' | 'State'>;

export interface ServerEvents {
  /** The state changed; `problem` explains a failure. */
  onState(state: ServerState, problem?: { text: string; interpreter: boolean }): void;
  /** Show this interpreter problem to the user (already de-duplicated). */
  showInterpreterProblem(problem: InterpreterProblem): void;
  /** The server died twice within the window and stays stopped: tell the user once. */
  showCrash(message: string): void;
  /** A client is running (features hook their requests here). */
  onStarted(client: ClientLike, interpreter: ProbedInterpreter): void;
  /** The client is gone (stopped, crashed or being replaced). */
  onStopped(): void;
  log(message: string): void;
}

export interface ServerControllerOptions {
  readonly findInterpreter: (settings: ExtensionSettings) => Promise<ProbeOutcome>;
  readonly createClient: ClientFactory;
  readonly enums: LanguageClientEnums;
  /** Language client options except what this module owns (error handler, init options). */
  readonly clientOptions: () => LanguageClientOptions;
  readonly settings: () => ExtensionSettings;
  /** Working directory of the server process. */
  readonly cwd: () => string;
  readonly env?: () => NodeJS.ProcessEnv;
  readonly events: ServerEvents;
  readonly now?: () => number;
}

/** How long two crashes must be apart for the second to be restarted too. */
export const CRASH_WINDOW_MS = 3 * 60 * 1000;
/** Automatic restarts allowed within the window. */
export const MAX_AUTOMATIC_RESTARTS = 1;

export function serverExecutable(interpreter: ProbedInterpreter, cwd: string, env: NodeJS.ProcessEnv): Executable {
  const { command, args } = serverCommand(interpreter);
  return { command, args, options: { cwd, env } };
}

export class ServerController {
  private client: ClientLike | undefined;
  private stateListener: vscode.Disposable | undefined;
  private interpreter: ProbedInterpreter | undefined;
  private state: ServerState = 'stopped';
  private busy: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private shownProblem: string | undefined;
  private crashes: number[] = [];
  private generation = 0;
  /**
   * After a crash with an automatic restart: 'waiting' until the client
   * starts the process again, 'starting' while it does. The client reports
   * Stopped once right after the crash, which is not a failed restart.
   */
  private recovering: 'no' | 'waiting' | 'starting' = 'no';

  constructor(private readonly options: ServerControllerOptions) {}

  get running(): ClientLike | undefined {
    return this.state === 'running' ? this.client : undefined;
  }

  get currentState(): ServerState {
    return this.state;
  }

  get currentInterpreter(): ProbedInterpreter | undefined {
    return this.interpreter;
  }

  /**
   * (Re)start the server. `userAsked` (the Restart command) shows an
   * interpreter problem again even if it was shown before. Calls made while
   * one runs collapse into a single queued restart.
   */
  restart(userAsked = false): Promise<void> {
    if (userAsked) {
      this.shownProblem = undefined;
      this.crashes = [];
    }
    if (this.queued !== undefined) {
      return this.queued;
    }
    const next = this.busy.then(async () => {
      this.queued = undefined;
      await this.stopClient();
      await this.startClient();
    });
    this.queued = next;
    this.busy = next.catch((error: unknown) => this.options.events.log(`restart failed: ${errorText(error)}`));
    return next;
  }

  stop(): Promise<void> {
    const next = this.busy.then(() => this.stopClient());
    this.busy = next.catch((error: unknown) => this.options.events.log(`stop failed: ${errorText(error)}`));
    return next;
  }

  /** Send changed settings to the running server (no restart). */
  async notifySettings(settings: ExtensionSettings): Promise<void> {
    const client = this.running;
    if (client === undefined) {
      return;
    }
    await client.sendNotification('workspace/didChangeConfiguration', didChangeConfigurationParams(settings));
  }

  private setState(state: ServerState, problem?: { text: string; interpreter: boolean }): void {
    this.state = state;
    this.options.events.onState(state, problem);
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.generation++;
    this.stateListener?.dispose();
    this.stateListener = undefined;
    this.recovering = 'no';
    if (client === undefined) {
      return;
    }
    this.options.events.onStopped();
    try {
      await client.stop(5000);
    } catch (error) {
      this.options.events.log(`stopping the server: ${errorText(error)}`);
    }
    this.setState('stopped');
  }

  private async startClient(): Promise<void> {
    this.setState('starting');
    const settings = this.options.settings();
    const outcome = await this.options.findInterpreter(settings);
    if (!outcome.ok) {
      this.interpreter = undefined;
      const key = problemKey(outcome.problem);
      this.options.events.log(`interpreter problem: ${outcome.problem.detail}`);
      this.setState('failed', { text: outcome.problem.detail, interpreter: true });
      if (this.shownProblem !== key) {
        this.shownProblem = key;
        this.options.events.showInterpreterProblem(outcome.problem);
      }
      return;
    }
    this.shownProblem = undefined;
    const interpreter = outcome.interpreter;
    this.interpreter = interpreter;
    const executable = serverExecutable(interpreter, this.options.cwd(), this.options.env?.() ?? process.env);
    this.options.events.log(
      `Python ${interpreter.version.join('.')} (${interpreter.choice.source}), draftguard ${interpreter.draftguardVersion}: ${commandText([executable.command, ...(executable.args ?? [])])}`,
    );
    const generation = ++this.generation;
    const clientOptions: LanguageClientOptions = {
      ...this.options.clientOptions(),
      initializationOptions: toServerOptions(settings),
      errorHandler: this.errorHandler(generation),
      initializationFailedHandler: () => false,
    };
    const client = this.options.createClient(executable, clientOptions);
    this.client = client;
    this.stateListener = client.onDidChangeState((event) => {
      if (generation !== this.generation || this.recovering === 'no') {
        return;
      }
      const { State } = this.options.enums;
      if (event.newState === State.Starting) {
        this.recovering = 'starting';
      } else if (event.newState === State.Running) {
        this.clientRunningAgain();
      } else if (event.newState === State.Stopped && this.recovering === 'starting') {
        this.recovering = 'no';
        this.client = undefined;
        this.setState('failed', { text: 'the server did not come back after a crash', interpreter: false });
      }
    });
    try {
      await client.start();
    } catch (error) {
      if (this.generation === generation) {
        this.client = undefined;
        // vscode-languageclient has already shown "couldn't create connection to server".
        this.setState('failed', { text: `the server did not start: ${errorText(error)}`, interpreter: false });
      }
      return;
    }
    if (this.generation !== generation) {
      return; // replaced while starting
    }
    this.setState('running');
    this.options.events.onStarted(client, interpreter);
  }

  /** Restart once after a crash; a second crash within the window stops for good. */
  private errorHandler(generation: number): ErrorHandler {
    const { CloseAction, ErrorAction } = this.options.enums;
    return {
      error: (_error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult =>
        count !== undefined && count <= 3 ? { action: ErrorAction.Continue, handled: true } : { action: ErrorAction.Shutdown, handled: true },
      closed: (): CloseHandlerResult => {
        if (generation !== this.generation) {
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        const now = (this.options.now ?? Date.now)();
        this.crashes = this.crashes.filter((time) => now - time < CRASH_WINDOW_MS);
        this.crashes.push(now);
        this.options.events.onStopped();
        if (this.crashes.length <= MAX_AUTOMATIC_RESTARTS) {
          this.options.events.log('The draftguard server stopped unexpectedly; restarting it once.');
          this.recovering = 'waiting';
          this.setState('starting');
          // vscode-languageclient starts the same command again; the state listener reports it running.
          return { action: CloseAction.Restart, handled: true };
        }
        const message = `The ${CLIENT_NAME} server stopped unexpectedly ${this.crashes.length} times within ${CRASH_WINDOW_MS / 60000} minutes and will not be restarted automatically. See the output for its error.`;
        this.client = undefined;
        this.setState('failed', { text: 'the server crashed repeatedly', interpreter: false });
        this.options.events.showCrash(message);
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  /** vscode-languageclient restarted the process after a crash and it runs again. */
  private clientRunningAgain(): void {
    if (this.recovering !== 'no' && this.client !== undefined && this.interpreter !== undefined) {
      this.recovering = 'no';
      this.setState('running');
      this.options.events.onStarted(this.client, this.interpreter);
    }
  }
}
