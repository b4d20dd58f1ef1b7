// JetStream pieces shared by the NATS consumers (RealtimeTrigger, Trigger, Consume): Kestra's
// subscribe properties, finding the stream that captures the subject, creating or reusing the
// durable pull consumer, and turning a message into Kestra's message shape.
import { z } from 'zod';
import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerConfig, type ConsumerInfo, type JsMsg, type NatsConnection } from 'nats';
import { p } from '../schema';
import { headersOf, natsError } from './connection';

export const DELIVER_POLICIES = ['All', 'Last', 'New', 'ByStartSequence', 'ByStartTime', 'LastPerSubject'] as const;
export type KestraDeliverPolicy = (typeof DELIVER_POLICIES)[number];

export const subscribeProps = {
  subject: z.string().min(1).describe('The subject to consume (wildcards allowed). A JetStream stream must capture it.'),
  durableId: z
    .string()
    .optional()
    .describe('The durable consumer to attach to, so that consumption resumes where it stopped. Without it, triggers use a durable consumer named after the flow and trigger.'),
  since: z
    .string()
    .optional()
    .describe('An ISO-8601 date: when the consumer is created, deliver the messages stored from that time on (deliverPolicy ByStartTime).'),
  batchSize: p.int('How many messages are pulled at a time.').default(10),
  deliverPolicy: p
    .enum(DELIVER_POLICIES, 'Where a new consumer starts: All (default), Last, New, ByStartSequence, ByStartTime (with since) or LastPerSubject. An existing durable consumer keeps its position.')
    .default('All'),
};

export interface SubscribeProps {
  subject: string;
  durableId?: string;
  since?: string;
  batchSize: number;
  deliverPolicy: KestraDeliverPolicy;
}

const POLICY: Record<KestraDeliverPolicy, DeliverPolicy> = {
  All: DeliverPolicy.All,
  Last: DeliverPolicy.Last,
  New: DeliverPolicy.New,
  ByStartSequence: DeliverPolicy.StartSequence,
  ByStartTime: DeliverPolicy.StartTime,
  LastPerSubject: DeliverPolicy.LastPerSubject,
};

/** A JetStream durable name: no dots, wildcards or spaces. */
export function durableName(parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 200);
}

export interface OpenedConsumer {
  consumer: Consumer;
  stream: string;
  /** Stream name and creation time: with the stream sequence, a message identity that survives restarts. */
  streamKey: string;
  durable?: string;
  created: boolean;
  /** How long the server waits for an ack before redelivering. */
  ackWaitMs: number;
}

/**
 * Finds the stream capturing `subject` and attaches to the durable consumer `durable`, creating it
 * (explicit acks, filtered on the subject) when missing. Without `durable`, creates an ephemeral
 * consumer (Kestra's Consume task without durableId).
 */
