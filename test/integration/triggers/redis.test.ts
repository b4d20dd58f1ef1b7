// Redis list triggers against a real Redis: one execution per element, admitted before the element
// leaves the processing list; broker restarts and bad payloads lose nothing.
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

const flow = (url: string, key: string, extra = '') => `id: redis_rt
namespace: test.redis
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${url}
    key: ${key}
${extra}`;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describeBroker('redis', (broker) => {
  const client = () => new Redis(broker().connection);

  it('1,000 elements → exactly 1,000 SUCCESS executions with trigger.value', async () => {
    engine = await startEngine([flow(broker().url, 'orders')]);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    const r = client();
    const values = Array.from({ length: 1000 }, (_, i) => `order-${i}`);
    for (let i = 0; i < values.length; i += 100) await r.rpush('orders', ...values.slice(i, i + 100));
    const executions = await executionsOf(engine, 'redis_rt', 1000);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    expect(new Set(executions.map((e) => e.trigger!.variables.value))).toEqual(new Set(values));
    expect(await r.llen('orders')).toBe(0);
    expect(await r.llen('orders:processing:test.redis.redis_rt.list')).toBe(0);
    expect(health(engine, 'test.redis', 'redis_rt', 'list')).toMatchObject({ received: 1000, admitted: 1000 });
    r.disconnect();
  });

  it('JSON payloads are decoded; an unreadable one becomes a FAILED execution keeping the raw text', async () => {
    engine = await startEngine([flow(broker().url, 'json_in', '    serdeType: JSON\n')]);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    const r = client();
    await r.rpush('json_in', '{"amount": 42}', '{not json');
    const executions = await executionsOf(engine, 'redis_rt', 2);
    const ok = executions.find((e) => e.state.current === 'SUCCESS')!;
    const bad = executions.find((e) => e.state.current === 'FAILED')!;
    expect(ok.trigger!.variables.value).toEqual({ amount: 42 });
    expect(ok.taskRunList[0].outputs).toEqual({ value: '{"amount":42}' });
    expect(bad.error).toMatch(/not valid JSON/);
    expect(bad.trigger!.variables.raw).toBe('{not json');
    r.disconnect();
  });

  it('re-admits what a crash left in the processing list', async () => {
    const r = client();
    await r.rpush('orders:processing:test.redis.redis_rt.list', 'left-behind');
    engine = await startEngine([flow(broker().url, 'orders')]);
    const [e] = await executionsOf(engine, 'redis_rt', 1);
    expect(e.trigger!.variables.value).toBe('left-behind');
    expect(await r.llen('orders:processing:test.redis.redis_rt.list')).toBe(0);
    r.disconnect();
  });

  it('goes BACKOFF when Redis restarts mid-stream, reconnects, and loses nothing', async () => {
    engine = await startEngine([flow(broker().url, 'stream')]);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    const states: string[] = [];
    engine.events.on('trigger', (h) => states.push(h.state));
    let r = client();
    await r.rpush('stream', ...Array.from({ length: 200 }, (_, i) => `a${i}`));
    await executionsOf(engine, 'redis_rt', 200);
    r.disconnect();
    await broker().restart();
    r = client();
    await r.rpush('stream', ...Array.from({ length: 200 }, (_, i) => `b${i}`));
    const executions = await executionsOf(engine, 'redis_rt', 400, { timeoutMs: 60_000 });
    expect(states).toContain('BACKOFF');
    expect(health(engine, 'test.redis', 'redis_rt', 'list')!.state).toBe('RUNNING');
    const seen = new Set(executions.map((e) => e.trigger!.variables.value));
    for (let i = 0; i < 200; i++) expect(seen.has(`a${i}`) && seen.has(`b${i}`)).toBe(true);
    r.disconnect();
  });

  it('polling twin: one execution per batch, whose file holds every element exactly once', async () => {
    engine = await startEngine([`id: redis_poll
namespace: test.redis
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.count }}"
triggers:
  - id: poll
    type: io.kestra.plugin.redis.list.Trigger
    url: ${broker().url}
    key: batch_in
    interval: PT0.2S
    maxRecords: 300
`]);
    const r = client();
    const values = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    await r.rpush('batch_in', ...values);
    const found: string[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'redis_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.count));
        expect(lines.length).toBeLessThanOrEqual(300);
        found.push(...lines);
      }
      return found.length >= 1000;
    }, 20_000, 'all batches');
    expect(found.sort()).toEqual([...values].sort());
    r.disconnect();
  });

  it('an unreachable host is BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([flow('redis://127.0.0.1:1', 'nowhere')]);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(health(engine, 'test.redis', 'redis_rt', 'list')!.lastError).toMatch(/refused|ECONNREFUSED/);
    const other = await engine.saveFlow(flow(broker().url, 'fixed'));
    expect(other.ok).toBe(true);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'RUNNING', 10_000, 'RUNNING after the fix');
  });

  it('editing the flow restarts the trigger with the new key; disabled: true stops it', async () => {
    engine = await startEngine([flow(broker().url, 'first_key')]);
    await eventually(() => health(engine!, 'test.redis', 'redis_rt', 'list')?.state === 'RUNNING', 10_000, 'RUNNING');
    await engine.saveFlow(flow(broker().url, 'second_key'));
    const r = client();
    await r.rpush('second_key', 'after-edit');
    const [e] = await executionsOf(engine, 'redis_rt', 1);
    expect(e.trigger!.variables.value).toBe('after-edit');
    await engine.saveFlow(flow(broker().url, 'second_key', '    disabled: true\n'));
    expect(health(engine, 'test.redis', 'redis_rt', 'list')).toBeUndefined();
    await r.rpush('second_key', 'while-disabled');
    await new Promise((res) => setTimeout(res, 300));
    expect(await r.llen('second_key')).toBe(1);
    r.disconnect();
  });
});
