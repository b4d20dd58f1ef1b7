// What the Kafka RealtimeTrigger and the polling Trigger share: Kestra's consumer properties, the
// subscription (topic list, Java topicPattern, a fixed set of partitions), `since` for a group
// without offsets, header filters, and a record turned into Kestra's `trigger.*` shape.
import { AssignerProtocol, type Kafka, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { z } from 'zod';
import { expression, isTemplate, p } from '../schema';
import type { Logger, TriggerEvent } from '../types';
import { SERDE_TYPES, deserialize, unsupportedSerde, type KafkaSerde } from './serde';
import type { ClientSettings } from './client';

function toIntList(v: unknown): unknown {
  if (typeof v === 'number') return [v];
  if (typeof v !== 'string') return v;
  const text: string = v.trim();
  if ((isTemplate as (x: unknown) => boolean)(text)) return v;
  try {
    const parsed = JSON.parse(text);
    if (Array.isArray(parsed) || typeof parsed === 'number') return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    // "0, 1"
  }
  return text.split(/[\s,]+/).filter(Boolean).map((s: string) => (Number.isNaN(Number(s)) ? s : Number(s)));
}

export const connectionProps = {
  properties: p.map(
    'Kafka client properties, with the Java client names. `bootstrap.servers` is required; `security.protocol`, `sasl.mechanism`, ' +
      '`sasl.jaas.config` and PEM `ssl.*` settings are honoured; Java-only settings are accepted and ignored.',
  ),
  serdeProperties: p.map('Serializer and deserializer settings (schema registry …).').default({}),
};

export const consumerProps = {
  ...connectionProps,
  topic: p.stringOrList('The topic(s) to consume: a name or a list. Exclusive with topicPattern.').optional(),
  topicPattern: p.string('A Java regular expression: every existing topic whose whole name matches is consumed. Exclusive with topic.').optional(),
  partitions: z
    .preprocess(toIntList, z.union([z.array(p.int()), expression]))
    .describe('Only these partitions (of each topic) are consumed.')
    .optional(),
  groupId: p.string('The consumer group: offsets are committed there, once each execution is admitted.'),
  groupType: p.enum(['CONSUMER', 'SHARE'], 'CONSUMER (classic consumer group). SHARE (share groups) is not supported locally yet.').default('CONSUMER'),
  acknowledgeType: p.enum(['ACCEPT', 'RELEASE', 'REJECT', 'RENEW'], 'Only used with groupType SHARE.').default('ACCEPT'),
  keyDeserializer: p.enum(SERDE_TYPES, 'How the key is read.').default('STRING'),
  valueDeserializer: p.enum(SERDE_TYPES, 'How the value is read.').default('STRING'),
  schemaRegistryVendor: z.any().describe('Schema registry settings (for AVRO, not supported locally yet).').optional(),
  onSerdeError: z
    .object({
      type: p.enum(['SKIPPED', 'DLQ', 'STORE']).optional(),
      topic: z.string().optional(),
    })
    .strict()
    .describe('Accepted for Kestra compatibility; here an unreadable record always becomes a FAILED execution that keeps its bytes.')
    .optional(),
  since: p.string('An ISO-8601 date: where a group with no committed offsets starts reading.').optional(),
  headerFilters: z
    .record(z.string(), z.any())
    .describe('Only records whose headers all match (the last value of each listed header must equal) start an execution; the others are committed and skipped.')
    .optional(),
};

export const consumerSchema = z.object(consumerProps);
export type ConsumerProps = z.infer<typeof consumerSchema>;

export const CONSUMER_OUTPUTS = {
  key: 'The record key, read with keyDeserializer',
  value: 'The record value, read with valueDeserializer',
  topic: 'The topic of the record',
  partition: 'The partition of the record',
  timestamp: 'The record timestamp (ISO-8601)',
  offset: 'The offset of the record in its partition',
  headers: 'The record headers: a list of single-entry maps ({name: value}), in order, UTF-8 decoded (null for a header without a value)',
};

export interface Subscription {
  /** Topic names, or a RegExp for topicPattern. */
  topics: (string | RegExp)[];
  /** Restrict to these partitions (custom assignment inside the group). */
  partitions?: number[];
  /** Human description, for logs. */
  text: string;
}

/** Checks the combination of properties and builds the subscription; throws a plain message. */
export function subscriptionOf(props: ConsumerProps): Subscription {
  if (props.groupType === 'SHARE') {
    throw new Error('groupType SHARE (Kafka share groups, queue semantics) is not supported locally yet; use CONSUMER');
  }
  for (const [name, serde] of [['keyDeserializer', props.keyDeserializer], ['valueDeserializer', props.valueDeserializer]] as const) {
    const why = unsupportedSerde(String(serde));
    if (why) throw new Error(`${name}: ${why}`);
  }
  const hasTopic = props.topic !== undefined && !(Array.isArray(props.topic) && props.topic.length === 0);
  if (!hasTopic && !props.topicPattern) throw new Error('configure one of topic or topicPattern');
  if (hasTopic && props.topicPattern) throw new Error('configure only one of topic or topicPattern, not both');
  const partitions = Array.isArray(props.partitions) ? props.partitions.map((n) => Number(n)) : undefined;
  if (partitions?.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('partitions must be a list of partition numbers');
  if (props.topicPattern) {
    const re = javaRegex(props.topicPattern);
    return { topics: [re], partitions, text: `topics matching ${props.topicPattern}` };
  }
  const topics = (Array.isArray(props.topic) ? props.topic : String(props.topic).split(',')).map((t) => String(t).trim()).filter(Boolean);
  return { topics, partitions, text: `${topics.join(', ')}${partitions ? ` (partitions ${partitions.join(', ')})` : ''}` };
}

/**
 * A Java regular expression as a JS RegExp that must match the whole topic name (Java's
 * Pattern.matcher().matches()). Leading inline flags (?i) (?s) (?m), \A \Z \z, atomic groups and
 * possessive quantifiers are translated.
 */
export function javaRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      if (f === 'x') source = source.replace(/\\#/g, '\u0000').replace(/#.*$/gm, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
    }
  }
  source = source
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\[zZ]/g, '$1$')
    .replace(/\(\?>/g, '(?:')
    .replace(/([*+?}])\+/g, '$1');
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (e) {
    throw new Error(`topicPattern is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Assigns only the listed partitions of the subscribed topics, round-robin over the group's members. */
export function onlyPartitions(allowed: number[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'PeregrinePartitionsAssigner',
    version: 0,
    async assign({ members, topics }) {
      const ids = members.map((m) => m.memberId).sort();
      const plan: Record<string, Record<string, number[]>> = {};
      let i = 0;
      for (const topic of topics) {
        const existing = new Set(cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId));
        for (const partition of allowed) {
          if (!existing.has(partition)) continue;
          const member = ids[i++ % ids.length];
          ((plan[member] ??= {})[topic] ??= []).push(partition);
        }
      }
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: plan[memberId] ?? {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'PeregrinePartitionsAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/**
 * For `since`: the offset at that date of each partition the group has no committed offset for
 * ("topic/partition" → offset). Partitions with a committed offset keep it, as in Kestra.
 */
export async function sinceOffsets(
  kafka: Kafka, groupId: string, subscription: Subscription, since: string, logger: Logger,
): Promise<Map<string, string>> {
  const ts = Date.parse(since);
  if (Number.isNaN(ts)) throw new Error(`since must be an ISO-8601 date such as 2024-01-01T00:00:00Z (got ${since})`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = subscription.topics.some((t) => t instanceof RegExp)
      ? (await admin.listTopics()).filter((n) => subscription.topics.some((t) => t instanceof RegExp && t.test(n)))
      : (subscription.topics as string[]);
    const out = new Map<string, string>();
    if (!names.length) return out;
    const committed = await admin.fetchOffsets({ groupId, topics: names });
    for (const { topic, partitions } of committed) {
      const missing = partitions
        .filter((q) => Number(q.offset) < 0 && (!subscription.partitions || subscription.partitions.includes(q.partition)))
        .map((q) => q.partition);
      if (!missing.length) continue;
      for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, ts)) {
        if (missing.includes(partition)) out.set(`${topic}/${partition}`, offset);
      }
    }
    if (out.size) logger.info(`No committed offsets for ${[...out.keys()].join(', ')}: starting at ${new Date(ts).toISOString()} (since)`);
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

type Headers = KafkaMessage['headers'];

const headerText = (v: Buffer | string | null | undefined): string => (v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/**
 * A header's values, in order. kafkajs gathers headers with `obj[name]`, so a header named like a
 * member of Object.prototype (toString, constructor, __proto__) starts with that member: only bytes,
 * text or null are values, and only own properties are headers.
 */
function headerValues(headers: Headers, name: string): (Buffer | string | null)[] {
  if (!headers || !Object.hasOwn(headers, name)) return [];
  const raw: unknown = headers[name];
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is Buffer | string | null => v === null || Buffer.isBuffer(v) || typeof v === 'string');
}

/** Every listed header's last value must equal the filter (UTF-8), as Kestra's headerFilters. */
export function headerMatcher(filters: Record<string, unknown> | undefined): (headers: Headers) => boolean {
  const entries = Object.entries(filters ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)] as const);
  if (!entries.length) return () => true;
  return (headers) => {
    for (const [name, want] of entries) {
      const last = headerValues(headers, name).at(-1);
      if (last === undefined || headerText(last) !== want) return false;
    }
    return true;
  };
}

/** Kestra's List<Pair<String,String>> as JSON: a list of single-entry maps; a header sent without a value is null. */
export function headerList(headers: Headers): Record<string, string | null>[] {
  const out: Record<string, string | null>[] = [];
  for (const name of Object.keys(headers ?? {})) {
    for (const v of headerValues(headers, name)) out.push({ [name]: v === null ? null : headerText(v) });
  }
  return out;
}

/** A Java Instant's text: ISO-8601 in UTC, with no fraction when the milliseconds are zero. */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The record as Kestra's Message (trigger.* / one line of a batch), or why it could not be read. */
export function readRecord(
  topic: string, partition: number, message: KafkaMessage, keySerde: KafkaSerde, valueSerde: KafkaSerde,
): { record: Record<string, unknown>; failure?: { reason: string; raw: string } } {
  const key = deserialize(message.key, keySerde, 'key');
  const value = deserialize(message.value, valueSerde, 'value');
  const record: Record<string, unknown> = {
    key: key.ok ? key.value : null,
    value: value.ok ? value.value : null,
    topic,
    partition,
    timestamp: isoInstant(Number(message.timestamp)),
    offset: Number(message.offset),
    headers: headerList(message.headers),
  };
  const failure = !value.ok ? value : !key.ok ? key : undefined;
  // Only an unreadable value leaves; a record whose key alone is unreadable keeps its value.
  if (!value.ok) delete record.value;
  return failure && !failure.ok ? { record, failure: { reason: failure.reason, raw: failure.raw } } : { record };
}

/**
 * One record → one execution. Its identity is group/topic/partition/offset: a record read again by
 * the same group is not admitted twice, while a new groupId (a deliberate replay) starts anew.
 */
export function recordEvent(topic: string, partition: number, message: KafkaMessage, props: ConsumerProps): TriggerEvent {
  const { record, failure } = readRecord(topic, partition, message, props.keyDeserializer as KafkaSerde, props.valueDeserializer as KafkaSerde);
  return {
    variables: record,
    dedupKey: `${props.groupId}/${topic}/${partition}/${message.offset}`,
    eventTime: Number(message.timestamp),
    ...(failure ? { failure } : {}),
  };
}

/** Logs the properties that Kestra has but that do nothing here. */
export function reportConsumerProps(props: ConsumerProps, settings: ClientSettings, logger: Logger): void {
  if (props.onSerdeError) logger.info('onSerdeError is ignored: an unreadable record becomes a FAILED execution that keeps its bytes');
  if (props.schemaRegistryVendor) logger.info('schemaRegistryVendor is ignored (AVRO is not supported locally yet)');
  if (props.serdeProperties && Object.keys(props.serdeProperties).length) logger.info('serdeProperties are ignored (they configure AVRO / schema registry serdes)');
  if (settings.consumer.groupId && settings.consumer.groupId !== props.groupId) {
    logger.warn(`properties."group.id" (${settings.consumer.groupId}) is ignored: groupId (${props.groupId}) is used`);
  }
}
