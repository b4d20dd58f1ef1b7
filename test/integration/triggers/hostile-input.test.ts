// Hostile input, end to end, against the real brokers: huge keys, keys and headers with bytes that
// are not UTF-8, odd header names, many headers, odd properties and attributes, payloads at the
// size limit. Each message must become an execution — SUCCESS with a JSON-safe rendering of what
// arrived, or FAILED keeping the raw payload and saying why — the trigger must never back off on
// it, and a good message sent after the hostile ones must still run.
import net from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners, type Message as KafkaMessage } from 'kafkajs';
import mqtt from 'mqtt';
import { connect as natsConnect } from 'nats';
import { afterEach, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

const NS = 'test.hostile';
const FLOW = 'hostile';
const TRIGGER = 'in';

/** A flow whose task renders all of `trigger` as JSON: a value that cannot be rendered fails the execution. */
const flow = (trigger: string) => `id: ${FLOW}
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger | toJson }}"
triggers:
  - id: ${TRIGGER}
${trigger.replace(/^/gm, '    ')}
`;

const MB = 1024 * 1024;
/** Bytes that are not UTF-8: a NUL, 0xff, 0xfe and a truncated two-byte sequence. */
const NOT_UTF8 = Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28]);
/** What a lenient UTF-8 decoder makes of NOT_UTF8 (each bad byte becomes U+FFFD). */
const NOT_UTF8_TEXT = '\u0000\ufffd\ufffd\ufffd(';
const ODD_TEXT = 'ünï ✓ 🚀 \u200b\ufeff\ue000 "quoted" \\ {{ not.an.expression }}';

let engine: Engine | undefined;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(trigger: string): Promise<{ engine: Engine; states: string[] }> {
  engine = await startEngine([flow(trigger)]);
  const e = engine;
  await eventually(() => health(e, NS, FLOW, TRIGGER)?.state === 'RUNNING', 60_000, `RUNNING (last error: ${health(e, NS, FLOW, TRIGGER)?.lastError})`);
  // Every later state change of the trigger: a hostile message must never make it back off.
  const states: string[] = [];
  e.events.on('trigger', (h) => {
    if (h.flowId === FLOW) states.push(h.lastError ? `${h.state}: ${h.lastError}` : h.state);
  });
  return { engine: e, states };
}

/**
 * Waits for one execution per message sent; checks that the trigger kept RUNNING (no BACKOFF, no
 * restart) and that the last one — the good message — succeeded. Returns them oldest first.
 */
async function allThrough(e: Engine, states: string[], sent: number, timeoutMs = 60_000): Promise<Execution[]> {
  const executions = await executionsOf(e, FLOW, sent, { timeoutMs }).catch((err: Error) => {
    throw new Error(`${err.message}; trigger ${JSON.stringify(health(e, NS, FLOW, TRIGGER))}, states since RUNNING: ${states.slice(0, 5).join(' | ')}`);
  });
  expect(executions).toHaveLength(sent);
  expect(states.filter((s) => !s.startsWith('RUNNING'))).toEqual([]);
  expect(health(e, NS, FLOW, TRIGGER)).toMatchObject({ state: 'RUNNING', restarts: 0, received: sent, admitted: sent });
  // Each SUCCESS rendered its trigger variables as JSON: they are JSON-safe.
  for (const x of executions.filter((x) => x.state.current === 'SUCCESS')) {
    expect(JSON.parse(String(x.taskRunList[0].outputs!.value))).toEqual(JSON.parse(JSON.stringify(x.trigger!.variables)));
  }
  return executions;
}

const vars = (e: Execution) => e.trigger!.variables as Record<string, any>;

