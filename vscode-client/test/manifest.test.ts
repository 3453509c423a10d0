/**
 * The manifest (package.json) and the packaged .vsix against the code.
 *
 * A command registered in code but not contributed never appears in the
 * palette; a setting read in code but not contributed has no UI and no
 * default; a .vsix without the bundle installs and does nothing. VS Code is
 * not available here to notice any of that, so these tests do.
 */
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import Module, { builtinModules } from 'module';
import * as path from 'path';
import * as yauzl from 'yauzl';
import { COLORS, COMMANDS, CONTEXT_KEYS, LANGUAGES, MIN_PYTHON, SECTION, SERVER_COMMANDS, SERVER_MODULE, SETTINGS } from '../src/constants';
import { DEFAULTS } from '../src/settings';
import { CLIENT_ROOT, REPO_ROOT, tempDir } from './helpers';

interface Manifest {
  name: string;
  publisher: string;
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { default: unknown; enum?: string[] }> };
    colors: { id: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(CLIENT_ROOT, 'package.json'), 'utf8')) as Manifest;
const sourceFiles = fs
  .readdirSync(path.join(CLIENT_ROOT, 'src'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: fs.readFileSync(path.join(CLIENT_ROOT, 'src', file), 'utf8') }));

describe('manifest: package.json lists what the code uses', () => {
  it('contributes exactly the commands the extension registers', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
    const extension = sourceFiles.find((f) => f.file === 'extension.ts')!.text;
    for (const [key, id] of Object.entries(COMMANDS)) {
      assert.match(extension, new RegExp(`registerCommand\\(COMMANDS\\.${key}\\b`), `${id} is contributed but extension.ts does not register it`);
    }
  });

  it('no client command collides with a server command (vscode-languageclient registers those)', () => {
    const server = new Set<string>(Object.values(SERVER_COMMANDS));
    for (const id of Object.values(COMMANDS)) {
      assert.ok(!server.has(id), `${id} is also a server command`);
    }
  });

  it('contributes every setting the code reads, with the code\'s defaults', () => {
    const properties = manifest.contributes.configuration.properties;
    const keys = Object.values(SETTINGS).map((key) => `${SECTION}.${key}`).sort();
    assert.deepEqual(Object.keys(properties).sort(), keys);
    const defaults: Record<string, unknown> = {
      interpreter: DEFAULTS.interpreter,
      scope: DEFAULTS.scope,
      'bulkInsertThreshold.lines': DEFAULTS.bulkInsertLines,
      'bulkInsertThreshold.characters': DEFAULTS.bulkInsertCharacters,
      'rules.disabled': DEFAULTS.rulesDisabled,
      severityOverrides: DEFAULTS.severityOverrides,
      'trace.server': DEFAULTS.trace,
      'dependencies.pythonInterpreter': DEFAULTS.dependencyInterpreter,
    };
    for (const key of Object.values(SETTINGS)) {
      assert.deepEqual(properties[`${SECTION}.${key}`]?.default, defaults[key], `default of ${SECTION}.${key}`);
    }
    assert.deepEqual(properties['draftguard.scope']?.enum, ['aiRegions', 'changed', 'all']);
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [
      'draftguard.interpreter',
      'draftguard.dependencies.pythonInterpreter',
    ]);
  });

  it('every draftguard.* string in the sources is a known command, setting, context key or colour', () => {
    const known = new Set<string>([
      ...Object.values(COMMANDS),
      ...Object.values(SERVER_COMMANDS),
      ...Object.values(SETTINGS).map((key) => `${SECTION}.${key}`),
      ...Object.values(CONTEXT_KEYS),
      ...Object.values(COLORS),
      'draftguard.status', // the status bar item's id
      SERVER_MODULE, // the Python module run with -m
    ]);
    for (const { file, text } of sourceFiles) {
      for (const match of text.matchAll(/['"`](draftguard\.[A-Za-z.]+)['"`]/g)) {
        assert.ok(known.has(match[1]!), `${file}: unknown identifier ${match[1]}`);
      }
    }
  });

  it('menus use contributed commands and context keys the code sets; colours are contributed', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) {
        assert.ok(commands.has(entry.command), `${menu}: ${entry.command} is not contributed`);
        for (const key of entry.when?.match(/draftguard\.[A-Za-z]+/g) ?? []) {
          assert.ok((Object.values(CONTEXT_KEYS) as string[]).includes(key), `${menu}: unknown context key ${key}`);
        }
      }
    }
    const gutter = manifest.contributes.menus['editor/lineNumber/context']?.[0];
    assert.equal(gutter?.command, COMMANDS.markRegionReviewed);
    assert.equal(gutter?.when, `editorLineNumber in ${CONTEXT_KEYS.unreviewedLines}`);
    assert.deepEqual(manifest.contributes.colors.map((c) => c.id).sort(), Object.values(COLORS).sort());
  });

  it('activates on the languages the server analyses', () => {
    assert.deepEqual(manifest.activationEvents, LANGUAGES.map((language) => `onLanguage:${language}`));
  });

  it('@types/vscode is not newer than the engine (vsce refuses that)', () => {
    assert.equal(manifest.engines.vscode, `^${manifest.devDependencies['@types/vscode']}`);
  });

  it('MIN_PYTHON matches requires-python of the draftguard package', () => {
    const pyproject = fs.readFileSync(path.join(REPO_ROOT, 'pyproject.toml'), 'utf8');
    const required = /requires-python\s*=\s*">=\s*(\d+)\.(\d+)"/.exec(pyproject);
    assert.ok(required, 'requires-python not found in pyproject.toml');
    assert.deepEqual([Number(required[1]), Number(required[2])], [...MIN_PYTHON]);
  });
});

function listZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error !== null || zip === undefined) {
        reject(error ?? new Error('cannot open zip'));
        return;
      }
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null || stream === undefined) {
            reject(streamError ?? new Error('cannot read entry'));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('manifest: the packaged .vsix', function () {
  this.timeout(180_000);
  let entries: Map<string, Buffer>;
  const out = tempDir('vsix');
  const vsix = path.join(out, 'draftguard.vsix');

  before(async () => {
    const vsce = path.join(CLIENT_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [vsce, 'package', '--out', vsix], { cwd: CLIENT_ROOT, timeout: 170_000 }, (error, _stdout, stderr) =>
        error === null ? resolve() : reject(new Error(`vsce package failed: ${stderr}`)),
      );
    });
    entries = await listZip(vsix);
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('contains the bundled extension, its manifest, icon, readme and licence', () => {
    for (const name of ['extension/dist/extension.js', 'extension/package.json', 'extension/media/ai-region.svg', 'extension/readme.md', 'extension/LICENSE.txt', 'extension.vsixmanifest']) {
      assert.ok(entries.has(name), `${name} missing from the .vsix; it has ${[...entries.keys()].join(', ')}`);
    }
  });

  it('ships no sources, tests, maps or node_modules', () => {
    for (const name of entries.keys()) {
      assert.ok(!/(^|\/)(node_modules|src|test|out)\//.test(name), `${name} should not be packaged`);
      assert.ok(!/\.(ts|map)$/.test(name), `${name} should not be packaged`);
    }
  });

  it('the bundle needs nothing at run time but `vscode` and Node built-ins', () => {
    const bundle = entries.get('extension/dist/extension.js')!.toString('utf8');
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set(builtinModules);
    for (const name of required) {
      assert.ok(name === 'vscode' || builtins.has(name.replace(/^node:/, '')), `the bundle requires ${name}, which the .vsix does not ship`);
    }
    assert.ok(bundle.includes('draftguard/markAiRegion'), 'the bundle is this extension');
    assert.ok(bundle.includes('-P'), 'the bundle launches python with -P');
  });

  it('the packaged bundle loads in Node and exports activate/deactivate (with `vscode` stubbed)', () => {
    const file = path.join(out, 'extension.js');
    fs.writeFileSync(file, entries.get('extension/dist/extension.js')!);
    const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const load = loader._load;
    // Any vscode member the bundle touches while loading is a stand-in class; nothing may be missing.
    const stub = new Proxy({}, { get: (_target, property) => (property === '__esModule' ? false : class {}) });
    loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
      return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
    };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(file) as Record<string, unknown>;
      assert.equal(typeof loaded['activate'], 'function');
      assert.equal(typeof loaded['deactivate'], 'function');
    } finally {
      loader._load = load;
    }
  });

  it('the packaged manifest is the source manifest, with every command and setting', () => {
    const packaged = JSON.parse(entries.get('extension/package.json')!.toString('utf8')) as Manifest;
    assert.deepEqual(packaged.contributes, manifest.contributes);
    assert.equal(packaged.main, './dist/extension.js');
    assert.equal(`${packaged.publisher}.${packaged.name}`, 'draftguard.draftguard');
    assert.deepEqual(packaged.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
    assert.deepEqual(Object.keys(packaged.contributes.configuration.properties).sort(), Object.values(SETTINGS).map((k) => `${SECTION}.${k}`).sort());
  });
});
