// AMQP triggers and tasks against a real RabbitMQ: one execution per message, acknowledged only
// after its execution is committed; prefetch bounds what is in flight; broker restarts, engine
// crashes and bad payloads lose nothing; producer tasks really deliver.
import fs from 'node:fs';
import path from 'node:path';
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

interface Conn { host: string; port: number; user: string; password: string }

const connYaml = (c: Conn, indent = '    ') =>
  [`host: ${c.host}`, `port: ${c.port}`, `username: ${c.user}`, `password: ${c.password}`].map((l) => indent + l).join('\n');

const flow = (c: Conn, queue: string, extra = '', tasks?: string) => `id: amqp_rt
namespace: test.amqp
tasks:
${tasks ?? `  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data }}"`}
triggers:
  - id: queue
    type: io.kestra.plugin.amqp.RealtimeTrigger
${connYaml(c)}
    queue: ${queue}
${extra}`;

let engine: Engine | undefined;
let server: ServerProcess | undefined;
const open: ChannelModel[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await server?.kill('SIGKILL');
  server = undefined;
  for (const c of open.splice(0)) await c.close().catch(() => {});
});

describeBroker('rabbitmq', (broker) => {
  const conn = (): Conn => ({ host: broker().host, port: broker().port, user: broker().user!, password: broker().password! });

  async function client(): Promise<{ model: ChannelModel; ch: ConfirmChannel }> {
    const model = await amqp.connect(broker().url);
    model.on('error', () => {});
    open.push(model);
    const ch = await model.createConfirmChannel();
    ch.on('error', () => {});
    return { model, ch };
  }

  async function queue(name: string): Promise<ConfirmChannel> {
    const { ch } = await client();
    await ch.assertQueue(name, { durable: true });
    await ch.purgeQueue(name);
    return ch;
  }

  async function waiting(name: string): Promise<number> {
    const { ch } = await client();
    return (await ch.checkQueue(name)).messageCount;
  }

  const rt = () => health(engine!, 'test.amqp', 'amqp_rt', 'queue');
  const running = () => eventually(() => rt()?.state === 'RUNNING', 20_000, 'RUNNING');

  it('1,000 messages → exactly 1,000 SUCCESS executions with the message and its properties in trigger.*', async () => {
    const ch = await queue('orders');
    engine = await startEngine([flow(conn(), 'orders')]);
    await running();
    const started = Date.now();
    const sentAt = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 1000; i++) {
      ch.sendToQueue('orders', Buffer.from(`order-${i}`), {
        messageId: `m-${i}`, correlationId: `c-${i}`, contentType: 'text/plain', contentEncoding: 'utf-8', appId: 'shop',
        type: 'order', priority: i % 10, headers: { n: i, region: 'eu' }, persistent: true, timestamp: sentAt, expiration: '600000', replyTo: 'replies',
      });
    }
    await ch.waitForConfirms();
    const executions = await executionsOf(engine, 'amqp_rt', 1000);
    console.log(`[amqp] 1,000 realtime executions admitted and finished in ${Date.now() - started} ms`);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    const byId = new Map(executions.map((e) => [e.trigger!.variables.messageId as string, e]));
    expect(byId.size).toBe(1000);
    for (const i of [0, 1, 499, 998, 999]) {
      const e = byId.get(`m-${i}`)!;
      expect(e.trigger!.type).toBe('io.kestra.plugin.amqp.RealtimeTrigger');
      expect(e.trigger!.variables).toEqual({
        data: `order-${i}`, messageId: `m-${i}`, correlationId: `c-${i}`, contentType: 'text/plain', contentEncoding: 'utf-8',
        appId: 'shop', type: 'order', priority: i % 10, deliveryMode: 2, headers: { n: String(i), region: 'eu' },
        timestamp: new Date(sentAt * 1000).toISOString().replace('.000Z', 'Z'), expiration: 'PT10M', replyTo: 'replies',
      });
      expect(e.taskRunList[0].outputs).toEqual({ value: `order-${i}` });
    }
    await eventually(async () => (await waiting('orders')) === 0, 10_000, 'the queue to be empty (every message acknowledged)');
    expect(rt()).toMatchObject({ received: 1000, admitted: 1000, duplicates: 0, failed: 0 });
  });

  it('a single message on an idle queue becomes an execution within milliseconds', async () => {
    const ch = await queue('idle');
    engine = await startEngine([flow(conn(), 'idle')]);
    await running();
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const admitted = new Promise<number>((resolve) => {
        const off = engine!.events.on('triggerEvent', () => {
          off();
          resolve(performance.now());
        });
      });
      const t0 = performance.now();
      ch.sendToQueue('idle', Buffer.from(`ping-${i}`));
      latencies.push((await admitted) - t0);
      await new Promise((r) => setTimeout(r, 20)); // idle again
    }
    latencies.sort((a, b) => a - b);
    console.log(`[amqp] publish → execution committed, idle queue: p50 ${latencies[5].toFixed(1)} ms, max ${latencies[9].toFixed(1)} ms`);
    expect(latencies[5]).toBeLessThan(50);
  });

  it('JSON payloads are decoded; an unreadable one becomes a FAILED execution keeping the raw text', async () => {
    const ch = await queue('json_in');
    engine = await startEngine([flow(conn(), 'json_in', '    serdeType: JSON\n')]);
    await running();
    ch.sendToQueue('json_in', Buffer.from('{"amount": 42}'));
    ch.sendToQueue('json_in', Buffer.from('{not json'), { messageId: 'bad-1' });
    await ch.waitForConfirms();
    const executions = await executionsOf(engine, 'amqp_rt', 2);
    const ok = executions.find((e) => e.state.current === 'SUCCESS')!;
    const bad = executions.find((e) => e.state.current === 'FAILED')!;
    expect(ok.trigger!.variables.data).toEqual({ amount: 42 });
    expect(ok.taskRunList[0].outputs).toEqual({ value: '{"amount":42}' });
    expect(bad.error).toMatch(/not valid JSON/);
    expect(bad.trigger!.variables.raw).toBe('{not json');
    expect(bad.trigger!.variables.messageId).toBe('bad-1');
    await eventually(async () => (await waiting('json_in')) === 0, 10_000, 'both acknowledged');
    expect(rt()).toMatchObject({ failed: 1 });
  });

  it('a redelivered message with a known messageId is not admitted twice', async () => {
    const ch = await queue('dups');
    engine = await startEngine([flow(conn(), 'dups')]);
    await running();
    for (let i = 0; i < 3; i++) ch.sendToQueue('dups', Buffer.from('same'), { messageId: 'only-once' });
    ch.sendToQueue('dups', Buffer.from('other'), { messageId: 'other' });
    await ch.waitForConfirms();
    await eventually(() => rt()!.received === 4, 10_000, '4 received');
    const executions = await executionsOf(engine, 'amqp_rt', 2);
    expect(executions).toHaveLength(2);
    expect(rt()).toMatchObject({ admitted: 2, duplicates: 2 });
    await eventually(async () => (await waiting('dups')) === 0, 10_000, 'duplicates acknowledged too');
  });

  it('bounded in flight: at the cap RabbitMQ holds the rest (prefetch), nothing is buffered without bound', async () => {
    const ch = await queue('slow');
    const tasks = `  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S`;
    engine = await startEngine([flow(conn(), 'slow', '', tasks)], { maxInFlight: 10 });
    await running();
    for (let i = 0; i < 60; i++) ch.sendToQueue('slow', Buffer.from(String(i)), { messageId: String(i) });
    await ch.waitForConfirms();
    let maxInFlight = 0;
    let sawWaiting = false;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, rt()?.inFlight ?? 0);
    }, 5);
    await eventually(async () => (sawWaiting = (await waiting('slow')) > 30), 5000, 'messages kept in RabbitMQ');
    const executions = await executionsOf(engine, 'amqp_rt', 60, { timeoutMs: 30_000 });
    clearInterval(sampler);
    expect(sawWaiting).toBe(true);
    expect(executions).toHaveLength(60);
    expect(maxInFlight).toBe(10); // the cap is reached, never passed
  });

  it('goes BACKOFF when RabbitMQ restarts mid-stream, reconnects by itself, and loses nothing', async () => {
    let ch = await queue('stream');
    const tasks = `  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.05S`;
    engine = await startEngine([flow(conn(), 'stream', '', tasks)], { maxInFlight: 20 });
    await running();
    const states: string[] = [];
    engine.events.on('trigger', (h) => {
      if (h.flowId === 'amqp_rt') states.push(h.state);
    });
    for (let i = 0; i < 400; i++) ch.sendToQueue('stream', Buffer.from(`a${i}`), { messageId: `a${i}`, persistent: true });
    await ch.waitForConfirms();
    await eventually(() => rt()!.admitted >= 60, 20_000, '60 admitted');
    const left = await waiting('stream');
    expect(left).toBeGreaterThan(0); // the restart happens mid-stream
    await broker().restart();
    await eventually(() => rt()?.state === 'RUNNING' && states.includes('BACKOFF'), 60_000, 'RUNNING again after BACKOFF');
    expect(rt()!.lastError).toBeUndefined();
    ch = (await client()).ch;
    for (let i = 0; i < 200; i++) ch.sendToQueue('stream', Buffer.from(`b${i}`), { messageId: `b${i}`, persistent: true });
    await ch.waitForConfirms();
    const executions = await executionsOf(engine, 'amqp_rt', 600, { timeoutMs: 60_000 });
    const data = executions.map((e) => e.trigger!.variables.data as string);
    const seen = new Set(data);
    for (let i = 0; i < 400; i++) expect(seen.has(`a${i}`)).toBe(true);
    for (let i = 0; i < 200; i++) expect(seen.has(`b${i}`)).toBe(true);
    expect(data).toHaveLength(seen.size); // no message admitted twice: the messageId deduplicates redeliveries
    console.log(`[amqp] broker restart with ${left} messages waiting: states ${[...new Set(states)].join(' → ')}, restarts ${rt()!.restarts}, duplicates dropped ${rt()!.duplicates}`);
    await eventually(async () => (await waiting('stream')) === 0, 10_000, 'the queue to be empty');
  });

  it('SIGKILL of the engine mid-stream, then a restart on the same data: no message lost, none with a messageId admitted twice', async () => {
    const ch = await queue('crash');
    const dataDir = tempDir('amqp-crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'amqp_rt.yml'), flow(conn(), 'crash'));
    server = await startServerProcess({ dataDir, flowsDir });
    const count = async (s: ServerProcess) => (await s.api('GET', '/api/v1/executions/search?flowId=amqp_rt&size=1')).body.total as number;

    // Publish 500 numbered messages over about a second, and kill the engine while they arrive.
    const publishing = (async () => {
      for (let i = 0; i < 500; i++) {
        // Even numbers carry a messageId (duplicates dropped); odd ones have no identity (duplicates possible, counted).
        ch.sendToQueue('crash', Buffer.from(String(i)), { ...(i % 2 === 0 ? { messageId: `n-${i}` } : {}), persistent: true });
        if (i % 25 === 24) {
          await ch.waitForConfirms();
          await new Promise((r) => setTimeout(r, 40));
        }
      }
      await ch.waitForConfirms();
    })();
    await eventually(async () => (await count(server!)) >= 50, 20_000, '50 executions before the kill');
    await server.kill('SIGKILL');
    const atKill = await waiting('crash');
    await publishing;
    server = await startServerProcess({ dataDir, flowsDir });
    await eventually(async () => (await count(server!)) >= 500 && (await waiting('crash')) === 0, 60_000, '500 executions after the restart');
    const { body } = await server.api('GET', '/api/v1/executions/search?flowId=amqp_rt&size=2000');
    const numbers = body.results.map((e: any) => Number(e.trigger.variables.data));
    const distinct = new Set(numbers);
    const lost = Array.from({ length: 500 }, (_, i) => i).filter((i) => !distinct.has(i));
    const even = numbers.filter((n: number) => n % 2 === 0);
    const odd = numbers.filter((n: number) => n % 2 === 1);
    const duplicatesWithId = even.length - new Set(even).size;
    const duplicatesWithoutId = odd.length - new Set(odd).size;
    console.log(`[amqp] SIGKILL mid-stream (${atKill} messages waiting at the kill): ${numbers.length} executions, ${lost.length} lost, ` +
      `${duplicatesWithId} duplicates with a messageId, ${duplicatesWithoutId} without one`);
    expect(lost).toEqual([]);
    expect(duplicatesWithId).toBe(0);
    await eventually(async () => {
      const r = await server!.api('GET', '/api/v1/executions/search?flowId=amqp_rt&state=SUCCESS&size=1');
      return r.body.total === numbers.length;
    }, 30_000, 'all SUCCESS');
  });

  it('polling twin: one execution per batch, whose files hold every message exactly once', async () => {
    const ch = await queue('batch_in');
    engine = await startEngine([`id: amqp_poll
