import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../../../main/plugins';
import { log } from '../../../main/plugins/core/log/log';
import { returnTask } from '../../../main/plugins/core/debug/return';
import { outputValues } from '../../../main/plugins/core/output/output-values';
import { sleep } from '../../../main/plugins/core/flow/sleep';
import { fail } from '../../../main/plugins/core/execution/fail';
import { ifTask } from '../../../main/plugins/core/flow/if';
import { switchTask } from '../../../main/plugins/core/flow/switch';
import { parallel } from '../../../main/plugins/core/flow/parallel';
import { sequential } from '../../../main/plugins/core/flow/sequential';
import { forEach, resolveForEachValues } from '../../../main/plugins/core/flow/for-each';
import { isTruthy } from '../../../main/plugins/core/util';
import { kvDelete } from '../../../main/plugins/core/kv/delete';
import { kvGet } from '../../../main/plugins/core/kv/get';
import { kvSet } from '../../../main/plugins/core/kv/set';
import { cleanupTestContexts, createTestContext, planTask, prepareProps, runTask, TestKv } from './context';

afterAll(cleanupTestContexts);

const child = (id: string) => ({ id, type: 'io.kestra.plugin.core.log.Log', message: `{{ taskrun.value }} ${id}` });

describe('Log', () => {
  it('logs one message at INFO by default, rendered', async () => {
    const { t } = await runTask(log, { message: 'hello {{ inputs.name }}' }, { variables: { inputs: { name: 'Ada' } } });
    expect(t.logs).toEqual([{ level: 'INFO', message: 'hello Ada' }]);
  });

  it('logs each message of a list at the chosen level', async () => {
    const { t } = await runTask(log, { message: ['one', 'two'], level: 'DEBUG' });
    expect(t.logs).toEqual([
      { level: 'DEBUG', message: 'one' },
      { level: 'DEBUG', message: 'two' },
    ]);
  });

  it('takes its level from an expression and rejects an unknown level', async () => {
    const { t } = await runTask(log, { message: 'x', level: '{{ inputs.lvl }}' }, { variables: { inputs: { lvl: 'WARN' } } });
    expect(t.logs[0].level).toBe('WARN');
    await expect(runTask(log, { message: 'x', level: 'LOUD' })).rejects.toThrow(/level/);
  });
});

describe('Return and OutputValues', () => {
  it('Return renders format into output value', async () => {
    const { outputs, t } = await runTask(returnTask, { format: '{{ task.id }} > {{ inputs.n }}' }, { variables: { inputs: { n: 3 } } });
    expect(outputs).toEqual({ value: 'task > 3' });
    expect(t.messages('DEBUG')).toEqual(['task > 3']);
  });

  it('Return accepts a YAML scalar and no format', async () => {
    expect((await runTask(returnTask, { format: 42 })).outputs).toEqual({ value: '42' });
    expect((await runTask(returnTask, {})).outputs).toEqual({ value: null });
  });

  it('OutputValues returns the rendered map', async () => {
    const { outputs } = await runTask(
      outputValues,
      { values: { customer: '{{ trigger.customer }}', nested: { n: 1, s: '{{ trigger.customer }}!' } } },
      { variables: { trigger: { customer: 'acme' } } },
    );
    expect(outputs).toEqual({ values: { customer: 'acme', nested: { n: 1, s: 'acme!' } } });
  });
});

describe('Sleep', () => {
  it('waits for the duration', async () => {
    const started = Date.now();
    const { t } = await runTask(sleep, { duration: 'PT0.1S' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(t.messages('INFO')).toEqual(['Waiting for PT0.1S']);
  });

  it('stops at once when the task is killed', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('Task timed out after PT0.05S')), 50);
    await expect(runTask(sleep, { duration: 'PT30S' }, { controller })).rejects.toThrow('timed out');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a value that is not a duration', async () => {
    await expect(runTask(sleep, { duration: '5 seconds' })).rejects.toThrow(/ISO-8601/);
  });
});

