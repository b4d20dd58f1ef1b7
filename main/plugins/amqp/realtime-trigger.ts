// AMQP RealtimeTrigger: one execution per message of a RabbitMQ queue. Unlike Kestra (ack right
// after the execution is emitted, no prefetch), each message is acknowledged only once its execution
// is committed, and the prefetch equals the trigger's in-flight cap: messages wait unacknowledged
// (at most `prefetch` of them) while the cap is reached, so RabbitMQ itself stops delivering.
import type { Channel, ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import { p } from '../schema';
import { AdmissionPipe } from '../common/admission-pipe';
import type { SerdeType } from '../common/serde';
import type { TriggerContext, TriggerDefinition, TriggerHandle } from '../types';
import { connectionProps, explain, open, publishToQueue, within, type AmqpConnection, type ConnectionProps } from './connection';
import { eventOf, identityOf } from './message';

/** Messages admitted together at most. */
const BATCH = 500;
/** Seconds between heartbeats: a broker gone silent is noticed in about twice this. */
export const HEARTBEAT_S = 10;

export const consumerProps = {
  queue: z.string().describe('The queue to consume; it must exist.'),
  consumerTag: z.string().describe('A client-generated consumer tag to establish context.').default('Kestra'),
  autoAck: p.bool('Let the broker consider each message acknowledged as soon as it is delivered. Messages can then be lost if the engine stops before their execution is committed; leave it false.').default(false),
  serdeType: p.enum(['STRING', 'JSON'] as const, 'How the message body is read: STRING (text) or JSON.').default('STRING'),
};

export type ConsumerProps = ConnectionProps & { queue: string; consumerTag: string; autoAck: boolean; serdeType: SerdeType };

export const MESSAGE_OUTPUTS: Record<string, string> = {
  data: 'The message body, decoded as serdeType says (text for STRING, a value for JSON)',
  contentType: 'The MIME content type, when the publisher set one',
  contentEncoding: 'The content encoding, when set',
  headers: 'The message headers (values as text), when there are any',
  deliveryMode: 'The delivery mode: 1 transient, 2 persistent',
  priority: 'The message priority, when set',
  messageId: 'The publisher\'s message id, when set (Peregrine admits a message id only once)',
  correlationId: 'The correlation id, when set',
  replyTo: 'The reply-to queue, when set',
  expiration: 'The message TTL as an ISO-8601 duration, when set',
  timestamp: 'The publisher\'s timestamp (ISO-8601), when set',
  type: 'The message type, when set',
  userId: 'The publishing user id, when set',
  appId: 'The publishing application id, when set',
};

/** Opens the connection, a channel, and checks the queue, with errors in plain words. */
export async function openConsumer(ctx: TriggerContext, props: ConsumerProps): Promise<{ conn: AmqpConnection; channel: Channel }> {
  const conn = await open(props, { heartbeat: HEARTBEAT_S });
  try {
    const channel = await conn.channel();
    try {
      await channel.checkQueue(props.queue);
    } catch (e) {
      throw explain(e, { target: conn.target, queue: props.queue });
    }
    return { conn, channel };
  } catch (e) {
    await conn.close();
    throw explain(e, { target: conn.target, queue: props.queue });
  }
}

/**
 * The watchdog's view of the queue: messages ready (not delivered to anyone). Asked on a channel
 * of its own, so that a failed check (the queue was deleted: the broker closes the channel) never
 * closes the consumer's channel; the consumer's cancel notification reports that case.
 */
export function queueBacklog(conn: AmqpConnection, queue: string): () => Promise<number> {
  let side: Promise<Channel> | undefined;
  return async () => {
    side ??= conn.model.createChannel().then((ch) => {
      ch.on('error', () => {}); // the failed call rejects with the reason
      ch.on('close', () => (side = undefined));
      return ch;
    });
    const ch = await side.catch((e) => {
      side = undefined;
      throw e;
    });
    return (await within(ch.checkQueue(queue), 5000)).messageCount;
  };
}

export function warnAutoAck(ctx: TriggerContext, props: ConsumerProps): void {
  if (props.autoAck) {
    ctx.logger.warn(
      `autoAck is true: RabbitMQ forgets each message of "${props.queue}" as soon as it is delivered, so messages not yet admitted are lost if the engine stops or crashes. Leave autoAck false to have each message acknowledged once its execution is committed.`,
    );
  }
}

export const amqpRealtimeTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.amqp.RealtimeTrigger',
  title: 'AMQP queue (realtime)',
  description:
    'Starts one execution per message of a RabbitMQ (AMQP 0-9-1) queue, within milliseconds. Each message is acknowledged only once its execution is committed; a message with a messageId is never admitted twice. The prefetch equals the trigger\'s in-flight cap, so a busy flow slows the queue down instead of buffering without bound.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({ ...connectionProps, ...consumerProps }),
  outputs: MESSAGE_OUTPUTS,
  examples: [{
    title: 'One execution per order message, decoded as JSON',
    code: `id: amqp_orders
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.data.id }} ({{ trigger.messageId ?? 'no id' }}) for {{ trigger.data.amount }}"
triggers:
  - id: orders
    type: io.kestra.plugin.amqp.RealtimeTrigger
    host: localhost
    port: 5672
    username: guest
    password: "{{ secret('AMQP_PASSWORD') }}"
    virtualHost: /
    queue: orders
    serdeType: JSON`,
  }],

  async start(ctx, props: ConsumerProps): Promise<TriggerHandle> {
    warnAutoAck(ctx, props);
    const { conn, channel } = await openConsumer(ctx, props);
    const autoAck = props.autoAck;
    const pending: ConsumeMessage[] = [];
    let stopping = false;
    let paused = false;
    let consumerTag = props.consumerTag;
    let pumping: Promise<void> | undefined;
    const pipe = new AdmissionPipe(ctx);
    let warnedRedelivery = false;

    const lose = (e: unknown) => {
      if (!stopping) ctx.fail(e);
    };
    conn.onLost(lose);

    const onMessage = (msg: ConsumeMessage | null) => {
      if (msg === null) {
        lose(new Error(`RabbitMQ cancelled the consumer of queue "${props.queue}" (was the queue deleted?)`));
        return;
      }
      if (msg.fields.redelivered && !identityOf(msg) && !warnedRedelivery) {
        warnedRedelivery = true;
        ctx.logger.warn(
          `Message(s) of "${props.queue}" are redelivered without a messageId: if an earlier run admitted them before it could acknowledge, they start a second execution. Set messageId when publishing to have duplicates dropped.`,
        );
      }
      pending.push(msg);
      // With autoAck there is no prefetch: pause the consumer when the buffer reaches the cap.
      if (autoAck && !paused && pending.length >= ctx.maxInFlight) void pause();
      pump();
    };

    const consume = async () => {
      const ok = await channel.consume(props.queue, onMessage, { noAck: autoAck, consumerTag });
      consumerTag = ok.consumerTag;
    };
    const pause = async () => {
      paused = true;
      await channel.cancel(consumerTag).catch(lose);
    };
    const resume = async () => {
      paused = false;
      await consume().catch((e) => lose(explain(e, { target: conn.target, queue: props.queue })));
    };

    // ack/nack on a channel that just closed throws; the loss itself is reported by the close event.
    const settle = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        ctx.logger.debug(`could not settle messages on a closed channel: ${(e as Error).message}`);
      }
    };

    const pump = () => {
      if (pumping) return; // the running loop takes the new message too
      pumping = (async () => {
        await undefined; // `pumping` is set before this loop can end
        try {
          while (pending.length && !ctx.signal.aborted) {
            await pipe.waitForRoom();
            if (ctx.signal.aborted) break;
            const batch = pending.splice(0, pipe.room(BATCH));
            const last = batch[batch.length - 1];
            // Only once they are committed does RabbitMQ forget them (one ack for the batch); if
            // they cannot be, they go back to the queue and the supervisor backs off.
            pipe.push(batch.map((m) => eventOf(m, props.serdeType)), {
              ack: () => {
                if (!autoAck) settle(() => channel.ack(last, true));
              },
              nack: () => {
                if (!autoAck) settle(() => channel.nack(last, true, true));
              },
            });
            if (autoAck && paused && !stopping && pending.length < ctx.maxInFlight / 2) await resume();
          }
        } catch (e) {
          lose(e);
        } finally {
          pumping = undefined;
        }
      })();
    };

    try {
      // The cap on messages delivered and not acknowledged: RabbitMQ stops at it (ignored with autoAck).
      if (!autoAck) await channel.prefetch(Math.min(ctx.maxInFlight, 65_535));
      await consume();
    } catch (e) {
      stopping = true;
      await conn.close();
      throw explain(e, { target: conn.target, queue: props.queue });
    }
    ctx.setState('RUNNING');
    ctx.logger.info(`Consuming "${props.queue}" on ${conn.target.host}:${conn.target.port} (virtual host "${conn.target.vhost}", prefetch ${autoAck ? 'none (autoAck)' : Math.min(ctx.maxInFlight, 65_535)})`);

    const handle: TriggerHandle = {
      async stop() {
        stopping = true;
        // Stop deliveries, let the batch being admitted finish and be acknowledged, then close:
        // what is still unacknowledged goes back to the queue.
        await within(channel.cancel(consumerTag), 2000).catch(() => {});
        await pumping;
        await pipe.drained();
        await conn.close();
      },
      backlog: queueBacklog(conn, props.queue),
      /** Test only: RabbitMQ stops delivering while the consumer stays connected (a silent stall). */
      stallForTest: async () => {
        await channel.cancel(consumerTag);
      },
    };
    return handle;
  },

  async publish(_ctx, props: ConsumerProps, message) {
    await publishToQueue(props, props.queue, message);
  },
};