namespace: test.amqp
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.count }}"
triggers:
  - id: poll
    type: io.kestra.plugin.amqp.Trigger
${connYaml(conn())}
    queue: batch_in
    interval: PT0.2S
    maxRecords: 300
    serdeType: JSON
`]);
    for (let i = 0; i < 1000; i++) ch.sendToQueue('batch_in', Buffer.from(JSON.stringify({ i })), { messageId: `p-${i}`, headers: { k: 'v' } });
    await ch.waitForConfirms();
    const found: any[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'amqp_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.count));
        expect(lines.length).toBeLessThanOrEqual(300);
        found.push(...lines);
      }
      return found.length >= 1000;
    }, 30_000, 'all batches');
    expect(found).toHaveLength(1000);
    expect(found.map((l) => l.data.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(found[0]).toMatchObject({ messageId: expect.stringMatching(/^p-\d+$/), headers: { k: 'v' } });
    const executions = await executionsOf(engine, 'amqp_poll', 4);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    await eventually(async () => (await waiting('batch_in')) === 0, 10_000, 'every batch acknowledged');
  });

  it('polling twin without maxRecords or maxDuration is a readable error (Kestra requires one)', async () => {
    await queue('batch_nolimit');
    engine = await startEngine([`id: amqp_poll
namespace: test.amqp
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.count }}"
triggers:
  - id: poll
    type: io.kestra.plugin.amqp.Trigger
