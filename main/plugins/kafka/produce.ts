// io.kestra.plugin.kafka.Produce: sends records to Kafka. `from` is one record (a map with key,
// value, topic, partition, timestamp, headers), a list of them, or a kestra:// JSON-lines file
// (what a Kafka Trigger batch or a Consume writes). Transactional by default, as in Kestra.
import { CompressionTypes, type Message } from 'kafkajs';
import crypto from 'node:crypto';
import { z } from 'zod';
import { messagesFrom } from '../common/messages-from';
import { p } from '../schema';
import type { TaskDefinition } from '../types';
import { clientSettings, createKafka, plainKafkaError, reportSettings } from './client';
import { connectionProps } from './consumer';
import { javaCompatiblePartitioner } from './partitioner';
import { SERDE_TYPES, serialize, unsupportedSerde, type KafkaSerde } from './serde';

const props = z.object({
  ...connectionProps,
  topic: p.string('The topic to send to, unless a record names its own.').optional(),
  from: z
    .union([z.string(), z.array(z.any()), z.record(z.string(), z.any())])
    .describe('A record {key, value, topic, partition, timestamp, headers}, a list of records, or a kestra:// URI of a JSON-lines file of records.'),
  keySerializer: p.enum(SERDE_TYPES, 'How the key is written.').default('STRING'),
  valueSerializer: p.enum(SERDE_TYPES, 'How the value is written.').default('STRING'),
  keyAvroSchema: p.string('Avro schema of the key (AVRO is not supported locally yet).').optional(),
  valueAvroSchema: p.string('Avro schema of the value (AVRO is not supported locally yet).').optional(),
  transactional: p.bool('Send all records in one Kafka transaction (all or nothing).').default(true),
});
type Props = z.infer<typeof props>;

export const kafkaProduce: TaskDefinition<Props> = {
  kind: 'task',
  type: 'io.kestra.plugin.kafka.Produce',
  title: 'Kafka Produce',
  description: 'Sends one or more records to Kafka, with Kestra\'s serializers, in one transaction by default.',
  category: 'Kafka',
  icon: 'kafka',
  props,
  outputs: { messagesCount: 'How many records were sent' },
  examples: [
    {
      title: 'Send an order event to Kafka',
      code: `id: kafka_producer
namespace: company.team

tasks:
  - id: send
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: localhost:9092
    topic: orders
    from:
      key: "{{ execution.id }}"
      value:
        order_id: 42
        total: 19.99
      headers:
        event-type: order_created
    keySerializer: STRING
    valueSerializer: JSON`,
    },
  ],

  async run(ctx, props) {
    for (const [name, serde] of [['keySerializer', props.keySerializer], ['valueSerializer', props.valueSerializer]] as const) {
      const why = unsupportedSerde(String(serde));
      if (why) throw new Error(`${name}: ${why}`);
    }
    const records = messagesFrom(props.from, ctx.services.storage, { what: 'a record {key, value, topic, partition, timestamp, headers}', text: 'json', message: asRow });
    const byTopic = new Map<string, Message[]>();
    records.forEach((r, i) => {
      const topic = r.topic !== undefined && r.topic !== null ? String(r.topic) : props.topic;
      if (!topic) throw new Error(`record ${i + 1} has no topic: set topic on the task or in the record`);
      const message: Message = {
        key: serialize(r.key, props.keySerializer as KafkaSerde, 'key'),
        value: serialize(r.value, props.valueSerializer as KafkaSerde, 'value'),
        ...(r.partition !== undefined && r.partition !== null ? { partition: Number(r.partition) } : {}),
        ...(r.timestamp !== undefined && r.timestamp !== null ? { timestamp: timestampOf(r.timestamp) } : {}),
        ...(r.headers ? { headers: headersOf(r.headers) } : {}),
      };
      const list = byTopic.get(topic) ?? [];
      list.push(message);
      byTopic.set(topic, list);
    });
    if (!records.length) return { messagesCount: 0 };

    const settings = clientSettings(props.properties, `peregrine-${ctx.flow.namespace}.${ctx.flow.id}.${ctx.task.id}`);
    reportSettings(settings, ctx.logger);
    const transactional = props.transactional === true;
    const kafka = createKafka(settings, ctx.logger);
    const producer = kafka.producer({
      ...settings.producer.config,
      createPartitioner: javaCompatiblePartitioner,
      ...(transactional
        ? { transactionalId: settings.producer.config.transactionalId ?? `peregrine-${crypto.randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }
        : {}),
    });
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const compression = settings.producer.gzip ? CompressionTypes.GZIP : CompressionTypes.None;
    try {
      await producer.connect();
      if (transactional) {
        const tx = await producer.transaction();
        try {
          await tx.sendBatch({ topicMessages, compression });
          await tx.commit();
        } catch (e) {
          await tx.abort().catch(() => {});
          throw e;
        }
      } else {
        await producer.sendBatch({ topicMessages, acks: settings.producer.acks, compression });
      }
    } catch (e) {
      throw plainKafkaError(e, settings.brokers);
    } finally {
      await producer.disconnect().catch(() => {});
    }
    ctx.logger.info(`Sent ${records.length} record(s) to ${[...byTopic.keys()].join(', ')}${transactional ? ' in one transaction' : ''}`);
    return { messagesCount: records.length };
  },
};

type Row = { key?: unknown; value?: unknown; topic?: unknown; partition?: unknown; timestamp?: unknown; headers?: unknown };

function asRow(v: unknown): Row {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`it is ${JSON.stringify(v)}, not a map`);
  return v as Row;
}

function timestampOf(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  const text = String(v);
  if (/^\d+$/.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`timestamp ${JSON.stringify(v)} is neither epoch milliseconds nor an ISO-8601 date`);
  return String(ms);
}

/** Headers as a map, as Kestra's list of single-entry maps, or as a list of {key, value}. */
function headersOf(v: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, value: unknown) => {
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    const prev = out[k];
    out[k] = prev === undefined ? text : Array.isArray(prev) ? [...prev, text] : [prev, text];
  };
  if (Array.isArray(v)) {
    for (const h of v) {
      if (h && typeof h === 'object' && 'key' in h && 'value' in h && Object.keys(h).length === 2) add(String((h as any).key), (h as any).value);
      else if (h && typeof h === 'object') for (const [k, val] of Object.entries(h)) add(k, val);
    }
  } else if (v && typeof v === 'object') for (const [k, val] of Object.entries(v)) add(k, val);
  else throw new Error('headers must be a map or a list');
  return out;
}
