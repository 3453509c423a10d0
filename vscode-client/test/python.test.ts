import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import {
  type InterpreterChoice,
  type PythonExtensionApi,
  type RunResult,
  findInterpreter,
  interpretProbe,
  interpreterCandidates,
  isAtLeast,
  loadPythonExtension,
  probeInterpreter,
  problemKey,
  problemMessage,
  processRunner,
  serverCommand,
} from '../src/python';
import { FakeUri } from './fakeVscode';
import { NO_PYTHON, projectPython, tempDir } from './helpers';

function fakePythonApi(executable: string | undefined, calls: string[] = []): PythonExtensionApi {
  return {
    ready: Promise.resolve(),
    environments: {
      getActiveEnvironmentPath: () => {
        calls.push('getActiveEnvironmentPath');
        return { id: 'env', path: executable ?? '/missing' };
      },
      resolveEnvironment: () => {
        calls.push('resolveEnvironment');
        return Promise.resolve(executable === undefined ? undefined : { executable: { uri: FakeUri.file(executable) } });
      },
      onDidChangeActiveEnvironmentPath: () => ({ dispose: () => undefined }),
    },
  };
}

const base = { trusted: true, platform: 'linux' as NodeJS.Platform };
const ok = (version: number[], extra: Record<string, unknown> = { draftguard: '0.1.0' }): RunResult => ({
  exitCode: 0,
  stdout: JSON.stringify({ version, executable: '/abs/python3', ...extra }) + '\n',
  stderr: '',
});

describe('python: interpreter order', () => {
  it('1. the draftguard.interpreter setting wins over the Python extension', async () => {
    const calls: string[] = [];
    const candidates = await interpreterCandidates({ ...base, setting: ['/venv/bin/python'], python: fakePythonApi('/ext/python', calls) });
    assert.deepEqual(candidates, [{ command: ['/venv/bin/python'], source: 'setting' }]);
    assert.deepEqual(calls, [], 'the Python extension is not even asked');
  });

  it('2. then the Python extension\'s active environment', async () => {
    const candidates = await interpreterCandidates({ ...base, setting: [], python: fakePythonApi('/ext/bin/python') });
    assert.deepEqual(candidates, [{ command: ['/ext/bin/python'], source: 'python-extension' }]);
  });

  it('3. then python3 on PATH (python, then py -3 on Windows)', async () => {
    assert.deepEqual(await interpreterCandidates({ ...base, setting: undefined, python: undefined }), [{ command: ['python3'], source: 'path' }]);
    assert.deepEqual(
      (await interpreterCandidates({ ...base, platform: 'win32', setting: [], python: fakePythonApi(undefined) })).map((c) => c.command),
      [['python'], ['py', '-3']],
    );
  });

  it('skips the Python extension environment in an untrusted workspace', async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    const candidates = await interpreterCandidates({ ...base, trusted: false, setting: [], python: fakePythonApi('/ws/.venv/bin/python', calls), log: (m) => logs.push(m) });
    assert.equal(candidates[0]?.source, 'path');
    assert.deepEqual(calls, []);
    assert.match(logs.join('\n'), /Restricted Mode/);
  });

  it('a failing Python extension API falls through to PATH', async () => {
    const broken: PythonExtensionApi = {
      environments: {
        getActiveEnvironmentPath: () => {
          throw new Error('boom');
        },
        resolveEnvironment: () => Promise.resolve(undefined),
        onDidChangeActiveEnvironmentPath: () => ({ dispose: () => undefined }),
      },
    };
    assert.equal((await interpreterCandidates({ ...base, setting: [], python: broken }))[0]?.source, 'path');
  });

  it('loads the Python extension API only when it is installed and looks right', async () => {
    const api = fakePythonApi('/x');
    let activated = 0;
    const installed = {
      getExtension: () => ({ isActive: false, activate: () => { activated++; return Promise.resolve(api); }, exports: undefined }),
    } as unknown as Parameters<typeof loadPythonExtension>[0];
    assert.equal(await loadPythonExtension(installed), api);
    assert.equal(activated, 1);
    const absent = { getExtension: () => undefined } as unknown as Parameters<typeof loadPythonExtension>[0];
    assert.equal(await loadPythonExtension(absent), undefined);
    const odd = { getExtension: () => ({ isActive: true, exports: { something: 1 } }) } as unknown as Parameters<typeof loadPythonExtension>[0];
    assert.equal(await loadPythonExtension(odd), undefined);
  });
});