describe('Fail', () => {
  it('fails with the default message', async () => {
    await expect(runTask(fail, {})).rejects.toThrow('Task failure');
  });

  it('fails with its message', async () => {
    await expect(runTask(fail, { errorMessage: 'bad {{ inputs.x }}' }, { variables: { inputs: { x: 1 } } })).rejects.toThrow('bad 1');
  });

  it('on a truthy condition logs the message and fails, on a falsy one succeeds', async () => {
    const t = createTestContext({ variables: { inputs: { big: false } } });
    const props = prepareProps(fail, { condition: '{{ inputs.big }}', errorMessage: 'too big' }, t.ctx);
    expect(props.condition).toBe('false');
    await expect(fail.run!(t.ctx, props)).resolves.toBeUndefined();

    const t2 = createTestContext({ variables: { inputs: { big: true } } });
    await expect(fail.run!(t2.ctx, prepareProps(fail, { condition: '{{ inputs.big }}', errorMessage: 'too big' }, t2.ctx))).rejects.toThrow(
      'Fail on a condition',
    );
    expect(t2.logs).toEqual([{ level: 'ERROR', message: 'too big' }]);
  });
});

describe('truthiness (Kestra TruthUtils)', () => {
  const table: [unknown, boolean][] = [
    ['true', true],
    ['1', true],
    ['yes', true],
    ['This should be true', true],
    ['False', true],
    ['null', true],
    ['  true  ', true],
    ['false', false],
    ['  false ', false],
    ['0', false],
    ['-0', false],
    ['', false],
    ['   ', false],
    [null, false],
    [undefined, false],
    [false, false],
    [true, true],
    [0, false],
    [2, true],
  ];
  it.each(table)('%j → %s', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });

  it.each(table.filter(([v]) => typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number'))(
    'If plans the %j branch accordingly',
    async (value, expected) => {
      const plan = await planTask(ifTask, { condition: value, then: [child('yes')], else: [child('no')] });
      expect(plan.branches).toEqual([{ tasks: [child(expected ? 'yes' : 'no')] }]);
      expect(plan.outputs).toEqual({ evaluationResult: expected });
      expect(plan.concurrency).toBe(1);
    },
  );
});

describe('If', () => {
  it('renders the condition against the task run variables', async () => {
    const plan = await planTask(ifTask, { condition: '{{ inputs.ok }}', then: [child('a')] }, { variables: { inputs: { ok: false } } });
    expect(plan.branches).toEqual([]);
    expect(plan.outputs).toEqual({ evaluationResult: false });
  });

  it('passes errors and finally, and never renders child tasks', async () => {
    const plan = await planTask(ifTask, {
      condition: 'true',
      then: [child('a')],
      errors: [child('on_error')],
      finally: [child('always')],
    });
    expect(plan.branches[0].tasks[0]).toEqual(child('a'));
    expect(plan.errors).toEqual([child('on_error')]);
    expect(plan.finally).toEqual([child('always')]);
  });

  it('requires a non-empty then', () => {
    const t = createTestContext();
    expect(() => prepareProps(ifTask, { condition: 'true', then: [] }, t.ctx)).toThrow(/then/);
  });
});

describe('Switch', () => {
  const cases = { ORDER: [child('order')], REFUND: [child('refund')], '1': [child('one')] };

  it('runs the matching case and outputs the value', async () => {
    const plan = await planTask(switchTask, { value: '{{ trigger.kind }}', cases, defaults: [child('other')] }, { variables: { trigger: { kind: 'REFUND' } } });
    expect(plan.branches).toEqual([{ tasks: [child('refund')] }]);
    expect(plan.outputs).toEqual({ value: 'REFUND', defaults: false });
  });

  it('falls back to defaults, or to nothing', async () => {
    const plan = await planTask(switchTask, { value: 'NOPE', cases, defaults: [child('other')] });
    expect(plan.branches).toEqual([{ tasks: [child('other')] }]);
    expect(plan.outputs).toEqual({ value: 'NOPE', defaults: true });
    const none = await planTask(switchTask, { value: 'NOPE', cases });
    expect(none.branches).toEqual([]);
  });

  it('matches a YAML number against a string key and ignores inherited keys', async () => {
    expect((await planTask(switchTask, { value: 1, cases })).branches).toEqual([{ tasks: [child('one')] }]);
    expect((await planTask(switchTask, { value: 'toString', cases })).branches).toEqual([]);
  });
});

