import { strict as assert } from 'assert';
import { DEFAULTS, classifyChange, didChangeConfigurationParams, nextScope, readSettings, scopeTarget, toServerOptions } from '../src/settings';
import { FakeConfiguration } from './fakeVscode';

describe('settings: VS Code settings to server options', () => {
  it('an empty configuration gives the defaults (aiRegions scope in the editor)', () => {
    const settings = readSettings(new FakeConfiguration());
    assert.deepEqual(settings, DEFAULTS);
    assert.equal(settings.scope, 'aiRegions');
  });

  it('builds the payload server/settings.py parses, without client-only keys', () => {
    const settings = readSettings(
      new FakeConfiguration({
        interpreter: ['/opt/py/bin/python'],
        scope: 'changed',
        'bulkInsertThreshold.lines': 3,
        'bulkInsertThreshold.characters': 120,
        'rules.disabled': ['PY-SQLI-001'],
        severityOverrides: { 'PY-SQLI-001': 'Critical' },
        'trace.server': 'verbose',
        'dependencies.pythonInterpreter': '/srv/app/.venv/bin/python',
      }),
    );
    assert.deepEqual(toServerOptions(settings), {
      scope: 'changed',
      bulkInsertThreshold: { lines: 3, characters: 120 },
      rules: { disabled: ['PY-SQLI-001'] },
      severityOverrides: { 'PY-SQLI-001': 'critical' },
      dependencies: { pythonInterpreter: ['/srv/app/.venv/bin/python'] },
    });
    assert.deepEqual(Object.keys(didChangeConfigurationParams(settings).settings), ['draftguard']);
    assert.equal(settings.trace, 'verbose');
  });

  it('falls back to defaults for malformed values and says which', () => {
    const warnings: string[] = [];
    const settings = readSettings(
      new FakeConfiguration({
        interpreter: 42,
        scope: 'everything',
        'bulkInsertThreshold.lines': 0,
        'bulkInsertThreshold.characters': 2.5,
        'rules.disabled': [1, 2],
        severityOverrides: { A: 'severe', B: 'low' },
      }),
      (warning) => warnings.push(warning),
    );
    assert.deepEqual(settings.interpreter, []);
    assert.equal(settings.scope, 'aiRegions');
    assert.equal(settings.bulkInsertLines, 2);
    assert.equal(settings.bulkInsertCharacters, 60);
    assert.deepEqual(settings.rulesDisabled, []);
    assert.deepEqual(settings.severityOverrides, { B: 'low' });
    assert.equal(warnings.length, 6, warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('draftguard.scope')));
  });

  it('accepts an interpreter written as one string and trims parts', () => {
    assert.deepEqual(readSettings(new FakeConfiguration({ interpreter: ' /usr/bin/python3 ' })).interpreter, ['/usr/bin/python3']);
    assert.deepEqual(readSettings(new FakeConfiguration({ interpreter: ['py', ' -3 ', ''] })).interpreter, ['py', '-3']);
  });

  it('restarts only when the interpreter changes', () => {
    const base = DEFAULTS;
    assert.equal(classifyChange(base, { ...base, interpreter: ['/other/python'] }), 'restart');
    assert.equal(classifyChange(base, { ...base, scope: 'all' }), 'notify');
    assert.equal(classifyChange(base, { ...base, rulesDisabled: ['X'] }), 'notify');
    assert.equal(classifyChange(base, { ...base, bulkInsertLines: 9 }), 'notify');
    assert.equal(classifyChange(base, { ...base, dependencyInterpreter: ['/srv/app/.venv/bin/python'] }), 'notify');
    assert.equal(classifyChange(base, { ...base, trace: 'verbose' }), 'none');
    assert.equal(classifyChange(base, { ...base }), 'none');
  });

  it('cycles scopes and writes a scope change where it is set', () => {
    assert.equal(nextScope('aiRegions'), 'changed');
    assert.equal(nextScope('all'), 'aiRegions');
    assert.equal(scopeTarget({ workspaceFolderValue: 'all', workspaceValue: 'changed' }, true), 'workspaceFolder');
    assert.equal(scopeTarget({ workspaceValue: 'changed', globalValue: 'all' }, true), 'workspace');
    assert.equal(scopeTarget({ globalValue: 'all' }, true), 'global');
    assert.equal(scopeTarget({}, true), 'workspace');
    assert.equal(scopeTarget(undefined, false), 'global');
  });
});