describeBroker('kafka', (broker) => {
  const kafka = () => new Kafka({ clientId: 'hostile-test', brokers: broker().connection.brokers, logLevel: logLevel.NOTHING });
  const trigger = (topic: string, serdes: string) => `type: io.kestra.plugin.kafka.RealtimeTrigger
topic: ${topic}
groupId: g-${topic}
properties:
  bootstrap.servers: ${broker().connection.brokers.join(',')}
  auto.offset.reset: earliest
${serdes}`;

  /** A topic that takes records of a few MB (the broker's default limit is 1 MB). */
  async function bigTopic(topic: string) {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * MB) }] }], waitForLeaders: true });
    await admin.disconnect();
  }
  async function produce(topic: string, messages: KafkaMessage[]) {
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One partition, named: kafkajs's key hash (murmur2 on 64-bit Longs) takes minutes on a 1 MB key.
    for (const m of messages) await producer.send({ topic, messages: [{ ...m, partition: 0 }], acks: -1 });
    await producer.disconnect();
  }
  const byOffset = (executions: Execution[]) => executions.sort((a, b) => vars(a).offset - vars(b).offset);

  it('STRING keys: a 1 MB key, a key that is not UTF-8, headers with odd bytes and names, 1,000 headers', async () => {
    await bigTopic('hostile_str');
    const { engine: e, states } = await start(trigger('hostile_str', 'keyDeserializer: STRING\nvalueDeserializer: STRING'));
    const hugeKey = 'k'.repeat(MB);
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`h-${i}`, `v-${i}`]));
    await produce('hostile_str', [
      { key: hugeKey, value: 'huge key' },
      { key: NOT_UTF8, value: 'key not utf-8' },
      {
        value: 'odd headers',
        headers: {
          bin: NOT_UTF8, nul: '\u0000', [ODD_TEXT]: ODD_TEXT, '': 'empty name', 'crlf\r\n: x': 'a\r\nb',
          ['__proto__']: 'proto', toString: 'to-string', constructor: ['c1', 'c2'], dup: ['first', 'second'],
        },
      },
      { value: 'many headers', headers: many },
      { key: 'good', value: 'good' },
    ]);
    const [huge, badKey, odd, manyH, good] = byOffset(await allThrough(e, states, 5));
    expect(huge.state.current).toBe('SUCCESS');
    expect(vars(huge).key).toBe(hugeKey);
    expect(vars(huge).value).toBe('huge key');
    // STRING reads the key as Java's StringDeserializer does: bytes that are not UTF-8 become U+FFFD.
    expect(badKey.state.current).toBe('SUCCESS');
    expect(vars(badKey)).toMatchObject({ key: NOT_UTF8_TEXT, value: 'key not utf-8' });
    expect(odd.state.current).toBe('SUCCESS');
    // Kestra's list of single-entry maps, in order; values UTF-8 decoded as Kestra does.
    expect(vars(odd).headers).toEqual<Record<string, string>[]>([
      { bin: NOT_UTF8_TEXT }, { nul: '\u0000' }, { [ODD_TEXT]: ODD_TEXT }, { '': 'empty name' }, { 'crlf\r\n: x': 'a\r\nb' },
      { ['__proto__']: 'proto' }, { toString: 'to-string' }, { constructor: 'c1' }, { constructor: 'c2' }, { dup: 'first' }, { dup: 'second' },
    ]);
    expect(Object.keys(vars(odd).headers[5])).toEqual(['__proto__']); // an own key, not a prototype
    expect(manyH.state.current).toBe('SUCCESS');
    expect(vars(manyH).headers).toHaveLength(1000);
    expect(vars(manyH).headers[999]).toEqual({ 'h-999': 'v-999' });
    expect(good.state.current).toBe('SUCCESS');
    expect(vars(good)).toMatchObject({ key: 'good', value: 'good' });
  }, 120_000);

  it('JSON keys: a 1 MB JSON key, a 1 MB key that is not JSON and one that is not UTF-8 are FAILED, keeping the value and the raw key', async () => {
    await bigTopic('hostile_json');
    const { engine: e, states } = await start(trigger('hostile_json', 'keyDeserializer: JSON\nvalueDeserializer: JSON'));
    const bigText = 'x'.repeat(MB);
    const notJson = `{${bigText}`;
    await produce('hostile_json', [
      { key: JSON.stringify(bigText), value: '{"n":0}' },
      { key: notJson, value: '{"n":1}' },
      { key: NOT_UTF8, value: '{"n":2}' },
      { key: '"k"', value: NOT_UTF8 },
      { key: '"good"', value: '{"ok":true}' },
    ]);
    const [bigKey, notJsonKey, notUtf8Key, notUtf8Value, good] = byOffset(await allThrough(e, states, 5));
    expect(bigKey.state.current).toBe('SUCCESS');
    expect(vars(bigKey)).toMatchObject({ key: bigText, value: { n: 0 } });

    expect(notJsonKey.state.current).toBe('FAILED');
    expect(notJsonKey.error).toMatch(/the key is not valid JSON \(keyDeserializer: JSON\)/);
    expect(vars(notJsonKey).raw).toBe(notJson);
    expect(vars(notJsonKey).value).toEqual({ n: 1 }); // the payload is kept, not only the unreadable key

    expect(notUtf8Key.state.current).toBe('FAILED');
    expect(notUtf8Key.error).toMatch(/the key is not valid JSON .*not valid UTF-8/);
    expect(Buffer.from(vars(notUtf8Key).raw, 'base64')).toEqual(NOT_UTF8);
    expect(vars(notUtf8Key).value).toEqual({ n: 2 });

    expect(notUtf8Value.state.current).toBe('FAILED');
    expect(notUtf8Value.error).toMatch(/the value is not valid JSON .*not valid UTF-8/);
    expect(Buffer.from(vars(notUtf8Value).raw, 'base64')).toEqual(NOT_UTF8);
    expect(vars(notUtf8Value).key).toBe('k');

    expect(good.state.current).toBe('SUCCESS');
    expect(vars(good)).toMatchObject({ key: 'good', value: { ok: true } });
    expect(health(e, NS, FLOW, TRIGGER)).toMatchObject({ failed: 3 });
  }, 120_000);
});