describe('python: probe verdicts', () => {
  const choice: InterpreterChoice = { command: ['python3'], source: 'path' };

  it('accepts Python 3.11+ with draftguard importable', () => {
    const outcome = interpretProbe(choice, ok([3, 12, 1]));
    assert.ok(outcome.ok);
    assert.equal(outcome.interpreter.executable, '/abs/python3');
    assert.equal(outcome.interpreter.draftguardVersion, '0.1.0');
  });

  it('reports not-found, too-old, missing-package and broken distinctly', () => {
    const kinds = [
      interpretProbe(choice, { errorCode: 'ENOENT', exitCode: null, stdout: '', stderr: '' }),
      interpretProbe(choice, ok([3, 8, 10], {})),
      interpretProbe(choice, ok([3, 11, 4], { error: "ModuleNotFoundError: No module named 'draftguard'", missing: true })),
      interpretProbe(choice, ok([3, 11, 4], { error: 'ImportError: tree_sitter wheel for another platform', missing: false })),
      interpretProbe(choice, { exitCode: 1, stdout: '', stderr: 'SyntaxError: invalid syntax\n' }),
      interpretProbe(choice, { errorCode: 'ETIMEDOUT', exitCode: null, stdout: '', stderr: '' }),
    ].map((outcome) => (outcome.ok ? 'ok' : outcome.problem.kind));
    assert.deepEqual(kinds, ['not-found', 'too-old', 'missing-package', 'broken', 'broken', 'broken']);
  });

  it('compares versions numerically', () => {
    assert.equal(isAtLeast([3, 11, 0], [3, 11]), true);
    assert.equal(isAtLeast([3, 9, 18], [3, 11]), false);
    assert.equal(isAtLeast([3, 100], [3, 11]), true);
    assert.equal(isAtLeast([4, 0], [3, 11]), true);
    assert.equal(isAtLeast([2, 7, 18], [3, 11]), false);
  });

  it('tries the next PATH name only when one is missing, never after a configured one fails', async () => {
    const asked: string[] = [];
    const runner = (command: string): Promise<RunResult> => {
      asked.push(command);
      return Promise.resolve(command === 'py' ? ok([3, 12, 0]) : { errorCode: 'ENOENT', exitCode: null, stdout: '', stderr: '' });
    };
    const found = await findInterpreter([{ command: ['python'], source: 'path' }, { command: ['py', '-3'], source: 'path' }], runner);
    assert.ok(found.ok);
    assert.deepEqual(asked, ['python', 'py']);
    asked.length = 0;
    const configured = await findInterpreter([{ command: ['/nope/python'], source: 'setting' }, { command: ['py', '-3'], source: 'path' }], runner);
    assert.equal(configured.ok, false);
    assert.deepEqual(asked, ['/nope/python']);
  });

  it('messages name the interpreter, where it came from and the fix; keys de-duplicate', () => {
    const missing = interpretProbe({ command: ['/v/bin/python'], source: 'setting' }, ok([3, 11, 0], { error: 'ModuleNotFoundError', missing: true }));
    assert.ok(!missing.ok);
    const message = problemMessage(missing.problem);
    assert.match(message.text, /not installed for \/v\/bin\/python \(from draftguard\.interpreter/);
    assert.equal(message.installCommand, '/v/bin/python -m pip install draftguard');
    const old = interpretProbe({ command: ['python3'], source: 'path' }, ok([3, 9, 2], {}));
    assert.ok(!old.ok);
    assert.match(problemMessage(old.problem).text, /needs Python 3\.11 or newer, but python3 is Python 3\.9\.2 \(found on PATH/);
    assert.equal(problemKey(old.problem), problemKey(old.problem));
    assert.notEqual(problemKey(old.problem), problemKey(missing.problem));
  });

  it('launches the probed absolute executable for PATH finds, the configured command otherwise, always with -P', () => {
    const probed = { executable: '/usr/bin/python3.12', version: [3, 12, 0], draftguardVersion: '0.1.0' };
    assert.deepEqual(serverCommand({ ...probed, choice: { command: ['python3'], source: 'path' } }), {
      command: '/usr/bin/python3.12',
      args: ['-P', '-m', 'draftguard.server'],
    });
    assert.deepEqual(serverCommand({ ...probed, choice: { command: ['conda', 'run', '-n', 'x', 'python'], source: 'setting' } }), {
      command: 'conda',
      args: ['run', '-n', 'x', 'python', '-P', '-m', 'draftguard.server'],
    });
  });
});

describe('python: the real probe script against real interpreters', function () {
  this.timeout(120_000);
  const python = projectPython();
  const cwd = tempDir('probe');
  // A hostile workspace: modules that would run if the probe imported from its working directory.
  fs.writeFileSync(path.join(cwd, 'json.py'), 'raise SystemExit("workspace json.py was imported")\n');
  fs.mkdirSync(path.join(cwd, 'draftguard'));
  fs.writeFileSync(path.join(cwd, 'draftguard', '__init__.py'), 'raise SystemExit("workspace draftguard was imported")\n');
  const run = processRunner(cwd, 60_000);

  it('accepts the project interpreter and never imports from the working directory', async function () {
    if (python === undefined) {
      this.skip();
    }
    const outcome = await probeInterpreter({ command: [python], source: 'setting' }, run);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.problem.detail);
    assert.ok(path.isAbsolute(outcome.interpreter.executable));
    assert.match(outcome.interpreter.draftguardVersion, /^\d+\.\d+/);
  });

  it('reports a missing program as not-found', async () => {
    const outcome = await probeInterpreter({ command: [path.join(cwd, 'no-such-python')], source: 'setting' }, run);
    assert.equal(outcome.ok ? 'ok' : outcome.problem.kind, 'not-found');
  });

  it('reports a Python without the draftguard package as missing-package', async function () {
    if (python === undefined) {
      this.skip();
    }
    const venv = path.join(cwd, 'bare-venv');
    execFileSync(python, ['-m', 'venv', '--without-pip', venv], { timeout: 60_000 });
    const bare = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
    const outcome = await probeInterpreter({ command: [bare], source: 'setting' }, run);
    assert.equal(outcome.ok ? 'ok' : outcome.problem.kind, 'missing-package', outcome.ok ? '' : outcome.problem.detail);
  });

  it('reports an old Python as too-old (a stand-in program that answers like Python 3.8)', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    const script = path.join(cwd, 'python38');
    fs.writeFileSync(script, '#!/bin/sh\necho \'{"version": [3, 8, 18], "executable": "/usr/bin/python3.8"}\'\n', { mode: 0o755 });
    const outcome = await probeInterpreter({ command: [script], source: 'setting' }, run);
    assert.equal(outcome.ok ? 'ok' : outcome.problem.kind, 'too-old');
  });

  after(() => {
    if (python === undefined) {
      console.log(`      (skipped real-interpreter checks: ${NO_PYTHON})`);
    }
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