describe('Parallel and Sequential', () => {
  it('Parallel makes one branch per task, all at once by default', async () => {
    const plan = await planTask(parallel, { tasks: [child('a'), child('b'), child('c')], finally: [child('f')] });
    expect(plan.branches).toEqual([{ tasks: [child('a')] }, { tasks: [child('b')] }, { tasks: [child('c')] }]);
    expect(plan.concurrency).toBe(0);
    expect(plan.finally).toEqual([child('f')]);
  });

  it('Parallel takes concurrent from an expression', async () => {
    const plan = await planTask(parallel, { tasks: [child('a'), child('b')], concurrent: '{{ inputs.n }}' }, { variables: { inputs: { n: 2 } } });
    expect(plan.concurrency).toBe(2);
  });

  it('Sequential runs one branch with its tasks in order', async () => {
    const plan = await planTask(sequential, { tasks: [child('a'), child('b')], errors: [child('e')] });
    expect(plan).toEqual({ branches: [{ tasks: [child('a'), child('b')] }], concurrency: 1, errors: [child('e')] });
  });
});

describe('ForEach', () => {
  const tasks = [child('t1'), child('t2')];

  it('iterates a YAML list, one at a time by default', async () => {
    const plan = await planTask(forEach, { values: ['a', 'b', 'c'], tasks });
    expect(plan.concurrency).toBe(1);
    expect(plan.branches).toEqual([
      { tasks, value: 'a', iteration: 0 },
      { tasks, value: 'b', iteration: 1 },
      { tasks, value: 'c', iteration: 2 },
    ]);
  });

  it('iterates a JSON string and an expression that renders to one', async () => {
    const a = await planTask(forEach, { values: '["x", "y"]', tasks, concurrencyLimit: 0 });
    expect(a.branches.map((b) => b.value)).toEqual(['x', 'y']);
    expect(a.concurrency).toBe(0);
    const b = await planTask(forEach, { values: '{{ inputs.list }}', tasks, concurrencyLimit: 2 }, { variables: { inputs: { list: [1, 2, 3] } } });
    expect(b.branches.map((x) => [x.value, x.iteration])).toEqual([
      ['1', 0],
      ['2', 1],
      ['3', 2],
    ]);
    expect(b.concurrency).toBe(2);
  });

  it('turns objects into JSON text, numbers into text and drops duplicates', () => {
    expect(resolveForEachValues([{ key: 'v1' }, 2, 1.5, true, 'a', 'a', { key: 'v1' }])).toEqual(['{"key":"v1"}', '2', '1.5', 'true', 'a']);
    expect(resolveForEachValues('[{"key": "v1"}, {"key": "v2"}]')).toEqual(['{"key":"v1"}', '{"key":"v2"}']);
    expect(resolveForEachValues('[]')).toEqual([]);
  });

  it('explains bad values', () => {
    expect(() => resolveForEachValues('not json')).toThrow(/must be a list or a JSON array/);
    expect(() => resolveForEachValues('{"a": 1}')).toThrow(/Maps are not supported/);
    expect(() => resolveForEachValues('"text"')).toThrow(/must be a list/);
    expect(() => resolveForEachValues(['a', null])).toThrow(/null value/);
  });

  it('rejects a negative concurrencyLimit and an empty task list', async () => {
    await expect(planTask(forEach, { values: ['a'], tasks, concurrencyLimit: -1 })).rejects.toThrow(/concurrencyLimit/);
    await expect(planTask(forEach, { values: ['a'], tasks: [] })).rejects.toThrow(/tasks/);
  });
});

