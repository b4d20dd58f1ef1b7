// The broker side of the realtime-latency scenario: per broker, how to prepare the destination
// (queue, stream, topic, table + publication), a publisher, a bare "floor" consumer that does
// nothing but note when each message arrives, and the Peregrine flow consuming the same kind of
// destination with a trivial task.
//
// Every message carries `{"step":k,"seq":i,"ts":<Date.now() at send>,"hr":"<hrtime ns at send>"}`.
// `ts` has the engine's resolution (integer ms of the same wall clock as `created_at`), so
// Peregrine and the floor are both measured with it; `hr` (monotonic, shared by every process on
// the machine) gives the floor a precise figure too. For PostgreSQL the "publish" time is the
// server's clock_timestamp() when the INSERT runs (column `ts`), as CDC starts there.
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';

export const RT_BROKERS = ['redis', 'amqp', 'mqtt', 'nats', 'kafka', 'postgres', 'sqs', 'pubsub'] as const;
export type RtBroker = (typeof RT_BROKERS)[number];

/** The test broker (test/brokers) serving each family. */
export const BROKER_SERVER = { redis: 'redis', amqp: 'rabbitmq', mqtt: 'mosquitto', nats: 'nats', kafka: 'kafka', postgres: 'postgres', sqs: 'sqs', pubsub: 'pubsub' } as const;

export const TRIGGER_TYPE: Record<RtBroker, string> = {
  redis: 'io.kestra.plugin.redis.list.RealtimeTrigger',
  amqp: 'io.kestra.plugin.amqp.RealtimeTrigger',
  mqtt: 'io.kestra.plugin.mqtt.RealtimeTrigger',
  nats: 'io.kestra.plugin.nats.RealtimeTrigger',
  kafka: 'io.kestra.plugin.kafka.RealtimeTrigger',
  postgres: 'io.kestra.plugin.debezium.postgres.RealtimeTrigger',
  sqs: 'io.kestra.plugin.aws.sqs.RealtimeTrigger',
  pubsub: 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger',
};

/** Where one side reads: `name` ('peregrine' or 'floor') names its own key / queue / topic / subject / table. */
export interface Target {
  broker: RtBroker;
  /** The test broker's `connection` (shaped for each official client) and `url`. */
  connection: any;
  url: string;
  name: 'peregrine' | 'floor';
  /** SQS: the queue URL (set by prepare). */
  queueUrl?: string;
}

/** The destination of a target: Redis list, AMQP queue, MQTT topic, NATS subject, Kafka topic, PostgreSQL table. */
export function dest(t: Target): string {
  switch (t.broker) {
    case 'redis': return `bench:${t.name}`;
    case 'amqp': return `bench.${t.name}`;
    case 'mqtt': return `bench/${t.name}`;
    case 'nats': return `bench.${t.name}`;
    case 'kafka': return `bench-${t.name}`;
    case 'postgres': return `bench_${t.name}`;
    default: return `bench-${t.name}`;
  }
}

export interface Publisher {
  /** Sends one tick's messages (fire and forget; errors are counted). */
  send(messages: { step: number; seq: number }[]): void;
  errors(): number;
  /** Resolves when every send issued so far has been answered (or failed). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface Received {
  step: number;
  seq: number;
  /** Send time (wall ms, as Date.now()). */
  ts: number;
  /** Send time (process.hrtime ns), when the publisher put it in the message. */
  hr?: bigint;
}

export interface Floor { close(): Promise<void> }

export const stamp = (step: number, seq: number): string => `{"step":${step},"seq":${seq},"ts":${Date.now()},"hr":"${process.hrtime.bigint()}"}`;

/** Reads step/seq/ts/hr from a message body, whatever wrapped it (a JSON string, an object, a row). */
export function parseStamp(body: unknown): Received | undefined {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString() : JSON.stringify(body);
  const step = /\\?"step\\?"\s*:\s*\\?"?(-?\d+)/.exec(text);
  const seq = /\\?"seq\\?"\s*:\s*\\?"?(\d+)/.exec(text);
  const ts = /\\?"ts\\?"\s*:\s*\\?"?(\d+)/.exec(text);
  if (!step || !seq || !ts) return undefined;
  const hr = /\\?"hr\\?"\s*:\s*\\?"(\d+)/.exec(text);
  return { step: Number(step[1]), seq: Number(seq[1]), ts: Number(ts[1]), ...(hr ? { hr: BigInt(hr[1]) } : {}) };
}

const PG_PUBLICATION = 'bench_pub';
const NATS_STREAM = 'BENCH';

