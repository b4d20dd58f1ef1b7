// The stall watchdog against real brokers: a realtime consumer that stays connected but stops
// receiving (its test hook wedges it the way a lost pull, a cancelled consumer, an unread socket or
// a paused fetch would) while messages wait at the broker is restarted by the supervisor, and every waiting
// message then runs once. A healthy idle consumer is left alone. Pub/Sub and MQTT have no backlog
// the client can read, so they have no watchdog test here.
import { SendMessageBatchCommand, CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { connect, StringCodec } from 'nats';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import type { Engine } from '../../../main/runtime/engine';
import type { TriggerHealth } from '../../../main/runtime/supervisor';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

/** The engine's stallAfterMs here: short, so that a stall is caught within a second or two. */
const STALL_MS = 600;
const NS = 'test.watchdog';
const FLOW_ID = 'stall';
const TRIGGER_ID = 'source';
/** The count is a number, or "at least N" when the broker cannot count (PostgreSQL). */
const STALLED = /^stalled: ((?:at least )?\d+) message\(s\) waiting at the broker but none received for \d+ s — restarting the consumer$/;

const flowWith = (trigger: string, format = '{{ trigger.data.id ?? trigger.data }}') => `id: ${FLOW_ID}
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "${format}"
triggers:
  - id: ${TRIGGER_ID}
${trigger}`;

let engine: Engine | undefined;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Family {
  /** The trigger's YAML (type and properties, indented 4). */
  trigger: string;
  /** Puts messages on the broker, each carrying one of these payloads. */
  send(payloads: string[]): Promise<void>;
  /** The waiting count the watchdog reports ("5", "at least 1"), for `sent` messages sent while wedged. */
  reported(count: string, sent: number): boolean;
  /** The Return task's format when the payload is not `trigger.data` (Redis, Kafka: `trigger.value`). */
  format?: string;
}

/** Wedges the running consumer through its test hook. */
async function stallConsumer(e: Engine): Promise<void> {
  const handle = e.supervisor.get(NS, FLOW_ID, TRIGGER_ID)?.handleForTest();
  if (!handle?.stallForTest) throw new Error('the trigger has no running handle with stallForTest()');
  await handle.stallForTest();
}

const valueOf = (e: Execution) => String(e.taskRunList[0]?.outputs?.value);

/** Healthy and idle: no restart; wedged with messages waiting: caught, restarted, nothing lost. */
async function watchdogCatchesStall(family: Family): Promise<void> {
  engine = await startEngine([flowWith(family.trigger, family.format)], { stallAfterMs: STALL_MS });
  const errors: string[] = [];
  engine.events.on('trigger', (h: TriggerHealth) => {
    if (h.flowId === FLOW_ID && h.lastError) errors.push(h.lastError);
  });
  const state = () => health(engine!, NS, FLOW_ID, TRIGGER_ID);
  await eventually(() => state()?.state === 'RUNNING', 20_000, 'RUNNING');

  await family.send(['before']);
  await executionsOf(engine, FLOW_ID, 1);
  // Idle for several stall windows: a consumer that is keeping up is never taken for a stalled one.
  await sleep(STALL_MS * 4);
  expect(errors).toEqual([]);
  expect(state()).toMatchObject({ state: 'RUNNING', restarts: 0 });

  await stallConsumer(engine);
  const waiting = ['w1', 'w2', 'w3', 'w4', 'w5'];
  await family.send(waiting);

  await eventually(() => errors.some((e) => STALLED.test(e)), 20_000, 'the watchdog reports the stall');
  const reported = STALLED.exec(errors.find((e) => STALLED.test(e))!)![1];
  expect(family.reported(reported, waiting.length), `reported ${reported} waiting`).toBe(true);

  const executions = await executionsOf(engine, FLOW_ID, 1 + waiting.length);
  await eventually(() => state()?.state === 'RUNNING', 20_000, 'RUNNING again');
  expect(state()!.restarts).toBeGreaterThanOrEqual(1);
  expect(executions.map(valueOf).sort()).toEqual(['before', ...waiting].sort());
  expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
}

/** A broker's own count: at least one, at most what was sent. */
const counted = (count: string, sent: number) => /^\d+$/.test(count) && Number(count) >= 1 && Number(count) <= sent;
/** Nothing else consumes the list / topic: every message sent while wedged is counted. */
const exactly = (count: string, sent: number) => count === String(sent);

describeBroker('rabbitmq', (broker) => {
  it('AMQP: a consumer cancelled without notice while messages are ready is restarted; every message runs once', async () => {
    const b = broker();
    const model = await amqp.connect(b.url);
    model.on('error', () => {});
    closers.push(() => model.close());
    const ch = await model.createConfirmChannel();
    await ch.assertQueue('stalled', { durable: true });
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.amqp.RealtimeTrigger
    host: ${b.host}
    port: ${b.port}
    username: ${b.user}
    password: ${b.password}
    queue: stalled`,
      async send(payloads) {
        for (const p of payloads) ch.sendToQueue('stalled', Buffer.from(p), { persistent: true, messageId: p });
        await ch.waitForConfirms();
      },
      reported: counted,
    });
  });
});

describeBroker('nats', (broker) => {
  it('NATS JetStream: a consumer that stops pulling while messages are pending is restarted; every message runs once', async () => {
    const nc = await connect({ ...broker().connection, reconnect: false });
    closers.push(() => nc.close());
    await (await nc.jetstreamManager()).streams.add({ name: 'STALL', subjects: ['stall.>'] });
    const sc = StringCodec();
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.nats.RealtimeTrigger
    url: ${broker().url}
    subject: "stall.>"`,
      async send(payloads) {
        for (const p of payloads) await nc.jetstream().publish('stall.orders', sc.encode(p));
      },
      reported: counted,
    });
  });
});