${connYaml(conn())}
    queue: batch_nolimit
`]);
    await eventually(() => health(engine!, 'test.amqp', 'amqp_poll', 'poll')?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(health(engine, 'test.amqp', 'amqp_poll', 'poll')!.lastError).toMatch(/maxRecords or maxDuration/);
  });

  it('wrong credentials are BACKOFF with a readable error; the engine keeps running and recovers when fixed', async () => {
    await queue('creds');
    engine = await startEngine([flow({ ...conn(), password: 'wrong' }, 'creds')]);
    await eventually(() => rt()?.state === 'BACKOFF', 20_000, 'BACKOFF');
    expect(rt()!.lastError).toMatch(/ACCESS_REFUSED.*check username\/password/);
    const fixed = await engine.saveFlow(flow(conn(), 'creds'));
    expect(fixed.ok).toBe(true);
    await running();
  });

  it('an unknown queue is BACKOFF with an error naming the queue; an unreachable host is BACKOFF too', async () => {
    engine = await startEngine([flow(conn(), 'no_such_queue')]);
    await eventually(() => rt()?.state === 'BACKOFF', 20_000, 'BACKOFF');
    expect(rt()!.lastError).toMatch(/queue "no_such_queue" does not exist in virtual host "\/"/);
    expect(rt()!.lastError!.match(/does not exist/g), `said once: ${rt()!.lastError}`).toHaveLength(1);
    await engine.saveFlow(flow({ ...conn(), port: 1 }, 'no_such_queue'));
    await eventually(() => rt()?.state === 'BACKOFF' && /refused/.test(rt()!.lastError ?? ''), 20_000, 'BACKOFF (refused)');
    expect(rt()!.lastError).toMatch(/ECONNREFUSED/);
    await engine.saveFlow(flow({ ...conn(), password: broker().password! }, 'x', '    virtualHost: /nope\n'));
    await eventually(() => /virtual host "\/nope"/.test(rt()?.lastError ?? ''), 20_000, 'vhost error');
    // The engine still runs other flows.
    await queue('still_ok');
    await engine.saveFlow(flow(conn(), 'still_ok'));
    await running();
  });

  it('the deprecated url property works (and url with host is refused)', async () => {
    const ch = await queue('by_url');
    engine = await startEngine([`id: amqp_rt
