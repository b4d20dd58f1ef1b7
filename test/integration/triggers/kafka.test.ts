// Kafka triggers and producer against a real Kafka (KRaft): one execution per record, offsets
// committed only after admission, topic/partition/offset as the identity of a record; restarts of
// the consumer lose and repeat nothing; bad payloads are FAILED executions; Produce delivers.
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFlow } from '../../../main/flow';
import { createRegistry } from '../../../main/plugins';
import { clientSettings, parseJaas, plainKafkaError } from '../../../main/plugins/kafka/client';
import { headerList, headerMatcher, isoInstant, javaRegex } from '../../../main/plugins/kafka/consumer';
import { kafkaPlugins } from '../../../main/plugins/kafka';
import { murmur2 } from '../../../main/plugins/kafka/partitioner';
import { deserialize, serialize, type KafkaSerde } from '../../../main/plugins/kafka/serde';
import { Engine } from '../../../main/runtime/engine';
import type { Execution } from '../../../main/model/execution';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, tempDir } from '../../helpers/server-process';

const NS = 'test.kafka';
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/kestra-benchmarks');

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('Kafka plugins without a broker', () => {
  const registry = createRegistry();
  const errorsOf = (source: string) => loadFlow(source, undefined, registry).errors.filter((e) => e.severity === 'error').map((e) => `${e.path}: ${e.message}`);

  it("Kestra's own examples validate unchanged, and so do the plugins' examples", () => {
    const kestra = [
      `id: kafka_realtime_trigger
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: test_kestra
    properties:
      bootstrap.servers: localhost:9092
    serdeProperties:
      schema.registry.url: http://localhost:8085
      keyDeserializer: STRING
      valueDeserializer: AVRO
    groupId: kafkaConsumerGroupId`,
      `id: kafka_realtime_trigger
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value ?? '' }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: test_kestra
    properties:
      bootstrap.servers: localhost:9092
    serdeProperties:
      schema.registry.url: http://localhost:8085
    keyDeserializer: STRING
    valueDeserializer: AVRO
    groupId: kafkaConsumerGroupId`,
      `id: kafka_realtime_share_group
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value ?? '' }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: orders
    properties:
      bootstrap.servers: localhost:9092
    groupId: orders-share-group
    groupType: SHARE
    acknowledgeType: ACCEPT`,
      `id: kafka_trigger
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value ?? '' }}"
triggers:
  - id: trigger
    type: io.kestra.plugin.kafka.Trigger
    topic: test_kestra
    properties:
      bootstrap.servers: localhost:9092
    serdeProperties:
      schema.registry.url: http://localhost:8085
    keyDeserializer: STRING
    valueDeserializer: AVRO
    interval: PT30S
    maxRecords: 5
    groupId: kafkaConsumerGroupId`,
      `id: kafka_ssl
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value }}"
triggers:
  - id: ssl
    type: io.kestra.plugin.kafka.RealtimeTrigger
    properties:
      security.protocol: SSL
      bootstrap.servers: server.aivencloud.com:12835
      ssl.key.password: my-ssl-password
      ssl.keystore.type: PKCS12
      ssl.keystore.location: my-base64-encoded-keystore
      ssl.keystore.password: my-ssl-password
      ssl.truststore.location: my-base64-encoded-truststore
      ssl.truststore.password: my-ssl-password
    topic:
      - kestra_workerinstance
    topicPattern: "{{ vars.nothing ?? '' }}"
    partitions: [0, 1]
    groupId: g
    since: "2024-01-01T00:00:00Z"
    pollDuration: PT2S
    onSerdeError:
      type: DLQ
      topic: dead_letters
    headerFilters:
      event-type: order_created
    keyDeserializer: STRING
    valueDeserializer: STRING`,
      `id: kafka_producer
namespace: company.team
tasks:
  - id: kafka_producer
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: localhost:9092
    topic: example_topic
    from:
      key: "{{ execution.id }}"
      value: "Hello, World!"
      timestamp: "{{ execution.startDate }}"
      headers:
        x-header: some value
    keySerializer: STRING
    valueSerializer: STRING
    serdeProperties:
      schema.registry.url: http://localhost:8085`,
      `id: send_message_to_kafka
namespace: company.team
inputs:
  - id: file
    type: FILE
tasks:
  - id: avro_to_kafka
    type: io.kestra.plugin.kafka.Produce
    from: "{{ inputs.file }}"
    keySerializer: STRING
    properties:
      bootstrap.servers: localhost:9092
    serdeProperties:
      schema.registry.url: http://localhost:8085
    topic: example_topic
    valueAvroSchema: |
      {"type":"record","name":"twitter_schema","namespace":"io.kestra.examples","fields":[{"name":"username","type":"string"},{"name":"tweet","type":"string"}]}
    valueSerializer: AVRO
    transactional: false`,
    ];
    for (const source of kestra) expect(errorsOf(source), source.split('\n')[0]).toEqual([]);
    for (const def of kafkaPlugins) {
      expect(def.examples?.length, def.type).toBeGreaterThan(0);
      for (const ex of def.examples!) expect(errorsOf(ex.code), `${def.type}: ${ex.title}`).toEqual([]);
    }
    expect(errorsOf(kestra[3].replace('maxRecords: 5', 'maxRecords: 5\n    misspelt: 1'))).not.toEqual([]);
  });

  it('maps Java client properties: bootstrap servers, SASL (JAAS), TLS, timeouts; lists what it ignores', () => {
    expect(parseJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr\\"et";')).toMatchObject({
      username: 'alice', password: 's3cr"et', module: 'org.apache.kafka.common.security.plain.PlainLoginModule',
    });
    expect(parseJaas("org.apache.kafka.common.security.scram.ScramLoginModule required username='bob' password=pw;")).toMatchObject({ username: 'bob', password: 'pw' });
    const s = clientSettings({
      'bootstrap.servers': 'PLAINTEXT://a:9092, b:9093',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': '-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----',
      'ssl.endpoint.identification.algorithm': '',
      'session.timeout.ms': 20000,
      'auto.offset.reset': 'earliest',
      'max.poll.records': '50',
      'fetch.max.wait.ms': '20',
      'key.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer',
      'buffer.memory': 1,
      'some.custom.setting': 'x',
      'enable.auto.commit': 'true',
    }, 'cid');
    expect(s.brokers).toEqual(['a:9092', 'b:9093']);
    expect(s.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect((s.kafka.ssl as any).ca).toEqual(['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----']);
    expect(typeof (s.kafka.ssl as any).checkServerIdentity).toBe('function');
    expect(s.consumer).toMatchObject({ fromBeginning: true, maxPollRecords: 50, config: { sessionTimeout: 20000, maxWaitTimeInMs: 20 } });
    expect(s.ignored).toEqual(expect.arrayContaining(['key.deserializer', 'buffer.memory', 'some.custom.setting']));
    expect(s.notes.join(' ')).toMatch(/enable\.auto\.commit is ignored/);
    expect(() => clientSettings({}, 'x')).toThrow(/bootstrap\.servers.*required/);
    expect(() => clientSettings({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_PLAINTEXT' }, 'x')).toThrow(/GSSAPI.*not supported/);
    expect(() => clientSettings({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN' }, 'x')).toThrow(/sasl\.jaas\.config/);
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(plainKafkaError(Object.assign(new Error('retries exceeded'), { cause: refused }), ['127.0.0.1:1']).message).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1: connection refused/);
  });

  it('reads and writes every Kestra serde as the Java client does', () => {
    const cases: [KafkaSerde, unknown, string][] = [
      ['STRING', 'héllo', '68c3a96c6c6f'],
      ['INTEGER', -2, 'fffffffe'],
      ['SHORT', 513, '0201'],
      ['LONG', 1234567890123, '0000011f71fb04cb'],
      ['DOUBLE', 1.5, '3ff8000000000000'],
      ['FLOAT', 0.5, '3f000000'],
      ['UUID', '123e4567-e89b-12d3-a456-426614174000', Buffer.from('123e4567-e89b-12d3-a456-426614174000').toString('hex')],
      ['JSON', { a: [1, 'b'] }, Buffer.from('{"a":[1,"b"]}').toString('hex')],
      ['BYTES', Buffer.from([0, 255, 7]).toString('base64'), '00ff07'],
    ];
    for (const [serde, value, hex] of cases) {
      const bytes = serialize(value, serde, 'value')!;
      expect(bytes.toString('hex'), serde).toBe(hex);
      expect(deserialize(bytes, serde, 'value'), serde).toEqual({ ok: true, value });
    }
    expect(deserialize(Buffer.from('ffffffffffffffff', 'hex'), 'LONG', 'key')).toEqual({ ok: true, value: -1 });
    expect(deserialize(Buffer.from('7fffffffffffffff', 'hex'), 'LONG', 'key')).toEqual({ ok: true, value: '9223372036854775807' });
    expect(deserialize(Buffer.from('abc'), 'INTEGER', 'key')).toMatchObject({ ok: false, reason: 'the key is 3 byte(s), but INTEGER needs exactly 4', raw: 'abc' });
    expect(deserialize(Buffer.from([0xc3, 0x28]), 'JSON', 'value')).toMatchObject({ ok: false, raw: Buffer.from([0xc3, 0x28]).toString('base64') });
    expect(deserialize(null, 'JSON', 'value')).toEqual({ ok: true, value: null });
    expect(serialize(null, 'STRING', 'key')).toBeNull();
    expect(() => serialize('x', 'AVRO', 'value')).toThrow(/not supported locally yet/);
  });

  it('Java regex topicPattern matches whole names; header helpers follow Kestra', () => {
    expect(javaRegex('orders-.*').test('orders-eu')).toBe(true);
    expect(javaRegex('orders').test('orders-eu')).toBe(false);
    expect(javaRegex('(?i)ORDERS\\.[a-z]++').test('orders.eu')).toBe(true);
    expect(javaRegex('\\Aa|b\\z').test('b')).toBe(true);
    const m = headerMatcher({ type: 'x', n: 1 });
    expect(m({ type: [Buffer.from('y'), Buffer.from('x')], n: '1' })).toBe(true);
    expect(m({ type: [Buffer.from('x'), Buffer.from('y')], n: '1' })).toBe(false);
    expect(m({ type: 'x' })).toBe(false);
    expect(headerList({ a: Buffer.from('1'), b: [Buffer.from('2'), Buffer.from('3')] })).toEqual([{ a: '1' }, { b: '2' }, { b: '3' }]);
    // A header sent without a value (kafkajs reads it as null) is null, not the text "null".
    expect(headerList({ n: null as unknown as Buffer, s: [Buffer.from('x'), null as unknown as Buffer] })).toEqual([{ n: null }, { s: 'x' }, { s: null }]);
    expect(isoInstant(Date.parse('2024-05-01T10:00:00Z'))).toBe('2024-05-01T10:00:00Z');
    expect(isoInstant(Date.parse('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.120Z');
  });
});

describeBroker('kafka', (broker) => {
  const bootstrap = () => broker().connection.brokers.join(',');
  const kafka = () => new Kafka({ clientId: 'kafka-test', brokers: broker().connection.brokers, logLevel: logLevel.NOTHING });

  const flow = (topic: string, extra = '', opts: { id?: string; task?: string; group?: string } = {}) => `id: ${opts.id ?? 'kafka_rt'}
namespace: ${NS}
tasks:
${opts.task ?? `  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"`}
triggers:
  - id: watch
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: ${topic}
    groupId: ${opts.group ?? `g-${topic}`}
    properties:
      bootstrap.servers: ${bootstrap()}
      auto.offset.reset: earliest
${extra}`;

  async function createTopics(partitions: number, ...topics: string[]) {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
    await admin.disconnect();
  }

  async function produce(topic: string, messages: Message[], chunk = 200) {
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let i = 0; i < messages.length; i += chunk) await producer.send({ topic, messages: messages.slice(i, i + chunk), acks: -1 });
    await producer.disconnect();
  }

  /** Every topic/partition/offset a topic holds (all of it was produced by the test). */
  async function allOffsets(topic: string): Promise<string[]> {
    const admin = kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const out: string[] = [];
    for (const p of offsets) for (let o = Number(p.low); o < Number(p.high); o++) out.push(`${topic}/${p.partition}/${o}`);
    return out;
  }

  async function committed(group: string, topic: string): Promise<Record<number, number>> {
    const admin = kafka().admin();
    await admin.connect();
    const [res] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    return Object.fromEntries(res.partitions.map((p) => [p.partition, Number(p.offset)]));
  }

  const identity = (e: Execution) => `${e.trigger!.variables.topic}/${e.trigger!.variables.partition}/${e.trigger!.variables.offset}`;
  const running = (id = 'kafka_rt', trigger = 'watch') =>
    eventually(() => health(engine!, NS, id, trigger)?.state === 'RUNNING', 60_000, `${id} RUNNING (last error: ${health(engine!, NS, id, trigger)?.lastError})`);

  it('1,000 records on two partitions → exactly 1,000 SUCCESS executions with trigger.* of each record', async () => {
    await createTopics(2, 'orders');
    engine = await startEngine([flow('orders')]);
    await running();
    const t0 = Date.now();
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      key: `k${i}`, value: `v${i}`, partition: i % 2, headers: { n: String(i), source: 'test' },
    }));
    await produce('orders', messages);
    const executions = await executionsOf(engine, 'kafka_rt', 1000);
    console.log(`[kafka] 1,000 records admitted and run in ${Date.now() - t0} ms`);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    expect(new Set(executions.map(identity))).toEqual(new Set(await allOffsets('orders')));
    for (const e of executions) {
      const v = e.trigger!.variables as any;
      const n = Number(v.headers[0].n);
      expect(v).toMatchObject({ key: `k${n}`, value: `v${n}`, topic: 'orders', partition: n % 2 });
      expect(v.headers).toEqual([{ n: String(n) }, { source: 'test' }]);
      expect(typeof v.offset).toBe('number');
      expect(Date.parse(v.timestamp)).toBeGreaterThanOrEqual(t0 - 1000);
      expect(e.taskRunList[0].outputs).toEqual({ value: `v${n}` });
    }
    // Offsets within a partition arrive in order: offset n/2 holds record n.
    for (const e of executions) expect(Number((e.trigger!.variables as any).headers[0].n)).toBe(2 * Number(e.trigger!.variables.offset) + Number(e.trigger!.variables.partition));
    expect(health(engine, NS, 'kafka_rt', 'watch')).toMatchObject({ received: 1000, admitted: 1000, duplicates: 0, failed: 0 });
    await eventually(async () => {
      const c = await committed('g-orders', 'orders');
      return c[0] === 500 && c[1] === 500;
    }, 10_000, 'offsets 500/500 committed');
    expect(health(engine, NS, 'kafka_rt', 'watch')!.lag).toBe(0);
  });

  it('an idle topic delivers in milliseconds (publish → admitted execution)', async () => {
    await createTopics(1, 'idle');
    engine = await startEngine([flow('idle')]);
    await running();
    const admittedAt = new Map<string, number>();
    engine.events.on('triggerEvent', (e) => admittedAt.set(String(e.variables.value), performance.now()));
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const latencies: number[] = [];
    const sends: number[] = [];
    await new Promise((r) => setTimeout(r, 300)); // let the consumer settle into its idle long-poll
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await producer.send({ topic: 'idle', messages: [{ value: `ping-${i}` }], acks: 1 });
      sends.push(performance.now() - t0);
      await eventually(() => admittedAt.has(`ping-${i}`), 5000, `ping-${i}`);
      latencies.push(admittedAt.get(`ping-${i}`)! - t0);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100)); // idle again
    }
    await producer.disconnect();
    latencies.sort((a, b) => a - b);
    sends.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    const p95 = latencies[Math.floor(latencies.length * 0.95)];
    console.log(
      `[kafka] idle topic publish→admit latency over 30 records: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ` +
        `max ${latencies.at(-1)!.toFixed(1)} ms (the producer's own send, acks=1: p50 ${sends[15].toFixed(1)} ms)`,
    );
    expect(p50).toBeLessThan(100);
    await executionsOf(engine, 'kafka_rt', 30);
  });

  it('JSON and LONG deserializers; an unreadable record becomes a FAILED execution keeping the raw payload', async () => {
    await createTopics(1, 'json_in');
    engine = await startEngine([flow('json_in', '    keyDeserializer: LONG\n    valueDeserializer: JSON\n')]);
    await running();
    const key = Buffer.alloc(8);
    key.writeBigInt64BE(7n);
    await produce('json_in', [{ key, value: '{"amount": 42, "items": [1, 2]}' }, { key, value: '{not json' }, { key: null, value: null }]);
    const executions = await executionsOf(engine, 'kafka_rt', 3);
    const [ok, bad, tombstone] = executions.sort((a, b) => Number(a.trigger!.variables.offset) - Number(b.trigger!.variables.offset));
    expect(ok.state.current).toBe('SUCCESS');
    expect(ok.trigger!.variables).toMatchObject({ key: 7, value: { amount: 42, items: [1, 2] }, offset: 0 });
    expect(bad.state.current).toBe('FAILED');
    expect(bad.error).toMatch(/value is not valid JSON/);
    expect(bad.trigger!.variables).toMatchObject({ key: 7, raw: '{not json', offset: 1, topic: 'json_in' });
    expect(tombstone.trigger!.variables).toMatchObject({ key: null, value: null, offset: 2 });
    expect(health(engine, NS, 'kafka_rt', 'watch')).toMatchObject({ failed: 1, admitted: 3 });
    await eventually(async () => (await committed('g-json_in', 'json_in'))[0] === 3, 10_000, 'offset 3 committed');
  });

  it("the inspector's test event is published to the trigger's topic and comes back as an execution", async () => {
    await createTopics(1, 'test_events');
    engine = await startEngine([flow('test_events', '    valueDeserializer: JSON\n')]);
    await running();
    await engine.supervisor.get(NS, 'kafka_rt', 'watch')!.publish({ payload: '{"hello": "world"}', key: 'k1', headers: { origin: 'inspector' } });
    const [e] = await executionsOf(engine, 'kafka_rt', 1);
    expect(e.trigger!.variables).toMatchObject({ key: 'k1', value: { hello: 'world' }, headers: [{ origin: 'inspector' }], topic: 'test_events' });
  });

  it('headerFilters: only matching records start executions; the others are committed all the same', async () => {
    await createTopics(1, 'hdr');
    engine = await startEngine([flow('hdr', '    headerFilters:\n      event-type: order_created\n      region: eu\n')]);
    await running();
    await produce('hdr', [
      { value: 'a', headers: { 'event-type': 'order_created', region: 'eu' } },
      { value: 'b', headers: { 'event-type': 'order_cancelled', region: 'eu' } },
      { value: 'c', headers: { 'event-type': ['order_cancelled', 'order_created'], region: 'eu' } }, // the last value counts
      { value: 'd', headers: { 'event-type': 'order_created' } },
      { value: 'e' },
    ]);
    await eventually(async () => (await committed('g-hdr', 'hdr'))[0] === 5, 10_000, 'all 5 offsets committed');
    const executions = await executionsOf(engine, 'kafka_rt', 2);
    expect(executions.map((e) => e.trigger!.variables.value).sort()).toEqual(['a', 'c']);
    expect(health(engine, NS, 'kafka_rt', 'watch')!.received).toBe(2);
  });

  it('partitions restricts the partitions read; topicPattern (a Java regex) matches whole topic names', async () => {
    await createTopics(2, 'parts');
    await createTopics(1, 'pat-a', 'pat-b', 'xpat-c');
    engine = await startEngine([
      flow('parts', '    partitions: [1]\n'),
      `id: kafka_pattern
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.topic }}"
triggers:
  - id: watch
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topicPattern: "(?i)PAT-[a-z]+"
    groupId: g-pattern
    properties:
      bootstrap.servers: ${bootstrap()}
      auto.offset.reset: earliest
`,
    ]);
    await running();
    await running('kafka_pattern');
    await produce('parts', Array.from({ length: 10 }, (_, i) => ({ value: `p${i}`, partition: i % 2 })));
    await produce('pat-a', [{ value: 'A' }]);
    await produce('pat-b', [{ value: 'B' }]);
    await produce('xpat-c', [{ value: 'C' }]);
    const onlyOdd = await executionsOf(engine, 'kafka_rt', 5);
    const matched = await executionsOf(engine, 'kafka_pattern', 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(engine.store.searchExecutions({ flowId: 'kafka_rt', size: 100 }).total).toBe(5);
    expect(onlyOdd.every((e) => e.trigger!.variables.partition === 1)).toBe(true);
    expect(engine.store.searchExecutions({ flowId: 'kafka_pattern', size: 100 }).total).toBe(2);
    expect(matched.map((e) => e.trigger!.variables.topic).sort()).toEqual(['pat-a', 'pat-b']);
  });

  it('since: a group with no offsets starts at that date', async () => {
    await createTopics(1, 'since_t');
    await produce('since_t', [{ value: 'old-1' }, { value: 'old-2' }]);
    await new Promise((r) => setTimeout(r, 50));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    await produce('since_t', [{ value: 'new-1' }, { value: 'new-2' }]);
    engine = await startEngine([flow('since_t', `    since: "${since}"\n`)]);
    const executions = await executionsOf(engine, 'kafka_rt', 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(engine.store.searchExecutions({ flowId: 'kafka_rt', size: 100 }).total).toBe(2);
    expect(executions.map((e) => e.trigger!.variables.value).sort()).toEqual(['new-1', 'new-2']);
  });

  it('consumer restarted twice mid-stream (flow edited, then engine closed and started again): no offset skipped, none admitted twice', async () => {
    await createTopics(2, 'stream');
    const dataDir = tempDir('kafka-restart');
    const flowsDir = path.join(dataDir, 'flows');
    const opts = { dataDir, flowsDir, watch: false, backoff: { minMs: 100, maxMs: 1000 } };
    engine = await Engine.start(opts);
    expect((await engine.saveFlow(flow('stream'))).ok).toBe(true);
    await running();
    const total = 1000;
    const sending = (async () => {
      const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (let i = 0; i < total; i += 20) {
        await producer.send({ topic: 'stream', messages: Array.from({ length: 20 }, (_, j) => ({ value: `s${i + j}`, partition: (i + j) % 2 })) });
        await new Promise((r) => setTimeout(r, 15));
      }
      await producer.disconnect();
    })();
    const count = () => engine!.store.db.prepare('SELECT count(*) FROM executions WHERE flow_id = ?').pluck().get('kafka_rt') as number;
    await eventually(() => count() >= 250, 30_000, '250 executions');
    const atEdit = count();
    // 1. The trigger's definition changes: the consumer is stopped and a new one started.
    expect((await engine.saveFlow(flow('stream', '    description: edited mid-stream\n'))).ok).toBe(true);
    await eventually(() => count() >= 600, 30_000, '600 executions');
    const atClose = count();
    // 2. The engine stops and starts again on the same data folder.
    await engine.close();
    engine = await Engine.start(opts);
    await sending;
    const executions = await executionsOf(engine, 'kafka_rt', total, { timeoutMs: 60_000 });
    const ids = executions.map(identity);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(new Set(ids)).toEqual(new Set(await allOffsets('stream')));
    expect(new Set(executions.map((e) => e.trigger!.variables.value)).size).toBe(total);
    console.log(`[kafka] consumer restarted at ${atEdit} and ${atClose} of ${total} executions; records read again and recognised after the last restart: ${health(engine, NS, 'kafka_rt', 'watch')!.duplicates}`);
    expect(atEdit).toBeLessThan(total);
    expect(atClose).toBeLessThan(total);
  });

  it('records read again (offsets reset behind what was admitted) are recognised by topic/partition/offset, not admitted twice', async () => {
    await createTopics(1, 'reread');
    engine = await startEngine([flow('reread')]);
    await running();
    await produce('reread', Array.from({ length: 20 }, (_, i) => ({ value: `x${i}` })));
    await executionsOf(engine, 'kafka_rt', 20);
    await eventually(async () => (await committed('g-reread', 'reread'))[0] === 20, 10_000, 'offset 20 committed');
    await engine.saveFlow(flow('reread', '    disabled: true\n'));
    const admin = kafka().admin();
    await admin.connect();
    await eventually(async () => (await admin.describeGroups(['g-reread'])).groups[0].members.length === 0, 15_000, 'group empty');
    await admin.setOffsets({ groupId: 'g-reread', topic: 'reread', partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();
    await produce('reread', [{ value: 'x20' }]);
    await engine.saveFlow(flow('reread'));
    await eventually(async () => (await committed('g-reread', 'reread'))[0] === 21, 20_000, 'offset 21 committed');
    const executions = await executionsOf(engine, 'kafka_rt', 21);
    expect(executions).toHaveLength(21);
    expect(new Set(executions.map((e) => e.trigger!.variables.value)).size).toBe(21);
    expect(health(engine, NS, 'kafka_rt', 'watch')).toMatchObject({ duplicates: 20, admitted: 1 });
  });

  it('editing the flow restarts the trigger with the new topic; disabled: true stops it', async () => {
    await createTopics(1, 'first_t', 'second_t');
    engine = await startEngine([flow('first_t', '', { group: 'g-edit' })]);
    await running();
    await engine.saveFlow(flow('second_t', '', { group: 'g-edit' }));
    await running();
    await produce('second_t', [{ value: 'after-edit' }]);
    const [e] = await executionsOf(engine, 'kafka_rt', 1);
    expect(e.trigger!.variables).toMatchObject({ topic: 'second_t', value: 'after-edit' });
    await engine.saveFlow(flow('second_t', '    disabled: true\n', { group: 'g-edit' }));
    expect(health(engine, NS, 'kafka_rt', 'watch')).toBeUndefined();
    await produce('second_t', [{ value: 'while-disabled' }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(engine.store.searchExecutions({ flowId: 'kafka_rt', size: 10 }).total).toBe(1);
    expect((await committed('g-edit', 'second_t'))[0]).toBe(1);
  });

  const pollFlow = (topic: string, group: string) => `id: kafka_poll
namespace: ${NS}
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messagesCount }}"
triggers:
  - id: poll
    type: io.kestra.plugin.kafka.Trigger
    topic: ${topic}
    groupId: ${group}
    properties:
      bootstrap.servers: ${bootstrap()}
      auto.offset.reset: earliest
    valueDeserializer: JSON
    interval: PT0.2S
    pollDuration: PT0.5S
    maxRecords: 300
`;
  const batchLines = (e: Execution) =>
    engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('polling twin: batches whose files hold every record exactly once', async () => {
    await createTopics(2, 'batch_in');
    engine = await startEngine([pollFlow('batch_in', 'g-poll')]);
    await running('kafka_poll', 'poll');
    await produce('batch_in', Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i }), partition: i % 2 })));
    const found: any[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'kafka_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const lines = batchLines(e);
        expect(lines).toHaveLength(Number(e.trigger!.variables.messagesCount));
        expect(lines.length).toBeLessThanOrEqual(300);
        found.push(...lines);
      }
      return found.length >= 1000;
    }, 30_000, 'all batches');
    expect(found).toHaveLength(1000);
    expect(new Set(found.map((l) => `${l.topic}/${l.partition}/${l.offset}`))).toEqual(new Set(await allOffsets('batch_in')));
    for (const l of found) expect(l).toMatchObject({ key: `k${l.value.n}`, topic: 'batch_in', partition: l.value.n % 2 });
    await eventually(async () => {
      const c = await committed('g-poll', 'batch_in');
      return c[0] === 500 && c[1] === 500;
    }, 10_000, 'offsets committed after the batches');
    const executions = await executionsOf(engine, 'kafka_poll', 4);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
  });

  it('polling twin: a batch admitted but not committed before a crash is not taken again', async () => {
    await createTopics(1, 'recover_t');
    await produce('recover_t', Array.from({ length: 10 }, (_, i) => ({ value: JSON.stringify({ n: i }) })));
    engine = await startEngine([]);
    // What a crash right after admitting offsets 0-5 (before the commit) leaves behind.
    engine.store.setTriggerState(NS, 'kafka_poll', 'poll', { groupId: 'g-recover', committing: [{ topic: 'recover_t', partition: 0, offset: '6' }] });
    expect((await engine.saveFlow(pollFlow('recover_t', 'g-recover'))).ok).toBe(true);
    const [batch] = await executionsOf(engine, 'kafka_poll', 1);
    expect(batchLines(batch).map((l) => l.offset)).toEqual([6, 7, 8, 9]);
    await eventually(async () => (await committed('g-recover', 'recover_t'))[0] === 10, 10_000, 'offset 10 committed');
    expect(engine.store.triggerState(NS, 'kafka_poll', 'poll')).toEqual({ groupId: 'g-recover', committing: [] });
    await new Promise((r) => setTimeout(r, 500));
    expect(engine.store.searchExecutions({ flowId: 'kafka_poll', size: 10 }).total).toBe(1);
  });

  it('in-flight cap: the consumer stops taking records while the cap is reached', async () => {
    await createTopics(1, 'capped');
    engine = await startEngine([flow('capped', '', {
      task: `  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.05S`,
    })], { maxInFlight: 5 });
    await running();
    await produce('capped', Array.from({ length: 60 }, (_, i) => ({ value: `c${i}` })));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, health(engine!, NS, 'kafka_rt', 'watch')?.inFlight ?? 0)), 5);
    const executions = await executionsOf(engine, 'kafka_rt', 60);
    clearInterval(timer);
    expect(executions).toHaveLength(60);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(5);
  });

  it('backlog (for the stall watchdog) counts records held back by the in-flight cap; no false stall when idle', async () => {
    await createTopics(1, 'backlog_t');
    engine = await startEngine([flow('backlog_t', '', {
      task: `  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: "PT{{ trigger.value }}S"`,
    })], { maxInFlight: 1, stallAfterMs: 1000 });
    await running();
    // The first execution holds the only slot for 7 s; the five records behind it wait.
    await produce('backlog_t', ['7', '0', '0', '0', '0', '0'].map((value) => ({ value })), 1);
    await eventually(() => health(engine!, NS, 'kafka_rt', 'watch')!.inFlight === 1, 10_000, 'the cap reached');
    await new Promise((r) => setTimeout(r, 100));
    const handle = () => (engine!.supervisor.get(NS, 'kafka_rt', 'watch') as any).handle as { backlog(): Promise<number> };
    // Records are held back while the single slot is taken (commits stop: after 5 s the backlog shows).
    const waiting = await eventually(async () => {
      const n = await handle().backlog();
      return n > 0 ? n : undefined;
    }, 15_000, 'a backlog');
    expect(waiting).toBe(5);
    await executionsOf(engine, 'kafka_rt', 6, { timeoutMs: 30_000 });
    await eventually(async () => (await handle().backlog()) === 0, 10_000, 'backlog 0');
    await new Promise((r) => setTimeout(r, 2500)); // idle for longer than stallAfterMs
    expect(health(engine, NS, 'kafka_rt', 'watch')).toMatchObject({ state: 'RUNNING', restarts: 0 });
  });

  it('an unreachable broker, bad credentials or an unsupported serde are BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([
      flow('nowhere', '', { id: 'unreachable' }).replace(bootstrap(), '127.0.0.1:1'),
      flow('orders', `    keyDeserializer: AVRO\n`, { id: 'avro', group: 'g-avro' }),
      flow('orders', '', { id: 'sasl', group: 'g-sasl' }).replace(
        '      auto.offset.reset: earliest',
        '      security.protocol: SASL_PLAINTEXT\n      sasl.mechanism: PLAIN\n      sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="wrong";',
      ),
    ]);
    await eventually(() => health(engine!, NS, 'unreachable', 'watch')?.state === 'BACKOFF', 20_000, 'BACKOFF');
    expect(health(engine, NS, 'unreachable', 'watch')!.lastError).toMatch(/refused|ECONNREFUSED/);
    await eventually(() => health(engine!, NS, 'avro', 'watch')?.state === 'BACKOFF', 20_000, 'BACKOFF (AVRO)');
    expect(health(engine, NS, 'avro', 'watch')!.lastError).toMatch(/AVRO .*not supported locally yet/);
    await eventually(() => health(engine!, NS, 'sasl', 'watch')?.state === 'BACKOFF', 30_000, 'BACKOFF (SASL)');
    console.log(`[kafka] SASL against a PLAINTEXT listener: ${health(engine, NS, 'sasl', 'watch')!.lastError}`);
    expect(health(engine, NS, 'sasl', 'watch')!.lastError).toMatch(/Kafka|SASL|connection/i);
    // The engine still works: fixing the flow brings the trigger up.
    await createTopics(1, 'fixed');
    expect((await engine.saveFlow(flow('fixed', '', { id: 'unreachable' }))).ok).toBe(true);
    await running('unreachable');
  });

  /** A flow that produces the records of the kestra:// JSON-lines file given as its `uri` input. */
  const fileProducer = (id: string, topic: string) => `id: ${id}
namespace: ${NS}
inputs:
  - id: uri
    type: STRING
tasks:
  - id: send
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${bootstrap()}
    topic: ${topic}
    from: "{{ inputs.uri }}"
`;

  it('Produce delivers maps, lists and a kestra:// batch file (read back with kafkajs)', async () => {
    await createTopics(2, 'produced', 'relayed');
    engine = await startEngine([`id: producer
namespace: ${NS}
tasks:
  - id: one
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${bootstrap()}
    topic: produced
    from:
      key: "{{ execution.id }}"
      value:
        order_id: 42
        total: 19.99
      partition: 1
      timestamp: "2024-05-01T10:00:00Z"
      headers:
        event-type: order_created
    valueSerializer: JSON
  - id: many
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${bootstrap()}
    topic: produced
    transactional: false
    keySerializer: LONG
    valueSerializer: DOUBLE
    from:
      - key: 1
        value: 1.5
        partition: 0
      - key: 2
        value: 2.5
        partition: 0
`, fileProducer('relay', 'relayed')]);
    const created = await engine.createExecution(NS, 'producer');
    const done = await engine.waitFor(created.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((t) => t.outputs)).toEqual([{ messagesCount: 1 }, { messagesCount: 2 }]);

    const read = async (topic: string, n: number) => {
      const got: { partition: number; key: Buffer | null; value: Buffer | null; timestamp: string; headers?: any }[] = [];
      const consumer = kafka().consumer({ groupId: `reader-${topic}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, ...message, headers: message.headers ?? {} }) });
      await eventually(() => got.length >= n, 30_000, `${n} records on ${topic}`);
      await consumer.disconnect();
      return got;
    };
    const produced = await read('produced', 3);
    const json = produced.find((m) => m.partition === 1)!;
    expect(json.key!.toString()).toBe(created.id);
    expect(JSON.parse(json.value!.toString())).toEqual({ order_id: 42, total: 19.99 });
    expect(json.timestamp).toBe(String(Date.parse('2024-05-01T10:00:00Z')));
    expect(json.headers['event-type'].toString()).toBe('order_created');
    const numbers = produced.filter((m) => m.partition === 0).map((m) => [m.key!.readBigInt64BE(0), m.value!.readDoubleBE(0)]);
    expect(numbers).toEqual([[1n, 1.5], [2n, 2.5]]);

    // A kestra:// JSON-lines file shaped like a Kafka Trigger batch (headers as Kestra's list of single-entry maps).
    const lines = [
      { key: 'a', value: 'first', partition: 0, timestamp: '2024-05-01T10:00:00Z', headers: [{ h: '1' }, { h: '2' }] },
      { key: 'b', value: 'second', partition: 1, headers: [{ key: 'h', value: '3' }] },
      { key: null, value: 'third', partition: 1, offset: 7 },
    ];
    const uri = engine.store.storage.put('tests/relay.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const relay = await engine.createExecution(NS, 'relay', { uri });
    const relayDone = await engine.waitFor(relay.id);
    expect(relayDone.state.current).toBe('SUCCESS');
    expect(relayDone.taskRunList[0].outputs).toEqual({ messagesCount: 3 });
    const relayed = await read('relayed', 3);
    const byValue = Object.fromEntries(relayed.map((m) => [m.value!.toString(), m]));
    expect(byValue.first).toMatchObject({ partition: 0, timestamp: String(Date.parse('2024-05-01T10:00:00Z')) });
    expect(byValue.first.key!.toString()).toBe('a');
    expect(byValue.first.headers.h.map(String)).toEqual(['1', '2']);
    expect(byValue.second.headers.h.toString()).toBe('3');
    expect(byValue.second.partition).toBe(1);
    expect(byValue.third.key).toBeNull();
  });

  it("Produce without a partition puts each key where Kafka's Java partitioner would (murmur2), a 512 KB key too", async () => {
    await createTopics(6, 'keyed');
    const bigKey = `big-${'k'.repeat(512 * 1024)}`;
    const keys = [...Array.from({ length: 20 }, (_, i) => `order-${i}`), bigKey];
    engine = await startEngine([fileProducer('keyed', 'keyed')]);
    const uri = engine.store.storage.put('tests/keyed.jsonl', keys.map((key, i) => JSON.stringify({ key, value: String(i) })).join('\n') + '\n');
    const done = await engine.waitFor((await engine.createExecution(NS, 'keyed', { uri })).id);
    expect(done.state.current, done.taskRunList[0]?.attempts.at(-1)?.state.current).toBe('SUCCESS');
    const got = new Map<string, number>();
    const consumer = kafka().consumer({ groupId: 'reader-keyed', sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 4_000_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'keyed', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void got.set(message.key!.toString(), partition) });
    await eventually(() => got.size >= keys.length, 30_000, `${keys.length} keyed records`);
    await consumer.disconnect();
    for (const key of keys) expect(got.get(key), key.slice(0, 20)).toBe((murmur2(key) & 0x7fffffff) % 6);
    expect(new Set(got.values()).size).toBeGreaterThan(1); // spread over partitions, not all on one
  });

  it('records of a transactional Produce: read_committed, and the committed offset steps over the commit marker (lag 0)', async () => {
    await createTopics(1, 'tx_t');
    engine = await startEngine([flow('tx_t'), `id: tx_producer
namespace: ${NS}
tasks:
  - id: send
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${bootstrap()}
    topic: tx_t
    from:
      - value: one
      - value: two
      - value: three
`]);
    await running();
    const run = await engine.createExecution(NS, 'tx_producer');
    expect((await engine.waitFor(run.id)).state.current).toBe('SUCCESS');
    const executions = await executionsOf(engine, 'kafka_rt', 3);
    expect(executions.map((e) => e.trigger!.variables.value).sort()).toEqual(['one', 'three', 'two']);
    const admin = kafka().admin();
    await admin.connect();
    const [{ high }] = await admin.fetchTopicOffsets('tx_t');
    await admin.disconnect();
    expect(Number(high)).toBe(4); // three records and the transaction's commit marker
    await eventually(async () => (await committed('g-tx_t', 'tx_t'))[0] === 4, 10_000, 'offset 4 committed');
    expect(health(engine, NS, 'kafka_rt', 'watch')!.lag).toBe(0);
  });

  it("Kestra's benchmark04 flow runs unchanged (but for bootstrap.servers) and transforms an order", async () => {
    const source = fs.readFileSync(path.join(FIXTURES, 'benchmark04.yml'), 'utf8');
    expect(source).toContain('bootstrap.servers: localhost:9092');
    await createTopics(1, 'test_kestra');
    engine = await startEngine([source.replace('localhost:9092', bootstrap())]);
    await eventually(() => health(engine!, 'benchmarks', 'benchmark04', 'kafka-logs')?.state === 'RUNNING', 60_000, 'benchmark04 RUNNING');
    const order = {
      order_id: 'ORD-2024-000187',
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada.lovelace@example.com',
      phone: '+44 20 7946 0958',
      address: { street: '12 St James Square', city: 'London', zip: 'SW1Y 4JH', country: 'United Kingdom' },
      items: [
        { product_id: 'P-1001', name: 'Analytical engine gear set', quantity: 2, price_per_unit: 149.5, category: 'hardware' },
        { product_id: 'P-2002', name: 'Punched cards (pack of 500)', quantity: 4, price_per_unit: 12.25, category: 'supplies' },
        { product_id: 'P-3003', name: 'Notes on the engine, annotated', quantity: 1, price_per_unit: 39.9, category: 'books' },
      ],
      payment: { method: 'card', card_last4: '4242', currency: 'GBP', status: 'captured' },
      shipping: { carrier: 'Royal Mail', service: 'Special Delivery', tracking: 'RM123456789GB', eta_days: 2 },
      notes: 'Leave the parcel with the concierge if nobody answers. '.repeat(8).trim(),
      gift: { wrap: true, message: 'Happy birthday, Charles! With thanks for the engine and for all the afternoons of tea.' },
      loyalty: { tier: 'gold', points_before: 1280, points_earned: 388, member_since: '2019-03-14' },
      created_at: '2024-05-01T10:00:00Z',
    };
    const payload = JSON.stringify(order);
    expect(payload.length).toBeGreaterThan(1400);
    expect(payload.length).toBeLessThan(1800);
    await produce('test_kestra', [{ value: payload }]);
    const [e] = await executionsOf(engine, 'benchmark04', 1);
    expect(e.state.current).toBe('SUCCESS');
    const expected = {
      order_id: 'ORD-2024-000187',
      customer_name: 'Ada Lovelace',
      address: 'London, United Kingdom',
      total_price: 2 * 149.5 + 4 * 12.25 + 39.9,
    };
    const transform = e.taskRunList.find((t) => t.taskId === 'transform')!;
    expect(transform.outputs!.value).toEqual(expected);
    const hello = e.taskRunList.find((t) => t.taskId === 'hello')!;
    const log = (hello.outputs!.values as any).log;
    expect(typeof log === 'string' ? JSON.parse(log) : log).toEqual(expected);
  });
});
