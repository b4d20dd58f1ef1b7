// Resource bounds: a flood with a slow flow keeps memory bounded (the in-flight cap pauses the
// consumer and the broker keeps the rest); a 10 MB message is handled, or refused under a smaller
// configured limit with a clear error and its payload kept; 1,000 flows with 1,000 triggers start
// and stop cleanly.
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../main/runtime/engine';
import { describeBroker } from '../brokers';
import { executionsOf, health, startEngine } from '../helpers/engine';
import { eventually, tempDir } from '../helpers/server-process';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const flow = (url: string, key: string, task: string) => `id: bounds
namespace: reliability
tasks:
${task}
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${url}
    key: ${key}
`;
const sleepTask = `  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`;
const lengthTask = `  - id: size
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value | length }}"
`;

describeBroker('redis', (broker) => {
  it('a flood of 100,000 messages with a slow flow: in flight stays at the cap, memory stays bounded', async () => {
    const r = new Redis(broker().connection);
    const payload = 'x'.repeat(200);
    for (let i = 0; i < 100_000; i += 5000) await r.rpush('flood', ...Array.from({ length: 5000 }, (_, j) => `${i + j}:${payload}`));
    engine = await startEngine([flow(broker().url, 'flood', sleepTask)], { maxInFlight: 200 });
    const rss0 = process.memoryUsage().rss;
    await eventually(() => health(engine!, 'reliability', 'bounds', 'list')?.inFlight === 200, 20_000, '200 in flight');
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((res) => setTimeout(res, 300));
      samples.push(health(engine!, 'reliability', 'bounds', 'list')!.inFlight);
    }
    const waiting = await r.llen('flood');
    const rssGrowthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(`[bounds] flood: in flight ${Math.max(...samples)} (cap 200), ${waiting} still at the broker, RSS +${rssGrowthMb.toFixed(1)} MB`);
    expect(Math.max(...samples)).toBe(200);
    expect(waiting).toBe(100_000 - 200);
    expect(rssGrowthMb).toBeLessThan(150);
    r.disconnect();
  }, 120_000);

  it('a 10 MB message is handled under the default limit', async () => {
    const r = new Redis(broker().connection);
    engine = await startEngine([flow(broker().url, 'big', lengthTask)]);
    await eventually(() => health(engine!, 'reliability', 'bounds', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    await r.rpush('big', 'y'.repeat(10 * 1024 * 1024));
    const [e] = await executionsOf(engine, 'bounds', 1, { timeoutMs: 60_000 });
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[0].outputs).toEqual({ value: String(10 * 1024 * 1024) });
    r.disconnect();
  }, 120_000);

  it('over a configured limit: a FAILED execution that says why, with the payload kept in internal storage', async () => {
    const r = new Redis(broker().connection);
    engine = await startEngine([flow(broker().url, 'big2', lengthTask)], { maxPayloadBytes: 1024 * 1024 });
    await eventually(() => health(engine!, 'reliability', 'bounds', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    await r.rpush('big2', 'z'.repeat(10 * 1024 * 1024));
    const [e] = await executionsOf(engine, 'bounds', 1, { timeoutMs: 60_000 });
    expect(e.state.current).toBe('FAILED');
    expect(e.error).toMatch(/over the limit of 1048576 bytes \(maxPayloadBytes\): its payload is kept at kestra:\/\//);
    const kept = JSON.parse(engine.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8'));
    expect(kept.value).toHaveLength(10 * 1024 * 1024);
    expect(await r.llen('big2')).toBe(0); // acknowledged: it is an execution, not a poison message
    r.disconnect();
  }, 120_000);

  it('1,000 flows with 1,000 triggers (900 schedules, 100 Redis consumers) start and stop cleanly', async () => {
    const dataDir = tempDir('thousand');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    for (let i = 0; i < 1000; i++) {
      const trigger = i < 100
        ? `  - id: t\n    type: io.kestra.plugin.redis.list.RealtimeTrigger\n    url: ${broker().url}\n    key: many_${i}\n`
        : `  - id: t\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 3 * * *"\n`;
      fs.writeFileSync(path.join(flowsDir, `f${i}.yml`), `id: f${i}\nnamespace: many\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.value ?? 'tick' }}"\ntriggers:\n${trigger}`);
    }
    const t0 = performance.now();
    engine = await startEngine([], { dataDir, flowsDir });
    await eventually(() => engine!.supervisor.health().filter((h) => h.state === 'RUNNING').length === 1000, 60_000, '1,000 triggers RUNNING');
    const startMs = performance.now() - t0;
    const r = new Redis(broker().connection);
    await r.rpush('many_42', 'hello');
    const [e] = await executionsOf(engine, 'f42', 1);
    expect(e.trigger!.variables.value).toBe('hello');
    const t1 = performance.now();
    await engine.close();
    const stopMs = performance.now() - t1;
    engine = undefined;
    console.log(`[bounds] 1,000 triggers: all RUNNING after ${Math.round(startMs)} ms, stopped in ${Math.round(stopMs)} ms`);
    expect(stopMs).toBeLessThan(30_000);
    const clients = (await r.client('LIST')) as string;
    expect(clients.split('\n').filter((l) => l.includes('cmd=blmove')).length).toBe(0); // no consumer left behind
    r.disconnect();
  }, 180_000);
});
