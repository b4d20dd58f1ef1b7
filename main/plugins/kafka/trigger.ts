// Kafka polling Trigger: every interval, the records gathered since the last batch (up to
// maxRecords; waiting up to pollDuration when there are none) are written to one JSON-lines file
// and admitted as one execution; only then are their offsets committed. One long-lived consumer
// gathers the records and pauses when maxRecords are waiting, so memory stays bounded.
import type { EachBatchPayload } from 'kafkajs';
import { z } from 'zod';
import { admitBatch, batchLimits, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import { p, parseDuration } from '../schema';
import type { TriggerDefinition } from '../types';
import { consumerProps, headerMatcher, readRecord, type ConsumerProps } from './consumer';
import type { KafkaSerde } from './serde';
import { openConsumer, type ConsumerIO, type TopicOffset } from './session';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** When records are still arriving at poll time, wait for this much quiet before cutting the batch. */
const SETTLE_MS = 50;
/** With no maxRecords, the most records held (and put in one batch). */
const DEFAULT_MAX = 10_000;

type Props = ConsumerProps & PollingProps & { pollDuration: string };

interface Entry {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  /** The batch line, or null for a record skipped by headerFilters (committed, no line). */
  line: Record<string, unknown> | null;
}

export const kafkaTrigger: TriggerDefinition<Props> = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.kafka.Trigger',
  title: 'Kafka (polling)',
  description:
    'Every interval, starts one execution with the Kafka records that arrived since the last one, in a file (trigger.uri). ' +
    'Offsets are committed once the file and the execution are stored.',
  category: 'Kafka',
  icon: 'kafka',
  props: z.object({
    ...consumerProps,
    ...pollingProps,
    pollDuration: p.duration('How long to wait for records when none are waiting.').default('PT5S'),
  }),
  outputs: {
    uri: 'The batch file in internal storage: one JSON record per line (key, value, topic, partition, timestamp, offset, headers)',
    messagesCount: 'How many records the file holds',
  },
  examples: [
    {
      title: 'Micro-batches of Kafka records every 30 seconds',
      code: `id: kafka_batches
namespace: company.team

tasks:
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.messagesCount }} records in {{ trigger.uri }}"

triggers:
  - id: batch
    type: io.kestra.plugin.kafka.Trigger
    topic: clicks
    properties:
      bootstrap.servers: localhost:9092
    groupId: clicks-batches
    valueDeserializer: JSON
    interval: PT30S
    maxRecords: 500`,
    },
  ],

  async start(ctx, props) {
    const matches = headerMatcher(props.headerFilters);
    const cap = typeof props.maxRecords === 'number' && props.maxRecords > 0 ? props.maxRecords : DEFAULT_MAX;
    const pending: Entry[] = [];
    /** Keys in `pending` or in a batch being admitted: a record re-read after a rebalance is not taken twice. */
    const known = new Set<string>();
    /** Next offset committed by this consumer, per partition. */
    const committed = new Map<string, bigint>();
    let lines = 0;
    let paused = false;
    let arrived: (() => void) | undefined;

    // A crash between admitting a batch and committing its offsets is recovered here: the batch's
    // offsets were noted (durably) before the commit, so the group starts after them.
    const where = [ctx.flow.namespace, ctx.flow.id, ctx.trigger.id] as const;
    const note = (committing: TopicOffset[]) => ctx.services.triggerState.set(...where, { groupId: props.groupId, committing });
    const saved = ctx.services.triggerState.get<{ groupId?: string; committing?: TopicOffset[] }>(...where);
    const resumeAt = saved?.groupId === props.groupId ? saved.committing ?? [] : [];

    const eachBatch = (io: ConsumerIO) => async ({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) => {
      const { topic, partition } = batch;
      const tp = `${topic}/${partition}`;
      for (const m of batch.messages) {
        if (!isRunning() || isStale() || ctx.signal.aborted) return;
        if (pending.length >= cap) {
          // Hold the rest in Kafka until a batch has been taken (they are fetched again on resume).
          const topics = io.assignedTopics().map((t) => ({ topic: t }));
          if (topics.length) io.consumer.pause(topics);
          paused = true;
          return;
        }
        const offset = BigInt(m.offset);
        const key = `${tp}/${m.offset}`;
        if (!known.has(key) && offset >= (committed.get(tp) ?? -1n)) {
          let line: Record<string, unknown> | null = null;
          if (matches(m.headers)) {
            const { record, failure } = readRecord(topic, partition, m, props.keyDeserializer as KafkaSerde, props.valueDeserializer as KafkaSerde);
            line = failure ? { ...record, value: null, error: failure.reason, raw: failure.raw } : record;
            lines++;
          }
          pending.push({ topic, partition, offset, key, line });
          known.add(key);
        }
        resolveOffset(m.offset);
      }
      arrived?.();
    };

    const session = await openConsumer(ctx, props, (io) => {
      // A fetch holding only control records (transaction markers) never reaches eachBatch: note its
      // end so that the next batch's commit steps over it.
      io.consumer.on(io.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize !== 0) return;
        const tp = `${payload.topic}/${payload.partition}`;
        const offset = BigInt(payload.lastOffset);
        const key = `${tp}/${payload.lastOffset}`;
        if (known.has(key) || offset < (committed.get(tp) ?? -1n)) return;
        pending.push({ topic: payload.topic, partition: payload.partition, offset, key, line: null });
        known.add(key);
      });
      return eachBatch(io);
    }, resumeAt);
    if (!session) return { stop() {} };

    if (session.resumed.length) {
      await session.commit(session.resumed);
      for (const r of session.resumed) committed.set(`${r.topic}/${r.partition}`, BigInt(r.offset));
      ctx.logger.warn(`Committed the offsets of a batch admitted before the last stop: ${session.resumed.map((r) => `${r.topic}/${r.partition}@${r.offset}`).join(', ')}`);
    }
    if (resumeAt.length) note([]);

    const waitForArrival = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        function done() {
          clearTimeout(timer);
          arrived = undefined;
          resolve();
        }
        arrived = done;
      });

    const handle = pollEvery(ctx, props, async () => {
      const { maxRecords, deadline } = batchLimits(props, cap);
      const end = Math.min(deadline, Date.now() + (parseDuration(props.pollDuration) ?? 5000));
      // Wait for the first record (pollDuration at most), then for the stream to settle.
      while (lines < maxRecords && Date.now() < end && !ctx.signal.aborted) {
        if (lines === 0) await waitForArrival(end - Date.now());
        else {
          const before = pending.length;
          await sleep(SETTLE_MS);
          if (pending.length === before) break;
        }
      }
      if (!pending.length || ctx.signal.aborted) return;
      const taken: Entry[] = [];
      let count = 0;
      for (const e of pending) {
        if (e.line && count >= maxRecords) break;
        taken.push(e);
        if (e.line) count++;
      }
      const batchLines = taken.filter((e) => e.line).map((e) => e.line!);
      const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
      for (const e of taken) next.set(`${e.topic}/${e.partition}`, { topic: e.topic, partition: e.partition, offset: e.offset + 1n });
      if (batchLines.length) {
        const ranges = [...new Map(taken.map((e) => [`${e.topic}/${e.partition}`, e])).keys()]
          .map((tp) => {
            const own = taken.filter((e) => `${e.topic}/${e.partition}` === tp);
            return `${tp}/${own[0].offset}-${own[own.length - 1].offset}`;
          })
          .join(',');
        await admitBatch(ctx, batchLines, (uri, n) => ({ uri, messagesCount: n }), ranges);
      }
      const offsets = [...next.values()].map((n) => ({ topic: n.topic, partition: n.partition, offset: n.offset.toString() }));
      note(offsets);
      await session.commit(offsets);
      note([]);
      for (const [tp, n] of next) committed.set(tp, n.offset);
      pending.splice(0, taken.length);
      lines -= count;
      for (const e of taken) known.delete(e.key);
      if (paused && pending.length < cap) {
        paused = false;
        const topics = session.assignedTopics().map((t) => ({ topic: t }));
        if (topics.length) session.consumer.resume(topics);
      }
    });

    return {
      async stop() {
        arrived?.();
        await handle.stop();
        await session.stop();
      },
    };
  },
};
