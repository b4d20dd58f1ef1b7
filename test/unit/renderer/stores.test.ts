// The editor and run stores against a fake engine (the mock bridge answered by main/flow): one
// history of texts for every view, analysis after a pause, the last good graph kept while the
// YAML is broken, save, and a run that ends before the UI has had time to look.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import { setBridge } from '../../../renderer/app/bridge';
import { useRouter } from '../../../renderer/app/router';
import { currentBuffer, isDirty, useEditor } from '../../../renderer/features/editor/store';
import { useRun } from '../../../renderer/features/run/store';
import { fakeEngine, type FakeEngine } from './fake-engine';

const SRC = `id: orders
namespace: company.team
# the steps
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`;
const LOG = { id: 'note', type: 'io.kestra.plugin.core.log.Log', message: 'noted' };

let engine: FakeEngine;
const state = () => useEditor.getState();
const settle = async () => {
  await vi.runOnlyPendingTimersAsync();
  await state().analyzeNow();
};

beforeEach(() => {
  vi.useFakeTimers();
  engine = fakeEngine();
  engine.files.set('company.team/orders', SRC);
  setBridge(engine);
  useEditor.setState({ buffers: {}, current: undefined, source: '', graph: undefined, errors: [], saveErrors: [], graphBroken: undefined, selected: undefined });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the editor store', () => {
  it('opens a flow and has the engine check it and draw it', async () => {
    await state().open('company.team', 'orders');
    await settle();
    expect(state().source).toBe(SRC);
    expect(state().errors).toEqual([]);
    expect(state().graph?.nodes.map((n) => n.id)).toEqual(['flow:start', 'flow:end', 'hello']);
    expect(engine.calls.map((c) => c.name)).toEqual(expect.arrayContaining(['flows.get', 'flows.validate', 'flows.graph']));
  });

  it('one history for graph edits and typing; typing bursts are one step', async () => {
    await state().open('company.team', 'orders');
    expect(state().edit({ kind: 'insertTask', at: { after: 'tasks[0]' }, task: LOG })).toBe(true);
    expect(state().selected).toBe('tasks[1]');
    const afterInsert = state().source;
    state().setSource(afterInsert.replace('noted', 'n'), { group: 'typing:10' });
    state().setSource(afterInsert.replace('noted', 'no'), { group: 'typing:10' });
    state().setSource(afterInsert.replace('noted', 'nop'), { group: 'typing:10' });
    expect(currentBuffer(state())!.history.length).toBe(3);
    state().undo();
    expect(state().source).toBe(afterInsert);
    state().undo();
    expect(state().source).toBe(SRC);
    expect(state().canUndo()).toBe(false);
    state().redo();
    state().redo();
    expect(state().source).toBe(afterInsert.replace('noted', 'nop'));
    expect(isDirty(currentBuffer(state()))).toBe(true);
  });

  it('a refused graph edit changes nothing', async () => {
    await state().open('company.team', 'orders');
    expect(state().edit({ kind: 'renameId', path: 'tasks[0]', newId: 'bad id' })).toBe(false);
    expect(state().source).toBe(SRC);
  });

  it('while the YAML does not parse, the graph keeps its last shape and says where', async () => {
    await state().open('company.team', 'orders');
    await settle();
    const good = state().graph;
    state().setSource(SRC.replace('namespace: company.team', 'namespace: company.team: x'));
    await settle();
    expect(state().graph).toBe(good);
    // The banner and the problems list name the same place.
    expect(state().graphBroken).toMatchObject({ severity: 'error' });
    expect(state().graphBroken?.line).toBeGreaterThanOrEqual(2);
    expect(state().errors[0]).toMatchObject({ line: state().graphBroken!.line, column: state().graphBroken!.column });
    state().undo();
    await settle();
    expect(state().graphBroken).toBeUndefined();
  });

  it('a type typo is an error on the task, and the graph still draws', async () => {
    await state().open('company.team', 'orders');
    state().setSource(SRC.replace('core.log.Log', 'core.log.Logg'));
    await settle();
    expect(state().graphBroken).toBeUndefined();
    expect(state().errors).toEqual([expect.objectContaining({ line: 6, column: 11, path: 'tasks[0].type' })]);
  });

  it('saves a draft: it becomes the saved flow, formatted with its comments', async () => {
    state().openDraft('id:   drafted\nnamespace: company.team\n# comment kept\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n');
    expect(await state().save()).toBe(true);
    const b = currentBuffer(state())!;
    expect(b.key).toBe('company.team/drafted');
    expect(state().current).toBe('company.team/drafted');
    expect(engine.files.get('company.team/drafted')).toBe('id: drafted\nnamespace: company.team\n# comment kept\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n');
    expect(isDirty(b)).toBe(false);
    expect(useRouter.getState().path).toBe('/flows/company.team/drafted');
  });

  it('a refused save shows the engine errors', async () => {
    await state().open('company.team', 'orders');
    state().setSource(SRC.replace('message: hi', 'nope: hi'));
    expect(await state().save()).toBe(false);
    expect(state().saveErrors.length).toBeGreaterThan(0);
    expect(isDirty(currentBuffer(state()))).toBe(true);
  });
});

describe('the run store', () => {
  it('sees an execution that ends before the create call even returns', async () => {
    const exec = (state: string): Execution =>
      ({ id: 'e1', namespace: 'company.team', flowId: 'orders', flowRevision: 1, taskRunList: [], inputs: { who: 'Ada' }, labels: [], originalId: 'e1', state: { current: state, histories: [], startDate: new Date().toISOString() } }) as unknown as Execution;
    const e2 = fakeEngine({
      'executions.create': () => {
        // The engine runs it to the end at once: the stream has it before the reply.
        queueMicrotask(() => e2.emit('executions', [exec('SUCCESS')]));
        return exec('RUNNING');
      },
      'executions.get': () => exec('CREATED'), // a read that lags (must not move it backwards)
    });
    e2.files.set('company.team/orders', SRC);
    setBridge(e2);
    await state().open('company.team', 'orders');
    useRun.getState().openDialog();
    await useRun.getState().submit();
    await vi.advanceTimersByTimeAsync(5000);
    expect(useRun.getState().execution?.state.current).toBe('SUCCESS');
    expect(e2.subscriptions('executions')).toBe(0);
    expect(e2.calls.find((c) => c.name === 'executions.create')?.input).toMatchObject({ namespace: 'company.team', flowId: 'orders' });
  });
});
