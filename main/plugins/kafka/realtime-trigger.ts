// Kafka RealtimeTrigger: one execution per record. Unlike Kestra (commit after emitting), each
// fetched batch is admitted (one commit for many executions) and only then is offset+1 committed,
// per partition and in order; topic/partition/offset is the dedup key, so records re-read after a
// restart are not admitted twice. At the in-flight cap the consumer stops taking records (the fetch
// loop waits, heartbeating) until executions finish.
import type { EachBatchPayload } from 'kafkajs';
import { z } from 'zod';
import { AdmissionPipe } from '../common/admission-pipe';
import { p } from '../schema';
import type { TriggerContext, TriggerDefinition } from '../types';
import { clientSettings, createKafka, plainKafkaError } from './client';
import { CONSUMER_OUTPUTS, consumerProps, headerMatcher, recordEvent, type ConsumerProps } from './consumer';
import { javaCompatiblePartitioner } from './partitioner';
import { clientIdOf, openConsumer, type ConsumerIO, type TopicOffset } from './session';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export const kafkaRealtimeTrigger: TriggerDefinition<ConsumerProps> = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.kafka.RealtimeTrigger',
  title: 'Kafka (realtime)',
  description:
    'Starts one execution per Kafka record, within milliseconds. Offsets are committed only once the execution is stored, ' +
    'and topic/partition/offset identifies each record, so a restart neither loses nor repeats one.',
  category: 'Kafka',
  icon: 'kafka',
  props: z.object({
    ...consumerProps,
    pollDuration: p.duration('Accepted for older Kestra flows; the realtime consumer long-polls and hands each record over at once.').optional(),
  }),
  outputs: CONSUMER_OUTPUTS,
  examples: [
    {
      title: 'One execution per order placed on a Kafka topic',
      code: `id: kafka_orders
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.value.order_id }} for {{ trigger.value.customer }} (partition {{ trigger.partition }}, offset {{ trigger.offset }})"

triggers:
  - id: orders
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: orders
    properties:
      bootstrap.servers: localhost:9092
      auto.offset.reset: earliest
    groupId: peregrine-orders
    valueDeserializer: JSON
    headerFilters:
      event-type: order_created`,
    },
    {
      title: 'Kafka with SASL/SCRAM over TLS',
      code: `id: kafka_secure
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.key }} = {{ trigger.value }}"

triggers:
  - id: events
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: [payments, refunds]
    groupId: payments-audit
    properties:
      bootstrap.servers: broker.example.com:9093
      security.protocol: SASL_SSL
      sasl.mechanism: SCRAM-SHA-512
      sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="audit" password="{{ secret('KAFKA_PASSWORD') }}";`,
    },
  ],

  async start(ctx, props) {
    const matches = headerMatcher(props.headerFilters);
    const lags = new Map<string, number>();

    let commits: OffsetCommits | undefined;
    const pipe = new AdmissionPipe(ctx);
    const session = await openConsumer(ctx, props, (io) => {
      const heartbeatEvery = io.settings.consumer.config.heartbeatInterval ?? 1000;
      const chunkMax = io.settings.consumer.maxPollRecords;
      commits = new OffsetCommits(io, ctx, lags);
      // A fetch holding only control records (a transaction's commit marker, read_committed) never
      // reaches eachBatch: step the committed offset over it, or the lag would stay at 1.
      io.consumer.on(io.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize !== 0 || ctx.signal.aborted) return;
        commits!.add({ topic: payload.topic, partition: payload.partition, offset: (BigInt(payload.lastOffset) + 1n).toString() }, payload.highWatermark);
      });
      return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
        const { topic, partition, messages } = batch;
        const alive = () => isRunning() && !isStale() && !ctx.signal.aborted;
        let i = 0;
        while (i < messages.length) {
          if (!alive()) return;
          await untilCapacity(pipe, heartbeat, heartbeatEvery, alive);
          if (!alive()) return;
          const chunk = messages.slice(i, i + Math.max(1, pipe.room(chunkMax)));
          const events = chunk.filter((m) => matches(m.headers)).map((m) => recordEvent(topic, partition, m, props));
          const last = chunk[chunk.length - 1].offset;
          // The last chunk also steps over trailing control records (transaction markers).
          const done = i + chunk.length >= messages.length ? batch.lastOffset() : last;
          resolveOffset(last);
          // The next fetch does not wait for this commit; the offset is committed once it is done.
          pipe.push(events, {
            ack(results) {
              const seen = results.filter((r) => r.duplicate).length;
              if (seen) ctx.logger.info(`${seen} record(s) of ${topic}/${partition} read again (offsets not committed before a restart) already had their execution: skipped`);
              commits!.add({ topic, partition, offset: (BigInt(done) + 1n).toString() }, batch.highWatermark);
            },
          });
          i += chunk.length;
          if (i < messages.length) await heartbeat();
        }
      };
    });
    if (!session) return { stop() {} };
    return {
      stop: async () => {
        await pipe.drained();
        await commits?.settled();
        await session.stop();
      },
      lag: () => (lags.size ? [...lags.values()].reduce((a, b) => a + b, 0) : undefined),
      // Asked by the supervisor's watchdog when nothing was received for a while.
      backlog: () => session.backlog(),
      stallForTest: () => session.stallForTest(),
    };
  },

  async publish(ctx, props, message) {
    await produceTestMessage(ctx, props, message);
  },
};

