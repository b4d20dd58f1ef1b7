// NATS JetStream triggers and tasks against a real nats-server: one execution per message,
// acknowledged only after admission; the stream sequence is the dedup key, so a message
// redelivered after a crash (or a reset consumer) is never admitted twice.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { freePort } from '../../brokers/ports';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const sc = StringCodec();
const NS = 'test.nats';
const DURABLE = 'peregrine_test_nats_nats_rt_watch';

const flow = (url: string, subject: string, extra = '') => `id: nats_rt
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data }}"
triggers:
  - id: watch
    type: io.kestra.plugin.nats.RealtimeTrigger
    url: ${url}
    subject: "${subject}"
${extra}`;

let engine: Engine | undefined;
const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const c of closers.splice(0).reverse()) await c();
});

describeBroker('nats', (broker) => {
  const client = async (): Promise<NatsConnection> => {
    const nc = await connect({ ...broker().connection, reconnect: false });
    closers.push(() => nc.close().catch(() => {}));
    return nc;
  };
  const addStream = async (nc: NatsConnection, name: string, subjects: string[]) => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name, subjects });
  };
  const running = (flowId = 'nats_rt', trigger = 'watch') =>
    eventually(() => health(engine!, NS, flowId, trigger)?.state === 'RUNNING', 15_000, `${flowId} RUNNING`);

  it('1,000 messages → exactly 1,000 SUCCESS executions with subject, headers, data and timestamp', async () => {
    const nc = await client();
    await addStream(nc, 'ORDERS', ['orders.>']);
    engine = await startEngine([flow(broker().url, 'orders.>')]);
    await running();
    const js = nc.jetstream();
    const before = Date.now();
    for (let i = 0; i < 1000; i++) {
      const h = headers();
      h.append('n', String(i));
      h.append('tag', 'a');
      h.append('tag', 'b');
      await js.publish(i % 2 ? 'orders.us' : 'orders.eu', sc.encode(`order-${i}`), { headers: h });
    }
    const executions = await executionsOf(engine, 'nats_rt', 1000);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    const byData = new Map(executions.map((e) => [e.trigger!.variables.data as string, e]));
    expect(byData.size).toBe(1000);
    for (let i = 0; i < 1000; i++) {
      const e = byData.get(`order-${i}`)!;
      const v = e.trigger!.variables;
      expect(v.subject).toBe(i % 2 ? 'orders.us' : 'orders.eu');
      expect(v.headers).toEqual({ n: [String(i)], tag: ['a', 'b'] });
      const ts = Date.parse(v.timestamp as string);
      expect(ts).toBeGreaterThanOrEqual(before - 1000);
      expect(ts).toBeLessThanOrEqual(Date.now());
      expect(e.taskRunList[0].outputs).toEqual({ value: `order-${i}` });
    }
    expect(health(engine, NS, 'nats_rt', 'watch')).toMatchObject({ received: 1000, admitted: 1000, duplicates: 0 });
    // Every message acknowledged: nothing pending on the durable consumer.
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info('ORDERS', DURABLE);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    }, 10_000, 'all acked');
  });

  it('a single message on an idle stream is admitted within milliseconds', async () => {
    const nc = await client();
    await addStream(nc, 'IDLE', ['idle.>']);
    engine = await startEngine([flow(broker().url, 'idle.>')]);
    await running();
    await new Promise((r) => setTimeout(r, 300)); // the pull request is waiting
    const latencies: number[] = [];
    engine.events.on('triggerEvent', (ev) => latencies.push(ev.receivedAt));
    for (let i = 0; i < 5; i++) {
      const sent = Date.now();
      await nc.jetstream().publish('idle.one', sc.encode(`ping-${i}`));
      await eventually(() => latencies.length > i, 5000, 'admission');
      latencies[i] -= sent;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`[nats] idle latency publish → admitted (ms): ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(250);
  });

  it('data is the payload as text, as in Kestra: JSON is parsed in the flow with fromJson', async () => {
    const nc = await client();
    await addStream(nc, 'JSONIN', ['json.in']);
    engine = await startEngine([flow(broker().url, 'json.in')]);
    await running();
    await nc.jetstream().publish('json.in', sc.encode('{"amount": 42}'));
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables.data).toBe('{"amount": 42}');
  });

  it('a message delivered again (consumer reset after admission) is not admitted twice', async () => {
    const nc = await client();
    await addStream(nc, 'AGAIN', ['again.>']);
    const dataDir = tempDir('nats-dedup');
    engine = await startEngine([flow(broker().url, 'again.>')], { dataDir });
    await running();
    for (let i = 0; i < 20; i++) await nc.jetstream().publish('again.x', sc.encode(`m${i}`));
    await executionsOf(engine, 'nats_rt', 20);
    await engine.close();
    // Lose the consumer's position: every stored message is delivered again on restart.
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete('AGAIN', DURABLE);
    engine = await startEngine([flow(broker().url, 'again.>')], { dataDir });
    await running();
    await nc.jetstream().publish('again.x', sc.encode('m20'));
    await executionsOf(engine, 'nats_rt', 21);
    await eventually(() => health(engine!, NS, 'nats_rt', 'watch')!.duplicates === 20, 10_000, '20 duplicates');
    await engine.store.writer.flush();
    const all = engine.store.searchExecutions({ flowId: 'nats_rt', size: 1000 }).results;
    expect(all).toHaveLength(21);
    expect(new Set(all.map((e) => e.trigger!.variables.data)).size).toBe(21);
    await eventually(async () => (await jsm.consumers.info('AGAIN', DURABLE)).num_ack_pending === 0, 10_000, 'duplicates acked');
  });

  it('never has more executions in flight than the cap; the rest waits in the stream', async () => {
    const nc = await client();
    await addStream(nc, 'CAPPED', ['capped']);
    engine = await startEngine([`id: nats_rt
namespace: ${NS}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S
triggers:
  - id: watch
    type: io.kestra.plugin.nats.RealtimeTrigger
    url: ${broker().url}
    subject: capped
    batchSize: 100
`], { maxInFlight: 5 });
    await running();
    for (let i = 0; i < 40; i++) await nc.jetstream().publish('capped', sc.encode(`c${i}`));
    const jsm = await nc.jetstreamManager();
    let maxInFlight = 0;
    let maxAckPending = 0;
    const done = executionsOf(engine, 'nats_rt', 40, { timeoutMs: 30_000 });
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      maxInFlight = Math.max(maxInFlight, health(engine, NS, 'nats_rt', 'watch')!.inFlight);
      maxAckPending = Math.max(maxAckPending, (await jsm.consumers.info('CAPPED', DURABLE)).num_ack_pending);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await done).toHaveLength(40);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    expect(maxAckPending).toBeLessThanOrEqual(5);
  });

  it('goes BACKOFF when NATS restarts mid-stream, reconnects by itself, and loses nothing', async () => {
    let nc = await client();
    await addStream(nc, 'STREAM', ['stream.>']);
    engine = await startEngine([flow(broker().url, 'stream.>')]);
    await running();
    const states: string[] = [];
    engine.events.on('trigger', (h) => states.push(h.state));
    for (let i = 0; i < 200; i++) await nc.jetstream().publish('stream.a', sc.encode(`a${i}`));
    await executionsOf(engine, 'nats_rt', 200);
    await nc.close();
    await broker().restart();
    nc = await client();
    for (let i = 0; i < 200; i++) await nc.jetstream().publish('stream.b', sc.encode(`b${i}`));
    const executions = await executionsOf(engine, 'nats_rt', 400, { timeoutMs: 60_000 });
    expect(states).toContain('BACKOFF');
    await running();
    const seen = executions.map((e) => e.trigger!.variables.data as string);
    expect(seen).toHaveLength(400);
    for (let i = 0; i < 200; i++) expect(seen.includes(`a${i}`) && seen.includes(`b${i}`)).toBe(true);
  });

  it('a consumer deleted from under the trigger is reported and comes back by itself', async () => {
    const nc = await client();
    await addStream(nc, 'GONE', ['gone']);
    engine = await startEngine([flow(broker().url, 'gone')]);
    await running();
    const states: { state: string; lastError?: string }[] = [];
    engine.events.on('trigger', (h) => states.push({ state: h.state, lastError: h.lastError }));
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete('GONE', DURABLE);
    await eventually(() => states.some((s) => s.state === 'BACKOFF'), 15_000, 'BACKOFF');
    console.log(`[nats] consumer deleted → ${states.find((s) => s.state === 'BACKOFF')!.lastError}`);
    expect(states.find((s) => s.state === 'BACKOFF')!.lastError).toMatch(/consumer .* was deleted/);
    await running();
    await nc.jetstream().publish('gone', sc.encode('back'));
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables.data).toBe('back');
  });

  it('polling twin: one execution per batch, whose file holds every message exactly once', async () => {
    const nc = await client();
    await addStream(nc, 'BATCH', ['batch.in']);
    engine = await startEngine([`id: nats_poll
namespace: ${NS}
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messagesCount }}"
triggers:
  - id: poll
    type: io.kestra.plugin.nats.Trigger
    url: ${broker().url}
    subject: batch.in
    interval: PT0.2S
    pollDuration: PT1S
    batchSize: 100
    maxRecords: 300
`]);
    const values = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    for (const v of values) await nc.jetstream().publish('batch.in', sc.encode(v));
    const found: string[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'nats_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.messagesCount));
        expect(lines.length).toBeLessThanOrEqual(300);
        for (const l of lines) {
          expect(l.subject).toBe('batch.in');
          expect(typeof l.timestamp).toBe('string');
        }
        found.push(...lines.map((l) => l.data));
      }
      return found.length >= 1000;
    }, 30_000, 'all batches');
    expect(found.sort()).toEqual([...values].sort());
    const jsm = await nc.jetstreamManager();
    await eventually(async () => (await jsm.consumers.info('BATCH', 'peregrine_test_nats_nats_poll_poll')).num_ack_pending === 0, 10_000, 'acked');
  });

  it('no stream for the subject: BACKOFF saying how to create one, RUNNING once it exists', async () => {
    engine = await startEngine([flow(broker().url, 'nostream.>')]);
    await eventually(() => health(engine!, NS, 'nats_rt', 'watch')?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(health(engine, NS, 'nats_rt', 'watch')!.lastError).toMatch(/no JetStream stream captures subject nostream\.>: create one, e\.g\. nats stream add/);
    const nc = await client();
    await addStream(nc, 'LATE', ['nostream.>']);
    await running();
    await nc.jetstream().publish('nostream.x', sc.encode('finally'));
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables.data).toBe('finally');
  });

  it('an unreachable host is BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([flow('nats://127.0.0.1:1', 'nowhere')]);
    await eventually(() => health(engine!, NS, 'nats_rt', 'watch')?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(health(engine, NS, 'nats_rt', 'watch')!.lastError).toMatch(/connection refused by 127\.0\.0\.1:1/);
    const nc = await client();
    await addStream(nc, 'FIXED', ['fixed']);
    const saved = await engine.saveFlow(flow(broker().url, 'fixed'));
    expect(saved.ok).toBe(true);
    await running();
  });

  it('wrong credentials are BACKOFF with a readable error; right ones (also in the URL) connect', async () => {
    const port = await freePort();
    const dir = tempDir('nats-auth');
    const server: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--user', 'alice', '--pass', 's3cret', '-js', '-sd', path.join(dir, 'js')], { stdio: 'ignore' });
    closers.push(() => new Promise<void>((r) => {
      if (server.exitCode !== null) return r();
      server.once('exit', () => r());
      server.kill('SIGKILL');
    }));
    closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const nc = await eventually(() => connect({ servers: `127.0.0.1:${port}`, user: 'alice', pass: 's3cret', reconnect: false }).catch(() => undefined), 10_000, 'auth server');
    closers.push(() => nc.close().catch(() => {}));
    await addStream(nc, 'AUTH', ['auth.>']);
    engine = await startEngine([flow(`nats://127.0.0.1:${port}`, 'auth.>', '    username: alice\n    password: wrong\n')]);
    await eventually(() => health(engine!, NS, 'nats_rt', 'watch')?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(health(engine, NS, 'nats_rt', 'watch')!.lastError).toMatch(/refused the credentials \(authorization violation\)/);
    await engine.saveFlow(flow(`nats://alice:s3cret@127.0.0.1:${port}`, 'auth.>'));
    await running();
    await nc.jetstream().publish('auth.x', sc.encode('let me in'));
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables.data).toBe('let me in');
  });

  it('editing the flow restarts the trigger with the new subject; disabled: true stops it', async () => {
    const nc = await client();
    await addStream(nc, 'EDIT', ['edit.>']);
    engine = await startEngine([flow(broker().url, 'edit.first')]);
    await running();
    await engine.saveFlow(flow(broker().url, 'edit.second'));
    await running();
    await nc.jetstream().publish('edit.first', sc.encode('old-subject'));
    const sent = Date.now();
    await nc.jetstream().publish('edit.second', sc.encode('after-edit'));
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-edit');
    expect(Date.now() - sent).toBeLessThan(1000); // the new subject is consumed at once
    await engine.saveFlow(flow(broker().url, 'edit.second', '    disabled: true\n'));
    expect(health(engine, NS, 'nats_rt', 'watch')).toBeUndefined();
    await nc.jetstream().publish('edit.second', sc.encode('while-disabled'));
    await new Promise((res) => setTimeout(res, 300));
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info('EDIT', DURABLE);
    expect(info.num_pending).toBe(1);
    expect(info.config.filter_subject).toBe('edit.second');
    await engine.store.writer.flush();
    expect(engine.store.searchExecutions({ flowId: 'nats_rt' }).total).toBe(1);
  });

  it('Produce delivers messages (with headers) that the official client reads back; Request gets a reply', async () => {
    const nc = await client();
    await addStream(nc, 'PRODUCED', ['produced.>']);
    const sub = nc.subscribe('service.greet', {
      callback: (_err, m) => m.respond(sc.encode(`hello ${sc.decode(m.data)} (${m.headers?.get('who')})`)),
    });
    closers.push(() => sub.unsubscribe());
    engine = await startEngine([`id: nats_tasks
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.nats.Produce
    url: ${broker().url}
    subject: produced.orders
    from:
      - headers:
          source: peregrine
          multi: [x, y]
        data: '{"id": 1}'
      - data: second
  - id: request
    type: io.kestra.plugin.nats.core.Request
    url: ${broker().url}
    subject: service.greet
    from:
      headers:
        who: bob
      data: world
    requestTimeout: PT2S
  - id: nobody
    type: io.kestra.plugin.nats.Request
    url: ${broker().url}
    subject: service.nobody
    from:
      data: anyone?
    requestTimeout: 500
  - id: consume
    type: io.kestra.plugin.nats.Consume
    url: ${broker().url}
    subject: produced.>
    durableId: reader
    pollDuration: PT1S
  - id: temporary
    type: io.kestra.plugin.nats.core.Consume
    url: ${broker().url}
    subject: produced.orders
    pollDuration: PT1S
    maxRecords: 5
`]);
    const started = await engine.createExecution(NS, 'nats_tasks');
    const done = await engine.waitFor(started.id);
    expect(done.state.current).toBe('SUCCESS');
    const out = Object.fromEntries(done.taskRunList.map((t) => [t.taskId, t.outputs]));
    expect(out.produce).toEqual({ messagesCount: 2 });
    expect(out.request).toEqual({ response: 'hello world (bob)' });
    expect(out.nobody).toEqual({ response: null });
    expect(out.consume!.messagesCount).toBe(2);
    const lines = engine.store.storage.get(String(out.consume!.uri)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.data)).toEqual(['{"id": 1}', 'second']);
    expect(lines[0].headers).toEqual({ source: ['peregrine'], multi: ['x', 'y'] });
    // Without durableId: a temporary consumer from the start of the stream, removed afterwards.
    expect(out.temporary!.messagesCount).toBe(2);
    const consumers = await (await nc.jetstreamManager()).consumers.list('PRODUCED').next();
    expect(consumers.map((c) => c.name)).toEqual(['reader']);
    // Read back with the official client.
    const jsm = await nc.jetstreamManager();
    const first = await jsm.streams.getMessage('PRODUCED', { seq: 1 });
    expect(first.subject).toBe('produced.orders');
    expect(sc.decode(first.data)).toBe('{"id": 1}');
    expect(first.header.get('source')).toBe('peregrine');
    expect(first.header.values('multi')).toEqual(['x', 'y']);
    const second = await jsm.streams.getMessage('PRODUCED', { seq: 2 });
    expect(sc.decode(second.data)).toBe('second');
  });

  it('"send test event" publishes through JetStream and the trigger admits it', async () => {
    const nc = await client();
    await addStream(nc, 'PROBE', ['probe.>']);
    engine = await startEngine([flow(broker().url, 'probe.>')]);
    await running();
    const def = engine.registry.trigger('io.kestra.plugin.nats.core.RealtimeTrigger')!;
    const loaded = engine.flow(NS, 'nats_rt')!;
    const ctx = { flow: loaded.flow, trigger: loaded.flow.triggers![0] } as unknown as Parameters<NonNullable<typeof def.publish>>[0];
    await def.publish!(ctx, { url: broker().url, subject: 'probe.>' }, { payload: 'probe', headers: { k: 'v' } });
    const [e] = await executionsOf(engine, 'nats_rt', 1);
    expect(e.trigger!.variables).toMatchObject({ subject: 'probe.test', data: 'probe', headers: { k: ['v'] } });
  });

  it('validates Kestra\'s own examples unchanged (core aliases included)', async () => {
    engine = await startEngine([]);
    for (const def of engine.registry.all().filter((d) => d.category === 'NATS')) {
      for (const ex of def.examples ?? []) expect(engine.validate(ex.code).filter((e) => e.severity === 'error')).toEqual([]);
    }
    const kestra = `id: nats
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.data }}"
triggers:
  - id: watch
    type: io.kestra.plugin.nats.core.RealtimeTrigger
    url: nats://localhost:4222
    username: nats_user
    password: nats_password
    subject: kestra.trigger
    durableId: natsTrigger
    deliverPolicy: All
    batchSize: 10
    since: "2024-01-01T00:00:00Z"
    token: "{{ secret('NATS_TOKEN') }}"
    creds: "creds"
`;
    expect(engine.validate(kestra).filter((e) => e.severity === 'error')).toEqual([]);
    const poll = kestra.replace('core.RealtimeTrigger', 'core.Trigger') + '    maxRecords: 1\n    pollDuration: PT5S\n    maxDuration: PT1M\n    interval: PT30S\n';
    expect(engine.validate(poll).filter((e) => e.severity === 'error')).toEqual([]);
    expect(engine.validate(kestra.replace('deliverPolicy: All', 'deliverPolicy: Everything')).some((e) => e.severity === 'error')).toBe(true);
  });

  describeCrash(broker);
});

