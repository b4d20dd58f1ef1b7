// One adapter per realtime trigger family, for the crash harness and the fault tests. `flow(b, at)`
// builds the flow against another port of the broker's host (a fault-injecting proxy).
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { Kafka, logLevel } from 'kafkajs';
import { connect as natsConnect, StringCodec } from 'nats';
import pg from 'pg';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PubSub } from '@google-cloud/pubsub';
import type { Endpoint, FamilyAdapter } from './harness';

/** The port the flow connects to: the broker's own, or a proxy's. */
const portOf = (b: { port: number }, at?: Endpoint) => at?.port ?? b.port;

const returnId = (trigger: string) => `tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ ${trigger} }}"
`;

export const redisFamily: FamilyAdapter<'redis'> = {
  family: 'redis',
  broker: 'redis',
  identity: false,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.value')}triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: redis://${b.host}:${portOf(b, at)}
    key: crash
`,
  async publish(b, ids) {
    const r = new Redis(b.connection);
    await r.rpush('crash', ...ids.map(String));
    r.disconnect();
  },
  idOf: (t) => Number(t.value),
};

/** AMQP with a messageId on every message: the identity makes redeliveries duplicates-free. */
export const amqpFamily: FamilyAdapter<'rabbitmq'> = {
  family: 'amqp',
  broker: 'rabbitmq',
  identity: true,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.data')}triggers:
  - id: queue
    type: io.kestra.plugin.amqp.RealtimeTrigger
    host: ${b.host}
    port: "${portOf(b, at)}"
    username: ${b.connection.username}
    password: ${b.connection.password}
    queue: crash
`,
  async prepare(b) {
    const conn = await amqp.connect(b.connection);
    await (await conn.createChannel()).assertQueue('crash', { durable: true });
    await conn.close();
  },
  async publish(b, ids) {
    const conn = await amqp.connect(b.connection);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('crash', { durable: true });
    for (const id of ids) ch.sendToQueue('crash', Buffer.from(String(id)), { persistent: true, messageId: `m-${id}` });
    await ch.waitForConfirms();
    await conn.close();
  },
  idOf: (t) => Number(t.data),
};

/** MQTT QoS 1 with a persistent session: no message identity, so duplicates are counted, not forbidden. */
export const mqttFamily: FamilyAdapter<'mosquitto'> = {
  family: 'mqtt',
  broker: 'mosquitto',
  identity: false,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.payload')}triggers:
  - id: topic
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: tcp://${b.host}:${portOf(b, at)}
    clientId: reliability-crash
    topic: crash/ids
    serdeType: STRING
    qos: 1
`,
  async publish(b, ids) {
    const c = await mqtt.connectAsync({ ...b.connection, reconnectPeriod: 0, clientId: `crash-pub-${Math.random().toString(36).slice(2)}` });
    await Promise.all(ids.map((id) => c.publishAsync('crash/ids', String(id), { qos: 1 })));
    await c.endAsync();
  },
  idOf: (t) => Number(t.payload),
  persistEveryMs: 1000, // autosave_interval in test/brokers/servers/mosquitto.ts
};

/** NATS JetStream: the stream sequence is the identity. */
export const natsFamily: FamilyAdapter<'nats'> = {
  family: 'nats',
  broker: 'nats',
  blackHoleReason: /NATS server at .* stopped answering \(its pings went unanswered for 45 s\)/,
  identity: true,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.data')}triggers:
  - id: subject
    type: io.kestra.plugin.nats.RealtimeTrigger
    url: nats://${b.host}:${portOf(b, at)}
    subject: crash.ids
    durableId: reliability_crash
`,
  async prepare(b) {
    const nc = await natsConnect(b.connection);
    await (await nc.jetstreamManager()).streams.add({ name: 'CRASH', subjects: ['crash.ids'] }).catch(() => undefined);
    await nc.drain();
  },
  async publish(b, ids) {
    const nc = await natsConnect(b.connection);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'CRASH', subjects: ['crash.ids'] }).catch(() => undefined);
    const js = nc.jetstream();
    const sc = StringCodec();
    await Promise.all(ids.map((id) => js.publish('crash.ids', sc.encode(String(id)))));
    await nc.drain();
  },
  idOf: (t) => Number(t.data),
};