/**
 * Offset commits that do not hold up the next fetch: the records' executions are admitted (durable)
 * before their offset is added, so a commit lost to a crash only means records read again, which
 * their offsets deduplicate. One commit at a time, carrying the newest offset of each partition.
 */
class OffsetCommits {
  private readonly next = new Map<string, { offset: TopicOffset; highWatermark: string; attempts: number }>();
  private running?: Promise<void>;

  constructor(private readonly io: ConsumerIO, private readonly ctx: TriggerContext, private readonly lags: Map<string, number>) {}

  add(offset: TopicOffset, highWatermark: string): void {
    this.next.set(`${offset.topic}/${offset.partition}`, { offset, highWatermark, attempts: 0 });
    this.running ??= this.drain();
  }

  /** Resolves once every offset added so far is committed (or its commit failed). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.next.size) {
      const batch = [...this.next.entries()];
      this.next.clear();
      try {
        await this.io.commit(batch.map(([, b]) => b.offset));
        for (const [key, b] of batch) this.lags.set(key, Math.max(0, Number(BigInt(b.highWatermark) - BigInt(b.offset.offset))));
      } catch (e) {
        // Tried again (unless a newer offset of the partition supersedes it); after a few failures
        // (e.g. the partition went to another member) left to the dedup of records read again.
        const retry = batch.filter(([key, b]) => !this.next.has(key) && b.attempts < 2 && !this.ctx.signal.aborted);
        for (const [key, b] of retry) this.next.set(key, { ...b, attempts: b.attempts + 1 });
        this.ctx.logger.debug(`offset commit failed${retry.length ? ', tried again in 1 s' : ''}: ${(e as Error).message}`);
        if (retry.length) await new Promise((r) => setTimeout(r, 1000));
      }
    }
    this.running = undefined;
  }
}

/** Waits (heartbeating, so the group keeps this member) until an execution slot is free. */
async function untilCapacity(pipe: AdmissionPipe, heartbeat: () => Promise<void>, every: number, alive: () => boolean): Promise<void> {
  let room: Promise<void> | undefined;
  while (pipe.room() === 0 && alive()) {
    room ??= pipe.waitForRoom().then(() => {
      room = undefined;
    });
    await Promise.race([room, sleep(every)]);
    if (alive()) await heartbeat();
  }
}

/** The inspector's "send test event": one record to the trigger's (first) topic. */
export async function produceTestMessage(
  ctx: TriggerContext, props: ConsumerProps, message: { payload: string; key?: string; headers?: Record<string, string> },
): Promise<void> {
  const topic = Array.isArray(props.topic) ? props.topic[0] : props.topic;
  if (!topic) throw new Error('a test event needs a topic (this trigger uses topicPattern)');
  const settings = clientSettings(props.properties, clientIdOf(ctx));
  const producer = createKafka(settings, ctx.logger).producer({ ...settings.producer.config, createPartitioner: javaCompatiblePartitioner });
  try {
    await producer.connect();
    await producer.send({ topic: String(topic), acks: settings.producer.acks, messages: [{ key: message.key ?? null, value: message.payload, headers: message.headers }] });
  } catch (e) {
    throw plainKafkaError(e, settings.brokers);
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