export async function openConsumer(
  nc: NatsConnection, props: SubscribeProps, durable: string | undefined,
  opts: { owned: boolean; where: string; /** ack wait of a consumer we create (default 30 s) */ ackWaitMs?: number },
): Promise<OpenedConsumer> {
  const subject = props.subject;
  let jsm;
  try {
    jsm = await nc.jetstreamManager({ timeout: 5000 });
  } catch (e) {
    throw natsError(e, opts.where);
  }
  let stream: string;
  try {
    stream = await jsm.streams.find(subject);
  } catch (e) {
    if (/no stream matches subject/i.test((e as Error).message)) {
      throw new Error(
        `no JetStream stream captures subject ${subject}: create one, e.g. nats stream add ${suggestStream(subject)} --subjects '${subject}' --defaults`,
      );
    }
    throw natsError(e, opts.where);
  }
  const info = await jsm.streams.info(stream);
  const streamKey = `${stream}@${Date.parse(info.created) || info.created}`;

  const config = consumerConfig(props, durable, opts.ackWaitMs ?? 30_000);
  let existing: ConsumerInfo | undefined;
  if (durable) {
    try {
      existing = await jsm.consumers.info(stream, durable);
    } catch (e) {
      if ((e as { api_error?: { err_code?: number } }).api_error?.err_code !== 10014 && !/consumer not found/i.test((e as Error).message)) throw e;
    }
  }
  let created = false;
  if (existing) {
    if (existing.config.deliver_subject) {
      throw new Error(`the durable consumer ${durable} on stream ${stream} is a push consumer; this plugin needs a pull consumer: use another durableId`);
    }
    const filter = existing.config.filter_subject ?? '';
    if (filter !== subject) {
      if (!opts.owned) {
        throw new Error(
          `the durable consumer ${durable} on stream ${stream} filters ${filter || 'every subject'}, not ${subject}: use another durableId, or remove it (nats consumer rm ${stream} ${durable})`,
        );
      }
      // Ours (named after the flow and trigger) and the subject changed: start it again. Updating
      // filter_subject in place is not enough: nats-server 2.9 keeps waking the consumer for the
      // old subject only, so new messages would wait for the next pull.
      await jsm.consumers.delete(stream, durable!);
      await jsm.consumers.add(stream, config);
      created = true;
    }
  } else {
    const added = await jsm.consumers.add(stream, config);
    durable = added.name;
    created = true;
  }
  const consumer = await nc.jetstream().consumers.get(stream, durable!);
  const ackWaitNanos = (await consumer.info(true)).config.ack_wait;
  return { consumer, stream, streamKey, durable, created, ackWaitMs: ackWaitNanos ? ackWaitNanos / 1_000_000 : 30_000 };
}

function consumerConfig(props: SubscribeProps, durable: string | undefined, ackWaitMs: number): Partial<ConsumerConfig> & { ack_policy: AckPolicy } {
  let policy = props.deliverPolicy;
  let start: string | undefined;
  if (props.since) {
    const t = Date.parse(props.since);
    if (Number.isNaN(t)) throw new Error(`since must be an ISO-8601 date such as 2024-01-31T12:00:00Z, not "${props.since}"`);
    start = new Date(t).toISOString();
    policy = 'ByStartTime';
  }
  if (policy === 'ByStartTime' && !start) throw new Error('deliverPolicy ByStartTime needs since (an ISO-8601 date to start from)');
  if (policy === 'ByStartSequence') {
    throw new Error('deliverPolicy ByStartSequence needs a start sequence, which this plugin has no property for (as in Kestra): use All, New, Last, LastPerSubject, or ByStartTime with since');
  }
  return {
    ...(durable ? { durable_name: durable } : { inactive_threshold: 60_000_000_000 }),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: POLICY[policy],
    ...(start ? { opt_start_time: start } : {}),
    filter_subject: props.subject,
    ack_wait: ackWaitMs * 1_000_000,
    max_deliver: -1,
  };
}

function suggestStream(subject: string): string {
  const head = subject.split('.').find((t) => t !== '*' && t !== '>') ?? 'EVENTS';
  return head.toUpperCase().replace(/[^A-Z0-9_-]/g, '_') || 'EVENTS';
}

export interface NatsRecord {
  subject: string;
  headers: Record<string, string[]>;
  data: string;
  timestamp: string;
  /** Why the headers could not be read; the message is kept without them. */
  error?: string;
}

/** Kestra's NatsMessageOutput: subject, headers (map of lists), data (UTF-8 text), timestamp. */
export function messageRecord(m: JsMsg): NatsRecord {
  const record: NatsRecord = { subject: m.subject, headers: {}, data: Buffer.from(m.data).toString('utf8'), timestamp: timestampOf(m) };
  try {
    record.headers = headersOf(m.headers as unknown as Iterable<[string, string[]]> | undefined);
  } catch (e) {
    // The client decodes headers lazily and throws on a name another client may well have written
    // (a space, a non-ASCII letter): that must not stop the consumer on this message forever.
    record.error = `the message headers could not be read: ${(e as Error).message}`;
  }
  return record;
}

export function timestampOf(m: JsMsg): string {
  return new Date(Math.floor(m.info.timestampNanos / 1_000_000)).toISOString();
}
