// Google Pub/Sub RealtimeTrigger: one execution per message. The subscriber's own flow control
// (maxMessages = the in-flight cap, no excess) bounds what the client holds; messages arriving in
// the same tick are admitted in one commit and acked only then (nacked if the admission fails).
// The messageId is the dedup key, so a redelivery (ack lost in a crash, deadline passed) never runs
// twice. Kestra acks right after emitting instead.
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { z } from 'zod';
import type { SerdeType } from '../common/serde';
import { p } from '../schema';
import type { TriggerContext, TriggerDefinition } from '../types';
import {
  connectionProps, createClient, defaultSubscription, fromMessage, messageEvent, openSubscription, pubsubError, serdeTypeProp,
  subscriptionProps, watchSubscriber, type ConnectionProps, type SubscriptionProps,
} from './connection';

/** Most messages admitted in one commit. */
const BATCH = 500;
/**
 * A subscriber closed within moments of opening can leave a streaming pull open on the server (seen
 * with the Pub/Sub fake when a flow is saved twice in quick succession): that stream then takes
 * messages nobody reads. Stopping waits until the subscriber has been open this long.
 */
const MIN_OPEN_MS = 1000;

export interface PubsubRealtimeProps extends ConnectionProps, SubscriptionProps {
  serdeType: SerdeType;
}

export const pubsubRealtimeTrigger: TriggerDefinition<PubsubRealtimeProps> = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger',
  title: 'Google Pub/Sub (realtime)',
  description:
    'Starts one execution per message of a Google Cloud Pub/Sub subscription, within milliseconds. A message is acked only once its ' +
    'execution is committed (nacked if that fails), its messageId makes sure a redelivery never runs twice, and the subscriber holds ' +
    'no more messages than the in-flight cap. Honours PUBSUB_EMULATOR_HOST. The payload is read as published (Kestra\'s own ' +
    'Publish base64-encodes it, so such messages arrive base64-encoded here).',
  category: 'Google Pub/Sub',
  icon: 'gcp-pubsub',
  props: z.object({
    ...connectionProps,
    ...subscriptionProps,
    serdeType: serdeTypeProp,
    interval: p.duration('Accepted for Kestra compatibility; a realtime trigger does not poll.').optional(),
    maxRecords: p.int('Accepted for Kestra compatibility; not used by the realtime trigger.').optional(),
    maxDuration: p.duration('Accepted for Kestra compatibility; not used by the realtime trigger.').optional(),
  }),
  outputs: {
    data: 'The message data, decoded as serdeType says (STRING: the text; JSON: the parsed value)',
    attributes: 'The message attributes (a map)',
    messageId: 'The Pub/Sub message id (also the dedup key)',
    orderingKey: 'The ordering key ("" when none)',
    publishTime: 'When Pub/Sub received the message (ISO-8601)',
  },
  examples: [{
    title: 'One execution per Pub/Sub message',
    code: `id: pubsub_orders
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.data.order_id }} ({{ trigger.messageId }}, {{ trigger.attributes }})"

triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    projectId: my-project
    serviceAccount: "{{ secret('GCP_SERVICE_ACCOUNT_JSON') }}"
    topic: orders
    subscription: kestra-subscription
    serdeType: JSON`,
  }],

  async start(ctx, props) {
    const client = createClient(props, ctx.logger);
    const name = props.subscription || defaultSubscription(ctx, props.topic);
    try {
      await openSubscription(client, props, name, ctx.logger);
    } catch (e) {
      await client.close().catch(() => {});
      throw e;
    }
    const consumer = new Consumer(ctx, props, client, name);
    ctx.setState('RUNNING');
    // No backlog(): the Pub/Sub API cannot count undelivered messages (only Cloud Monitoring's
    // num_undelivered_messages metric can, which the emulator/pstest does not serve).
    return { stop: () => consumer.stop() };
  },

  async publish(ctx, props, message) {
    const client = createClient(props, ctx.logger);
    try {
      const attributes = { ...(message.headers ?? {}), ...(message.attributes ?? {}) };
      await client.topic(props.topic).publishMessage({ data: Buffer.from(message.payload), attributes, ...(message.key ? { orderingKey: message.key } : {}) });
    } catch (e) {
      throw pubsubError(e, `topic ${props.topic}`);
    } finally {
      await client.close().catch(() => {});
    }
    ctx.logger.info(`Published a test message to ${props.topic}`);
  },
};

class Consumer {
  private readonly sub: Subscription;
  /** Delivered, waiting for room under the in-flight cap (bounded by the subscriber's flow control). */
  private readonly waiting: Message[] = [];
  private admitting = 0;
  private readonly pending = new Set<Promise<void>>();
  private scheduled = false;
  private waitingForCapacity = false;
  private stopped = false;
  private readonly openedAt = Date.now();

  constructor(private readonly ctx: TriggerContext, private readonly props: PubsubRealtimeProps, private readonly client: PubSub, private readonly name: string) {
    this.sub = client.subscription(name, {
      flowControl: { maxMessages: Math.max(1, ctx.maxInFlight), allowExcessMessages: false },
      closeOptions: { behavior: 'NACK' },
    });
    watchSubscriber(this.sub, name, (e) => {
      if (!this.stopped) ctx.fail(e);
    });
    this.sub.on('close', () => {
      if (!this.stopped) ctx.fail(new Error(`the Pub/Sub subscription ${name} was closed`));
    });
    this.sub.on('message', (m: Message) => {
      if (this.stopped) return m.nack();
      this.waiting.push(m);
      this.schedule();
    });
  }

  /** Messages of one tick are admitted together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const { ctx } = this;
    while (this.waiting.length && !this.stopped) {
      const room = Math.min(BATCH, ctx.maxInFlight - ctx.inFlight() - this.admitting);
      if (room <= 0) {
        // At the cap: the messages stay with the subscriber (leases extended) until an execution ends.
        if (!this.waitingForCapacity) {
          this.waitingForCapacity = true;
          const busy = [...this.pending];
          void (busy.length ? Promise.race(busy) : ctx.waitForCapacity()).then(() => {
            this.waitingForCapacity = false;
            this.schedule();
          });
        }
        return;
      }
      const batch = this.waiting.splice(0, room);
      this.admitting += batch.length;
      const done: Promise<void> = this.admit(batch).finally(() => {
        this.admitting -= batch.length;
        this.pending.delete(done);
      });
      this.pending.add(done);
    }
  }

  private async admit(batch: Message[]): Promise<void> {
    try {
      await this.ctx.admitMany(batch.map((m) => messageEvent(fromMessage(m), this.props.serdeType)));
    } catch (e) {
      for (const m of batch) m.nack(); // not admitted: redelivered
      this.ctx.fail(e);
      return;
    }
    for (const m of batch) m.ack();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const m of this.waiting.splice(0)) m.nack(); // never admitted: back to Pub/Sub now
    await Promise.allSettled([...this.pending]); // admitted ones are acked
    const young = MIN_OPEN_MS - (Date.now() - this.openedAt);
    if (young > 0) await new Promise((r) => setTimeout(r, young)); // meanwhile, deliveries are nacked
    await this.sub.close().catch(() => {}); // flushes the acks and nacks (listeners stay: they ignore a stopped consumer)
    await this.client.close().catch(() => {});
  }
}
