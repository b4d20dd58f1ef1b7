// Google Pub/Sub polling Trigger: every interval, pulls messages with synchronous Pull (up to
// maxRecords, for at most maxDuration, or until a pull comes back empty), keeps their ack deadline
// extended while the batch is collected and admitted, writes them to one batch file, admits one
// execution, and only then acknowledges them. Stopped midway, it hands them back (deadline 0).
import { v1 } from '@google-cloud/pubsub';
import { z } from 'zod';
import { admitHeldBatch, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import type { SerdeType } from '../common/serde';
import type { Logger, TriggerDefinition } from '../types';
import {
  connectionProps, createClient, defaultSubscription, fromPulled, messageRecord, openSubscription, pubsubError, serdeTypeProp,
  subscriptionProps, type ConnectionProps, type Received, type SubscriptionProps,
} from './connection';

export interface PubsubPollingProps extends ConnectionProps, SubscriptionProps, PollingProps {
  serdeType: SerdeType;
}

/** How long one pull may wait for messages (an empty or expired pull ends the poll). */
const PULL_WAIT_MS = 2000;
/** Ack deadline kept on collected messages until they are acknowledged. */
const LEASE_SECONDS = 60;

/** A pulled message with the ackId of this delivery. */
interface Pulled { ackId: string; message: Received }

export const pubsubTrigger: TriggerDefinition<PubsubPollingProps> = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.gcp.pubsub.Trigger',
  title: 'Google Pub/Sub (polling)',
  description:
    'Every interval, pulls the messages waiting on a Google Cloud Pub/Sub subscription (up to maxRecords, for at most maxDuration) and ' +
    'starts one execution with all of them in a file. Messages are acknowledged only once that execution is committed. Honours PUBSUB_EMULATOR_HOST.',
  category: 'Google Pub/Sub',
  icon: 'gcp-pubsub',
  props: z.object({
    ...connectionProps,
    ...subscriptionProps,
    serdeType: serdeTypeProp,
    ...pollingProps,
  }),
  outputs: {
    uri: 'The batch file (JSON lines, one message {data, attributes, messageId, orderingKey, publishTime} per line) in internal storage',
    count: 'How many messages it holds',
  },
  examples: [{
    title: 'A batch of Pub/Sub messages every minute',
    code: `id: pubsub_batch
namespace: company.team

tasks:
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.count }} message(s) in {{ trigger.uri }}"

triggers:
  - id: trigger
    type: io.kestra.plugin.gcp.pubsub.Trigger
    projectId: my-project
    topic: orders
    subscription: kestra-batch
    maxRecords: 100
    interval: PT1M`,
  }],

  async start(ctx, props) {
    const client = createClient(props, ctx.logger);
    const name = props.subscription || defaultSubscription(ctx, props.topic);
    let subscriber: v1.SubscriberClient;
    try {
      await openSubscription(client, props, name, ctx.logger);
      subscriber = new v1.SubscriberClient((await client.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0]);
    } catch (e) {
      await client.close().catch(() => {});
      throw e;
    }
    const subscription = client.subscription(name).name;
    const what = `subscription ${name}`;
    const handle = pollEvery(ctx, props, () => {
      const lease = new Lease(subscriber, subscription, ctx.logger);
      return admitHeldBatch<Pulled>(ctx, props, {
        async receive(room, deadline) {
          const wait = Math.max(200, Math.min(PULL_WAIT_MS, deadline - Date.now()));
          try {
            const [response] = await subscriber.pull({ subscription, maxMessages: Math.min(1000, room) }, { timeout: wait, maxRetries: 0 });
            const pulled: Pulled[] = [];
            for (const r of response.receivedMessages ?? []) if (r.ackId && r.message) pulled.push({ ackId: r.ackId, message: fromPulled(r.message) });
            return pulled;
          } catch (e) {
            if ((e as { code?: number }).code === 4 /* DEADLINE_EXCEEDED: nothing came */) return [];
            throw pubsubError(e, what);
          }
        },
        idOf: (p) => p.message.id || p.ackId,
        hold: (got) => lease.hold(got.map((p) => p.ackId)),
        release: () => lease.stop(),
        handBack: () => lease.handBack(), // every delivery held, older copies of a duplicate too
        record: (p) => messageRecord(p.message, props.serdeType),
        acknowledge: (batch) => acknowledge(subscriber, subscription, batch.map((p) => p.ackId), ctx.logger),
      });
    });
    return {
      async stop() {
        await handle.stop();
        await subscriber.close().catch(() => {});
        await client.close().catch(() => {});
      },
    };
  },
};

async function acknowledge(subscriber: v1.SubscriberClient, subscription: string, ackIds: string[], logger: Logger): Promise<void> {
  for (let i = 0; i < ackIds.length; i += 1000) {
    try {
      await subscriber.acknowledge({ subscription, ackIds: ackIds.slice(i, i + 1000) });
    } catch (e) {
      logger.warn(`Pub/Sub did not take the acknowledgement of ${Math.min(1000, ackIds.length - i)} batched message(s): ${(e as Error).message}; they may come in a later batch`);
    }
  }
}

/** Keeps the ack deadline of collected messages extended until they are acknowledged. */
class Lease {
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly subscriber: v1.SubscriberClient, private readonly subscription: string, private readonly logger: Logger) {}

  async hold(ackIds: string[]): Promise<void> {
    for (const id of ackIds) this.held.add(id);
    await this.modify(ackIds, LEASE_SECONDS);
    if (!this.timer) {
      this.timer = setInterval(() => void this.modify([...this.held], LEASE_SECONDS), (LEASE_SECONDS * 1000) / 2);
      this.timer.unref?.();
    }
  }

  async handBack(): Promise<void> {
    const ids = [...this.held];
    this.stop();
    await this.modify(ids, 0);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.held.clear();
  }

  private async modify(ackIds: string[], seconds: number): Promise<void> {
    for (let i = 0; i < ackIds.length; i += 1000) {
      await this.subscriber
        .modifyAckDeadline({ subscription: this.subscription, ackIds: ackIds.slice(i, i + 1000), ackDeadlineSeconds: seconds })
        .catch((e: Error) => this.logger.debug(`Pub/Sub modifyAckDeadline failed: ${e.message}`));
    }
  }
}