describeBroker('rabbitmq', (broker) => {
  const trigger = (queue: string, serde = 'STRING') => `type: io.kestra.plugin.amqp.RealtimeTrigger
host: ${broker().host}
port: ${broker().port}
username: ${broker().user}
password: ${broker().password}
queue: ${queue}
serdeType: ${serde}`;

  async function channel(queue: string) {
    const model = await amqp.connect(broker().url);
    model.on('error', () => {});
    cleanups.push(() => model.close().catch(() => {}));
    const ch = await model.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    return ch;
  }

  it('binary, nested and very long headers, odd properties and a timestamp beyond the year 275760', async () => {
    const ch = await channel('hostile');
    const { engine: e, states } = await start(trigger('hostile'));
    const longName = 'h'.repeat(255); // a field name is a short string: 255 bytes at most
    const longValue = 'v'.repeat(60_000); // amqplib encodes a header table in 64 KB at most
    ch.sendToQueue('hostile', Buffer.from('headers'), {
      messageId: 'headers',
      headers: {
        bin: NOT_UTF8, nul: '\u0000x', [ODD_TEXT]: ODD_TEXT, [longName]: longValue,
        nested: { inner: { deep: 1, text: 'hi' }, list: [1, 'two', true] }, big: 2 ** 53 + 2, flag: false, none: null, pi: 3.5,
      },
    });
    ch.sendToQueue('hostile', Buffer.from('properties'), {
      messageId: `\u0000${ODD_TEXT}`, correlationId: 'c'.repeat(255), type: 'ty\u0000pe', appId: ODD_TEXT, contentType: 'x/\u00ff',
      contentEncoding: '🚀', replyTo: ' ', userId: undefined, priority: 255, expiration: '0',
    });
    // A 64-bit timestamp (seconds) that no JavaScript date can hold.
    ch.sendToQueue('hostile', Buffer.from('far future'), { messageId: 'far', timestamp: 1e15 });
    ch.sendToQueue('hostile', Buffer.from(NOT_UTF8), { messageId: 'not-utf8' });
    ch.sendToQueue('hostile', Buffer.from('good'), { messageId: 'good' });
    await ch.waitForConfirms();
    const executions = await allThrough(e, states, 5);
    const by = new Map(executions.map((x) => [vars(x).data as string, x]));
    expect(executions.every((x) => x.state.current === 'SUCCESS')).toBe(true);

    const h = vars(by.get('headers')!).headers;
    // Kestra's header values are text: bytes UTF-8 decoded, tables as JSON, numbers as their text.
    expect(h).toMatchObject({ bin: NOT_UTF8_TEXT, nul: '\u0000x', [ODD_TEXT]: ODD_TEXT, flag: 'false', none: 'null', pi: '3.5' });
    expect(h[longName]).toBe(longValue);
    expect(JSON.parse(h.nested)).toEqual({ inner: { deep: 1, text: 'hi' }, list: [1, 'two', true] });
    expect(h.big).toBe('9007199254740994');

    expect(vars(by.get('properties')!)).toMatchObject({
      messageId: `\u0000${ODD_TEXT}`, correlationId: 'c'.repeat(255), type: 'ty\u0000pe', appId: ODD_TEXT, contentType: 'x/\u00ff',
      contentEncoding: '🚀', replyTo: ' ', priority: 255, expiration: 'PT0S',
    });
    // Out of the range of a date: kept as the number of seconds the publisher sent.
    expect(vars(by.get('far future')!).timestamp).toBe(1e15);
    expect(vars(by.get(NOT_UTF8_TEXT)!).messageId).toBe('not-utf8');
    expect(vars(by.get('good')!).messageId).toBe('good');
  }, 120_000);
});