/** Creates what must exist before a consumer starts: the queue, stream, topic, table, publication. */
export async function prepare(t: Target): Promise<void> {
  switch (t.broker) {
    case 'amqp': {
      const amqp = (await import('amqplib')).default;
      const conn = await amqp.connect(t.url);
      const ch = await conn.createChannel();
      await ch.assertQueue(dest(t), { durable: true });
      await ch.purgeQueue(dest(t));
      await conn.close();
      return;
    }
    case 'nats': {
      const { connect } = await import('nats');
      const nc = await connect(t.connection);
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.streams.info(NATS_STREAM);
      } catch {
        await jsm.streams.add({ name: NATS_STREAM, subjects: ['bench.>'] });
      }
      await nc.close();
      return;
    }
    case 'kafka': {
      const kafka = new Kafka({ clientId: 'bench-admin', brokers: t.connection.brokers, logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: dest(t), numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await admin.disconnect();
      return;
    }
    case 'postgres': {
      const pg = (await import('pg')).default;
      const c = new pg.Client(t.connection);
      await c.connect();
      const tables = ['bench_peregrine', 'bench_floor'];
      for (const tb of tables) await c.query(`CREATE TABLE IF NOT EXISTS ${tb} (id bigserial PRIMARY KEY, step int NOT NULL, seq int NOT NULL, ts bigint NOT NULL DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint)`);
      const pub = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [PG_PUBLICATION]);
      if (!pub.rowCount) await c.query(`CREATE PUBLICATION ${PG_PUBLICATION} FOR TABLE ${tables.join(', ')}`);
      if (t.name === 'floor') {
        const slot = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', ['bench_floor_slot']);
        if (!slot.rowCount) await c.query("SELECT pg_create_logical_replication_slot('bench_floor_slot', 'pgoutput')");
      }
      await c.end();
      return;
    }
    case 'sqs': {
      const { SQSClient, CreateQueueCommand, PurgeQueueCommand } = await import('@aws-sdk/client-sqs');
      const sqs = new SQSClient({ ...t.connection, maxAttempts: 1 });
      t.queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dest(t) }))).QueueUrl!;
      await sqs.send(new PurgeQueueCommand({ QueueUrl: t.queueUrl })).catch(() => {});
      sqs.destroy();
      return;
    }
    case 'pubsub': {
      process.env.METADATA_SERVER_DETECTION = 'none';
      const { PubSub } = await import('@google-cloud/pubsub');
      const client = new PubSub(t.connection);
      const [exists] = await client.topic(dest(t)).exists();
      if (!exists) await client.createTopic(dest(t));
      if (t.name === 'floor') {
        const [subExists] = await client.subscription(`${dest(t)}-sub`).exists();
        if (!subExists) await client.topic(dest(t)).createSubscription(`${dest(t)}-sub`);
      }
      await client.close();
      return;
    }
    default:
      return; // redis lists, MQTT topics need nothing
  }
}

/** The Peregrine flow: the broker's RealtimeTrigger (Kestra property names) and one trivial task. */
export function flowYaml(t: Target, flowId: string): string {
  const trigger: Record<RtBroker, () => string> = {
    redis: () => `    url: ${t.url}\n    key: ${dest(t)}`,
    amqp: () => `    url: ${t.url}\n    queue: ${dest(t)}`,
    mqtt: () => `    server: tcp://${t.connection.host}:${t.connection.port}\n    clientId: ${flowId}-client\n    topic: ${dest(t)}\n    serdeType: STRING`,
    nats: () => `    url: ${t.url}\n    subject: ${dest(t)}`,
    kafka: () => `    topic: ${dest(t)}\n    properties:\n      bootstrap.servers: ${t.connection.brokers.join(',')}\n    groupId: ${flowId}`,
    postgres: () => `    hostname: ${t.connection.host}\n    port: "${t.connection.port}"\n    username: ${t.connection.user}\n    password: ${t.connection.password}\n    database: ${t.connection.database}\n    slotName: bench_peregrine_slot\n    publicationName: ${PG_PUBLICATION}\n    snapshotMode: NEVER\n    includedTables: public\\.${dest(t)}`,
    sqs: () => `    endpointOverride: ${t.connection.endpoint}\n    region: ${t.connection.region}\n    accessKeyId: ${t.connection.credentials?.accessKeyId}\n    secretKeyId: ${t.connection.credentials?.secretAccessKey}\n    queueUrl: ${t.queueUrl}\n    maxNumberOfMessage: 10`, // as the floor's receives
    pubsub: () => `    projectId: ${t.connection.projectId}\n    topic: ${dest(t)}`,
  };
  return `id: ${flowId}
namespace: bench.rt
tasks:
  - id: noop
    type: io.kestra.plugin.core.debug.Return
    format: ok
triggers:
  - id: rt
    type: ${TRIGGER_TYPE[t.broker]}
${trigger[t.broker]()}
`;
}