describe('KV Set / Get / Delete', () => {
  it('sets in the flow namespace by default, gets and deletes', async () => {
    const kv = new TestKv();
    await runTask(kvSet, { key: 'last', value: 'order-{{ trigger.id }}' }, { kv, variables: { trigger: { id: 7 } } });
    expect(kv.get('company.team', 'last')).toBe('order-7');
    expect((await runTask(kvGet, { key: 'last' }, { kv })).outputs).toEqual({ value: 'order-7' });
    expect((await runTask(kvDelete, { key: 'last' }, { kv })).outputs).toEqual({ deleted: true });
    expect((await runTask(kvDelete, { key: 'last' }, { kv })).outputs).toEqual({ deleted: false });
    expect((await runTask(kvGet, { key: 'last' }, { kv })).outputs).toEqual({ value: null });
  });

  it('keeps the type of a single expression and converts text with kvType', async () => {
    const kv = new TestKv();
    await runTask(kvSet, { key: 'obj', value: '{{ trigger.payload }}' }, { kv, variables: { trigger: { payload: { a: 1, b: [true] } } } });
    expect(kv.get('company.team', 'obj')).toEqual({ a: 1, b: [true] });
    await runTask(kvSet, { key: 'n', value: '42', kvType: 'NUMBER' }, { kv });
    await runTask(kvSet, { key: 'b', value: 'TRUE', kvType: 'BOOLEAN' }, { kv });
    await runTask(kvSet, { key: 'j', value: '{"x": [1, 2]}', kvType: 'JSON' }, { kv });
    await runTask(kvSet, { key: 'd', value: '2024-01-02T03:04:05Z', kvType: 'DATETIME' }, { kv });
    await runTask(kvSet, { key: 'map', value: { nested: '{{ flow.id }}' } }, { kv });
    expect(kv.get('company.team', 'n')).toBe(42);
    expect(kv.get('company.team', 'b')).toBe(true);
    expect(kv.get('company.team', 'j')).toEqual({ x: [1, 2] });
    expect(kv.get('company.team', 'd')).toBe('2024-01-02T03:04:05.000Z');
    expect(kv.get('company.team', 'map')).toEqual({ nested: 'test_flow' });
    await expect(runTask(kvSet, { key: 'bad', value: 'abc', kvType: 'NUMBER' }, { kv })).rejects.toThrow(/not a number/);
  });

  it('honours namespace, overwrite and ttl', async () => {
    const kv = new TestKv();
    await runTask(kvSet, { key: 'k', value: 'v1', namespace: 'other.ns', ttl: 'PT1H' }, { kv });
    expect(kv.get('other.ns', 'k')).toBe('v1');
    expect(kv.get('company.team', 'k')).toBeUndefined();
    const expires = kv.expiresAt('other.ns', 'k')!;
    expect(expires - Date.now()).toBeGreaterThan(3_590_000);
    await expect(runTask(kvSet, { key: 'k', value: 'v2', namespace: 'other.ns', overwrite: false }, { kv })).rejects.toThrow(/already exists/);
    await runTask(kvSet, { key: 'k', value: 'v2', namespace: 'other.ns', overwrite: '{{ true }}' }, { kv });
    expect(kv.get('other.ns', 'k')).toBe('v2');
  });

  it('fails on a missing key only with errorOnMissing', async () => {
    await expect(runTask(kvGet, { key: 'missing', errorOnMissing: true })).rejects.toThrow(
      "No value found for key 'missing' in namespace 'company.team' and `errorOnMissing` is set to true",
    );
    await expect(runTask(kvDelete, { key: 'missing', errorOnMissing: true })).rejects.toThrow(/No value found/);
  });
});

