// io.kestra.plugin.debezium.postgres.RealtimeTrigger: one execution per captured row change,
// within milliseconds, from PostgreSQL logical replication (pgoutput).
//
// Admit, then confirm: changes are admitted in commit order (batched across transactions when
// several wait), and the slot's confirmed LSN only moves past a transaction once every execution
// of it is committed. Each change's identity — its transaction's commit LSN and its position in
// the transaction — is the dedup key, so whatever PostgreSQL sends again after a crash or a
// restart (everything after the confirmed LSN) is not admitted twice.
//
// Bounded: never more than maxInFlight executions admitted and unfinished; at the cap the reader
// stops taking messages, the small decoded queue fills and the socket is paused, so a burst (one
// transaction of a million rows) waits in PostgreSQL, not in memory.
import { z } from 'zod';
import { AdmissionPipe } from '../common/admission-pipe';
import { p } from '../schema';
import type { TriggerContext, TriggerDefinition, TriggerEvent, TriggerHandle } from '../types';
import { CdcSession, type ChangeEvent, type ChangeSink } from './cdc';
import { cdcProps, type CdcProps } from './props';

/** The most changes admitted together. */
const BATCH = 200;

export const realtimeOnlyProps = {
  offsetsCommitMode: p
    .enum(['ON_EACH_BATCH', 'ON_STOP'])
    .default('ON_EACH_BATCH')
    .describe('Accepted for Kestra. Peregrine confirms the LSN after each admission commit whatever it says (the safer of both).'),
  maxRecords: p.int('Accepted for Kestra (it belongs to the polling Trigger); ignored here.').optional(),
  maxDuration: p.duration('Accepted for Kestra (it belongs to the polling Trigger); ignored here.').optional(),
  maxWait: p.duration('Accepted for Kestra (it belongs to the polling Trigger); ignored here.').optional(),
  maxSnapshotDuration: p.duration('Accepted for Kestra (it belongs to the polling Trigger); ignored here.').optional(),
};

export function toTriggerEvent(e: ChangeEvent): TriggerEvent {
  return {
    variables: { stream: e.shaped.stream, data: e.shaped.data },
    dedupKey: e.dedupKey,
    eventTime: e.eventTime,
    ...(e.failure ? { failure: e.failure } : {}),
  };
}

/**
 * Admits changes in batches that never take the trigger past its in-flight cap, without waiting
 * for earlier commits; the slot's position moves past a batch once it (and all before it) is committed.
 */
class AdmitSink implements ChangeSink {
  private pending: TriggerEvent[] = [];
  private safe = 0n;
  private readonly pipe: AdmissionPipe;
  constructor(private readonly ctx: TriggerContext, private readonly session: CdcSession) {
    this.pipe = new AdmissionPipe(ctx);
  }

  async change(event: ChangeEvent): Promise<void> {
    while (!this.ctx.signal.aborted && this.pending.length >= this.pipe.room(BATCH)) {
      if (this.pending.length) this.admitPending();
      else await this.pipe.waitForRoom();
    }
    this.pending.push(toTriggerEvent(event));
  }

  async safePoint(lsn: bigint): Promise<boolean> {
    if (lsn > this.safe) this.safe = lsn;
    if (!this.pending.length) this.admitPending();
    return false;
  }

  async idle(): Promise<boolean> {
    this.admitPending();
    return false;
  }

  /** Admits what is pending and resolves once everything is committed and confirmed. */
  async flush(): Promise<void> {
    this.admitPending();
    await this.pipe.drained();
  }

  /** Resolves once every admitted batch is committed (and confirmed, if the session is still open). */
  settled(): Promise<void> {
    return this.pipe.drained();
  }

  /** An empty batch still confirms, in turn, the position every earlier change is behind. */
  private admitPending(): void {
    const batch = this.pending;
    this.pending = [];
    const safe = this.safe;
    this.pipe.push(batch, {
      ack: () => {
        if (safe) this.session.confirm(safe);
      },
    });
  }
}

export const postgresRealtimeTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.debezium.postgres.RealtimeTrigger',
  title: 'PostgreSQL CDC (realtime)',
  description:
    'Starts one execution per row inserted, updated or deleted in PostgreSQL, within milliseconds, through logical replication (pgoutput). ' +
    'An INITIAL snapshot emits the existing rows first. The replication slot only moves past a change once its execution is committed, and a change read again after a crash is never admitted twice (its LSN is its identity). ' +
    'Needs wal_level = logical. Deletes carry the whole old row only with REPLICA IDENTITY FULL; otherwise only the primary key columns are known (the others are null).',
  category: 'PostgreSQL',
  icon: 'postgres',
  props: z.object({ ...cdcProps, ...realtimeOnlyProps }),
  outputs: {
    stream: 'Where the row comes from: "database.table" (splitTable TABLE, the default), "database" (DATABASE) or "data" (OFF)',
    data:
      'The change. INLINE: the row\'s columns (after image; before image for a delete), the `deleted` boolean, the primary key columns and `metadata` {operation CREATE|UPDATE|DELETE|READ, source {db, schema, table, lsn, txId, timestamp, snapshot…}, timestamp}. WRAP: the same with the row under `record`. RAW: {key, value: {before, after, source, op, ts_ms}, deleted}',
  },
  examples: [
    {
      title: 'One execution per change of the orders table',
      code: `id: orders_cdc
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.stream }} {{ trigger.data.metadata.operation }} order {{ trigger.data.id }} (deleted: {{ trigger.data.deleted }})"
triggers:
  - id: realtime
    type: io.kestra.plugin.debezium.postgres.RealtimeTrigger
    hostname: 127.0.0.1
    port: "5432"
    username: "{{ secret('PG_USERNAME') }}"
    password: "{{ secret('PG_PASSWORD') }}"
    database: shop
    includedTables: public.orders
    snapshotMode: INITIAL`,
    },
  ],
  async start(ctx, props: CdcProps) {
    const session = await CdcSession.open(ctx, props, (e) => ctx.fail(e));
    const sink = new AdmitSink(ctx, session);
    let streaming = false;
    try {
      if (!session.needsSnapshot && props.snapshotMode !== 'INITIAL_ONLY') {
        await session.startStreaming(); // errors here (slot in use) are start errors
        streaming = true;
      }
    } catch (e) {
      await session.close();
      throw e;
    }
    ctx.setState('RUNNING');
    const run = (async () => {
      if (session.needsSnapshot) {
        const done = await session.snapshot(sink);
        await sink.flush();
        done();
      }
      if (props.snapshotMode === 'INITIAL_ONLY') {
        ctx.logger.info('snapshotMode INITIAL_ONLY: the snapshot is done; changes are not captured');
        await session.close();
        return;
      }
      if (!streaming) await session.startStreaming();
      await session.pump(sink);
    })().catch((e) => {
      if (!ctx.signal.aborted) ctx.fail(e);
    });
    const handle: TriggerHandle = {
      async stop() {
        await session.close();
        await run;
        await sink.settled();
        ctx.logger.debug(`Stopped; at most ${session.maxQueued()} decoded change message(s) waited in memory at once`);
      },
      /** Change messages read from PostgreSQL and waiting in memory for admission (bounded). */
      lag: () => session.queued(),
      /** 1 ("at least one", hence a lower bound) when changes wait in PostgreSQL while the stream delivers nothing (no cheap count: see CdcSession.backlog). */
      backlog: () => session.backlog(),
      backlogIsLowerBound: true,
      stallForTest: () => session.stallForTest(),
    };
    return handle;
  },
};
