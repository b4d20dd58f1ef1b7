// Google Pub/Sub triggers and Publish against Google's Pub/Sub fake (pstest), reached through
// PUBSUB_EMULATOR_HOST: one execution per message, acked only after its execution is committed,
// messageId as the dedup key, the subscriber's flow control as the in-flight cap; polling batches;
// restarts and bad input lose nothing.
import fs from 'node:fs';
import path from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import { createRegistry } from '../../../main/plugins';
import { pubsubPlugins } from '../../../main/plugins/pubsub';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/kestra/pubsub-realtime-trigger.yml');
const REALTIME = 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger';
const PROJECT = 'peregrine-test';

/** Until the lead adds the family to main/plugins/index.ts, tests bring it in their own registry. */
function registry() {
  const r = createRegistry();
  if (!r.get(REALTIME)) r.register(...pubsubPlugins);
  return r;
}
/** Whether the real registry (the one `peregrine server` uses) knows the Pub/Sub plugins yet. */
const registered = Boolean(createRegistry().trigger(REALTIME));

const NS = 'test.pubsub';
const flow = (topic: string, extra = '', id = 'pubsub_rt') => `id: ${id}
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messageId }}"
triggers:
  - id: sub
    type: ${REALTIME}
    projectId: ${PROJECT}
    topic: ${topic}
${extra}`;

let engine: Engine | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await server?.kill('SIGKILL');
  server = undefined;
});