namespace: test.amqp
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data }}"
triggers:
  - id: queue
    type: io.kestra.plugin.amqp.RealtimeTrigger
    url: ${broker().url}
    queue: by_url
`]);
    await running();
    ch.sendToQueue('by_url', Buffer.from('via url'));
    const [e] = await executionsOf(engine, 'amqp_rt', 1);
    expect(e.trigger!.variables.data).toBe('via url');
    await engine.saveFlow(flow(conn(), 'by_url', `    url: ${broker().url}\n`));
    await eventually(() => /either url or host/.test(rt()?.lastError ?? ''), 10_000, 'url+host error');
  });

  it('editing the flow restarts the trigger with the new queue; disabled: true stops it', async () => {
    await queue('first_q');
    const ch = await queue('second_q');
    engine = await startEngine([flow(conn(), 'first_q')]);
    await running();
    await engine.saveFlow(flow(conn(), 'second_q'));
    await running();
    ch.sendToQueue('second_q', Buffer.from('after-edit'));
    const [e] = await executionsOf(engine, 'amqp_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-edit');
    await engine.saveFlow(flow(conn(), 'second_q', '    disabled: true\n'));
    expect(rt()).toBeUndefined();
    ch.sendToQueue('second_q', Buffer.from('while-disabled'));
    await ch.waitForConfirms();
    await new Promise((res) => setTimeout(res, 300));
    expect(await waiting('second_q')).toBe(1);
    const { ch: c2 } = await client();
    expect((await c2.checkQueue('second_q')).consumerCount).toBe(0);
  });

  it('autoAck: true is obeyed, with a warning that messages can be lost', async () => {
    const ch = await queue('auto');
    engine = await startEngine([flow(conn(), 'auto', '    autoAck: true\n')]);
    await running();
    for (let i = 0; i < 20; i++) ch.sendToQueue('auto', Buffer.from(`x${i}`));
    await ch.waitForConfirms();
    const executions = await executionsOf(engine, 'amqp_rt', 20);
    expect(executions).toHaveLength(20);
    await engine.store.writer.flush();
    const logs = engine.store.db.prepare(`SELECT message FROM logs WHERE message LIKE '%autoAck is true%'`).pluck().all() as string[];
    expect(logs.length).toBeGreaterThan(0);
  });

  it('producer tasks declare, bind and publish; the messages really arrive (read back with amqplib); Consume reads them', async () => {
    const { ch } = await client();
    await ch.deleteQueue('shipments.eu').catch(() => {});
    engine = await startEngine([`id: producer
