/** Shared test helpers: where the project's Python lives, temporary folders. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** vscode-client/ (tests run from out/test/). */
export const CLIENT_ROOT = path.resolve(__dirname, '..', '..');
export const REPO_ROOT = path.resolve(CLIENT_ROOT, '..');

/**
 * A Python with the draftguard package: $DRAFTGUARD_TEST_PYTHON, else the
 * repository's .venv (what `make install` creates). Undefined when neither
 * exists; tests that need it then skip and say why.
 */
export function projectPython(): string | undefined {
  const candidates = [
    process.env['DRAFTGUARD_TEST_PYTHON'],
    path.join(REPO_ROOT, '.venv', 'bin', 'python'),
    path.join(REPO_ROOT, '.venv', 'Scripts', 'python.exe'),
  ];
  return candidates.find((candidate): candidate is string => candidate !== undefined && candidate.length > 0 && fs.existsSync(candidate));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `draftguard-${prefix}-`));
}

export const NO_PYTHON = 'no Python with draftguard: run `make install` at the repository root or set DRAFTGUARD_TEST_PYTHON';

/** A JSON-RPC error as vscode-jsonrpc's ResponseError carries it (code + message). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
