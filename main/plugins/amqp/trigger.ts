// AMQP polling Trigger and the Consume task: take the messages waiting in a queue (up to maxRecords /
// maxDuration), write them as one JSON-lines file in internal storage, and acknowledge them only
// once the file exists — and, for the trigger, once the batch's execution is committed.
import type { Channel, GetMessage } from 'amqplib';
import { z } from 'zod';
import { admitBatch, batchLimits, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import { p, parseDuration } from '../schema';
import type { TaskDefinition, TriggerDefinition, TriggerHandle } from '../types';
import { connectionProps, explain, open, publishToQueue, within } from './connection';
import { recordOf } from './message';
import { consumerProps, openConsumer, warnAutoAck, type ConsumerProps } from './realtime-trigger';

type PollProps = ConsumerProps & PollingProps;

const BATCH_OUTPUTS = {
  uri: 'The batch file in internal storage: one message per line (JSON), with data and the message properties',
  count: 'How many messages it holds',
};

function requireALimit(props: { maxRecords?: unknown; maxDuration?: unknown }): void {
  if (props.maxRecords === undefined && props.maxDuration === undefined) {
    throw new Error('set maxRecords or maxDuration (or both): Kestra requires one of them to bound each batch');
  }
}

/** Takes the messages waiting (no waiting for more), up to the limits. */
async function take(channel: Channel, queue: string, autoAck: boolean, maxRecords: number, deadline: number, signal?: AbortSignal): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  while (taken.length < maxRecords && Date.now() < deadline && !signal?.aborted) {
    const m = await channel.get(queue, { noAck: autoAck });
    if (!m) break;
    taken.push(m);
  }
  return taken;
}

export const amqpTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.amqp.Trigger',
  title: 'AMQP queue (polling)',
  description:
    'Every interval, takes the messages waiting in a RabbitMQ queue (up to maxRecords, for at most maxDuration) and starts one execution with all of them in a file (trigger.uri). The messages are acknowledged only once that execution is committed.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({ ...connectionProps, ...consumerProps, ...pollingProps }),
  outputs: BATCH_OUTPUTS,
  examples: [{
    title: 'A batch of at most 500 messages every minute',
    code: `id: amqp_batches
namespace: company.team
tasks:
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.count }} messages in {{ trigger.uri }}"
triggers:
  - id: batch
    type: io.kestra.plugin.amqp.Trigger
    host: localhost
    port: 5672
    username: guest
    password: "{{ secret('AMQP_PASSWORD') }}"
    queue: events
    interval: PT1M
    maxRecords: 500
    maxDuration: PT10S
    serdeType: JSON`,
  }],

  async start(ctx, props: PollProps): Promise<TriggerHandle> {
    requireALimit(props);
    warnAutoAck(ctx, props);
    const { conn, channel } = await openConsumer(ctx, props);
    let stopping = false;
    conn.onLost((e) => {
      if (!stopping) ctx.fail(e);
    });
    const handle = pollEvery(ctx, props, async () => {
      const { maxRecords, deadline } = batchLimits(props);
      const taken = await take(channel, props.queue, props.autoAck, maxRecords, deadline, ctx.signal).catch((e) => {
        throw explain(e, { target: conn.target, queue: props.queue });
      });
      if (!taken.length) return;
      const last = taken[taken.length - 1];
      try {
        await admitBatch(ctx, taken.map((m) => recordOf(m, props.serdeType)), (uri, count) => ({ uri, count }));
      } catch (e) {
        if (!props.autoAck) {
          try {
            channel.nack(last, true, true);
          } catch {
            // the channel is closed: RabbitMQ requeues them anyway
          }
        }
        throw e;
      }
      // The batch file and its execution are committed: acknowledge them all (one frame).
      if (!props.autoAck) channel.ack(last, true);
      ctx.logger.debug(`Admitted a batch of ${taken.length} message(s) from "${props.queue}"`);
    });
    return {
      async stop() {
        stopping = true;
        await handle.stop();
        await conn.close();
      },
    };
  },

  async publish(_ctx, props: PollProps, message) {
    await publishToQueue(props, props.queue, message);
  },
};

export const amqpConsume: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.amqp.Consume',
  title: 'AMQP Consume',
  description:
    'Consumes messages from a RabbitMQ queue until maxRecords messages were read or maxDuration has passed (one is required), and writes them to a file in internal storage. The messages are acknowledged once the file is stored.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({
    ...connectionProps,
    ...consumerProps,
    maxRecords: p.int('Stop after this many messages.').optional(),
    maxDuration: p.duration('Stop after this long.').optional(),
  }),
  outputs: BATCH_OUTPUTS,
  examples: [{
    title: 'Read up to 1,000 messages, waiting at most 30 seconds',
    code: `id: amqp_consume
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.amqp.Consume
    host: localhost
    port: 5672
    username: guest
    password: "{{ secret('AMQP_PASSWORD') }}"
    queue: events
    maxRecords: 1000
    maxDuration: PT30S
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.consume.count }} messages in {{ outputs.consume.uri }}"`,
  }],
  async run(ctx, props: ConsumerProps & { maxRecords?: number; maxDuration?: string }) {
    requireALimit(props);
    const maxRecords = typeof props.maxRecords === 'number' ? props.maxRecords : Number.POSITIVE_INFINITY;
    const ms = props.maxDuration ? parseDuration(props.maxDuration) ?? 0 : 0;
    const deadline = ms ? Date.now() + ms : Number.POSITIVE_INFINITY;
    if (props.autoAck) ctx.logger.warn('autoAck is true: the messages read are lost if this task fails before storing them');
    const conn = await open(props);
    try {
      const channel = await conn.channel();
      try {
        await channel.checkQueue(props.queue);
      } catch (e) {
        throw explain(e, { target: conn.target, queue: props.queue });
      }
      const taken: GetMessage[] = [];
      // Like Kestra: wait for messages until one of the limits is reached.
      while (taken.length < maxRecords && Date.now() < deadline && !ctx.signal.aborted) {
        const got = await take(channel, props.queue, props.autoAck, maxRecords - taken.length, deadline, ctx.signal);
        taken.push(...got);
        if (!got.length) await sleep(Math.min(100, Math.max(0, deadline - Date.now())), ctx.signal);
      }
      const records = taken.map((m) => recordOf(m, props.serdeType));
      const name = `executions/${ctx.execution.id}/${ctx.taskRun.id}/${ctx.task.id}-${Date.now()}.jsonl`;
      const uri = ctx.services.storage.put(name, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
      if (taken.length && !props.autoAck) channel.ack(taken[taken.length - 1], true);
      await within(channel.close(), 3000).catch(() => {});
      ctx.logger.info(`Consumed ${taken.length} message(s) from "${props.queue}"`);
      return { uri, count: taken.length };
    } finally {
      await conn.close();
    }
  },
};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