namespace: test.amqp
tasks:
  - id: exchange
    type: io.kestra.plugin.amqp.DeclareExchange
${connYaml(conn())}
    name: shipments
    exchangeType: TOPIC
  - id: queue
    type: io.kestra.plugin.amqp.CreateQueue
${connYaml(conn())}
    name: shipments.eu
    args:
      x-max-priority: 10
  - id: bind
    type: io.kestra.plugin.amqp.QueueBind
${connYaml(conn())}
    exchange: "{{ outputs.exchange.exchange }}"
    queue: "{{ outputs.queue.queue }}"
    routingKey: eu.#
  - id: publish
    type: io.kestra.plugin.amqp.Publish
${connYaml(conn())}
    exchange: shipments
    routingKey: eu.fr
    serdeType: JSON
    from:
      - data: {"parcel": 1, "to": "Lyon"}
        messageId: s-1
        headers:
          testHeader: KestraTest
        timestamp: "2023-01-09T08:46:33.103130753Z"
        priority: 5
        deliveryMode: 2
        expiration: PT1H
      - data: {"parcel": 2, "to": "Nice"}
        appId: unit-kestra
        contentType: application/json
  - id: publish_unroutable
    type: io.kestra.plugin.amqp.Publish
${connYaml(conn())}
    exchange: shipments
    routingKey: us.ny
    from: {"data": "nobody listens"}