describeBroker('sqs', (broker) => {
  it('SQS: a consumer whose receives stop while messages are visible is restarted; every message runs once', async () => {
    const sqs = new SQSClient({ ...broker().connection, maxAttempts: 1 });
    closers.push(async () => sqs.destroy());
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'stalled' }))).QueueUrl!;
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.aws.sqs.RealtimeTrigger
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${queueUrl}
    waitTime: PT1S`,
      async send(payloads) {
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: payloads.map((p, i) => ({ Id: String(i), MessageBody: p })) }));
      },
      reported: counted,
    });
  });
});

describeBroker('postgres', (broker) => {
  it('PostgreSQL CDC: a replication stream no longer read while changes wait is restarted; every change runs once', async () => {
    const b = broker();
    const c = new pg.Client(b.connection);
    c.on('error', () => {});
    await c.connect();
    closers.push(() => c.end());
    await c.query('CREATE TABLE stalled (id text PRIMARY KEY)');
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.debezium.postgres.RealtimeTrigger
    hostname: ${b.host}
    port: "${b.port}"
    username: ${b.user}
    password: ${b.password}
    database: ${b.database}
    slotName: stall_slot
    includedTables: public\\.stalled`,
      async send(payloads) {
        for (const p of payloads) await c.query('INSERT INTO stalled (id) VALUES ($1)', [p]);
      },
      // PostgreSQL cannot count waiting changes cheaply: the watchdog hears "at least one", and says so.
      reported: (count) => count === 'at least 1',
    });
  });
});

describeBroker('redis', (broker) => {
  it('Redis list: a consumer that stops taking elements while the list holds some is restarted; every element runs once', async () => {
    const r = new Redis(broker().connection);
    closers.push(async () => r.disconnect());
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${broker().url}
    key: stalled`,
      format: '{{ trigger.value }}',
      async send(payloads) {
        await r.rpush('stalled', ...payloads);
      },
      reported: exactly,
    });
    // Nothing left behind: neither in the list nor in this trigger's processing list.
    expect(await r.llen('stalled')).toBe(0);
    expect(await r.llen(`stalled:processing:${NS}.${FLOW_ID}.${TRIGGER_ID}`)).toBe(0);
  });
});

describeBroker('kafka', (broker) => {
  it('Kafka: a group member whose fetches are paused while records wait is restarted; every record runs once', async () => {
    const kafka = new Kafka({ clientId: 'watchdog-test', brokers: broker().connection.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    // One partition: the group's committed offset covers every record, so the count is exact.
    await admin.createTopics({ topics: [{ topic: 'stalled', numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    closers.push(() => producer.disconnect());
    await watchdogCatchesStall({
      trigger: `    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: stalled
    groupId: watchdog
    properties:
      bootstrap.servers: ${broker().connection.brokers.join(',')}
      auto.offset.reset: earliest`,
      format: '{{ trigger.value }}',
      async send(payloads) {
        await producer.send({ topic: 'stalled', acks: -1, messages: payloads.map((value) => ({ value })) });
      },
      reported: exactly,
    });
  });
});