describe('registry', () => {
  const registry = createRegistry();
  const expected: Record<string, string[]> = {
    'io.kestra.plugin.core.log.Log': ['io.kestra.core.tasks.log.Log'],
    'io.kestra.plugin.core.debug.Return': ['io.kestra.core.tasks.debugs.Return'],
    'io.kestra.plugin.core.output.OutputValues': ['io.kestra.core.tasks.outputs.OutputValues'],
    'io.kestra.plugin.core.flow.Sleep': [],
    'io.kestra.plugin.core.execution.Fail': ['io.kestra.core.tasks.executions.Fail'],
    'io.kestra.plugin.core.flow.If': ['io.kestra.core.tasks.flows.If'],
    'io.kestra.plugin.core.flow.Switch': ['io.kestra.core.tasks.flows.Switch'],
    'io.kestra.plugin.core.flow.Parallel': ['io.kestra.core.tasks.flows.Parallel'],
    'io.kestra.plugin.core.flow.Sequential': ['io.kestra.core.tasks.flows.Sequential'],
    'io.kestra.plugin.core.flow.ForEach': [],
    'io.kestra.plugin.core.kv.Set': [],
    'io.kestra.plugin.core.kv.Get': [],
    'io.kestra.plugin.core.kv.Delete': [],
    'io.kestra.plugin.core.http.Request': ['io.kestra.plugin.fs.http.Request'],
    'io.kestra.plugin.transform.jsonata.TransformValue': [],
    'io.kestra.plugin.scripts.shell.Script': [],
    'io.kestra.plugin.scripts.shell.Commands': [],
    'io.kestra.plugin.scripts.node.Script': [],
    'io.kestra.plugin.scripts.node.Commands': [],
  };

  it.each(Object.entries(expected))('knows %s and its aliases', (type, aliases) => {
    const def = registry.task(type)!;
    expect(def?.type).toBe(type);
    for (const a of aliases) expect(registry.task(a)).toBe(def);
    expect(def.title && def.description && def.category).toBeTruthy();
    expect(def.examples?.length).toBeGreaterThan(0);
  });

  it('validates every example with the full (strict) schema and produces a JSON Schema', async () => {
    const { parse } = await import('yaml');
    for (const def of registry.all()) {
      if (def.kind !== 'task' || !Object.keys(expected).includes(def.type)) continue;
      const schema = registry.schemaOf(def);
      for (const ex of def.examples ?? []) {
        const spec = parse(ex.code);
        const r = schema.safeParse(spec);
        expect(r.success, `${def.type} example "${ex.title}": ${r.success ? '' : JSON.stringify(r.error.issues)}`).toBe(true);
      }
      expect(() => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })).not.toThrow();
    }
  });

  it("validates the tasks of Kestra's benchmark flows unchanged", async () => {
    const { parse } = await import('yaml');
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../fixtures/kestra-benchmarks/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBe(4);
    const visit = (tasks: Record<string, unknown>[] | undefined, where: string): number => {
      let n = 0;
      for (const task of tasks ?? []) {
        const def = registry.task(String(task.type))!;
        expect(def, `${where}: ${String(task.type)}`).toBeDefined();
        const r = registry.schemaOf(def).safeParse(task);
        expect(r.success, `${where}/${String(task.id)}: ${r.success ? '' : JSON.stringify(r.error.issues)}`).toBe(true);
        n++;
        for (const key of def.childTaskProps ?? []) n += visit(task[key] as Record<string, unknown>[] | undefined, `${where}/${String(task.id)}`);
      }
      return n;
    };
    let count = 0;
    for (const file of files) count += visit(parse(readFileSync(new URL(file, dir), 'utf8')).tasks, file);
    expect(count).toBeGreaterThan(15);
  });

  it('accepts Kestra property names and rejects misspelt ones', () => {
    const schema = registry.schemaOf(registry.task('io.kestra.plugin.core.flow.ForEach')!);
    expect(schema.safeParse({ id: 'each', type: 'io.kestra.plugin.core.flow.ForEach', values: ['a'], concurrencyLimit: 0, tasks: [child('a')] }).success).toBe(true);
    expect(schema.safeParse({ id: 'each', type: 'io.kestra.plugin.core.flow.ForEach', value: ['a'], tasks: [child('a')] }).success).toBe(false);
  });
});
