// The `from` of the producer tasks: one message, a list, a JSON text, or a kestra:// JSON-lines file
// in internal storage; every error names `from` and the item or file line that is wrong.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messagesFrom, parsedBy, type FromOptions } from '../../../main/plugins/common/messages-from';
import { amqpPublish } from '../../../main/plugins/amqp/tasks';
import { kafkaProduce } from '../../../main/plugins/kafka/produce';
import { mqttPublish } from '../../../main/plugins/mqtt/publish';
import { pubsubPublish } from '../../../main/plugins/pubsub/publish';
import { redisListPush } from '../../../main/plugins/redis/tasks';
import { sqsPublish } from '../../../main/plugins/sqs/publish';
import type { TaskDefinition } from '../../../main/plugins/types';
import { cleanupTestContexts, createTestContext, prepareProps } from './context';

afterAll(cleanupTestContexts);

const { storage } = createTestContext();
const file = (text: string) => storage.put('from.jsonl', text);
const plain: FromOptions<unknown> = { what: 'a message', text: 'message' };
const record = (v: unknown) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a map');
  return v as Record<string, unknown>;
};

describe('messagesFrom', () => {
  it('takes one message, a list of them, and a plain string as one message', () => {
    expect(messagesFrom({ data: 1 }, storage, plain)).toEqual([{ data: 1 }]);
    expect(messagesFrom([{ data: 1 }, 'two', 3], storage, plain)).toEqual([{ data: 1 }, 'two', 3]);
    expect(messagesFrom(' hello ', storage, plain)).toEqual([' hello ']);
    expect(messagesFrom([], storage, plain)).toEqual([]);
  });

  it('reads a kestra:// file line by line, skipping blank lines, the URI trimmed', () => {
    const uri = file('{"data":1}\n\n  \n"two"\r\n3\n');
    expect(messagesFrom(` ${uri}\n`, storage, plain)).toEqual([{ data: 1 }, 'two', 3]);
    expect(messagesFrom(file(''), storage, plain)).toEqual([]);
  });

  it('a file line that is not JSON is an error naming from, the URI and the file line (blank lines count)', () => {
    const uri = file('{"data":1}\n\n{"data":\n');
    expect(() => messagesFrom(uri, storage, plain)).toThrow(new RegExp(`^line 3 of ${uri} \\(from\\) is not JSON: .+`));
  });

  it('with plainLine, a file line that is not JSON becomes a message of its text', () => {
    const uri = file('{"data":1}\nnot json\n');
    expect(messagesFrom(uri, storage, { ...plain, plainLine: (line) => ({ data: line }) })).toEqual([{ data: 1 }, { data: 'not json' }]);
  });

  it('checks every message, and a bad one is named by its index, its file line, or from itself', () => {
    const options: FromOptions<Record<string, unknown>> = { what: 'a record {key, value}', text: 'json', message: record };
    expect(messagesFrom([{ key: 'a' }], storage, options)).toEqual([{ key: 'a' }]);
    expect(() => messagesFrom([{ key: 'a' }, 5], storage, options)).toThrow('from[1] is not a record {key, value}: not a map');
    expect(() => messagesFrom(7, storage, options)).toThrow('from is not a record {key, value}: not a map');
    const uri = file('{"key":"a"}\n[1]\n');
    expect(() => messagesFrom(uri, storage, options)).toThrow(`line 2 of ${uri} (from) is not a record {key, value}: not a map`);
  });

  it("text: 'json' reads a string as JSON text of a message or a list; other text is an error", () => {
    const options: FromOptions<unknown> = { what: 'a message', text: 'json' };
    expect(messagesFrom(' {"data":1} ', storage, options)).toEqual([{ data: 1 }]);
    expect(messagesFrom('[{"data":1},{"data":2}]', storage, options)).toEqual([{ data: 1 }, { data: 2 }]);
    expect(() => messagesFrom('hello', storage, options)).toThrow(/^from must be a message, a list of them, or a kestra:\/\/ URI of a file with one per line \(JSON\), or JSON text of them; it is none of these \(.+\)$/);
  });

  it("text: 'refuse' rejects a string that is not a kestra:// URI, quoting it", () => {
    expect(() => messagesFrom('hello', storage, { what: 'a message', text: 'refuse' })).toThrow(
      'from must be a message, a list of them, or a kestra:// URI of a file with one per line (JSON), not "hello"',
    );
  });

  it('a missing from is an error that says what to give', () => {
    expect(() => messagesFrom(undefined, storage, plain)).toThrow(/^from is required: give a message, a list of them, or a kestra:\/\/ URI/);
    expect(() => messagesFrom(null, storage, plain)).toThrow(/^from is required/);
  });

  it('a URI with no file behind it fails with the storage error', () => {
    expect(() => messagesFrom('kestra:///peregrine-test/nothing/here.jsonl', storage, plain)).toThrow(/No file in internal storage/);
  });
});