/** Kafka: group/topic/partition/offset is the identity. */
export const kafkaFamily: FamilyAdapter<'kafka'> = {
  family: 'kafka',
  broker: 'kafka',
  identity: true,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.value')}triggers:
  - id: topic
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: crash
    groupId: reliability
    properties:
      bootstrap.servers: ${at ? `${b.host}:${at.port}` : b.connection.brokers.join(',')}
      auto.offset.reset: earliest   # the group is new: read what was published before it joined
`,
  async publish(b, ids) {
    const kafka = new Kafka({ clientId: 'crash-pub', brokers: b.connection.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'crash', messages: ids.map((id) => ({ value: String(id) })) });
    await producer.disconnect();
  },
  idOf: (t) => Number(t.value),
  // The client port advertises itself: a client bootstrapped through a proxy would be redirected
  // there. The `proxied` listener advertises the `proxy` port, where the proxy listens.
  proxy: (b) => ({ listen: b.ports.proxy, target: b.ports.proxied }),
};

/** PostgreSQL CDC: the commit LSN and position in the transaction are the identity. */
export const postgresFamily: FamilyAdapter<'postgres'> = {
  family: 'postgres (CDC)',
  broker: 'postgres',
  identity: true,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.data.id')}triggers:
  - id: cdc
    type: io.kestra.plugin.debezium.postgres.RealtimeTrigger
    hostname: ${b.host}
    port: "${portOf(b, at)}"
    username: ${b.user}
    password: ${b.password}
    database: ${b.database}
    slotName: reliability_crash
    publicationName: reliability_crash
    includedTables: [public.crash]
`,
  async publish(b, ids) {
    const c = new pg.Client(b.connection);
    await c.connect();
    await c.query('CREATE TABLE IF NOT EXISTS crash (id integer PRIMARY KEY)');
    await c.query(`INSERT INTO crash (id) SELECT unnest($1::int[])`, [ids]);
    await c.end();
  },
  async prepare(b) {
    const c = new pg.Client(b.connection);
    await c.connect();
    await c.query('CREATE TABLE IF NOT EXISTS crash (id integer PRIMARY KEY)');
    await c.end();
  },
  idOf: (t) => Number((t.data as { id?: number } | undefined)?.id ?? NaN),
};

/** AWS SQS (ElasticMQ): MessageId is the identity. */
export const sqsFamily: FamilyAdapter<'sqs'> = {
  family: 'sqs',
  broker: 'sqs',
  blackHoleReason: /^SQS did not answer a request on \S+ within \d+ s: the connection is considered dead$/,
  identity: true,
  flow: (b, at) => `id: crash
namespace: reliability
${returnId('trigger.data')}triggers:
  - id: queue
    type: io.kestra.plugin.aws.sqs.RealtimeTrigger
    endpointOverride: http://${b.host}:${portOf(b, at)}
    region: ${b.connection.region}
    accessKeyId: ${b.connection.credentials.accessKeyId}
    secretKeyId: ${b.connection.credentials.secretAccessKey}
    queueUrl: http://${b.host}:${portOf(b, at)}/000000000000/crash
    maxNumberOfMessage: 10
    waitTime: PT1S
    visibilityTimeout: 5   # messages a killed engine had received come back after 5 s
`,
  async prepare(b) {
    const sqs = new SQSClient(b.connection);
    await sqs.send(new CreateQueueCommand({ QueueName: 'crash' }));
    sqs.destroy();
  },
  async publish(b, ids) {
    const sqs = new SQSClient(b.connection);
    const url = `${b.connection.endpoint}/000000000000/crash`;
    for (let i = 0; i < ids.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: ids.slice(i, i + 10).map((id) => ({ Id: String(id), MessageBody: String(id) })) }));
    }
    sqs.destroy();
  },
  idOf: (t) => Number(t.data),
};

/** Google Pub/Sub (pstest): messageId is the identity. */
export const pubsubFamily: FamilyAdapter<'pubsub'> = {
  family: 'pubsub',
  broker: 'pubsub',
  identity: true,
  flow: (b) => `id: crash
namespace: reliability
${returnId('trigger.data')}triggers:
  - id: sub
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    projectId: ${b.connection.projectId}
    topic: crash
`,
  async prepare(b) {
    const ps = new PubSub(b.connection);
    await ps.createTopic('crash').catch(() => undefined);
    await ps.close();
  },
  async publish(b, ids) {
    const ps = new PubSub(b.connection);
    const topic = ps.topic('crash');
    await Promise.all(ids.map((id) => topic.publishMessage({ data: Buffer.from(String(id)) })));
    await ps.close();
  },
  idOf: (t) => Number(t.data),
  // The engine finds the emulator through PUBSUB_EMULATOR_HOST, not through the flow.
  env: (b, at) => ({ PUBSUB_EMULATOR_HOST: `${b.host}:${portOf(b, at)}`, METADATA_SERVER_DETECTION: 'none' }),
  volatile: true,
};

export const FAMILIES: FamilyAdapter<any>[] = [redisFamily, amqpFamily, mqttFamily, natsFamily, kafkaFamily, postgresFamily, sqsFamily, pubsubFamily];
