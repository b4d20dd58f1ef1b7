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