describe('parsedBy', () => {
  const message = z.object({ data: z.any(), delaySeconds: z.number().int().optional() }).strict();

  it('returns what the schema parsed', () => {
    expect(parsedBy(message)({ data: 'x', delaySeconds: 2 })).toEqual({ data: 'x', delaySeconds: 2 });
  });

  it('turns the issues into one readable reason with their paths', () => {
    const check = parsedBy(message);
    expect(() => check({ data: 'x', delaySecond: 2 })).toThrow(/unknown property "delaySecond".*did you mean "delaySeconds"/);
    expect(() => check({ data: 'x', delaySeconds: 'soon' })).toThrow(/^delaySeconds: /);
  });
});

// Each producer reads `from` before it connects, so a bad file line fails here without a broker.
const producers: [string, TaskDefinition<any>, Record<string, unknown>][] = [
  ['SQS Publish', sqsPublish, { queueUrl: 'http://127.0.0.1:9/queue/q', region: 'us-east-1' }],
  ['Pub/Sub Publish', pubsubPublish, { projectId: 'p', topic: 't' }],
  ['MQTT Publish', mqttPublish, { server: 'tcp://127.0.0.1:9', clientId: 'c', topic: 't' }],
  ['Kafka Produce', kafkaProduce, { properties: { 'bootstrap.servers': '127.0.0.1:9' }, topic: 't' }],
  ['Redis ListPush', redisListPush, { url: 'redis://127.0.0.1:9', key: 'k' }],
  ['AMQP Publish', amqpPublish, { host: '127.0.0.1', port: 9, exchange: 'x' }],
];

describe('the producer tasks read from with it', () => {
  it.each(producers)('%s names the file line that is not JSON', async (_name, def, spec) => {
    const t = createTestContext();
    const uri = t.storage.put('bad.jsonl', '{"data":"a"}\n{oops\n');
    const props = prepareProps(def, { ...spec, from: uri }, t.ctx);
    await expect(def.run!(t.ctx, props)).rejects.toThrow(`line 2 of ${uri} (from) is not JSON`);
  });

  it('SQS Publish names a file line that is JSON but not a message, and refuses a plain string', async () => {
    const t = createTestContext();
    const uri = t.storage.put('bad.jsonl', '{"data":"a"}\n{"data":"b","delay":5}\n');
    const spec = producers[0][2];
    await expect(sqsPublish.run!(t.ctx, prepareProps(sqsPublish, { ...spec, from: uri }, t.ctx))).rejects.toThrow(
      new RegExp(`^line 2 of ${uri} \\(from\\) is not a message \\{data, groupId, deduplicationId, delaySeconds\\}: unknown property "delay"`),
    );
    await expect(sqsPublish.run!(t.ctx, prepareProps(sqsPublish, { ...spec, from: 'hello' }, t.ctx))).rejects.toThrow(/^from must be a message .*, not "hello"$/);
  });

  it('Kafka Produce names a list item that is not a record', async () => {
    const t = createTestContext();
    const spec = { ...producers[3][2], from: [{ value: 1 }, 'two'] };
    await expect(kafkaProduce.run!(t.ctx, prepareProps(kafkaProduce, spec, t.ctx))).rejects.toThrow(
      'from[1] is not a record {key, value, topic, partition, timestamp, headers}: it is "two", not a map',
    );
  });
});
