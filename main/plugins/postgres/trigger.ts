// io.kestra.plugin.debezium.postgres.Trigger: every interval, reads what changed since the last
// batch (the existing rows first, with an INITIAL snapshot), writes one JSON-lines file per stream
// to internal storage and starts one execution with their URIs. The slot's confirmed LSN only
// moves once that execution is committed; a batch always ends on a transaction boundary.
import crypto from 'node:crypto';
import { z } from 'zod';
import { p, parseDuration } from '../schema';
import type { TriggerContext, TriggerDefinition } from '../types';
import { CdcSession, type ChangeEvent, type ChangeSink } from './cdc';
import { formatLsn } from './pgoutput';
import { cdcProps, type CdcProps } from './props';

const pollingProps = {
  interval: p.duration('How often to capture a batch.').default('PT60S'),
  maxRecords: p.int('The most rows in one batch (checked at transaction ends, not during the snapshot).').optional(),
  maxDuration: p.duration('The longest a capture may run (after the snapshot).').optional(),
  maxWait: p.duration('How long a capture waits for a new row before ending its batch.').default('PT10S'),
  maxSnapshotDuration: p
    .duration('The longest the snapshot should take. Accepted for Kestra; the snapshot always completes in one batch here (a warning is logged when it takes longer).')
    .default('PT1H'),
};

type PollingProps = CdcProps & { interval: string; maxRecords?: number; maxDuration?: string; maxWait: string; maxSnapshotDuration: string };

/** Collects one batch in memory, one list of JSON lines per stream, and says when it is complete. */
class BatchSink implements ChangeSink {
  readonly streams = new Map<string, string[]>();
  readonly failures: string[] = [];
  size = 0;
  safe = 0n;
  first?: string;
  private started = Date.now();
  private lastRecord = Date.now();
  snapshotting = false;

  constructor(private readonly ctx: TriggerContext, private readonly props: PollingProps) {}

  async change(e: ChangeEvent): Promise<void> {
    const stream = e.shaped.stream;
    let lines = this.streams.get(stream);
    if (!lines) this.streams.set(stream, (lines = []));
    lines.push(JSON.stringify(e.failure ? { error: e.failure.reason, raw: e.failure.raw } : e.shaped.data));
    this.first ??= e.dedupKey;
    this.size++;
    this.lastRecord = Date.now();
  }

  /** The snapshot is over: maxRecords, maxDuration and maxWait count from now (as in Kestra). */
  snapshotEnded(): void {
    this.started = Date.now();
    this.lastRecord = Date.now();
  }

  async safePoint(lsn: bigint): Promise<boolean> {
    if (lsn > this.safe) this.safe = lsn;
    return this.complete();
  }

  async idle(inTxn: boolean): Promise<boolean> {
    return !inTxn && this.complete();
  }

  private complete(): boolean {
    // Stopped: abandon the batch (nothing is confirmed, so it is read again next time).
    if (this.ctx.signal.aborted) throw new Error('the trigger stopped during a capture');
    const now = Date.now();
    const { maxRecords, maxDuration, maxWait } = this.props;
    if (typeof maxRecords === 'number' && this.size >= maxRecords) return true;
    const md = maxDuration ? parseDuration(maxDuration) : undefined;
    if (md !== undefined && now - this.started >= md) return true;
    const mw = parseDuration(maxWait) ?? 10_000;
    return now - this.lastRecord >= mw;
  }
}

async function capture(ctx: TriggerContext, props: PollingProps): Promise<void> {
  let lost: Error | undefined;
  const session = await CdcSession.open(ctx, props, (e) => (lost ??= e));
  try {
    const sink = new BatchSink(ctx, props);
    let snapshotDone: (() => void) | undefined;
    if (session.needsSnapshot) {
      const started = Date.now();
      snapshotDone = await session.snapshot(sink);
      const limit = parseDuration(props.maxSnapshotDuration);
      if (limit !== undefined && Date.now() - started > limit) ctx.logger.warn(`The snapshot took ${Date.now() - started} ms, longer than maxSnapshotDuration ${props.maxSnapshotDuration}`);
      sink.snapshotEnded();
    }
    if (props.snapshotMode !== 'INITIAL_ONLY') {
      session.skipDeliveredBefore(session.savedConfirmedLsn);
      await session.startStreaming();
      await session.pump(sink, 200);
      if (lost) throw lost; // a batch cut by a lost connection is not admitted: it is read again
    }
    if (sink.size) {
      const base = `triggers/${ctx.flow.namespace}/${ctx.flow.id}/${ctx.trigger.id}/${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
      const uris: Record<string, string> = {};
      for (const [stream, lines] of sink.streams) uris[stream] = ctx.services.storage.put(`${base}/${stream}.jsonl`, lines.join('\n') + '\n');
      await ctx.admit({ variables: { uris, size: sink.size }, dedupKey: `batch:${sink.first}:${formatLsn(sink.safe)}` });
      ctx.logger.info(`Captured ${sink.size} row(s): ${[...sink.streams].map(([s, l]) => `${s} ${l.length}`).join(', ')}`);
    }
    snapshotDone?.();
    if (sink.safe) {
      session.saveConfirmedLsn(sink.safe);
      session.confirm(sink.safe);
    }
  } finally {
    await session.close();
  }
}

export const postgresTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.debezium.postgres.Trigger',
  title: 'PostgreSQL CDC (polling)',
  description:
    'Every interval, captures the rows changed since the last batch (the existing rows first with an INITIAL snapshot) through logical replication, writes one JSON-lines file per stream to internal storage and starts one execution for the batch. The replication slot moves only once that execution is committed.',
  category: 'PostgreSQL',
  icon: 'postgres',
  props: z.object({ ...cdcProps, ...pollingProps }),
  outputs: {
    uris: 'One kestra:// URI per stream ("database.table" with splitTable TABLE), each a JSON-lines file of rows shaped as format says',
    size: 'How many rows the batch holds',
  },
  examples: [
    {
      title: 'Every minute, one execution with the rows changed in the shop database',
      code: `id: pg_cdc_batches
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.size }} change(s): {{ trigger.uris }}"
triggers:
  - id: trigger
    type: io.kestra.plugin.debezium.postgres.Trigger
    hostname: 127.0.0.1
    port: "5432"
    username: "{{ secret('PG_USERNAME') }}"
    password: "{{ secret('PG_PASSWORD') }}"
    database: shop
    pluginName: PGOUTPUT
    snapshotMode: INITIAL
    maxRecords: 100
    interval: PT60S`,
    },
  ],
  async start(ctx, props: PollingProps) {
    const interval = parseDuration(props.interval) ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      if (ctx.signal.aborted) return;
      running = capture(ctx, props).then(
        () => {
          if (!ctx.signal.aborted) timer = setTimeout(tick, interval);
        },
        (e) => {
          if (!ctx.signal.aborted) ctx.fail(e);
        },
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
  },
};
