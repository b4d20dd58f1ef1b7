// Broker and network faults: the engine reaches Redis through a fault-injecting proxy; cuts,
// black holes and delays send the trigger to BACKOFF with the reason, it recovers by itself, and
// no message is lost. A broker killed with SIGKILL and started again: the same.
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../main/runtime/engine';
import { describeBroker } from '../brokers';
import { executionsOf, health, startEngine } from '../helpers/engine';
import { eventually } from '../helpers/server-process';
import { FaultProxy } from './proxy';

let engine: Engine | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await engine?.close();
  await proxy?.close();
  engine = proxy = undefined;
});

const flow = (port: number) => `id: faults
namespace: reliability
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: redis://127.0.0.1:${port}
    key: faults
`;

describeBroker('redis', (broker) => {
  const push = async (from: number, n: number) => {
    const r = new Redis(broker().connection);
    await r.rpush('faults', ...Array.from({ length: n }, (_, i) => String(from + i)));
    r.disconnect();
  };
  const ids = (executions: { trigger?: { variables: Record<string, unknown> } }[]) => new Set(executions.map((e) => Number(e.trigger!.variables.value)));
  const state = () => health(engine!, 'reliability', 'faults', 'list');

  it('a network cut: BACKOFF with the reason, then recovery, nothing lost', async () => {
    proxy = new FaultProxy(broker().port);
    engine = await startEngine([flow(await proxy.start())], { backoff: { minMs: 100, maxMs: 500 } });
    await eventually(() => state()?.state === 'RUNNING', 10_000, 'RUNNING');
    await push(0, 200);
    await executionsOf(engine, 'faults', 200);
    const states: string[] = [];
    engine.events.on('trigger', (h) => states.push(`${h.state}${h.lastError ? `: ${h.lastError}` : ''}`));
    proxy.cut();
    await push(200, 200);
    const all = await executionsOf(engine, 'faults', 400, { timeoutMs: 30_000 });
    expect(states.some((s) => s.startsWith('BACKOFF'))).toBe(true);
    expect(state()!.state).toBe('RUNNING');
    expect(ids(all).size).toBe(400);
  });

  it('a black hole: the silent connection is detected, and traffic resumes when the network does', async () => {
    proxy = new FaultProxy(broker().port);
    engine = await startEngine([flow(await proxy.start())], { backoff: { minMs: 100, maxMs: 500 } });
    await eventually(() => state()?.state === 'RUNNING', 10_000, 'RUNNING');
    proxy.mode = 'blackhole';
    await eventually(() => state()?.state === 'BACKOFF', 20_000, 'BACKOFF while black-holed');
    expect(state()!.lastError).toMatch(/timed out|timeout|closed/i);
    await push(0, 100);
    proxy.mode = 'pass';
    proxy.cut(); // connections opened during the black hole are half-dead: start clean
    const all = await executionsOf(engine, 'faults', 100, { timeoutMs: 30_000 });
    expect(ids(all).size).toBe(100);
    expect(state()!.state).toBe('RUNNING');
  });

  it('a slow network (200 ms each way): everything still arrives', async () => {
    proxy = new FaultProxy(broker().port);
    engine = await startEngine([flow(await proxy.start())]);
    await eventually(() => state()?.state === 'RUNNING', 10_000, 'RUNNING');
    proxy.mode = 'delay';
    proxy.delayMs = 200;
    await push(0, 300);
    const all = await executionsOf(engine, 'faults', 300, { timeoutMs: 60_000 });
    expect(ids(all).size).toBe(300);
  });

  it('the broker killed with SIGKILL and started again: BACKOFF, recovery, nothing lost', async () => {
    engine = await startEngine([flow(broker().port)], { backoff: { minMs: 100, maxMs: 500 } });
    await eventually(() => state()?.state === 'RUNNING', 10_000, 'RUNNING');
    await push(0, 200);
    await executionsOf(engine, 'faults', 200);
    await broker().kill();
    await eventually(() => state()?.state === 'BACKOFF', 10_000, 'BACKOFF');
    await broker().start();
    await push(200, 200);
    const all = await executionsOf(engine, 'faults', 400, { timeoutMs: 30_000 });
    expect(ids(all).size).toBe(400);
    await eventually(() => state()?.state === 'RUNNING', 10_000, 'RUNNING again');
  });
});
