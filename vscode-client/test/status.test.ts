import { strict as assert } from 'assert';
import { COMMANDS } from '../src/constants';
import { StatusBar, statusView } from '../src/status';
import { FakeStatusBarItem, createFakeVscode } from './fakeVscode';

describe('status: status bar text', () => {
  it('counts unreviewed AI regions and findings in the active file', () => {
    const view = statusView({ server: 'running', scope: 'aiRegions', file: { unreviewedRegions: 2, findings: 3 } });
    assert.equal(view.text, '$(shield) 2 AI · 3 findings');
    assert.match(view.tooltip, /2 unreviewed AI regions in this file/);
    assert.match(view.tooltip, /3 findings shown in this file \(scope: AI regions\)/);
    assert.equal(view.command?.command, COMMANDS.showAiRegions);
  });

  it('uses singular forms and offers the scope when there is no region', () => {
    const view = statusView({ server: 'running', scope: 'all', file: { unreviewedRegions: 0, findings: 1 } });
    assert.equal(view.text, '$(shield) 1 finding');
    assert.match(view.tooltip, /0 unreviewed AI regions/);
    assert.equal(view.command?.command, COMMANDS.toggleScope);
  });

  it('says when the server cannot report regions', () => {
    const view = statusView({ server: 'running', scope: 'aiRegions', file: { unreviewedRegions: undefined, findings: 0 } });
    assert.equal(view.text, '$(shield) 0 findings');
    assert.match(view.tooltip, /not reported by this draftguard server/);
  });

  it('hides for other languages while running', () => {
    assert.equal(statusView({ server: 'running', scope: 'aiRegions' }).visible, false);
  });

  it('a failed interpreter leads to the setting; a crash leads to the log', () => {
    const interpreter = statusView({ server: 'failed', scope: 'aiRegions', problem: 'python3 is Python 3.8', interpreterProblem: true });
    assert.equal(interpreter.text, '$(error) draftguard');
    assert.equal(interpreter.command?.command, 'workbench.action.openSettings');
    assert.deepEqual(interpreter.command?.arguments, ['draftguard.interpreter']);
    assert.match(interpreter.tooltip, /python3 is Python 3\.8/);
    const crash = statusView({ server: 'failed', scope: 'aiRegions', problem: 'crashed' });
    assert.equal(crash.command?.command, COMMANDS.showOutput);
    assert.equal(statusView({ server: 'starting', scope: 'all' }).text, '$(sync~spin) draftguard');
    assert.equal(statusView({ server: 'stopped', scope: 'all' }).command?.command, COMMANDS.restart);
  });

  it('applies the view to a status bar item', () => {
    const fake = createFakeVscode();
    let created: FakeStatusBarItem | undefined;
    const host = {
      ...fake,
      window: {
        createStatusBarItem: (() => {
          created = new FakeStatusBarItem();
          return created;
        }) as typeof fake.window.createStatusBarItem,
      },
    };
    const bar = new StatusBar(host);
    bar.show({ server: 'failed', scope: 'aiRegions', problem: 'x', interpreterProblem: true });
    assert.equal(created?.visible, true);
    assert.equal(created?.text, '$(error) draftguard');
    assert.equal((created?.backgroundColor as { id: string } | undefined)?.id, 'statusBarItem.errorBackground');
    bar.show({ server: 'running', scope: 'aiRegions' });
    assert.equal(created?.visible, false);
  });
});
