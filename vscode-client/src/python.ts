/**
 * Which Python runs the draftguard server, and whether it can.
 *
 * Order, as in Microsoft's Python tool extensions (vscode-python-tools-extension-template,
 * Black, Pylint): the `draftguard.interpreter` setting, then the active
 * environment of the Python extension (ms-python.python) when it is
 * installed, then `python3` on PATH (`python`, then `py -3` on Windows).
 *
 * Before the language client starts, the chosen interpreter is probed once
 * with a tiny script: its version (draftguard needs 3.11+) and whether
 * `draftguard.server` imports (which also proves that tree-sitter's compiled
 * wheels match this platform). A failed probe becomes one `InterpreterProblem`
 * that the extension shows as a single message with a button to the setting,
 * instead of letting the language client start, crash and restart in a loop.
 *
 * Nothing here runs workspace code: the probe's working directory is the
 * extension's own folder and the script drops `sys.path[0]` before importing
 * anything, and in an untrusted workspace the Python extension's (possibly
 * workspace-local) environment is not used at all.
 */
import { execFile } from 'child_process';
import type * as vscode from 'vscode';
import { MIN_PYTHON, SERVER_MODULE } from './constants';

export type InterpreterSource = 'setting' | 'python-extension' | 'path';

export interface InterpreterChoice {
  /** Program and leading arguments, e.g. `['/venv/bin/python']` or `['py', '-3']`. */
  readonly command: readonly string[];
  readonly source: InterpreterSource;
}

/** The slice of ms-python.python's exported API that draftguard uses. */
export interface PythonExtensionApi {
  readonly ready?: Promise<void>;
  readonly environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { readonly id: string; readonly path: string };
    resolveEnvironment(environment: { readonly id: string; readonly path: string } | string): Promise<
      | {
          readonly executable: { readonly uri: vscode.Uri | undefined };
          readonly version?: { readonly major?: number; readonly minor?: number; readonly micro?: number };
        }
      | undefined
    >;
    readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

export const PYTHON_EXTENSION_ID = 'ms-python.python';

/**
 * The Python extension's API when it is installed (activating it if needed),
 * else undefined. A failing activation is logged and treated as absent.
 */
export async function loadPythonExtension(
  extensions: Pick<typeof vscode.extensions, 'getExtension'>,
  log?: (message: string) => void,
): Promise<PythonExtensionApi | undefined> {
  const extension = extensions.getExtension<unknown>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    return isPythonExtensionApi(exports) ? exports : undefined;
  } catch (error) {
    log?.(`The Python extension did not activate: ${errorText(error)}`);
    return undefined;
  }
}

function isPythonExtensionApi(value: unknown): value is PythonExtensionApi {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const environments = (value as { environments?: unknown }).environments;
  return (
    typeof environments === 'object' &&
    environments !== null &&
    typeof (environments as Record<string, unknown>)['getActiveEnvironmentPath'] === 'function' &&
    typeof (environments as Record<string, unknown>)['resolveEnvironment'] === 'function'
  );
}

export interface ResolveOptions {
  /** `draftguard.interpreter` as VS Code returns it (workspace value ignored when untrusted). */
  readonly setting: readonly string[] | undefined;
  /** The Python extension's API, or undefined when it is not installed. */
  readonly python: PythonExtensionApi | undefined;
  readonly trusted: boolean;
  readonly platform: NodeJS.Platform;
  readonly resource?: vscode.Uri;
  readonly log?: (message: string) => void;
}

/** PATH fallbacks, first that exists wins when probed. */
export function pathCandidates(platform: NodeJS.Platform): readonly (readonly string[])[] {
  return platform === 'win32' ? [['python'], ['py', '-3']] : [['python3']];
}

/**
 * Interpreter candidates in the order they should be tried. Only the PATH
 * step may produce several candidates; a configured interpreter that fails is
 * an error to report, not a reason to silently use another Python.
 */
export async function interpreterCandidates(options: ResolveOptions): Promise<InterpreterChoice[]> {
  const configured = (options.setting ?? []).map((part) => part.trim()).filter((part) => part.length > 0);
  if (configured.length > 0) {
    return [{ command: configured, source: 'setting' }];
  }
  if (options.python !== undefined) {
    if (!options.trusted) {
      options.log?.('Restricted Mode: not using the Python extension\'s environment (it may live in this workspace).');
    } else {
      const fromExtension = await activeEnvironment(options.python, options.resource, options.log);
      if (fromExtension !== undefined) {
        return [{ command: [fromExtension], source: 'python-extension' }];
      }
    }
  }
  return pathCandidates(options.platform).map((command) => ({ command, source: 'path' as const }));
}