function describeCrash(broker: () => { url: string; connection: { servers: string[] } }) {
  let server: ServerProcess | undefined;
  afterAll(async () => server?.kill('SIGKILL'));

  it('SIGKILL mid-stream and restart: every message has exactly one execution', async () => {
    const nc = await connect({ ...broker().connection, reconnect: false });
    try {
      await (await nc.jetstreamManager()).streams.add({ name: 'CRASH', subjects: ['crash.>'] });
      const dataDir = tempDir('nats-crash');
      const flowsDir = path.join(dataDir, 'flows');
      fs.mkdirSync(flowsDir, { recursive: true });
      fs.writeFileSync(path.join(flowsDir, 'crash.yml'), `id: nats_crash
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data }}"
triggers:
  - id: watch
    type: io.kestra.plugin.nats.RealtimeTrigger
    url: ${broker().url}
    subject: "crash.>"
`);
      server = await startServerProcess({ dataDir, flowsDir });
      const total = async () => (await server!.api('GET', `/api/v1/executions/search?namespace=${NS}&flowId=nats_crash&size=1`)).body.total as number;
      const N = 500;
      const js = nc.jetstream();
      // Publish steadily so that the kill lands mid-stream.
      const publishing = (async () => {
        for (let i = 0; i < N; i++) {
          await js.publish('crash.n', sc.encode(String(i)));
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await eventually(async () => (await total()) >= 60, 20_000, 'some executions');
      await server.kill('SIGKILL');
      const atKill = await total().catch(() => undefined);
      expect(atKill).toBeUndefined(); // really dead
      const unacked = (await (await nc.jetstreamManager()).consumers.info('CRASH', 'peregrine_test_nats_nats_crash_watch')).num_ack_pending;
      await publishing;
      server = await startServerProcess({ dataDir, flowsDir });
      await eventually(async () => (await total()) >= N, 30_000, `${N} executions after the restart`);
      await new Promise((r) => setTimeout(r, 500)); // anything extra would show up now
      const { body } = await server.api('GET', `/api/v1/executions/search?namespace=${NS}&flowId=nats_crash&size=10000`);
      const data = (body.results as { trigger: { variables: { data: string } } }[]).map((e) => e.trigger.variables.data);
      const counts = new Map<string, number>();
      for (const d of data) counts.set(d, (counts.get(d) ?? 0) + 1);
      const lost = Array.from({ length: N }, (_, i) => String(i)).filter((d) => !counts.has(d));
      const duplicates = [...counts].filter(([, c]) => c > 1);
      console.log(`[nats] SIGKILL: ${unacked} message(s) delivered but unacked at the kill; ${body.total} executions for ${N} messages, lost ${lost.length}, duplicated ${duplicates.length}`);
      expect(lost).toEqual([]);
      expect(duplicates).toEqual([]);
      expect(body.total).toBe(N);
      const info = await (await nc.jetstreamManager()).consumers.info('CRASH', 'peregrine_test_nats_nats_crash_watch');
      await eventually(async () => (await (await nc.jetstreamManager()).consumers.info('CRASH', info.name)).num_ack_pending === 0, 10_000, 'acked');
    } finally {
      await server?.kill('SIGKILL');
      server = undefined;
      await nc.close();
    }
  });
}
