// NATS JetStream RealtimeTrigger. A durable pull consumer with explicit acks: messages are pulled
// (at most batchSize at a time, never beyond the in-flight cap), admitted as executions, and only
// then acknowledged. The stream sequence is the execution's dedup key, so a message redelivered
// after a crash between commit and ack is acknowledged again, not admitted twice.
import { z } from 'zod';
import type { ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import { headers as natsHeaders } from 'nats';
import { AdmissionPipe } from '../common/admission-pipe';
import { decode, eventFor } from '../common/serde';
import type { TriggerContext, TriggerDefinition, TriggerEvent, TriggerHandle, TestMessage } from '../types';
import { clientName, closeQuietly, connectionProps, connectNats, natsError, parseNatsUrl, staleAfterS, type ConnectionProps } from './connection';
import { durableName, messageRecord, openConsumer, subscribeProps, type SubscribeProps } from './jetstream';

/** How long one pull request waits on an idle stream before the next one is sent. */
const PULL_EXPIRES_MS = 10_000;
/**
 * Ack wait of the consumers this trigger creates. A message waits for its ack only as long as one
 * admission commit takes (pulls never exceed the room under the in-flight cap), so 10 s is ample;
 * it is also how soon the messages a crashed engine held come back.
 */
const ACK_WAIT_MS = 10_000;

export type RealtimeProps = ConnectionProps & SubscribeProps;

export const natsRealtimeTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.nats.RealtimeTrigger',
  aliases: ['io.kestra.plugin.nats.core.RealtimeTrigger'],
  title: 'NATS JetStream (realtime)',
  description:
    'Starts one execution per message of a NATS JetStream subject, within milliseconds. Uses a durable pull consumer with explicit acks: a message is acknowledged only once its execution is committed, and a redelivered message is never admitted twice (the stream sequence is its identity). A stream must capture the subject.',
  category: 'NATS',
  icon: 'nats',
  props: z.object({
    ...connectionProps,
    ...subscribeProps,
  }),
  outputs: {
    subject: 'The subject the message was published to',
    headers: 'The message headers, each a list of values',
    data: 'The payload as UTF-8 text (parse JSON with fromJson(trigger.data))',
    timestamp: 'When JetStream stored the message (ISO-8601)',
  },
  examples: [
    {
      title: 'One execution per order published on orders.>',
      code: `id: nats_orders
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.subject }}: {{ trigger.data }}"
triggers:
  - id: watch
    type: io.kestra.plugin.nats.RealtimeTrigger
    url: nats://localhost:4222
    username: nats_user
    password: "{{ secret('NATS_PASSWORD') }}"
    subject: orders.>
    durableId: orders_processor
    deliverPolicy: All`,
    },
  ],
  async start(ctx, props: RealtimeProps) {
    const where = parseNatsUrl(props.url).servers.join(', ');
    const batchSize = Math.max(1, props.batchSize);
    const nc = await connectNats(props, clientName('trigger', { namespace: ctx.flow.namespace, flowId: ctx.flow.id, id: ctx.trigger.id }));
    let stopping = false;
    let opened;
    try {
      opened = await openConsumer(nc, props, props.durableId ?? defaultDurable(ctx), { owned: !props.durableId, where, ackWaitMs: ACK_WAIT_MS });
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
    const { consumer, stream, streamKey, durable } = opened;
    ctx.logger.info(`Consuming ${props.subject} from stream ${stream} with durable consumer ${durable}${opened.created ? ' (created)' : ''}`);

    // nats.js closes a connection whose pings go unanswered without an error: remember why.
    let stale = false;
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'staleConnection') stale = true;
    })().catch(() => {});
    void nc.closed().then(async (err) => {
      await new Promise((r) => setImmediate(r)); // the status events queued before the close are read first
      if (stopping) return;
      if (err) ctx.fail(natsError(err, where));
      else if (stale) ctx.fail(new Error(`the NATS server at ${where} stopped answering (its pings went unanswered for ${staleAfterS()} s) — the connection is considered lost`));
      else ctx.fail(new Error(`the connection to the NATS server at ${where} was closed`));
    });

    const pipe = new AdmissionPipe(ctx);
    const toEvent = (m: JsMsg): TriggerEvent => {
      const { data, error, ...meta } = messageRecord(m);
      // Unreadable headers: a FAILED execution that keeps the payload and says why.
      const decoded = error ? { ok: false as const, reason: error, raw: data } : decode(Buffer.from(m.data), 'STRING');
      const event = eventFor(decoded, 'data', meta, `${streamKey}/${m.info.streamSequence}`);
      event.eventTime = Math.floor(m.info.timestampNanos / 1_000_000);
      return event;
    };
    let current: ConsumerMessages | undefined;
    /** Test only: while set, no pull is sent (connected, receiving nothing); resolved by stop(). */
    let stalled: { release(): void; released: Promise<void> } | undefined;
    ctx.setState('RUNNING');
    const loop = (async () => {
      while (!ctx.signal.aborted && !stopping) {
        // At the cap nothing is pulled (the broker keeps the messages) until executions end.
        await pipe.waitForRoom();
        if (stalled) await stalled.released;
        if (ctx.signal.aborted || stopping) break;
        current = await consumer.fetch({ max_messages: pipe.room(batchSize), expires: PULL_EXPIRES_MS });
        if (stopping) current.stop();
        // Each message is admitted as it arrives, acknowledged once committed; on failure it is handed back at once.
        for await (const m of current) {
          pipe.push([toEvent(m)], { ack: () => safe(() => m.ack()), nack: () => safe(() => m.nak()) });
        }
      }
    })().catch((e) => {
      if (ctx.signal.aborted || stopping) return;
      if (/consumer deleted|consumer not found/i.test((e as Error).message)) {
        ctx.fail(new Error(`the durable consumer ${durable} on stream ${stream} was deleted on the server; it will be created again`));
      } else if (/stream not found|no responders/i.test((e as Error).message)) {
        ctx.fail(new Error(`stream ${stream} or its consumer ${durable} is gone from the NATS server at ${where}`));
      } else ctx.fail(natsError(e, where));
    });

    const handle: TriggerHandle = {
      async stop() {
        stopping = true;
        current?.stop();
        stalled?.release();
        await loop;
        await pipe.drained();
        await closeQuietly(nc);
      },
      /**
       * Messages stored for this consumer and not yet delivered to it (num_pending). Delivered but
       * unacknowledged ones (num_ack_pending) are not waiting: they are ours already.
       */
      backlog: async () => (await consumer.info()).num_pending,
      stallForTest() {
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        stalled = { release, released };
        current?.stop();
      },
    };
    return handle;
  },
  async publish(ctx, props: RealtimeProps, message: TestMessage) {
    await publishTest(ctx, props, message);
  },
};

/** Without durableId, one durable consumer per trigger, named after it: a restart resumes there. */
export function defaultDurable(ctx: Pick<TriggerContext, 'flow' | 'trigger'>): string {
  return durableName(['peregrine', ctx.flow.namespace, ctx.flow.id, ctx.trigger.id]);
}

/** The inspector's "send test event": published through JetStream, so it is stored before we return. */
export async function publishTest(ctx: TriggerContext, props: ConnectionProps & { subject: string }, message: TestMessage): Promise<void> {
  const nc: NatsConnection = await connectNats(props, clientName('test-publisher', { namespace: ctx.flow.namespace, flowId: ctx.flow.id, id: ctx.trigger.id }));
  try {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(message.headers ?? {})) h.append(k, v);
    const subject = /[*>]/.test(props.subject) ? props.subject.replace(/\*/g, 'test').replace(/>/g, 'test') : props.subject;
    await nc.jetstream().publish(subject, Buffer.from(message.payload, 'utf8'), { headers: h });
  } finally {
    await closeQuietly(nc, false);
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // the connection is gone: the broker redelivers after the ack wait
  }
}