describeBroker('nats', (broker) => {
  const trigger = (subject: string) => `type: io.kestra.plugin.nats.RealtimeTrigger
url: ${broker().url}
subject: "${subject}"
durableId: hostile`;

  /**
   * Publishes with the raw protocol (HPUB), as any client in any language may: header bytes the
   * JavaScript client would refuse to write still reach the stream.
   */
  async function hpub(subject: string, headerLines: Buffer[], payload: Buffer): Promise<void> {
    const [host, port] = broker().url.replace('nats://', '').split(':');
    const socket = net.connect(Number(port), host);
    cleanups.push(() => socket.destroy());
    const hdr = Buffer.concat([Buffer.from('NATS/1.0\r\n'), ...headerLines.map((l) => Buffer.concat([l, Buffer.from('\r\n')])), Buffer.from('\r\n')]);
    let seen = '';
    const pong = new Promise<void>((resolve, reject) => {
      socket.on('data', (d) => {
        seen += d.toString('latin1');
        if (seen.includes('-ERR')) reject(new Error(`the NATS server refused the message: ${seen}`));
        if (seen.includes('PONG')) resolve();
      });
      socket.on('error', reject);
    });
    socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n`);
    socket.write(Buffer.concat([
      Buffer.from(`HPUB ${subject} ${hdr.length} ${hdr.length + payload.length}\r\n`), hdr, payload, Buffer.from('\r\nPING\r\n'),
    ]));
    await pong;
    socket.end();
  }

  it('header values that are not UTF-8, header names the JavaScript client refuses, 1,000 headers', async () => {
    const nc = await natsConnect({ ...broker().connection, reconnect: false });
    cleanups.push(() => nc.close());
    await (await nc.jetstreamManager()).streams.add({ name: 'HOSTILE', subjects: ['hostile.>'] });
    const { engine: e, states } = await start(trigger('hostile.>'));
    const line = (name: string, value: Buffer | string) => Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value)]);
    await hpub('hostile.bytes', [line('X-Bin', NOT_UTF8.subarray(1)), line('X-Odd', ODD_TEXT), line('X-Dup', 'a'), line('X-Dup', 'b')], NOT_UTF8);
    await hpub('hostile.names', [line('X Space', 'v'), line('X-Ünï', 'w')], Buffer.from('odd names'));
    await hpub('hostile.many', Array.from({ length: 1000 }, (_, i) => line(`H-${i}`, `v-${i}`)), Buffer.from('many headers'));
    await hpub('hostile.good', [line('X-Ok', 'yes')], Buffer.from('good'));
    const executions = await allThrough(e, states, 4);
    const by = new Map(executions.map((x) => [vars(x).subject as string, x]));

    const bytes = by.get('hostile.bytes')!;
    expect(bytes.state.current).toBe('SUCCESS');
    expect(vars(bytes).data).toBe(NOT_UTF8_TEXT); // Kestra's data is the payload as text
    expect(vars(bytes).headers).toEqual({ 'X-Bin': ['\ufffd\ufffd\ufffd('], 'X-Odd': [ODD_TEXT], 'X-Dup': ['a', 'b'] });

    // Header names outside RFC 822's tokens: the message is FAILED, keeps its payload and says why.
    const names = by.get('hostile.names')!;
    expect(names.state.current).toBe('FAILED');
    expect(names.error).toMatch(/headers could not be read.*not a valid character for a header key/);
    expect(vars(names).raw).toBe('odd names');

    const many = by.get('hostile.many')!;
    expect(many.state.current).toBe('SUCCESS');
    expect(Object.keys(vars(many).headers)).toHaveLength(1000);
    expect(vars(many).headers['H-999']).toEqual(['v-999']);

    expect(by.get('hostile.good')!.state.current).toBe('SUCCESS');
    expect(vars(by.get('hostile.good')!)).toMatchObject({ data: 'good', headers: { 'X-Ok': ['yes'] } });
    // Every message acknowledged: none comes back.
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info('HOSTILE', 'hostile');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    }, 10_000, 'all acknowledged');
  }, 120_000);
});

describeBroker('sqs', (broker) => {
  it('attributes with odd Unicode and 0xff bytes, and a body at the 256 KB limit', async () => {
    const sqs = new SQSClient({ ...broker().connection, maxAttempts: 1 });
    cleanups.push(() => sqs.destroy());
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'hostile' }))).QueueUrl!;
    const { engine: e, states } = await start(`type: io.kestra.plugin.aws.sqs.RealtimeTrigger
endpointOverride: ${broker().connection.endpoint}
region: us-east-1
accessKeyId: peregrine
secretKeyId: peregrine
queueUrl: ${url}
waitTime: PT1S`);
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    // SQS allows #x9 #xA #xD, #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF in strings.
    const odd = `\t\n\r ${ODD_TEXT} \ufffd \u{10ffff}`;
    await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'attributes',
      MessageAttributes: {
        odd: { DataType: 'String', StringValue: odd },
        bin: { DataType: 'Binary', BinaryValue: binary },
        custom: { DataType: 'String.ünï', StringValue: 'typed' },
        num: { DataType: 'Number', StringValue: '-1.5e125' },
      },
    }));
    const limit = 'x'.repeat(256 * 1024);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: limit }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: odd }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'good' }));
    const executions = await allThrough(e, states, 4);
    expect(executions.every((x) => x.state.current === 'SUCCESS')).toBe(true);
    const by = new Map(executions.map((x) => [vars(x).data as string, x]));
    expect(vars(by.get('attributes')!).messageAttributes).toEqual({ odd, bin: binary.toString('base64'), custom: 'typed', num: '-1.5e125' });
    expect(by.get(limit)).toBeDefined();
    expect(by.get(odd)).toBeDefined();
    expect(by.get('good')).toBeDefined();
  }, 120_000);
});

describeBroker('pubsub', (broker) => {
  it('attributes with odd Unicode, a 1 KB ordering key, data that is not UTF-8', async () => {
    const saved = Object.fromEntries(Object.keys(broker().env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, broker().env); // the engine finds the fake as a user's would
    cleanups.push(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const client = new PubSub(broker().connection);
    cleanups.push(() => client.close());
    await client.createTopic('hostile');
    const { engine: e, states } = await start(`type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
projectId: ${broker().connection.projectId}
topic: hostile
subscription: hostile-sub
serdeType: JSON`);
    const topic = client.topic('hostile', { messageOrdering: true });
    const attributes = { [ODD_TEXT]: ODD_TEXT, nul: '\u0000', empty: '', ...Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`a${i}`, `v${i}`])) };
    const orderingKey = 'o'.repeat(1024);
    await topic.publishMessage({ data: Buffer.from('{"n":1}'), attributes, orderingKey });
    await topic.publishMessage({ data: NOT_UTF8, attributes: { kind: 'bytes' } });
    await topic.publishMessage({ data: Buffer.from('{"good":true}') });
    const executions = await allThrough(e, states, 3);
    const odd = executions.find((x) => vars(x).data?.n === 1)!;
    expect(odd.state.current).toBe('SUCCESS');
    expect(vars(odd).attributes).toEqual(attributes);
    expect(vars(odd).orderingKey).toBe(orderingKey);
    const bytes = executions.find((x) => vars(x).attributes.kind === 'bytes')!;
    expect(bytes.state.current).toBe('FAILED');
    expect(bytes.error).toMatch(/not valid UTF-8/);
    expect(Buffer.from(vars(bytes).raw, 'base64')).toEqual(NOT_UTF8);
    expect(executions.find((x) => vars(x).data?.good === true)!.state.current).toBe('SUCCESS');
  }, 120_000);
});

describeBroker('mosquitto', (broker) => {
  it('MQTT 5 user properties with odd strings, binary correlation data, a topic with odd characters', async () => {
    const { engine: e, states } = await start(`type: io.kestra.plugin.mqtt.RealtimeTrigger
server: tcp://127.0.0.1:${broker().port}
clientId: hostile-client
topic: "hostile/#"
serdeType: JSON`);
    const pub = await mqtt.connectAsync({ ...broker().connection, reconnectPeriod: 0, protocolVersion: 5, clientId: 'hostile-pub' });
    cleanups.push(() => pub.endAsync(true));
    const oddTopic = `hostile/${ODD_TEXT.replace(/[+#]/g, '')}/ /x`;
    // MQTT strings may not hold U+0000 (the broker drops the client), everything else goes.
    const userProperties: Record<string, string | string[]> = { [ODD_TEXT]: ODD_TEXT, empty: '', dup: ['a', 'b'], ['__proto__']: 'proto' };
    await pub.publishAsync(oddTopic, '{"n":1}', {
      qos: 1, properties: { userProperties, correlationData: NOT_UTF8, contentType: ODD_TEXT, responseTopic: `${ODD_TEXT}/reply` },
    });
    await pub.publishAsync('hostile/bytes', NOT_UTF8, { qos: 1 });
    await pub.publishAsync('hostile/good', '{"good":true}', { qos: 1 });
    const executions = await allThrough(e, states, 3);
    const by = new Map(executions.map((x) => [vars(x).topic as string, x]));

    const odd = by.get(oddTopic)!;
    expect(odd.state.current).toBe('SUCCESS');
    expect(vars(odd).payload).toEqual({ n: 1 });
    expect(vars(odd).properties.userProperties).toEqual(userProperties);
    expect(vars(odd)).toMatchObject({ correlationData: NOT_UTF8.toString('base64'), responseTopic: `${ODD_TEXT}/reply` });
    expect(vars(odd).properties.contentType).toBe(ODD_TEXT);

    const bytes = by.get('hostile/bytes')!;
    expect(bytes.state.current).toBe('FAILED');
    expect(bytes.error).toMatch(/not valid UTF-8/);
    expect(Buffer.from(vars(bytes).raw, 'base64')).toEqual(NOT_UTF8);
    expect(by.get('hostile/good')!.state.current).toBe('SUCCESS');
  }, 120_000);
});

describeBroker('redis', (broker) => {
  it('a very long list key with odd characters, a 10 MB element, an element that is not UTF-8', async () => {
    const key = `${ODD_TEXT.replace(/["\\{}]/g, '')}:${'k'.repeat(64 * 1024)}`;
    const { engine: e, states } = await start(`type: io.kestra.plugin.redis.list.RealtimeTrigger
url: ${broker().url}
key: "${key}"
serdeType: JSON`);
    const r = new Redis(broker().connection);
    cleanups.push(() => r.disconnect());
    const huge = JSON.stringify({ blob: 'y'.repeat(10 * MB) });
    await r.rpush(key, huge);
    await r.rpush(key, NOT_UTF8);
    await r.rpush(key, '{"good":true}');
    const executions = await allThrough(e, states, 3, 120_000);
    const big = executions.find((x) => x.state.current === 'SUCCESS' && vars(x).value.blob)!;
    const bytes = executions.find((x) => x.state.current === 'FAILED')!;
    const good = executions.find((x) => vars(x).value?.good)!;
    expect(big.state.current).toBe('SUCCESS');
    expect(vars(big).value.blob).toHaveLength(10 * MB);
    expect(bytes.state.current).toBe('FAILED');
    expect(bytes.error).toMatch(/not valid UTF-8/);
    expect(Buffer.from(vars(bytes).raw, 'base64')).toEqual(NOT_UTF8);
    expect(good.state.current).toBe('SUCCESS');
    expect(vars(good).value).toEqual({ good: true });
    expect(await r.llen(key)).toBe(0);
  }, 180_000);
});