`]);
    const started = await engine.createExecution('test.amqp', 'producer');
    const done = await engine.waitFor(started.id);
    expect(done.state.current).toBe('SUCCESS');
    const out = Object.fromEntries(done.taskRunList.map((t) => [t.taskId, t.outputs]));
    expect(out).toMatchObject({
      exchange: { exchange: 'shipments' }, queue: { queue: 'shipments.eu' }, bind: { queue: 'shipments.eu', exchange: 'shipments' },
      publish: { messagesCount: 2 }, publish_unroutable: { messagesCount: 1 },
    });
    const first = (await ch.get('shipments.eu', { noAck: true })) as GetMessage;
    expect(JSON.parse(first.content.toString())).toEqual({ parcel: 1, to: 'Lyon' });
    expect(first.properties).toMatchObject({
      messageId: 's-1', headers: { testHeader: 'KestraTest' }, priority: 5, deliveryMode: 2, expiration: '3600000',
    });
    expect(first.properties.timestamp).toBe(Math.floor(Date.parse('2023-01-09T08:46:33.103Z') / 1000));
    expect(first.fields).toMatchObject({ exchange: 'shipments', routingKey: 'eu.fr' });
    const second = (await ch.get('shipments.eu', { noAck: false })) as GetMessage;
    expect(JSON.parse(second.content.toString())).toEqual({ parcel: 2, to: 'Nice' });
    expect(second.properties).toMatchObject({ appId: 'unit-kestra', contentType: 'application/json' });
    ch.nack(second, false, true);
    await engine.store.writer.flush();
    const warned = engine.store.db.prepare(`SELECT message FROM logs WHERE message LIKE '%not routed to any queue%'`).pluck().all();
    expect(warned).toHaveLength(1);

    // Consume reads what is left into a file, then acknowledges it.
    await engine.saveFlow(`id: consumer
namespace: test.amqp
tasks:
  - id: consume
    type: io.kestra.plugin.amqp.Consume
${connYaml(conn())}
    queue: shipments.eu
    serdeType: JSON
    maxRecords: 1
    maxDuration: PT5S
`);
    const c = await engine.waitFor((await engine.createExecution('test.amqp', 'consumer')).id);
    expect(c.state.current).toBe('SUCCESS');
    const { uri, count } = c.taskRunList[0].outputs as { uri: string; count: number };
    expect(count).toBe(1);
    const [line] = engine.store.storage.get(uri).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(line).toMatchObject({ data: { parcel: 2, to: 'Nice' }, appId: 'unit-kestra', contentType: 'application/json' });
    expect(await waiting('shipments.eu')).toBe(0);
  });

  it('Publish to a missing exchange fails the task with a readable error', async () => {
    engine = await startEngine([`id: producer
namespace: test.amqp
tasks:
  - id: publish
    type: io.kestra.plugin.amqp.Publish
${connYaml(conn())}
    exchange: no_such_exchange
    from:
      - data: hello
`]);
    const done = await engine.waitFor((await engine.createExecution('test.amqp', 'producer')).id);
    expect(done.state.current).toBe('FAILED');
    await engine.store.writer.flush();
    const errors = engine.store.db.prepare(`SELECT message FROM logs WHERE level = 'ERROR'`).pluck().all() as string[];
    expect(errors.join('\n')).toMatch(/exchange "no_such_exchange" does not exist/);
  });

  it('the publish hook (inspector "send test event") delivers to the trigger\'s queue', async () => {
    await queue('hook');
    engine = await startEngine([flow(conn(), 'hook')]);
    await running();
    const trigger = engine.registry.trigger('io.kestra.plugin.amqp.RealtimeTrigger')!;
    const props = trigger.props.parse({ host: conn().host, port: conn().port, username: conn().user, password: conn().password, queue: 'hook' });
    await trigger.publish!({} as any, props, { payload: 'from the inspector', key: 'k-1', headers: { a: 'b' } });
    const [e] = await executionsOf(engine, 'amqp_rt', 1);
    expect(e.trigger!.variables).toMatchObject({ data: 'from the inspector', messageId: 'k-1', headers: { a: 'b' } });
  });
});