/** A publisher for one destination. */
export async function openPublisher(t: Target): Promise<Publisher> {
  let errors = 0;
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const q = p.catch(() => errors++).finally(() => pending.delete(q));
    pending.add(q);
  };
  const settle = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };
  switch (t.broker) {
    case 'redis': {
      const { Redis } = await import('ioredis');
      const r = new Redis(t.connection);
      return {
        send: (ms) => track(r.rpush(dest(t), ...ms.map((m) => stamp(m.step, m.seq)))),
        errors: () => errors, settle,
        close: async () => { await settle(); r.disconnect(); },
      };
    }
    case 'amqp': {
      const amqp = (await import('amqplib')).default;
      const conn = await amqp.connect(t.url);
      const ch = await conn.createConfirmChannel();
      return {
        send: (ms) => {
          for (const m of ms) track(new Promise<void>((resolve, reject) => ch.sendToQueue(dest(t), Buffer.from(stamp(m.step, m.seq)), { persistent: false }, (e) => (e ? reject(e) : resolve()))));
        },
        errors: () => errors, settle,
        close: async () => { await settle(); await conn.close(); },
      };
    }
    case 'mqtt': {
      const mqtt = await import('mqtt');
      const c = await mqtt.connectAsync({ ...t.connection, clientId: `bench-pub-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0 });
      return {
        send: (ms) => {
          for (const m of ms) track(c.publishAsync(dest(t), stamp(m.step, m.seq), { qos: 1 }));
        },
        errors: () => errors, settle,
        close: async () => { await settle(); await c.endAsync(); },
      };
    }
    case 'nats': {
      const { connect } = await import('nats');
      const nc = await connect(t.connection);
      const js = nc.jetstream();
      const enc = new TextEncoder();
      return {
        send: (ms) => {
          for (const m of ms) track(js.publish(dest(t), enc.encode(stamp(m.step, m.seq))));
        },
        errors: () => errors, settle,
        close: async () => { await settle(); await nc.drain(); },
      };
    }
    case 'kafka': {
      const kafka = new Kafka({ clientId: `bench-pub-${process.pid}`, brokers: t.connection.brokers, logLevel: logLevel.NOTHING });
      const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      return {
        send: (ms) => track(producer.send({ topic: dest(t), messages: ms.map((m) => ({ value: stamp(m.step, m.seq) })) })),
        errors: () => errors, settle,
        close: async () => { await settle(); await producer.disconnect(); },
      };
    }
    case 'postgres': {
      const pg = (await import('pg')).default;
      const c = new pg.Client(t.connection);
      await c.connect();
      return {
        // One autocommitted INSERT per message (one transaction each, as an application would).
        send: (ms) => {
          for (const m of ms) track(c.query(`INSERT INTO ${dest(t)} (step, seq) VALUES ($1, $2)`, [m.step, m.seq]));
        },
        errors: () => errors, settle,
        close: async () => { await settle(); await c.end(); },
      };
    }
    case 'sqs': {
      const { SQSClient, SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      const sqs = new SQSClient({ ...t.connection, maxAttempts: 1 });
      return {
        send: (ms) => {
          for (let i = 0; i < ms.length; i += 10) {
            const chunk = ms.slice(i, i + 10);
            track(sqs.send(new SendMessageBatchCommand({ QueueUrl: t.queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: stamp(m.step, m.seq) })) })).then((r) => {
              if (r.Failed?.length) throw new Error(`${r.Failed.length} not sent`);
            }));
          }
        },
        errors: () => errors, settle,
        close: async () => { await settle(); sqs.destroy(); },
      };
    }
    case 'pubsub': {
      process.env.METADATA_SERVER_DETECTION = 'none';
      const { PubSub } = await import('@google-cloud/pubsub');
      const client = new PubSub(t.connection);
      // No client-side batching delay: each message goes out at once, like the other publishers.
      const topic = client.topic(dest(t), { batching: { maxMessages: 1, maxMilliseconds: 0 } });
      return {
        send: (ms) => {
          for (const m of ms) track(topic.publishMessage({ data: Buffer.from(stamp(m.step, m.seq)) }));
        },
        errors: () => errors, settle,
        close: async () => { await settle(); await client.close(); },
      };
    }
    default:
      throw new Error(`no publisher for ${t.broker} in the bench yet`);
  }
}

/** A bare consumer: acknowledges at once and calls `onMessage` with what it read and when. */
export async function openFloor(t: Target, onMessage: (r: Received, recvMs: number, recvHr: bigint) => void): Promise<Floor> {
  const got = (body: unknown) => {
    const recvHr = process.hrtime.bigint();
    const recvMs = Date.now();
    const r = parseStamp(body);
    if (r) onMessage(r, recvMs, recvHr);
  };
  switch (t.broker) {
    case 'redis': {
      const { Redis } = await import('ioredis');
      const r = new Redis(t.connection);
      let stop = false;
      const loop = (async () => {
        while (!stop) {
          const first = await r.blpop(dest(t), 0.5);
          if (!first) continue;
          got(first[1]);
          for (;;) {
            const more = await r.lpop(dest(t), 200);
            if (!more?.length) break;
            for (const m of more) got(m);
          }
        }
      })();
      return { close: async () => { stop = true; await loop.catch(() => {}); r.disconnect(); } };
    }
    case 'amqp': {
      const amqp = (await import('amqplib')).default;
      const conn = await amqp.connect(t.url);
      const ch = await conn.createChannel();
      await ch.prefetch(1000);
      await ch.consume(dest(t), (msg) => {
        if (!msg) return;
        got(msg.content);
        ch.ack(msg);
      }, { noAck: false });
      return { close: async () => { await conn.close(); } };
    }
    case 'mqtt': {
      const mqtt = await import('mqtt');
      const c = await mqtt.connectAsync({ ...t.connection, clientId: `bench-floor-${process.pid}`, reconnectPeriod: 0, clean: true });
      c.on('message', (_topic, payload) => got(payload));
      await c.subscribeAsync(dest(t), { qos: 1 });
      return { close: async () => { await c.endAsync(); } };
    }
    case 'nats': {
      const { connect, AckPolicy } = await import('nats');
      const nc = await connect(t.connection);
      const jsm = await nc.jetstreamManager();
      const durable = `floor_${t.name}`;
      await jsm.consumers.add(NATS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: dest(t) });
      const consumer = await nc.jetstream().consumers.get(NATS_STREAM, durable);
      const messages = await consumer.consume({ max_messages: 1000 });
      const loop = (async () => {
        for await (const m of messages) {
          got(m.data.length ? Buffer.from(m.data) : '');
          m.ack();
        }
      })();
      return { close: async () => { await messages.close(); await loop.catch(() => {}); await nc.close(); } };
    }
    case 'kafka': {
      const kafka = new Kafka({ clientId: `bench-floor-${process.pid}`, brokers: t.connection.brokers, logLevel: logLevel.NOTHING });
      const consumer: Consumer = kafka.consumer({ groupId: `floor-${t.name}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: [dest(t)], fromBeginning: false });
      await consumer.run({ eachMessage: async ({ message }) => got(message.value) });
      return { close: async () => { await consumer.disconnect(); } };
    }
    case 'postgres': {
      const { LogicalReplicationService, PgoutputPlugin } = await import('pg-logical-replication');
      const service = new LogicalReplicationService({ ...t.connection, replication: 'database' } as any, { acknowledge: { auto: true, timeoutSeconds: 1 } });
      service.on('data', (_lsn: string, log: any) => {
        if (log.tag === 'insert') got(log.new);
      });
      service.on('error', () => {});
      const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [PG_PUBLICATION] });
      void service.subscribe(plugin, 'bench_floor_slot').catch(() => {});
      return { close: async () => { await service.stop(); } };
    }
    case 'sqs': {
      const { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      const sqs = new SQSClient({ ...t.connection, maxAttempts: 1 });
      let stop = false;
      // A few long-polling receivers (a single one would cap a bare client near 10 messages per round trip).
      const loops = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: t.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 })).catch(() => undefined);
          const msgs = r?.Messages ?? [];
          for (const m of msgs) got(m.Body ?? '');
          if (msgs.length) void sqs.send(new DeleteMessageBatchCommand({ QueueUrl: t.queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) })).catch(() => {});
        }
      });
      return { close: async () => { stop = true; await Promise.allSettled(loops); sqs.destroy(); } };
    }
    case 'pubsub': {
      process.env.METADATA_SERVER_DETECTION = 'none';
      const { PubSub } = await import('@google-cloud/pubsub');
      const client = new PubSub(t.connection);
      const sub = client.subscription(`${dest(t)}-sub`);
      sub.on('message', (m: { data: Buffer; ack(): void }) => {
        got(m.data);
        m.ack();
      });
      sub.on('error', () => {});
      return { close: async () => { await sub.close(); await client.close(); } };
    }
    default:
      throw new Error(`no floor consumer for ${t.broker} in the bench yet`);
  }
}
