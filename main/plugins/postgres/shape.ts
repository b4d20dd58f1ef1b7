// Turns a row change into what Kestra's Debezium plugins hand a flow: `stream` and `data`, shaped
// by format (INLINE | RAW | WRAP), deleted, key, metadata and splitTable exactly as Kestra's
// ChangeConsumer does with the Debezium envelope {before, after, source, op, ts_ms}.
import type { ChangeOptions } from './props';

export type Op = 'c' | 'u' | 'd' | 'r';
export type Row = Record<string, unknown>;

export interface Change {
  op: Op;
  schema: string;
  table: string;
  /** Row image before the change: the old row (REPLICA IDENTITY FULL) or only its key columns. */
  before: Row | null;
  /** Row image after the change (null for deletes). */
  after: Row | null;
  /** Primary key values (Debezium's record key), null when the table has no primary key. */
  key: Row | null;
  source: {
    /** Commit time (ms since epoch); snapshot rows: when the snapshot was taken. */
    tsMs: number;
    snapshot: 'true' | 'false' | 'last';
    txId?: number;
    /** LSN of the change (commit LSN for streamed rows), as Debezium's decimal long. */
    lsn?: bigint;
    /** Debezium's ["last commit LSN","this LSN"]. */
    sequence?: [bigint | null, bigint];
  };
}

const OPERATION: Record<Op, string> = { c: 'CREATE', u: 'UPDATE', d: 'DELETE', r: 'READ' };

export interface Shaped { stream: string; data: Row }

/** The `stream` name: "database.table" (TABLE), "database" (DATABASE) or "data" (OFF), as Kestra names it. */
export function streamName(change: Pick<Change, 'table'>, opts: Pick<ChangeOptions, 'splitTable' | 'database'>): string {
  switch (opts.splitTable) {
    case 'OFF':
      return 'data';
    case 'DATABASE':
      return opts.database;
    default:
      return `${opts.database}.${change.table}`;
  }
}

/** Debezium's `source` block (as Kestra serializes it: ts_ms becomes `timestamp`, nulls are left out). */
export function sourceBlock(change: Change, database: string): Row {
  const s = change.source;
  const tsUs = BigInt(s.tsMs) * 1000n;
  return {
    version: 'peregrine',
    connector: 'postgresql',
    name: 'kestra_',
    timestamp: new Date(s.tsMs).toISOString(),
    snapshot: s.snapshot,
    db: database,
    ...(s.sequence ? { sequence: JSON.stringify(s.sequence.map((l) => (l === null ? null : l.toString()))) } : {}),
    ts_us: Number(tsUs),
    ts_ns: Number(tsUs) * 1000,
    schema: change.schema,
    table: change.table,
    ...(s.txId !== undefined ? { txId: s.txId } : {}),
    ...(s.lsn !== undefined ? { lsn: Number(s.lsn) } : {}),
  };
}

/** Shapes one change; null when `deleted: DROP` drops it. */
export function shape(change: Change, opts: ChangeOptions, now = Date.now()): Shaped | null {
  if (change.op === 'd' && opts.deleted === 'DROP') return null;
  const stream = streamName(change, opts);
  const deletedField = (data: Row) => {
    if (opts.deleted === 'ADD_FIELD') data[opts.deletedFieldName] = change.op === 'd';
  };
  if (opts.format === 'RAW') {
    const value: Row = {
      ...(change.before ? { before: change.before } : {}),
      ...(change.after ? { after: change.after } : {}),
      source: sourceBlock(change, opts.database),
      op: change.op,
      ts_ms: now,
    };
    const data: Row = { key: change.key, value };
    deletedField(data);
    return { stream, data };
  }
  // INLINE / WRAP: the row as in the source (after image; before image for deletes).
  let row: Row = { ...(change.op === 'd' ? change.before ?? {} : change.after ?? {}) };
  if (change.op === 'd' && opts.deleted === 'NULL') row = Object.fromEntries(Object.keys(row).map((k) => [k, null]));
  const data: Row = opts.format === 'WRAP' ? { record: row } : row;
  deletedField(data);
  if (opts.key === 'ADD_FIELD' && change.key) Object.assign(data, change.key);
  if (opts.metadata === 'ADD_FIELD') {
    data[opts.metadataFieldName] = {
      operation: OPERATION[change.op],
      source: sourceBlock(change, opts.database),
      timestamp: new Date(now).toISOString(),
    };
  }
  return { stream, data };
}
