// Shared by the polling twins: run a poll every `interval`, write each non-empty batch to internal
// storage as JSON lines, and admit one execution for it before the source is acknowledged.
import crypto from 'node:crypto';
import { z } from 'zod';
import { p, parseDuration } from '../schema';
import type { TriggerContext, TriggerHandle } from '../types';

export const pollingProps = {
  interval: p.duration('How often to poll.').default('PT60S'),
  maxRecords: p.int('The most records in one batch.').optional(),
  maxDuration: p.duration('The longest a poll may collect records.').optional(),
};

export const pollingSchema = z.object(pollingProps);
export type PollingProps = z.infer<typeof pollingSchema>;

/** Limits of one poll: stop at maxRecords or when maxDuration has passed. */
export function batchLimits(props: PollingProps, fallbackMax = 1000): { maxRecords: number; deadline: number } {
  const maxRecords = typeof props.maxRecords === 'number' ? props.maxRecords : fallbackMax;
  const ms = props.maxDuration ? parseDuration(props.maxDuration) ?? 0 : 0;
  return { maxRecords, deadline: ms ? Date.now() + ms : Number.POSITIVE_INFINITY };
}

/** Calls `poll` now and then every interval until stopped; a throw fails the trigger (backoff). */
export function pollEvery(ctx: TriggerContext, props: PollingProps, poll: () => Promise<void>): TriggerHandle {
  const interval = parseDuration(props.interval) ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    if (ctx.signal.aborted) return;
    running = poll().then(
      () => {
        if (!ctx.signal.aborted) timer = setTimeout(tick, interval);
      },
      (e) => ctx.fail(e),
    );
  };
  ctx.setState('RUNNING');
  tick();
  return {
    async stop() {
      clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}

/** Writes a batch as JSON lines and admits one execution for it; resolves after the commit. */
export async function admitBatch(ctx: TriggerContext, records: unknown[], outputs: (uri: string, count: number) => Record<string, unknown>, dedupKey?: string) {
  const name = `triggers/${ctx.flow.namespace}/${ctx.flow.id}/${ctx.trigger.id}/${Date.now()}-${crypto.randomBytes(4).toString('hex')}.jsonl`;
  const uri = ctx.services.storage.put(name, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return ctx.admit({ variables: outputs(uri, records.length), ...(dedupKey ? { dedupKey } : {}) });
}

/**
 * The messages of one poll from a queue that hides what it delivered until it is acknowledged or
 * its hold runs out (SQS visibility timeout, Pub/Sub ack deadline).
 */
export interface HeldBatchSource<M> {
  /** Receives at most `room` more messages; an empty answer means nothing is waiting. */
  receive(room: number, deadline: number): Promise<M[]>;
  /** A message's identity: one delivered twice in a poll is in the batch once, as its latest copy. */
  idOf(message: M): string;
  /** Keeps the messages hidden while the batch is collected and admitted. */
  hold(messages: M[]): void | Promise<void>;
  /** Stops keeping them hidden (after admission, and whenever the poll ends). */
  release(): void;
  /** Stopped while collecting: makes the batch deliverable now rather than when its hold runs out. */
  handBack(batch: M[]): Promise<void>;
  /** The batch file's line for a message. */
  record(message: M): unknown;
  /** Acknowledges (deletes) the batch once its execution is committed. */
  acknowledge(batch: M[]): Promise<void>;
}

/**
 * One poll: receives until the limits or an empty answer, admits one execution for the batch
 * (trigger.uri, trigger.count), and only then acknowledges it.
 */
export async function admitHeldBatch<M>(ctx: TriggerContext, props: PollingProps, source: HeldBatchSource<M>): Promise<void> {
  const { maxRecords, deadline } = batchLimits(props);
  const taken = new Map<string, M>();
  try {
    while (taken.size < maxRecords && Date.now() < deadline && !ctx.signal.aborted) {
      const got = await source.receive(maxRecords - taken.size, deadline);
      if (!got.length) break;
      for (const m of got) taken.set(source.idOf(m), m);
      await source.hold(got);
    }
    const batch = [...taken.values()];
    if (!batch.length) return;
    if (ctx.signal.aborted) {
      await source.handBack(batch);
      return;
    }
    await admitBatch(ctx, batch.map((m) => source.record(m)), (uri, count) => ({ uri, count }));
    source.release();
    await source.acknowledge(batch);
  } finally {
    source.release();
  }
}
