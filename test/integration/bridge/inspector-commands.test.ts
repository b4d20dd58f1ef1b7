// The commands added for the inspector, the executions pages, the overview and the first run
// (issue 8), over both transports: executions.stats, executions.timings, storage.read (confined,
// size-limited), flows.revision and gettingStarted.status/add; and test events to a real Redis.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { eventTimeOf } from '../../../main/api/commands';
import { describeBroker } from '../../brokers';
import { executionsOf, startEngine } from '../../helpers/engine';
import { eventually, tempDir } from '../../helpers/server-process';
import { ipcTransport, webSocketTransport, type Transport } from './transports';

const OK = `id: fine
namespace: stats.test
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
`;
const SLOW = `id: slow
namespace: stats.test
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S
`;
const BAD = `id: broken
namespace: stats.test
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: the order has no customer
`;

for (const make of [webSocketTransport, ipcTransport]) {
  describe(`inspector commands over ${make === webSocketTransport ? 'WebSocket' : 'Electron IPC'}`, () => {
    let engine: Engine;
    let t: Transport;
    beforeAll(async () => {
      engine = await startEngine([OK, SLOW, BAD], { flowsDir: path.join(tempDir('flows'), 'flows') });
      t = await make(engine);
      for (let i = 0; i < 4; i++) await engine.createExecution('stats.test', 'fine');
      for (let i = 0; i < 2; i++) await engine.createExecution('stats.test', 'slow');
      await engine.createExecution('stats.test', 'broken');
      await executionsOf(engine, 'fine', 4);
      await executionsOf(engine, 'slow', 2);
      await executionsOf(engine, 'broken', 1);
      await engine.store.writer.flush();
    });
    afterAll(async () => {
      await t.close();
      await engine.close();
    });

    it('executions.stats: per-minute buckets by state, the slowest flows, failures with their error', async () => {
      const r = await t.bridge.call('executions.stats', { from: Date.now() - 10 * 60_000 });
      if (!r.ok) throw new Error(r.error.message);
      const s = r.value;
      expect(s.bucketMs).toBe(60_000);
      expect(s.buckets.length).toBeGreaterThanOrEqual(10);
      expect(s.buckets.length).toBeLessThanOrEqual(12);
      const sum = (state: string) => s.buckets.reduce((a, b) => a + ((b.counts as Record<string, number>)[state] ?? 0), 0);
      expect(sum('SUCCESS')).toBe(6);
      expect(sum('FAILED')).toBe(1);
      expect(s.totals).toMatchObject({ SUCCESS: 6, FAILED: 1 });
      expect(s.slowest[0]).toMatchObject({ namespace: 'stats.test', flowId: 'slow', count: 2 });
      expect(s.slowest[0].avgMs).toBeGreaterThanOrEqual(200);
      expect(s.slowest[0].p95Ms).toBeGreaterThanOrEqual(200);
      expect(s.failures).toHaveLength(1);
      expect(s.failures[0]).toMatchObject({ flowId: 'broken', state: 'FAILED', taskId: 'boom' });
      expect(s.failures[0].error).toContain('the order has no customer');

      const one = await t.bridge.call('executions.stats', { flowId: 'fine', bucketMs: 1000, from: Date.now() - 30_000, slowest: 0, failures: 0 });
      expect(one.ok && one.value.totals).toEqual({ SUCCESS: 4 });
      expect(one.ok && one.value.buckets.length).toBeGreaterThanOrEqual(30);
      expect(one.ok && one.value.slowest).toEqual([]);
      // A window of more than 1,440 buckets starts later.
      const wide = await t.bridge.call('executions.stats', { from: 0, bucketMs: 1000 });
      expect(wide.ok && wide.value.buckets.length).toBeLessThanOrEqual(1441);
      expect(await t.bridge.call('executions.stats', { bucketMs: 10 })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    });

    it('executions.timings: created, started and ended times, newest first', async () => {
      const r = await t.bridge.call('executions.timings', { namespace: 'stats.test', flowId: 'slow' });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value).toHaveLength(2);
      for (const x of r.value) {
        expect(x.state).toBe('SUCCESS');
        expect(x.startedAt).toBeGreaterThanOrEqual(x.createdAt);
        expect(x.endedAt! - x.startedAt!).toBeGreaterThanOrEqual(190);
      }
      expect(r.value[0].createdAt).toBeGreaterThanOrEqual(r.value[1].createdAt);
      const limited = await t.bridge.call('executions.timings', { namespace: 'stats.test', flowId: 'fine', limit: 3 });
      expect(limited.ok && limited.value).toHaveLength(3);
    });

    it('storage.read: reads a file whole or cut at maxBytes, refuses escapes, symlinks out and missing files', async () => {
      const uri = engine.store.storage.put('stats/test/out.json', JSON.stringify({ rows: [1, 2, 3] }));
      const r = await t.bridge.call('storage.read', { uri });
      expect(r).toMatchObject({ ok: true, value: { uri, name: 'out.json', size: 16, truncated: false, encoding: 'utf8', contentType: 'application/json', data: '{"rows":[1,2,3]}' } });
      expect(r.ok && JSON.parse(r.value.data)).toEqual({ rows: [1, 2, 3] });
      const cut = await t.bridge.call('storage.read', { uri, maxBytes: 5 });
      expect(cut).toMatchObject({ ok: true, value: { size: 16, truncated: true, data: '{"row' } });
      // A cut inside a multi-byte character keeps what is whole.
      const accents = engine.store.storage.put('stats/test/accents.txt', 'été');
      const half = await t.bridge.call('storage.read', { uri: accents, maxBytes: 2 });
      expect(half).toMatchObject({ ok: true, value: { encoding: 'utf8', data: 'é', truncated: true } });
      const bin = engine.store.storage.put('stats/test/blob.bin', Buffer.from([0xff, 0xfe, 0x00, 0x01]));
      expect(await t.bridge.call('storage.read', { uri: bin })).toMatchObject({ ok: true, value: { encoding: 'base64', data: Buffer.from([0xff, 0xfe, 0, 1]).toString('base64') } });

      expect(await t.bridge.call('storage.read', { uri: 'kestra:///../../peregrine.db' })).toMatchObject({ ok: false, error: { code: 'INVALID', message: expect.stringMatching(/refused/) } });
      expect(await t.bridge.call('storage.read', { uri: 'kestra:///%2e%2e/%2e%2e/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
      expect(await t.bridge.call('storage.read', { uri: 'file:///etc/passwd' })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
      expect(await t.bridge.call('storage.read', { uri: 'kestra:///nothing/here.txt' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await t.bridge.call('storage.read', { uri: 'kestra:///stats' })).toMatchObject({ ok: false, error: { code: 'INVALID', message: expect.stringMatching(/not a file/) } });
      const outside = path.join(tempDir('outside'), 'secret.txt');
      fs.writeFileSync(outside, 'secret');
      const link = engine.store.storage.resolve('kestra:///stats/test/link.txt');
      fs.symlinkSync(outside, link);
      expect(await t.bridge.call('storage.read', { uri: 'kestra:///stats/test/link.txt' })).toMatchObject({ ok: false, error: { code: 'INVALID', message: expect.stringMatching(/refused/) } });
      fs.unlinkSync(link);
      expect(await t.bridge.call('storage.read', { uri, maxBytes: 64 * 1024 * 1024 })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    });

    it('flows.revision: the source an execution ran, by revision', async () => {
      await engine.saveFlow(OK.replace('message: hello', 'message: hello again'));
      const r1 = await t.bridge.call('flows.revision', { namespace: 'stats.test', id: 'fine', revision: 1 });
      expect(r1).toMatchObject({ ok: true, value: { revision: 1, source: OK } });
      const r2 = await t.bridge.call('flows.revision', { namespace: 'stats.test', id: 'fine', revision: 2 });
      expect(r2.ok && r2.value.source).toContain('hello again');
      expect(await t.bridge.call('flows.revision', { namespace: 'stats.test', id: 'fine', revision: 99 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  });
}

describe('the first run', () => {
  let engine: Engine;
  let t: Transport;
  beforeAll(async () => {
    engine = await startEngine([], { flowsDir: path.join(tempDir('first-run'), 'flows') });
    t = await webSocketTransport(engine);
  });
  afterAll(async () => {
    await t.close();
    await engine.close();
  });

  it('gettingStarted.status says the workspace is empty and lists the getting-started flows; add puts them in, once', async () => {
    const before = await t.bridge.call('gettingStarted.status', {});
    if (!before.ok) throw new Error(before.error.message);
    expect(before.value.empty).toBe(true);
    expect(before.value.flows.map((f) => f.id).sort()).toEqual(['sensor-alerts', 'sensor-simulator']);
    expect(before.value.flows.every((f) => !f.inWorkspace && f.namespace === 'getting.started' && f.title)).toBe(true);
    const added = await t.bridge.call('gettingStarted.add', {});
    expect(added).toMatchObject({ ok: true, value: { errors: [] } });
    expect(added.ok && added.value.added.map((f) => f.id).sort()).toEqual(['sensor-alerts', 'sensor-simulator']);
    const after = await t.bridge.call('gettingStarted.status', {});
    expect(after.ok && after.value.empty).toBe(false);
    expect(after.ok && after.value.flows.every((f) => f.inWorkspace)).toBe(true);
    expect(fs.existsSync(engine.flow('getting.started', 'sensor-alerts')!.file!)).toBe(true);
    expect(await t.bridge.call('gettingStarted.add', {})).toMatchObject({ ok: true, value: { added: [] } });
  });
});

describe('eventTimeOf', () => {
  const created = Date.parse('2025-01-01T10:00:00Z');
  it('reads the source time of an event when it is plausible', () => {
    expect(eventTimeOf({ timestamp: '2025-01-01T09:59:59.500Z' }, created)).toBe(created - 500);
    expect(eventTimeOf({ timestamp: created - 20 }, created)).toBe(created - 20);
    expect(eventTimeOf({ publishTime: String(created - 7) }, created)).toBe(created - 7);
    expect(eventTimeOf({ attributes: { SentTimestamp: String(created - 3) } }, created)).toBe(created - 3);
    expect(eventTimeOf({ timestamp: (created - 2000) / 1000 }, created)).toBe(created - 2000);
    expect(eventTimeOf({ timestamp: created + 60_000 }, created)).toBeUndefined();
    expect(eventTimeOf({ timestamp: created - 3 * 86_400_000 }, created)).toBeUndefined();
    expect(eventTimeOf({ value: 'x' }, created)).toBeUndefined();
  });
});

describeBroker('redis', (broker) => {
  let engine: Engine;
  let t: Transport;
  beforeAll(async () => {
    engine = await startEngine([`id: redis-test-events
namespace: stats.test
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value.n }}"
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${broker().url}/0
    key: test-events
    serdeType: JSON
`]);
    t = await webSocketTransport(engine);
  });
  afterAll(async () => {
    await t.close();
    await engine.close();
  });

  it('triggers.testEvent pushes to the Redis list (RPUSH, in order) and each element starts an execution', async () => {
    await eventually(() => engine.supervisor.get('stats.test', 'redis-test-events', 'list')?.health().state === 'RUNNING', 10_000, 'the consumer');
    const taps: number[] = [];
    const stop = t.bridge.subscribe('triggerEvents', {}, (b) => taps.push(...b.events.map((e) => (e.variables.value as { n: number }).n)));
    await new Promise((r) => setTimeout(r, 50));
    for (let n = 1; n <= 3; n++) expect(await t.bridge.call('triggers.testEvent', { namespace: 'stats.test', flowId: 'redis-test-events', triggerId: 'list', payload: JSON.stringify({ n }) })).toEqual({ ok: true, value: { sent: 1 } });
    const runs = await executionsOf(engine, 'redis-test-events', 3, { states: ['SUCCESS'] });
    expect(runs.map((e) => (e.trigger!.variables.value as { n: number }).n)).toEqual([1, 2, 3]);
    await eventually(() => taps.length === 3, 5000, 'three tap events');
    expect(taps).toEqual([1, 2, 3]);
    stop();
  });
});
