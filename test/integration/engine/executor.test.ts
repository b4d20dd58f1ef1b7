// The executor and supervisor against the real SQLite store: retries, timeouts, allowFailure,
// errors/finally, pause/resume, subflows, flow and schedule triggers, concurrency, dedup, secrets.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../../../main/plugins';
import type { TriggerDefinition } from '../../../main/plugins/types';
import { Engine } from '../../../main/runtime/engine';
import { eventually, tempDir } from '../../helpers/server-process';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function engineWith(flows: string[], opts: Partial<Parameters<typeof Engine.start>[0]> = {}): Promise<Engine> {
  const engine = await Engine.start({ dataDir: tempDir('engine'), backoff: { minMs: 50, maxMs: 200 }, ...opts });
  engines.push(engine);
  for (const source of flows) {
    const r = await engine.saveFlow(source);
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  }
  return engine;
}

async function run(engine: Engine, ns: string, id: string, inputs: Record<string, unknown> = {}) {
  const e = await engine.createExecution(ns, id, inputs);
  return engine.waitFor(e.id);
}

const logsOf = (engine: Engine, id: string) => engine.store.logs({ executionId: id }).map((l) => `${l.level} ${l.taskId ?? '-'}: ${l.message}`);

describe('executor', () => {
  it('retries a failing task and records each attempt', async () => {
    const engine = await engineWith([`id: retry
namespace: t
tasks:
  - id: flaky
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < 2 }}"
    errorMessage: attempt {{ taskrun.attemptsCount }} fails
    retry:
      type: constant
      interval: PT0.01S
      maxAttempts: 5
`]);
    const done = await run(engine, 't', 'retry');
    await engine.store.writer.flush();
    expect(done.state.current).toBe('SUCCESS');
    const stored = engine.getExecution(done.id)!;
    expect(stored.taskRunList[0].attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'SUCCESS']);
    // Kestra's Fail logs its message, then fails the attempt with "Fail on a condition".
    expect(logsOf(engine, done.id).filter((l) => l.startsWith('ERROR'))).toEqual([
      'ERROR flaky: attempt 0 fails', 'ERROR flaky: Fail on a condition', 'ERROR flaky: attempt 1 fails', 'ERROR flaky: Fail on a condition',
    ]);
  });

  it('stops retrying at maxAttempts and fails', async () => {
    const engine = await engineWith([`id: retry2
namespace: t
tasks:
  - id: always
    type: io.kestra.plugin.core.execution.Fail
    retry: { type: constant, interval: PT0.01S, maxAttempt: 3 }
`]);
    const done = await run(engine, 't', 'retry2');
    expect(done.state.current).toBe('FAILED');
    expect(done.taskRunList[0].attempts).toHaveLength(3);
  });

  it('fails a task that outlives its timeout, and runs errors then finally', async () => {
    const engine = await engineWith([`id: timeout
namespace: t
tasks:
  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT10S
    timeout: PT0.2S
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
errors:
  - id: on_error
    type: io.kestra.plugin.core.log.Log
    message: handled
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: cleaned
`]);
    const started = Date.now();
    const done = await run(engine, 't', 'timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(done.state.current).toBe('FAILED');
    expect(done.taskRunList.map((t) => [t.taskId, t.state.current])).toEqual([
      ['slow', 'FAILED'], ['on_error', 'SUCCESS'], ['cleanup', 'SUCCESS'],
    ]);
    await engine.store.writer.flush();
    expect(logsOf(engine, done.id).some((l) => /slow: Timeout/.test(l))).toBe(true);
  });

  it('turns a failure into WARNING with allowFailure and carries on', async () => {
    const engine = await engineWith([`id: allow
namespace: t
tasks:
  - id: bad
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: still here
`]);
    const done = await run(engine, 't', 'allow');
    expect(done.state.current).toBe('WARNING');
    expect(done.taskRunList.map((t) => t.state.current)).toEqual(['WARNING', 'SUCCESS']);
    expect(done.taskRunList[1].outputs).toEqual({ value: 'still here' });
  });

  it('pauses until resumed with inputs', async () => {
    const engine = await engineWith([`id: pause
namespace: t
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.answer }}"
`]);
    const e = await engine.createExecution('t', 'pause');
    await eventually(() => engine.executor.live(e.id)?.state.current === 'PAUSED', 5000, 'PAUSED');
    expect(engine.resume(e.id, { answer: 'yes' })).toBe(true);
    const done = await engine.waitFor(e.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(done.taskRunList[1].outputs).toEqual({ value: 'yes' });
  });

  it('kills a running execution', async () => {
    const engine = await engineWith([`id: long
namespace: t
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`]);
    const e = await engine.createExecution('t', 'long');
    await eventually(() => engine.executor.live(e.id)?.taskRunList[0]?.state.current === 'RUNNING', 5000, 'RUNNING');
    expect(engine.kill(e.id)).toBe(true);
    const done = await engine.waitFor(e.id);
    expect(done.state.current).toBe('KILLED');
    expect(done.taskRunList[0].state.current).toBe('KILLED');
  });

  it('runs a subflow, waits for it and passes its outputs on', async () => {
    const engine = await engineWith([
      `id: child
namespace: t
inputs:
  - id: who
    type: STRING
tasks:
  - id: greet
    type: io.kestra.plugin.core.debug.Return
    format: hello {{ inputs.who }}
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.greet.value }}"
`,
      `id: parent
namespace: t
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: t
    flowId: child
    inputs:
      who: parent
  - id: use
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.call.outputs.greeting }}"
`,
    ]);
    const done = await run(engine, 't', 'parent');
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList[1].outputs).toEqual({ value: 'hello parent' });
    const child = engine.getExecution(String(done.taskRunList[0].outputs!.executionId))!;
    expect(child.parentId).toBe(done.id);
    expect(child.outputs).toEqual({ greeting: 'hello parent' });
  });

  it('starts a flow when another ends (Flow trigger with preconditions)', async () => {
    const engine = await engineWith([
      `id: upstream
namespace: t
tasks:
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: done
`,
      `id: downstream
namespace: t
inputs:
  - id: from
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "after {{ trigger.flowId }} {{ trigger.state }}"
triggers:
  - id: after_upstream
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      from: "{{ trigger.executionId }}"
    states: [SUCCESS]
    preconditions:
      flows:
        - namespace: t
          flowId: upstream
`,
    ]);
    const up = await run(engine, 't', 'upstream');
    const down = await eventually(() => engine.store.searchExecutions({ flowId: 'downstream' }).results[0], 5000, 'downstream execution');
    const done = await engine.waitFor(down.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.inputs).toEqual({ from: up.id });
    expect(done.trigger).toMatchObject({ id: 'after_upstream', variables: { flowId: 'upstream', state: 'SUCCESS', executionId: up.id } });
  });

  it('fires a Schedule every second with its dates', async () => {
    const engine = await engineWith([`id: tick
namespace: t
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: every_second
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
`]);
    const found = await eventually(() => {
      const r = engine.store.searchExecutions({ flowId: 'tick', state: ['SUCCESS'] }).results;
      return r.length >= 2 ? r : undefined;
    }, 6000, 'two scheduled executions');
    const dates = found.map((e) => String(e.trigger!.variables.date));
    expect(new Set(dates).size).toBe(dates.length);
    for (const e of found) expect(Date.parse(String(e.trigger!.variables.next)) - Date.parse(String(e.trigger!.variables.date))).toBe(1000);
  });

  it('queues executions past the flow concurrency limit', async () => {
    const engine = await engineWith([`id: one_at_a_time
namespace: t
concurrency:
  limit: 1
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.1S
`]);
    const ids = await Promise.all([1, 2, 3].map(async () => (await engine.createExecution('t', 'one_at_a_time')).id));
    expect(ids.map((id) => engine.executor.isRunning(id)).filter(Boolean)).toHaveLength(1);
    const done = await Promise.all(ids.map((id) => engine.waitFor(id)));
    expect(done.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(done.filter((e) => e.state.histories.some((h) => h.state === 'QUEUED'))).toHaveLength(2);
    const spans = done.map((e) => [Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')!.date), Date.parse(e.state.endDate!)]);
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('masks secrets in logs', async () => {
    process.env.SECRET_DB_PASSWORD = Buffer.from('hunter2-very-secret').toString('base64');
    const engine = await engineWith([`id: secret
namespace: t
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "password is {{ secret('DB_PASSWORD') }}"
`]);
    const done = await run(engine, 't', 'secret');
    await engine.store.writer.flush();
    expect(done.state.current).toBe('SUCCESS');
    const logs = logsOf(engine, done.id).join('\n');
    expect(logs).toContain('password is ******');
    expect(logs).not.toContain('hunter2');
    delete process.env.SECRET_DB_PASSWORD;
  });

  it('masks secrets in task and flow outputs', async () => {
    process.env.SECRET_API_TOKEN = Buffer.from('tok-abcdef-123456').toString('base64');
    const engine = await engineWith([`id: secret_out
namespace: t
tasks:
  - id: leak
    type: io.kestra.plugin.core.debug.Return
    format: "token={{ secret('API_TOKEN') }}"
outputs:
  - id: again
    type: STRING
    value: "{{ outputs.leak.value }}"
`]);
    const done = await run(engine, 't', 'secret_out');
    expect(done.taskRunList[0].outputs).toEqual({ value: 'token=******' });
    expect(done.outputs).toEqual({ again: 'token=******' });
    expect(JSON.stringify(engine.getExecution(done.id))).not.toContain('tok-abcdef-123456');
    delete process.env.SECRET_API_TOKEN;
  });

  it('a missing secret fails the task with a message that says how to fix it', async () => {
    const engine = await engineWith([`id: nosecret
namespace: t
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ secret('NOPE') }}"
`]);
    const done = await run(engine, 't', 'nosecret');
    await engine.store.writer.flush();
    expect(done.state.current).toBe('FAILED');
    expect(logsOf(engine, done.id).join('\n')).toMatch(/secret "NOPE" not found.*SECRET_NOPE/);
  });
});

describe('admission and the trigger supervisor', () => {
  const FLOW = `id: fed
namespace: t
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value }}"
triggers:
  - id: source
    type: io.peregrine.test.TestOnlyTrigger
`;
  /** A test-only trigger: its start fails `failFirst` times, then it hands the test its context. */
  function registryWithTestTrigger(state: { failFirst: number; ctx?: any }) {
    const def: TriggerDefinition = {
      kind: 'trigger', mode: 'realtime', type: 'io.peregrine.test.TestOnlyTrigger', title: 'test only', description: 'test only', category: 'Test',
      props: z.object({}),
      async start(ctx) {
        if (state.failFirst-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1 });
        state.ctx = ctx;
        return { stop() {} };
      },
    };
    return createRegistry().register(def);
  }

  it('admits once per dedup key, even when the same message comes again', async () => {
    const state = { failFirst: 0 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    await eventually(() => state.ctx, 5000, 'trigger started');
    const a = await state.ctx.admit({ variables: { value: 'm1' }, dedupKey: 'offset-1' });
    const b = await state.ctx.admit({ variables: { value: 'm1' }, dedupKey: 'offset-1' });
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ executionId: a.executionId, duplicate: true });
    await engine.waitFor(a.executionId);
    expect(engine.store.searchExecutions({ flowId: 'fed' }).total).toBe(1);
    const health = engine.supervisor.get('t', 'fed', 'source')!.health();
    expect(health).toMatchObject({ state: 'RUNNING', received: 2, admitted: 1, duplicates: 1 });
  });

  it('commits the execution before admit resolves', async () => {
    const state = { failFirst: 0 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    await eventually(() => state.ctx, 5000, 'trigger started');
    const r = await state.ctx.admit({ variables: { value: 'x' } });
    const row = engine.store.db.prepare('SELECT id FROM executions WHERE id = ?').get(r.executionId);
    expect(row).toBeTruthy();
  });

  it('an unreadable payload becomes a FAILED execution that keeps the raw bytes and says why', async () => {
    const state = { failFirst: 0 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    await eventually(() => state.ctx, 5000, 'trigger started');
    const r = await state.ctx.admit({ variables: {}, failure: { reason: 'invalid JSON at position 1', raw: '{oops' } });
    const stored = engine.getExecution(r.executionId)!;
    expect(stored.state.current).toBe('FAILED');
    expect(stored.error).toBe('invalid JSON at position 1');
    expect(stored.trigger!.variables.raw).toBe('{oops');
    expect(stored.taskRunList).toHaveLength(0);
  });

  it('backs off with a readable error when a trigger fails to start, then recovers', async () => {
    const state = { failFirst: 2 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    const seen: string[] = [];
    engine.events.on('trigger', (h) => seen.push(h.state));
    const inst = engine.supervisor.get('t', 'fed', 'source')!;
    expect(['BACKOFF', 'STARTING', 'RUNNING']).toContain(inst.state);
    await eventually(() => inst.state === 'RUNNING', 5000, 'RUNNING after backoff');
    expect(seen).toContain('BACKOFF');
    expect(inst.health().restarts).toBeGreaterThanOrEqual(1);
    expect(inst.lastError).toBeUndefined();
  });

  it('reports the last error in plain words while backing off', async () => {
    const state = { failFirst: 1000 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    const inst = engine.supervisor.get('t', 'fed', 'source')!;
    await eventually(() => inst.state === 'BACKOFF', 5000, 'BACKOFF');
    expect(inst.health().lastError).toMatch(/connection refused by 127\.0\.0\.1:1 — is the broker running\?/);
    expect(inst.health().nextRetryAt).toBeDefined();
  });

  it('pauses a consumer at the in-flight cap until executions finish', async () => {
    const state = { failFirst: 0 } as { failFirst: number; ctx?: any };
    await engineWith([FLOW.replace('io.kestra.plugin.core.log.Log\n    message: "{{ trigger.value }}"', 'io.kestra.plugin.core.flow.Sleep\n    duration: PT0.3S')], {
      registry: registryWithTestTrigger(state), maxInFlight: 2,
    });
    await eventually(() => state.ctx, 5000, 'trigger started');
    await state.ctx.admit({ variables: { value: 1 } });
    await state.ctx.admit({ variables: { value: 2 } });
    expect(state.ctx.inFlight()).toBe(2);
    let released = false;
    const waiting = state.ctx.waitForCapacity().then(() => (released = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toBe(false);
    await waiting;
    expect(state.ctx.inFlight()).toBeLessThan(2);
  });

  it('the watchdog restarts a consumer that receives nothing while its broker holds messages', async () => {
    let starts = 0;
    const silent: TriggerDefinition = {
      kind: 'trigger', mode: 'realtime', type: 'io.peregrine.test.TestOnlySilentTrigger', title: 'test only', description: 'test only', category: 'Test',
      props: z.object({}),
      async start() {
        starts++;
        return { stop() {}, backlog: async () => 5 }; // connected, 5 waiting, never delivers
      },
    };
    const engine = await engineWith([FLOW.replace('io.peregrine.test.TestOnlyTrigger', 'io.peregrine.test.TestOnlySilentTrigger')], {
      registry: createRegistry().register(silent), stallAfterMs: 200,
    });
    const errors: string[] = [];
    engine.events.on('trigger', (h) => h.lastError && errors.push(h.lastError));
    await eventually(() => starts >= 2, 5000, 'a restart by the watchdog');
    expect(errors[0]).toMatch(/stalled: 5 message\(s\) waiting at the broker but none received for \d+ s/);
  });

  it('restarts a trigger when its definition changes and stops it when disabled', async () => {
    const state = { failFirst: 0 } as { failFirst: number; ctx?: any };
    const engine = await engineWith([FLOW], { registry: registryWithTestTrigger(state) });
    await eventually(() => state.ctx, 5000, 'trigger started');
    const first = state.ctx;
    await engine.saveFlow(FLOW.replace('type: io.peregrine.test.TestOnlyTrigger', 'type: io.peregrine.test.TestOnlyTrigger\n    description: changed'));
    await eventually(() => state.ctx !== first, 5000, 'restarted');
    expect(first.signal.aborted).toBe(true);
    await engine.saveFlow(FLOW.replace('type: io.peregrine.test.TestOnlyTrigger', 'type: io.peregrine.test.TestOnlyTrigger\n    disabled: true'));
    expect(engine.supervisor.get('t', 'fed', 'source')).toBeUndefined();
    expect(state.ctx.signal.aborted).toBe(true);
  });
});
