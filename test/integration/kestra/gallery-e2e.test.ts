// The gallery flows run end to end against real brokers (test/brokers), unchanged except for the
// brokers' ports (free ports here, the default ports in the files) and the HTTP endpoints they
// call (a local sink): publish one event the way each file's header says, and check the outcome.
// A flow whose plugins are not registered yet (a family still being built) skips, naming them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGallery } from '../../../main/kestra';
import type { Engine } from '../../../main/runtime/engine';
import { brokerOrSkip, describeBroker } from '../../brokers';
import { createRegistry } from '../../../main/plugins';
import { executionsOf, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

const gallery = listGallery(path.resolve(import.meta.dirname, '../../../assets/flows'));
const sourceOf = (name: string) => gallery.find((g) => g.name === name)!.source;

/** An HTTP endpoint that records what it is sent. */
async function sink() {
  const received: { url: string; body: string; type?: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body, type: req.headers['content-type'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Saves the flow; skips the test (naming the plugins) when some are not registered yet. */
async function load(engine: Engine, source: string, ctx: { skip(note?: string): void }) {
  const r = await engine.saveFlow(source, { keepUnsupported: false });
  if (!r.ok) {
    const missing = r.errors.filter((e) => e.code === 'UNSUPPORTED_PLUGIN').map((e) => e.message.split(' ')[0]);
    if (missing.length && missing.length === r.errors.filter((e) => e.severity === 'error').length) ctx.skip(`plugin(s) not registered yet: ${missing.join(', ')}`);
    throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n'));
  }
}

describeBroker('redis', (broker) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine([]);
  });
  afterAll(async () => engine?.close());

  it('realtime-prediction-redis: a request in, a prediction on the reply list', async (ctx) => {
    const url = `redis://127.0.0.1:${broker().port}`;
    await load(engine, sourceOf('realtime-prediction-redis').replaceAll('redis://localhost:6379', url), ctx);
    const redis = new Redis(url);
    try {
      await redis.rpush('prediction-requests', JSON.stringify({ requestId: 'r-1', replyTo: 'predictions-r1', features: { tenureMonths: 3, monthlyCharges: 89.9, supportCalls: 5 } }));
      const reply = await redis.blpop('predictions-r1', 20);
      const prediction = JSON.parse(reply![1]);
      expect(prediction).toMatchObject({ requestId: 'r-1', label: 'at-risk' });
      expect(prediction.churnProbability).toBeGreaterThan(0.5);
      expect(prediction.churnProbability).toBeLessThan(1);
    } finally {
      redis.disconnect();
    }
  });
}, { title: 'gallery on Redis' });

describeBroker('mosquitto', (broker) => {
  let engine: Engine;
  let hook: Awaited<ReturnType<typeof sink>>;
  beforeAll(async () => {
    engine = await startEngine([]);
    hook = await sink();
  });
  afterAll(async () => {
    await engine?.close();
    await hook?.close();
  });

  it('stock-price-alert-mqtt: a tick out of bounds is POSTed to the webhook, one within is not', async (ctx) => {
    const source = sourceOf('stock-price-alert-mqtt')
      .replace('tcp://localhost:1883', `tcp://127.0.0.1:${broker().port}`)
      .replace('http://localhost:8081/price-alerts', `${hook.url}/price-alerts`);
    await load(engine, source, ctx);
    await eventually(() => engine.supervisor.get('company.realtime', 'stock-price-alert', 'ticks')?.health().state === 'RUNNING', 20_000, 'the MQTT trigger running');
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker().port}`);
    try {
      await client.publishAsync('stocks/ACME/price', JSON.stringify({ symbol: 'ACME', price: 140, currency: 'USD' }), { qos: 1 });
      await client.publishAsync('stocks/ACME/price', JSON.stringify({ symbol: 'ACME', price: 171.25, currency: 'USD' }), { qos: 1 });
      const runs = await executionsOf(engine, 'stock-price-alert', 2);
      expect(runs.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS']);
      await eventually(() => hook.received.length === 1, 10_000, 'one alert');
      expect(hook.received[0].url).toBe('/price-alerts');
      expect(JSON.parse(hook.received[0].body)).toEqual({ text: 'ACME is at 171.25 USD', symbol: 'ACME', price: 171.25, topic: 'stocks/ACME/price' });
    } finally {
      await client.endAsync();
    }
  });
}, { title: 'gallery on Mosquitto' });

describeBroker('rabbitmq', (broker) => {
  let engine: Engine;
  let hook: Awaited<ReturnType<typeof sink>>;
  beforeAll(async () => {
    engine = await startEngine([]);
    hook = await sink();
  });
  afterAll(async () => {
    await engine?.close();
    await hook?.close();
  });

  it('shipping-notification-amqp: a shipping event becomes a templated message sent over HTTP', async (ctx) => {
    const b = broker();
    engine.store.secrets.set('', 'RABBITMQ_PASSWORD', b.password!);
    const amqp = await import('amqplib');
    const conn = await amqp.connect(b.url);
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('shipments');
      const source = sourceOf('shipping-notification-amqp')
        .replace('host: localhost', 'host: 127.0.0.1')
        .replace('port: "5672"', `port: "${b.port}"`)
        .replace('username: peregrine', `username: ${b.user}`)
        .replace('http://localhost:8081/notifications', `${hook.url}/notifications`);
      await load(engine, source, ctx);
      ch.sendToQueue('shipments', Buffer.from(JSON.stringify({ orderId: 'o-1001', customer: { name: 'Ada', email: 'ada@example.com' }, carrier: 'ups', trackingNumber: '1Z999', eta: '2025-06-03' })));
      const [run] = await executionsOf(engine, 'shipping-notification', 1);
      expect(run.state.current).toBe('SUCCESS');
      await eventually(() => hook.received.length === 1, 10_000, 'one notification');
      const sent = JSON.parse(hook.received[0].body);
      expect(sent).toMatchObject({ to: 'ada@example.com', subject: 'Your order o-1001 is on its way' });
      expect(sent.text).toContain('has shipped with UPS.');
      expect(sent.text).toContain('It should arrive on 2025-06-03.');
      expect(sent.text).toContain('Track it: https://www.ups.com/track?tracknum=1Z999');
      expect(hook.received[0].type).toMatch(/application\/json/);
      await ch.close();
    } finally {
      await conn.close();
    }
  });
}, { title: 'gallery on RabbitMQ' });

describeBroker('kafka', (broker) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine([]);
  });
  afterAll(async () => engine?.close());

  it('fraud-detection-kafka: a suspicious payment is published to fraud-alerts, a normal one is not', async (ctx) => {
    const bootstrap = `127.0.0.1:${broker().port}`;
    await load(engine, sourceOf('fraud-detection-kafka').replaceAll('localhost:9092', bootstrap), ctx);
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ clientId: 'gallery-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'payments' }, { topic: 'fraud-alerts' }], waitForLeaders: true });
    await admin.disconnect();
    await eventually(() => engine.supervisor.get('company.realtime', 'fraud-detection', 'payments')?.health().state === 'RUNNING', 60_000, 'the Kafka trigger running');
    const producer = kafka.producer();
    await producer.connect();
    const consumer = kafka.consumer({ groupId: 'gallery-test-alerts' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'fraud-alerts', fromBeginning: true });
    const alerts: { key: string; value: any }[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void alerts.push({ key: String(message.key), value: JSON.parse(String(message.value)) }) });
    try {
      await producer.send({
        topic: 'payments',
        messages: [
          { value: JSON.stringify({ paymentId: 'p-ok', cardId: 'c-1', amount: 55, usualAmount: 60, country: 'FR', homeCountry: 'FR', hour: 14 }) },
          { value: JSON.stringify({ paymentId: 'p-bad', cardId: 'c-42', amount: 4200, usualAmount: 60, country: 'BR', homeCountry: 'FR', hour: 3 }) },
        ],
      });
      const runs = await executionsOf(engine, 'fraud-detection', 2, { timeoutMs: 60_000 });
      expect(runs.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS']);
      await eventually(() => alerts.length >= 1, 30_000, 'an alert');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ key: 'c-42', value: { paymentId: 'p-bad', score: 85 } });
      expect(alerts[0].value.reasons).toHaveLength(3);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  }, 180_000);
}, { title: 'gallery on Kafka' });

// Two brokers each: these start their brokers only once their plugins are registered.
const registered = (name: string) => {
  const r = createRegistry();
  return [...new Set(typesOf(sourceOf(name)).filter((t) => t.startsWith('io.kestra.') && !r.get(t)))];
};
function typesOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:- )?type:\s*["']?(io\.kestra\.[\w.]+)/gm)].map((m) => m[1]);
}

describe('gallery on two brokers', () => {
  const orders = registered('order-processing-sqs');
  it.skipIf(orders.length > 0)(`order-processing-sqs: an order in, a row in Postgres (once), a confirmation out${orders.length ? ` (skipped: plugin(s) not registered yet: ${orders.join(', ')})` : ''}`, async (ctx) => {
    const sqs = await brokerOrSkip('sqs', ctx);
    const pg = await brokerOrSkip('postgres', ctx);
    const engine = await startEngine([]);
    const { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const { Client } = await import('pg');
    const db = new Client(pg!.connection);
    try {
      const client = new SQSClient(sqs!.connection);
      for (const q of ['orders', 'orders-confirmed']) await client.send(new CreateQueueCommand({ QueueName: q }));
      await db.connect();
      await db.query('CREATE TABLE IF NOT EXISTS orders (order_id text PRIMARY KEY, customer text NOT NULL, total numeric(12,2) NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
      engine.store.secrets.set('', 'AWS_ACCESS_KEY_ID', sqs!.connection.credentials.accessKeyId);
      engine.store.secrets.set('', 'AWS_SECRET_KEY_ID', sqs!.connection.credentials.secretAccessKey);
      engine.store.secrets.set('', 'POSTGRES_PASSWORD', pg!.password!);
      const source = sourceOf('order-processing-sqs')
        .replaceAll('http://localhost:9324', sqs!.url)
        .replace('jdbc:postgresql://localhost:5432/peregrine', `jdbc:postgresql://127.0.0.1:${pg!.port}/${pg!.database}`)
        .replace('username: peregrine', `username: ${pg!.user}`);
      await load(engine, source, ctx);
      const queueUrl = `${sqs!.url}/000000000000/orders`;
      const order = { orderId: 'o-1001', customer: 'ada@example.com', items: [{ sku: 'kb-1', quantity: 2, price: 49.5 }] };
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(order) }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(order) })); // redelivered by the sender
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ orderId: 'o-bad', customer: 'nobody', items: [] }) }));
      const runs = await executionsOf(engine, 'order-processing', 3, { timeoutMs: 60_000 });
      expect(runs.map((e) => e.state.current).sort()).toEqual(['FAILED', 'SUCCESS', 'SUCCESS']);
      const rows = await db.query('SELECT order_id, customer, total::text FROM orders');
      expect(rows.rows).toEqual([{ order_id: 'o-1001', customer: 'ada@example.com', total: '99.00' }]);
      const confirmed = await client.send(new ReceiveMessageCommand({ QueueUrl: `${sqs!.url}/000000000000/orders-confirmed`, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }));
      expect(confirmed.Messages?.map((m) => JSON.parse(m.Body!))[0]).toEqual({ orderId: 'o-1001', total: 99, status: 'CONFIRMED' });
    } finally {
      await db.end().catch(() => {});
      await engine.close();
      await sqs?.stop();
      await pg?.stop();
    }
  }, 300_000);

  const cdc = registered('cdc-sync-postgres-kafka');
  it.skipIf(cdc.length > 0)(`cdc-sync-postgres-kafka: a row change becomes a keyed Kafka event${cdc.length ? ` (skipped: plugin(s) not registered yet: ${cdc.join(', ')})` : ''}`, async (ctx) => {
    const pg = await brokerOrSkip('postgres', ctx);
    const kafkaBroker = await brokerOrSkip('kafka', ctx);
    const engine = await startEngine([]);
    const { Client } = await import('pg');
    const db = new Client(pg!.connection);
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ clientId: 'gallery-cdc', brokers: kafkaBroker!.connection.brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'gallery-cdc' });
    try {
      await db.connect();
      await db.query("CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, email text NOT NULL, full_name text, tier text DEFAULT 'standard', password_hash text)");
      await db.query("INSERT INTO customers (email, full_name, password_hash) VALUES ('Ada@Example.com', 'Ada Lovelace', 'x$secret')");
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'customers.changes' }], waitForLeaders: true });
      await admin.disconnect();
      engine.store.secrets.set('', 'POSTGRES_PASSWORD', pg!.password!);
      const source = sourceOf('cdc-sync-postgres-kafka')
        .replace('hostname: localhost', 'hostname: 127.0.0.1')
        .replace('port: "5432"', `port: "${pg!.port}"`)
        .replace('username: peregrine', `username: ${pg!.user}`)
        .replace('database: peregrine', `database: ${pg!.database}`)
        .replaceAll('localhost:9092', kafkaBroker!.connection.brokers[0]);
      await load(engine, source, ctx);
      const events: { key: string; value: any }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'customers.changes', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void events.push({ key: String(message.key), value: JSON.parse(String(message.value)) }) });
      await eventually(() => events.length >= 1, 90_000, 'the snapshot row on Kafka');
      await db.query("UPDATE customers SET tier = 'gold' WHERE id = 1");
      await eventually(() => events.length >= 2, 60_000, 'the update on Kafka');
      expect(events[0]).toEqual({ key: '1', value: { customerId: 1, email: 'ada@example.com', name: 'Ada Lovelace', tier: 'standard', operation: 'UPSERT' } });
      expect(events[1].value).toMatchObject({ customerId: 1, tier: 'gold', operation: 'UPSERT' });
      expect(JSON.stringify(events)).not.toContain('x$secret');
    } finally {
      await consumer.disconnect().catch(() => {});
      await db.end().catch(() => {});
      await engine.close();
      await kafkaBroker?.stop();
      await pg?.stop();
    }
  }, 300_000);
});