async function activeEnvironment(api: PythonExtensionApi, resource: vscode.Uri | undefined, log?: (message: string) => void): Promise<string | undefined> {
  try {
    await api.ready;
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    if (executable === undefined || executable.length === 0) {
      log?.(`The Python extension's active environment (${active.path}) has no executable.`);
      return undefined;
    }
    return executable;
  } catch (error) {
    log?.(`Could not read the Python extension's environment: ${errorText(error)}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Probe

/**
 * Runs under any Python version (even 2.7) so that an old interpreter gets a
 * clear "too old" answer instead of a syntax error. Dropping `sys.path[0]`
 * (the working directory under `-c`) means no file of the workspace can
 * shadow `json` or `draftguard`.
 */
export const PROBE_SCRIPT = [
  'import sys',
  "if sys.path and sys.path[0] in ('', '.'): del sys.path[0]",
  'import json',
  "info = {'version': list(sys.version_info[:3]), 'executable': sys.executable}",
  `if tuple(sys.version_info[:2]) >= (${MIN_PYTHON[0]}, ${MIN_PYTHON[1]}):`,
  '    try:',
  '        import importlib.metadata as metadata',
  `        import ${SERVER_MODULE}.app`,
  "        info['draftguard'] = metadata.version('draftguard')",
  '    except Exception as exc:',
  "        info['error'] = '%s: %s' % (type(exc).__name__, exc)",
  '        info[\'missing\'] = isinstance(exc, ImportError) and getattr(exc, \'name\', \'\') in (\'draftguard\', \'draftguard.server\')',
  'print(json.dumps(info))',
].join('\n');

export interface RunResult {
  /** Spawn error code (`ENOENT`, `EACCES`, `ETIMEDOUT` for a timeout), if any. */
  readonly errorCode?: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with arguments (never through a shell). */
export type Runner = (command: string, args: readonly string[]) => Promise<RunResult>;

/** The real runner: `execFile` with an argument list, a timeout and a fixed working directory. */
export function processRunner(cwd: string, timeoutMs = 30_000): Runner {
  return (command, args) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { cwd, timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve({ exitCode: 0, stdout, stderr });
            return;
          }
          const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
          if (typeof failure.code === 'string') {
            resolve({ errorCode: failure.code, exitCode: null, stdout, stderr });
          } else if (failure.killed === true) {
            resolve({ errorCode: 'ETIMEDOUT', exitCode: null, stdout, stderr });
          } else {
            resolve({ exitCode: typeof failure.code === 'number' ? failure.code : null, stdout, stderr });
          }
        },
      );
    });
}

export type InterpreterProblemKind = 'not-found' | 'too-old' | 'missing-package' | 'broken';

export interface InterpreterProblem {
  readonly kind: InterpreterProblemKind;
  readonly choice: InterpreterChoice;
  readonly detail: string;
  readonly version?: readonly number[];
}

export interface ProbedInterpreter {
  readonly choice: InterpreterChoice;
  /** `sys.executable`: an absolute path. */
  readonly executable: string;
  readonly version: readonly number[];
  readonly draftguardVersion: string;
}

export type ProbeOutcome = { readonly ok: true; readonly interpreter: ProbedInterpreter } | { readonly ok: false; readonly problem: InterpreterProblem };

export async function probeInterpreter(choice: InterpreterChoice, run: Runner): Promise<ProbeOutcome> {
  const [program, ...leading] = choice.command;
  if (program === undefined) {
    return { ok: false, problem: { kind: 'not-found', choice, detail: 'no interpreter command' } };
  }
  const result = await run(program, [...leading, '-c', PROBE_SCRIPT]);
  return interpretProbe(choice, result);
}

/** Turns the probe's raw output into a verdict (pure; unit-tested). */
export function interpretProbe(choice: InterpreterChoice, result: RunResult): ProbeOutcome {
  const fail = (kind: InterpreterProblemKind, detail: string, version?: readonly number[]): ProbeOutcome => ({
    ok: false,
    problem: version === undefined ? { kind, choice, detail } : { kind, choice, detail, version },
  });
  if (result.errorCode === 'ENOENT') {
    return fail('not-found', `${commandText(choice.command)} was not found`);
  }
  if (result.errorCode === 'ETIMEDOUT') {
    return fail('broken', `${commandText(choice.command)} did not answer within the time limit`);
  }
  if (result.errorCode !== undefined) {
    return fail('not-found', `${commandText(choice.command)} could not be started (${result.errorCode})`);
  }
  const info = parseProbeOutput(result.stdout);
  if (info === undefined) {
    const why = lastLine(result.stderr) ?? `exit code ${String(result.exitCode)}`;
    return fail('broken', `${commandText(choice.command)} is not a working Python (${why})`);
  }
  const version = info.version;
  if (!isAtLeast(version, MIN_PYTHON)) {
    return fail('too-old', `${commandText(choice.command)} is Python ${version.join('.')}`, version);
  }
  if (info.error !== undefined || info.draftguard === undefined) {
    return fail(info.missing === true ? 'missing-package' : 'broken', info.error ?? 'draftguard version unknown', version);
  }
  return {
    ok: true,
    interpreter: { choice, executable: info.executable, version, draftguardVersion: info.draftguard },
  };
}

interface ProbeInfo {
  version: number[];
  executable: string;
  draftguard?: string;
  error?: string;
  missing?: boolean;
}

function parseProbeOutput(stdout: string): ProbeInfo | undefined {
  const line = lastLine(stdout);
  if (line === undefined) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const version = record['version'];
  const executable = record['executable'];
  if (!Array.isArray(version) || !version.every((part) => typeof part === 'number') || typeof executable !== 'string') {
    return undefined;
  }
  const info: ProbeInfo = { version: version, executable };
  if (typeof record['draftguard'] === 'string') {
    info.draftguard = record['draftguard'];
  }
  if (typeof record['error'] === 'string') {
    info.error = record['error'];
  }
  if (typeof record['missing'] === 'boolean') {
    info.missing = record['missing'];
  }
  return info;
}

export function isAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) {
      return have > want;
    }
  }
  return true;
}

/**
 * Probes candidates in order. A configured or Python-extension interpreter is
 * the only candidate; on PATH, a missing program moves on to the next name,
 * any other problem is the answer.
 */
export async function findInterpreter(candidates: readonly InterpreterChoice[], run: Runner): Promise<ProbeOutcome> {
  let last: ProbeOutcome | undefined;
  for (const choice of candidates) {
    last = await probeInterpreter(choice, run);
    if (last.ok || last.problem.kind !== 'not-found' || choice.source !== 'path') {
      return last;
    }
  }
  return last ?? { ok: false, problem: { kind: 'not-found', choice: { command: [], source: 'path' }, detail: 'no Python interpreter candidates' } };
}

/**
 * The command that launches the server. An interpreter found by name on
 * PATH is replaced by its absolute `sys.executable`, so the server is the
 * very Python that was probed (Windows would otherwise also search the
 * working directory, which is the workspace). `-P` (Python 3.11+) keeps the
 * working directory off `sys.path`.
 */
export function serverCommand(interpreter: ProbedInterpreter): { command: string; args: string[] } {
  const base = interpreter.choice.source === 'path' ? [interpreter.executable] : [...interpreter.choice.command];
  const [command, ...leading] = base;
  return { command: command ?? interpreter.executable, args: [...leading, '-P', '-m', SERVER_MODULE] };
}

// ---------------------------------------------------------------------------
// Messages

export interface ProblemMessage {
  readonly text: string;
  /** Install command to offer for copying, when the package is missing. */
  readonly installCommand?: string;
}

export function problemMessage(problem: InterpreterProblem): ProblemMessage {
  const where = sourceText(problem.choice);
  const min = `${MIN_PYTHON[0]}.${MIN_PYTHON[1]}`;
  switch (problem.kind) {
    case 'not-found':
      return {
        text:
          problem.choice.source === 'path'
            ? `draftguard needs Python ${min}+ with the draftguard package, but no Python was found: nothing is set in draftguard.interpreter, no Python extension environment is active, and ${problem.detail}.`
            : `draftguard could not start the interpreter ${where}: ${problem.detail}.`,
      };
    case 'too-old':
      return { text: `draftguard needs Python ${min} or newer, but ${problem.detail} (${where}).` };
    case 'missing-package': {
      const python = commandText(problem.choice.command);
      const installCommand = `${python} -m pip install draftguard`;
      return {
        text: `The draftguard package is not installed for ${python} (${where}). Install it with "${installCommand}" or set draftguard.interpreter to a Python that has it.`,
        installCommand,
      };
    }
    case 'broken':
      return { text: `draftguard cannot use the interpreter ${where}: ${problem.detail}.` };
  }
}

/** A stable key: the same problem for the same interpreter is shown once. */
export function problemKey(problem: InterpreterProblem): string {
  return `${problem.kind}\u0000${problem.choice.command.join('\u0000')}`;
}

function sourceText(choice: InterpreterChoice): string {
  switch (choice.source) {
    case 'setting':
      return `from draftguard.interpreter (${commandText(choice.command)})`;
    case 'python-extension':
      return `selected in the Python extension (${commandText(choice.command)})`;
    case 'path':
      return `found on PATH (${commandText(choice.command)})`;
  }
}

export function commandText(command: readonly string[]): string {
  return command.map((part) => (/[\s"]/.test(part) ? JSON.stringify(part) : part)).join(' ');
}

function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  return lines[lines.length - 1];
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
