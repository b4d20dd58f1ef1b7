// NATS JetStream polling Trigger: every interval, pulls what the durable consumer has (batchSize at a
// time, each pull waiting up to pollDuration), writes the batch to one file, admits one execution
// for it, and only then acknowledges the messages.
import { z } from 'zod';
import type { ConsumerMessages, JsMsg } from 'nats';
import { admitBatch, batchLimits, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import { p, parseDuration } from '../schema';
import type { TriggerDefinition, TestMessage } from '../types';
import { clientName, closeQuietly, connectionProps, connectNats, natsError, parseNatsUrl, type ConnectionProps } from './connection';
import { messageRecord, openConsumer, subscribeProps, type OpenedConsumer, type SubscribeProps } from './jetstream';
import { defaultDurable, publishTest } from './realtime-trigger';

export const pollDurationProp = p.duration('How long one pull waits for batchSize messages (at least 1 s).').default('PT2S');

export type PollProps = ConnectionProps & SubscribeProps & PollingProps & { pollDuration: string };

export const natsTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.nats.Trigger',
  aliases: ['io.kestra.plugin.nats.core.Trigger'],
  title: 'NATS JetStream (polling)',
  description:
    'Every interval, takes the messages waiting on a NATS JetStream subject and starts one execution with all of them in a file (JSON lines: subject, headers, data, timestamp). Messages are acknowledged only once the file and the execution are committed. A stream must capture the subject.',
  category: 'NATS',
  icon: 'nats',
  props: z.object({
    ...connectionProps,
    ...subscribeProps,
    pollDuration: pollDurationProp,
    ...pollingProps,
  }),
  outputs: {
    uri: 'The batch file in internal storage: one JSON line per message {subject, headers, data, timestamp}',
    messagesCount: 'How many messages it holds',
  },
  examples: [
    {
      title: 'Every minute, one execution with the messages of kestra.trigger',
      code: `id: nats_batch
namespace: company.team
tasks:
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.messagesCount }} messages in {{ trigger.uri }}"
triggers:
  - id: watch
    type: io.kestra.plugin.nats.Trigger
    url: nats://localhost:4222
    username: nats_user
    password: "{{ secret('NATS_PASSWORD') }}"
    subject: kestra.trigger
    durableId: natsTrigger
    deliverPolicy: All
    interval: PT1M
    maxRecords: 500`,
    },
  ],
  async start(ctx, props: PollProps) {
    const where = parseNatsUrl(props.url).servers.join(', ');
    const nc = await connectNats(props, clientName('trigger', { namespace: ctx.flow.namespace, flowId: ctx.flow.id, id: ctx.trigger.id }));
    let stopping = false;
    let opened;
    try {
      opened = await openConsumer(nc, props, props.durableId ?? defaultDurable(ctx), { owned: !props.durableId, where });
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
    ctx.logger.info(`Polling ${props.subject} from stream ${opened.stream} with durable consumer ${opened.durable}`);
    void nc.closed().then((err) => {
      if (stopping) return;
      ctx.fail(err ? natsError(err, where) : new Error(`the connection to the NATS server at ${where} was closed`));
    });
    const pull: PullControl = { stopped: () => stopping || ctx.signal.aborted };
    const handle = pollEvery(ctx, props, async () => {
      const taken = await pullBatch(opened, props, pull, 100_000);
      if (!taken.length) return;
      if (pull.stopped()) {
        for (const m of taken) quietly(() => m.nak()); // stopping: let the next consumer have them at once
        return;
      }
      try {
        await admitBatch(ctx, taken.map(messageRecord), (uri, messagesCount) => ({ uri, messagesCount }));
      } catch (e) {
        for (const m of taken) quietly(() => m.nak());
        throw e;
      }
      for (const m of taken) m.ack();
      await nc.flush();
    });
    return {
      async stop() {
        stopping = true;
        pull.current?.stop();
        await handle.stop();
        await closeQuietly(nc);
      },
    };
  },
  async publish(ctx, props: PollProps, message: TestMessage) {
    await publishTest(ctx, props, message);
  },
};

/**
 * Kestra's Consume loop: pulls batchSize at a time (each pull waiting up to pollDuration) until a
 * pull comes back short, maxRecords or maxDuration is reached. Held messages are kept alive
 * (`working`) so that a long poll does not see them redelivered.
 */
export interface PullControl {
  stopped(): boolean;
  /** The pull in progress, so that a stop can end it at once. */
  current?: ConsumerMessages;
}

export async function pullBatch(
  opened: Pick<OpenedConsumer, 'consumer' | 'ackWaitMs'>, props: SubscribeProps & PollingProps & { pollDuration: string },
  control: PullControl, fallbackMax: number,
): Promise<JsMsg[]> {
  const { maxRecords, deadline } = batchLimits(props, fallbackMax);
  const expires = Math.max(1000, parseDuration(props.pollDuration) ?? 2000);
  const batchSize = Math.max(1, props.batchSize);
  const taken: JsMsg[] = [];
  const keepAlive = setInterval(() => {
    for (const m of taken) quietly(() => m.working());
  }, Math.max(250, Math.min(10_000, opened.ackWaitMs / 3)));
  try {
    while (taken.length < maxRecords && !control.stopped()) {
      const want = Math.min(batchSize, maxRecords - taken.length);
      const left = deadline - Date.now();
      if (left <= 0) break;
      const iter = await opened.consumer.fetch({ max_messages: want, expires: Math.max(1000, Math.min(expires, left)) });
      control.current = iter;
      if (control.stopped()) iter.stop();
      let got = 0;
      for await (const m of iter) {
        taken.push(m);
        got++;
      }
      if (got < want) break;
    }
  } finally {
    clearInterval(keepAlive);
    control.current = undefined;
  }
  return taken;
}

/** Acks, naks and keep-alives on a lost connection: the server redelivers after the ack wait. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // the connection is gone; the poll or the trigger fails on its own
  }
}