const state = (e: Engine, flowId = 'pubsub_rt', trigger = 'sub') => health(e, NS, flowId, trigger);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeBroker('pubsub', (broker) => {
  let client: PubSub;
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    // The engine runs in this process: it finds the fake through PUBSUB_EMULATOR_HOST, as a user's would.
    for (const [k, v] of Object.entries(broker().env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    client = new PubSub(broker().connection);
  });
  afterAll(async () => {
    await client?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const topic = async (name: string) => {
    const [t] = await client.createTopic(name);
    return t;
  };
  /** Pulls everything a subscription holds (acking it), with the official client. */
  const drain = async (subscription: string, expected: number, timeoutMs = 10_000) => {
    const got: Message[] = [];
    const sub = client.subscription(subscription);
    sub.on('message', (m: Message) => {
      got.push(m);
      m.ack();
    });
    try {
      await eventually(() => got.length >= expected, timeoutMs, `${expected} messages on ${subscription}`);
      await sleep(300);
    } finally {
      await sub.close();
    }
    return got;
  };
  const publishAll = async (name: string, payloads: (string | { data: string; attributes?: Record<string, string>; orderingKey?: string })[]) => {
    const t = client.topic(name, { messageOrdering: true, batching: { maxMessages: 100, maxMilliseconds: 5 } });
    await Promise.all(payloads.map((p) => (typeof p === 'string' ? t.publishMessage({ data: Buffer.from(p) }) : t.publishMessage({ ...p, data: Buffer.from(p.data) }))));
  };

  it('1,000 messages → exactly 1,000 SUCCESS executions with the right trigger.* values', async () => {
    await topic('orders');
    engine = await startEngine([flow('orders', '    subscription: orders-sub\n    serdeType: JSON\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    const t0 = Date.now();
    await publishAll('orders', Array.from({ length: 1000 }, (_, i) => ({
      data: JSON.stringify({ n: i, amount: i * 1.5 }),
      ...(i % 100 === 7 ? { attributes: { source: 'test', n: String(i) }, orderingKey: 'customer-7' } : {}),
    })));
    const sentMs = Date.now() - t0;
    const executions = await executionsOf(engine, 'pubsub_rt', 1000, { timeoutMs: 60_000 });
    console.log(`[pubsub] 1,000 messages (published in ${sentMs} ms) → 1,000 executions in ${Date.now() - t0} ms`);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    const byN = new Map(executions.map((e) => [(e.trigger!.variables.data as { n: number }).n, e]));
    expect([...byN.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(executions.map((e) => e.trigger!.variables.messageId)).size).toBe(1000);
    const e7 = byN.get(7)!.trigger!.variables;
    expect(e7).toMatchObject({ data: { n: 7, amount: 10.5 }, attributes: { source: 'test', n: '7' }, orderingKey: 'customer-7' });
    expect(Date.parse(String(e7.publishTime))).toBeGreaterThan(t0 - 60_000);
    expect(byN.get(7)!.taskRunList[0].outputs).toEqual({ value: e7.messageId });
    expect(byN.get(8)!.trigger!.variables).toMatchObject({ attributes: {}, orderingKey: '' });
    expect(state(engine)).toMatchObject({ received: 1000, admitted: 1000, duplicates: 0, state: 'RUNNING' });
  });

  it('an idle subscription delivers a single message in milliseconds', async () => {
    await topic('idle');
    engine = await startEngine([flow('idle')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await sleep(500); // the streaming pull is open
    const t0 = Date.now();
    await client.topic('idle').publishMessage({ data: Buffer.from('ping') });
    const [e] = await executionsOf(engine, 'pubsub_rt', 1, { states: ['CREATED', 'RUNNING', 'SUCCESS'] });
    const ms = Date.now() - t0;
    console.log(`[pubsub] idle subscription: message → execution in ${ms} ms`);
    expect(ms).toBeLessThan(1000);
    expect(e.trigger!.variables.data).toBe('ping');
  });

  it("the inspector's test event goes through the real topic", async () => {
    await topic('test_events');
    engine = await startEngine([flow('test_events')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await engine.sendTestEvents({ namespace: NS, flowId: 'pubsub_rt', triggerId: 'sub' }, { payload: 'hello', attributes: { origin: 'inspector' } }, 2);
    const executions = await executionsOf(engine, 'pubsub_rt', 2);
    for (const e of executions) expect(e.trigger!.variables).toMatchObject({ data: 'hello', attributes: { origin: 'inspector' } });
  });

  it('JSON payloads are decoded; an unreadable one becomes a FAILED execution keeping the raw text', async () => {
    await topic('json_in');
    engine = await startEngine([flow('json_in', '    serdeType: JSON\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await client.topic('json_in').publishMessage({ data: Buffer.from('{"amount": 42}') });
    await client.topic('json_in').publishMessage({ data: Buffer.from('{not json'), attributes: { kind: 'bad' } });
    const executions = await executionsOf(engine, 'pubsub_rt', 2);
    const ok = executions.find((e) => e.state.current === 'SUCCESS')!;
    const bad = executions.find((e) => e.state.current === 'FAILED')!;
    expect(ok.trigger!.variables.data).toEqual({ amount: 42 });
    expect(bad.error).toMatch(/not valid JSON/);
    expect(bad.trigger!.variables).toMatchObject({ raw: '{not json', attributes: { kind: 'bad' } });
    expect(state(engine)).toMatchObject({ received: 2, admitted: 2, failed: 1, state: 'RUNNING' });
  });

  it("runs Kestra's documented Pub/Sub flow unchanged", async () => {
    const other = new PubSub({ ...broker().connection, projectId: 'test-project-id' });
    try {
      await other.createTopic('logs');
      const source = fs.readFileSync(FIXTURE, 'utf8');
      engine = await startEngine([], { registry: registry() });
      const saved = await engine.saveFlow(source);
      expect(saved.errors).toEqual([]);
      await eventually(() => health(engine!, 'company.team', 'gcp-pubsub', 'trigger')?.state === 'RUNNING', 15_000, 'RUNNING');
      await other.topic('logs').publishMessage({ data: Buffer.from('Hello World') });
      const [e] = await executionsOf(engine, 'gcp-pubsub', 1);
      expect(e.state.current).toBe('SUCCESS');
      expect(e.trigger!.variables.data).toBe('Hello World');
      const [exists] = await other.subscription('logs-sub').exists();
      expect(exists).toBe(true); // autoCreateSubscription
    } finally {
      await other.close();
    }
  });

  it('at the in-flight cap the subscriber holds messages back; each still runs exactly once', async () => {
    await topic('capped');
    engine = await startEngine([`id: pubsub_capped
namespace: ${NS}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
triggers:
  - id: sub
    type: ${REALTIME}
    projectId: ${PROJECT}
    topic: capped
`], { registry: registry(), maxInFlight: 3 });
    await eventually(() => state(engine!, 'pubsub_capped')?.state === 'RUNNING', 15_000, 'RUNNING');
    await publishAll('capped', Array.from({ length: 15 }, (_, i) => `m${i}`));
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, state(engine!, 'pubsub_capped')?.inFlight ?? 0);
    }, 10);
    try {
      await executionsOf(engine, 'pubsub_capped', 15, { states: ['SUCCESS'], timeoutMs: 30_000 });
    } finally {
      clearInterval(sampler);
    }
    await sleep(500);
    const executions = engine.store.searchExecutions({ flowId: 'pubsub_capped', size: 100 }).results;
    expect(executions).toHaveLength(15);
    expect(new Set(executions.map((x) => x.trigger!.variables.data)).size).toBe(15);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(state(engine, 'pubsub_capped')).toMatchObject({ received: 15, admitted: 15, duplicates: 0 });
  });

  it('goes BACKOFF when Pub/Sub restarts mid-stream, reconnects by itself, and loses nothing published', async () => {
    await topic('stream');
    engine = await startEngine([flow('stream', '    subscription: stream-sub\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    const states: string[] = [];
    engine.events.on('trigger', (h) => states.push(h.state));
    await publishAll('stream', Array.from({ length: 200 }, (_, i) => `a${i}`));
    await executionsOf(engine, 'pubsub_rt', 200);
    await broker().restart(); // the fake keeps nothing: topic and subscription are gone
    await eventually(() => states.includes('BACKOFF'), 20_000, 'BACKOFF');
    expect(state(engine)!.lastError).toBeTruthy();
    await topic('stream');
    await eventually(() => state(engine!)?.state === 'RUNNING', 30_000, 'RUNNING again (subscription re-created)');
    await publishAll('stream', Array.from({ length: 200 }, (_, i) => `b${i}`));
    const executions = await executionsOf(engine, 'pubsub_rt', 400, { timeoutMs: 60_000 });
    const seen = new Set(executions.map((e) => e.trigger!.variables.data));
    for (let i = 0; i < 200; i++) expect(seen.has(`a${i}`) && seen.has(`b${i}`)).toBe(true);
    expect(executions).toHaveLength(400);
  }, 120_000);

  it('polling twin: one execution per batch, whose file holds every message exactly once', async () => {
    const t = await topic('batch_in');
    await t.createSubscription('batch-sub');
    engine = await startEngine([`id: pubsub_poll
namespace: ${NS}
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.count }}"
triggers:
  - id: poll
    type: io.kestra.plugin.gcp.pubsub.Trigger
    projectId: ${PROJECT}
    topic: batch_in
    subscription: batch-sub
    interval: PT0.2S
    maxRecords: 300
`], { registry: registry() });
    const values = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    await publishAll('batch_in', values.map((v) => ({ data: v, attributes: { v } })));
    const found: string[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'pubsub_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.count));
        expect(lines.length).toBeLessThanOrEqual(300);
        for (const l of lines) expect(l).toMatchObject({ data: l.attributes.v, messageId: expect.any(String) });
        found.push(...lines.map((l) => l.data));
      }
      return found.length >= 1000;
    }, 40_000, 'all batches');
    expect(found.sort()).toEqual([...values].sort());
    await sleep(1500); // anything redelivered would make a new batch now
    expect(engine.store.searchExecutions({ flowId: 'pubsub_poll', size: 1000 }).results.reduce((n, e) => n + Number(e.trigger!.variables.count), 0)).toBe(1000);
  });

  it('a missing topic, a bad service account key or an unreachable server is BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([flow('nowhere')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'BACKOFF', 15_000, 'BACKOFF (missing topic)');
    expect(state(engine)!.lastError).toMatch(/topic nowhere does not exist/);

    await engine.saveFlow(flow('nowhere', '    serviceAccount: "not a key"\n'));
    await eventually(() => /serviceAccount is not a service account key/.test(state(engine!)?.lastError ?? ''), 15_000, 'BACKOFF (bad key)');
    expect(state(engine)!.state).toBe('BACKOFF');

    const host = process.env.PUBSUB_EMULATOR_HOST;
    process.env.PUBSUB_EMULATOR_HOST = '127.0.0.1:1';
    try {
      await engine.saveFlow(flow('unreachable'));
      await eventually(() => /unreachable|ECONNREFUSED/.test(state(engine!)?.lastError ?? ''), 20_000, 'BACKOFF (unreachable)');
      expect(state(engine)!.state).toBe('BACKOFF');
    } finally {
      process.env.PUBSUB_EMULATOR_HOST = host;
    }
    await topic('fixed');
    expect((await engine.saveFlow(flow('fixed'))).ok).toBe(true);
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING after the fix');
    await client.topic('fixed').publishMessage({ data: Buffer.from('after-fix') });
    const [e] = await executionsOf(engine, 'pubsub_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-fix');
  }, 90_000);

  it('editing the flow restarts the trigger on the new topic; disabled: true stops it', async () => {
    await topic('first_topic');
    await topic('second_topic');
    engine = await startEngine([flow('first_topic', '    subscription: edit-first\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await engine.saveFlow(flow('second_topic', '    subscription: edit-second\n'));
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING after the edit');
    await client.topic('first_topic').publishMessage({ data: Buffer.from('old') });
    await client.topic('second_topic').publishMessage({ data: Buffer.from('after-edit') });
    const [e] = await executionsOf(engine, 'pubsub_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-edit');
    await engine.saveFlow(flow('second_topic', '    subscription: edit-second\n    disabled: true\n'));
    expect(state(engine)).toBeUndefined();
    await client.topic('second_topic').publishMessage({ data: Buffer.from('while-disabled') });
    await sleep(500);
    expect(engine.store.searchExecutions({ flowId: 'pubsub_rt', size: 10 }).results).toHaveLength(1);
    // Nobody consumed them: both wait on their subscriptions.
    expect((await drain('edit-first', 1)).map((m) => m.data.toString())).toEqual(['old']);
    expect((await drain('edit-second', 1)).map((m) => m.data.toString())).toEqual(['while-disabled']);
  });

  it('Publish delivers a message, a list and a kestra:// file to the topic (read back with the official client)', async () => {
    const t = await topic('published');
    await t.createSubscription('published-sub');
    engine = await startEngine([], { registry: registry() });
    const uri = engine.store.storage.put('publish/in.jsonl', [{ data: 'from-file-1' }, { data: { nested: true }, attributes: { f: '1' } }].map((m) => JSON.stringify(m)).join('\n') + '\n');
    const saved = await engine.saveFlow(`id: pubsub_pub
namespace: ${NS}
tasks:
  - id: one
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: ${PROJECT}
    topic: published
    from:
      data: "single {{ flow.id }}"
      attributes:
        kind: single
  - id: many
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: ${PROJECT}
    topic: published
    serdeType: JSON
    from:
${Array.from({ length: 12 }, (_, i) => `      - data: {"i": ${i}}\n        orderingKey: key-${i % 2}`).join('\n')}
  - id: file
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: ${PROJECT}
    topic: published
    from: "${uri}"
`);
    expect(saved.errors).toEqual([]);
    const started = await engine.createExecution(NS, 'pubsub_pub');
    const done: Execution = await engine.waitFor(started.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((x) => x.outputs)).toEqual([{ messagesCount: 1 }, { messagesCount: 12 }, { messagesCount: 2 }]);
    const got = await drain('published-sub', 15);
    const bodies = got.map((m) => m.data.toString()).sort();
    expect(bodies).toEqual(['single pubsub_pub', ...Array.from({ length: 12 }, (_, i) => JSON.stringify({ i })), 'from-file-1', '{"nested":true}'].sort());
    expect(got.find((m) => m.data.toString() === 'single pubsub_pub')!.attributes).toEqual({ kind: 'single' });
    expect(got.find((m) => m.data.toString() === '{"i":3}')!.orderingKey).toBe('key-1');
    expect(got.find((m) => m.data.toString() === '{"nested":true}')!.attributes).toEqual({ f: '1' });
  });

  // Runs `peregrine server` as a child process, which builds the real plugin registry: it runs once
  // the lead has added pubsubPlugins to main/plugins/index.ts (skipped until then).
  it.skipIf(!registered)('SIGKILL of the engine mid-stream, then a restart: every message has exactly one execution', async () => {
    const t = await topic('crash');
    await t.createSubscription('crash-sub'); // exists before publishing, so the fake keeps every message for it
    const dataDir = tempDir('pubsub-crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'crash.yml'), flow('crash', '    subscription: crash-sub\n', 'pubsub_crash'));
    const env = { ...broker().env };
    server = await startServerProcess({ dataDir, flowsDir, env });
    const search = (size: number) => server!.api('GET', `/api/v1/executions/search?namespace=${NS}&flowId=pubsub_crash&size=${size}`);
    const total = async () => (await search(1)).body.total as number;
    const N = 500;
    const publishing = (async () => {
      for (let i = 0; i < N; i += 10) {
        await publishAll('crash', Array.from({ length: Math.min(10, N - i) }, (_, j) => String(i + j)));
        if (i % 50 === 0) await sleep(10);
      }
    })();
    await eventually(async () => (await total()) >= 60, 30_000, 'some executions');
    await server.kill('SIGKILL');
    expect(await total().catch(() => undefined)).toBeUndefined(); // really dead
    await publishing;
    server = await startServerProcess({ dataDir, flowsDir, env });
    await eventually(async () => (await total()) >= N, 90_000, `${N} executions after the restart`);
    await sleep(2000); // a redelivery would show up now
    const { body } = await search(10_000);
    const counted = new Map<string, number>();
    for (const e of body.results as { trigger: { variables: { data: string } } }[]) counted.set(e.trigger.variables.data, (counted.get(e.trigger.variables.data) ?? 0) + 1);
    const lost = Array.from({ length: N }, (_, i) => String(i)).filter((d) => !counted.has(d));
    const duplicated = [...counted].filter(([, c]) => c > 1);
    console.log(`[pubsub] SIGKILL: ${body.total} executions for ${N} messages, lost ${lost.length}, duplicated ${duplicated.length}`);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]); // messageId is the dedup key
  }, 180_000);
});
