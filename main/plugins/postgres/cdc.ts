// One change data capture session against PostgreSQL, shared by the realtime trigger and its
// polling twin: a catalog connection (publication, slot, primary keys, snapshot reads) and a
// replication connection (the pgoutput stream), plus the loop that turns the stream into shaped
// changes handed to a sink in commit order.
//
// Snapshot and stream meet without a gap or an overlap: the slot exists before the snapshot's
// REPEATABLE READ transaction starts, and a streamed transaction is skipped exactly when that
// snapshot already saw it (its xid is visible in pg_current_snapshot() and it committed before
// the snapshot's WAL position). The slot only moves past a transaction once every change of it
// was handed to the sink and the sink confirmed (the realtime trigger: after admission).
import crypto from 'node:crypto';
import pg from 'pg';
import type { TriggerContext } from '../types';
import { formatLsn, parseLsn, pgTimeToMs, type PgOutputMessage, type Relation, type Tuple } from './pgoutput';
import { changeOptions, clientConfig, NameFilter, type CdcProps, type ChangeOptions } from './props';
import { ident, ReplicationStream } from './replication';
import { shape, type Change, type Row, type Shaped } from './shape';
import { convertValue, UNAVAILABLE_VALUE } from './values';

/** One shaped change, with its identity (the dedup key) and commit time. */
export interface ChangeEvent {
  shaped: Shaped;
  dedupKey: string;
  eventTime: number;
  /** A value could not be converted: the execution is created FAILED with this reason and the raw text. */
  failure?: { reason: string; raw: string };
}

/** Where the changes go. Every method is awaited before the next change is read. */
export interface ChangeSink {
  change(event: ChangeEvent): Promise<void>;
  /** Every change before `lsn` was handed to change(); resolves true to stop reading. */
  safePoint(lsn: bigint): Promise<boolean>;
  /** Nothing is waiting right now (`inTxn`: in the middle of a transaction); resolves true to stop reading. */
  idle(inTxn: boolean): Promise<boolean>;
}

interface SnapshotFilter { xmin: number; xmax: number; xip: number[]; lsn: string }

export interface CdcState {
  identity: string;
  snapshot?: { gen: string; done: boolean; filter?: SnapshotFilter };
  /** Polling twin: the end of the last admitted batch; transactions before it are not read again. */
  confirmedLsn?: string;
}

interface RelationInfo {
  relation: Relation;
  captured: boolean;
  /** Primary key columns (Debezium's record key); empty when the table has none. */
  pk: string[];
  /** Column names kept in row images (includedColumns / excludedColumns). */
  kept: boolean[];
}

const SNAPSHOT_FETCH = 500;
/**
 * A snapshot statement (at most one batch of SNAPSHOT_FETCH rows) unanswered for this long means a
 * dead connection: a black-holed link would otherwise hold the snapshot, and the trigger, forever.
 */
const SNAPSHOT_READ_TIMEOUT_MS = 30_000;
const SLOT_FREE_WAIT_MS = 10_000;
/**
 * WAL the server may hold past the slot's confirmed position without it meaning a change waits:
 * periodic records (running transactions, checkpoints) written since the last keep-alive.
 */
const WAL_NOISE_BYTES = 64 * 1024;

export class CdcSession {
  readonly options: ChangeOptions;
  private readonly tables: NameFilter;
  private readonly columns: NameFilter;
  private readonly relations = new Map<number, RelationInfo>();
  private repl?: ReplicationStream;
  private state: CdcState;
  private closed = false;
  /** Until open() returns, errors are thrown by it rather than reported as a lost connection. */
  private opened = false;
  private lastCommitLsn: bigint | null = null;
  /** Stream messages taken when the watchdog last looked. */
  private takenAtLastLook?: number;
  /** Transactions whose commit starts before this were already delivered (polling twin). */
  private skipBefore?: bigint;

  private constructor(
    private readonly ctx: TriggerContext,
    readonly props: CdcProps,
    private readonly meta: pg.Client,
    private readonly onLost: (e: Error) => void,
  ) {
    this.options = changeOptions(props);
    this.tables = new NameFilter(props.includedTables, props.excludedTables);
    this.columns = new NameFilter(props.includedColumns, props.excludedColumns);
    const identity = `${props.stateName}|${props.hostname}:${props.port}/${props.database}/${props.slotName}`;
    const saved = ctx.services.triggerState.get<CdcState>(ctx.flow.namespace, ctx.flow.id, ctx.trigger.id);
    this.state = saved?.identity === identity ? saved : { identity };
  }

  /**
   * Connects, creates the publication and (unless INITIAL_ONLY) the slot when missing. Errors
   * (unreachable host, wrong password, missing rights) are thrown in plain words.
   */
  static async open(ctx: TriggerContext, props: CdcProps, onLost: (e: Error) => void): Promise<CdcSession> {
    if (props.pluginName !== 'PGOUTPUT') {
      throw new Error(
        `pluginName ${props.pluginName} is not supported locally: Peregrine reads changes with PostgreSQL's built-in pgoutput plugin. ` +
          'Set pluginName: PGOUTPUT (or remove it); the flow still runs unchanged on Kestra.',
      );
    }
    ignoredNotes(ctx, props);
    const meta = new pg.Client(clientConfig(props));
    const session = new CdcSession(ctx, props, meta, onLost);
    meta.on('error', (e) => session.lost(e));
    try {
      await meta.connect();
    } catch (e) {
      throw connectionError(e, props);
    }
    meta.on('end', () => session.lost(new Error('the server closed it')));
    try {
      await session.ensurePublication();
      if (props.snapshotMode !== 'INITIAL_ONLY') await session.ensureSlot();
    } catch (e) {
      await session.close();
      throw e;
    }
    session.opened = true;
    return session;
  }

  private lost(e: Error): void {
    if (this.closed || !this.opened) return;
    this.onLost(new Error(`the connection to PostgreSQL ${this.props.hostname}:${this.props.port} was lost: ${e.message}`, { cause: e }));
  }

  get needsSnapshot(): boolean {
    if (this.props.snapshotMode === 'NEVER') return false;
    if (this.props.snapshotMode === 'ALWAYS') return true;
    return !this.state.snapshot?.done;
  }

  private saveState(): void {
    this.ctx.services.triggerState.set(this.ctx.flow.namespace, this.ctx.flow.id, this.ctx.trigger.id, this.state);
  }

  private async ensurePublication(): Promise<void> {
    const name = this.props.publicationName;
    const { rowCount } = await this.meta.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
    if (rowCount) return;
    try {
      await this.meta.query(`CREATE PUBLICATION ${ident(name)} FOR ALL TABLES`);
      this.ctx.logger.info(`Created the publication "${name}" FOR ALL TABLES`);
    } catch (e) {
      if ((e as { code?: string }).code === '42710') return; // created meanwhile
      throw new Error(
        `could not create the publication "${name}": ${(e as Error).message}. Create it as a superuser (CREATE PUBLICATION ${ident(name)} FOR ALL TABLES, or FOR TABLE …) or set publicationName to an existing one.`,
      );
    }
  }

  private async ensureSlot(): Promise<void> {
    const slot = this.props.slotName;
    this.repl = await ReplicationStream.connect(clientConfig(this.props), (e) => this.lost(e)).catch((e) => {
      throw connectionError(e, this.props);
    });
    const { rows } = await this.meta.query('SELECT plugin, database FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (rows[0]) {
      if (rows[0].plugin !== 'pgoutput' || rows[0].database !== this.props.database) {
        throw new Error(
          `the replication slot "${slot}" exists for ${rows[0].plugin ?? 'physical replication'} on database ${rows[0].database ?? '(none)'}, not pgoutput on ${this.props.database}: choose another slotName`,
        );
      }
      return;
    }
    if (this.state.snapshot?.done && this.props.snapshotMode !== 'ALWAYS') {
      this.ctx.logger.warn(`The replication slot "${slot}" is gone (dropped?): it is created again, and changes made while it did not exist are not captured`);
    }
    try {
      await this.repl.command(`CREATE_REPLICATION_SLOT ${ident(slot)} LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
      this.ctx.logger.info(`Created the logical replication slot "${slot}" (pgoutput)`);
    } catch (e) {
      if ((e as { code?: string }).code === '42710') return;
      const msg = (e as Error).message;
      throw new Error(
        /wal_level/.test(msg)
          ? `could not create the replication slot "${slot}": ${msg}. Set wal_level = logical in postgresql.conf and restart PostgreSQL.`
          : `could not create the replication slot "${slot}": ${msg}`,
      );
    }
  }

  // ── snapshot ───────────────────────────────────────────────────────────────

  /**
   * Reads every captured table in one REPEATABLE READ transaction and hands each row to the sink
   * (op "r"). Returns a function that records the snapshot as done: call it once the sink has
   * made the rows durable.
   */
  async snapshot(sink: ChangeSink): Promise<() => void> {
    const resume = this.props.snapshotMode !== 'ALWAYS' && this.state.snapshot && !this.state.snapshot.done;
    const gen = resume ? this.state.snapshot!.gen : crypto.randomBytes(6).toString('hex');
    this.state.snapshot = { gen, done: false };
    this.saveState();
    const client = this.meta;
    const version = Number((await snapshotQuery(client, 'SHOW server_version_num')).rows[0].server_version_num);
    const currentSnapshot = version >= 130000 ? 'pg_current_snapshot()' : 'txid_current_snapshot()';
    await snapshotQuery(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let filter: SnapshotFilter;
    let count = 0;
    try {
      // The first statement fixes the transaction's snapshot; the WAL position is read after it.
      const { rows } = await snapshotQuery(
        client,
        `SELECT ${currentSnapshot}::text AS snap, pg_current_wal_insert_lsn()::text AS lsn, (extract(epoch from clock_timestamp()) * 1000)::bigint::text AS ts`,
      );
      const [xmin, xmax, xip] = String(rows[0].snap).split(':');
      filter = { xmin: xid32(xmin), xmax: xid32(xmax), xip: xip ? xip.split(',').map(xid32) : [], lsn: rows[0].lsn };
      const tsMs = Number(rows[0].ts);
      const lsn = parseLsn(rows[0].lsn);
      const tables = await snapshotQuery(client, {
        text: 'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY schemaname, tablename',
        values: [this.props.publicationName],
      });
      const captured = tables.rows.filter((t) => this.tables.accepts(`${t.schemaname}.${t.tablename}`));
      this.ctx.logger.info(`Snapshot ${gen}${resume ? ' (again, after an interrupted one)' : ''}: ${captured.length} table(s)`);
      for (const t of captured) {
        count += await this.snapshotTable(String(t.schemaname), String(t.tablename), gen, tsMs, lsn, sink);
      }
      await snapshotQuery(client, 'COMMIT');
    } catch (e) {
      // On a dead connection a ROLLBACK would only wait its turn behind the unanswered statement.
      if (!(e instanceof SnapshotReadTimeout)) await snapshotQuery(client, 'ROLLBACK').catch(() => {});
      throw e;
    }
    this.ctx.logger.info(`Snapshot ${gen} read ${count} row(s)`);
    return () => {
      this.state.snapshot = { gen, done: true, filter };
      this.saveState();
    };
  }

  private async snapshotTable(schema: string, table: string, gen: string, tsMs: number, lsn: bigint, sink: ChangeSink): Promise<number> {
    const client = this.meta;
    const qualified = `${ident(schema)}.${ident(table)}`;
    const pk = await this.primaryKey(`${qualified}`);
    const name = `${schema}.${table}`;
    await snapshotQuery(
      client,
      `DECLARE peregrine_snapshot NO SCROLL CURSOR FOR SELECT t.xmin::text AS "__peregrine_xmin", t.ctid::text AS "__peregrine_ctid", t.* FROM ONLY ${qualified} t`,
    );
    const raw = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;
    let n = 0;
    let dead = false;
    try {
      for (;;) {
        if (this.closed || this.ctx.signal.aborted) throw new Error('stopped during the snapshot');
        const res = await snapshotQuery(client, { text: `FETCH ${SNAPSHOT_FETCH} FROM peregrine_snapshot`, rowMode: 'array', types: raw });
        if (!res.rows.length) break;
        const fields = res.fields.slice(2);
        const kept = fields.map((f) => this.columns.accepts(`${name}.${f.name}`));
        for (const values of res.rows as (string | null)[][]) {
          let row: Row;
          let failure: ChangeEvent['failure'];
          try {
            row = {};
            fields.forEach((f, i) => {
              if (kept[i]) row[f.name] = convertValue(f.dataTypeID, values[i + 2], { timestampAsUtc: true });
            });
          } catch (e) {
            row = {};
            failure = { reason: `a value of ${name} could not be read: ${(e as Error).message}`, raw: JSON.stringify(values.slice(2)) };
          }
          const keyRow = pk.length ? Object.fromEntries(pk.map((c) => [c, convertValue(fieldType(fields, c), values[fields.findIndex((f) => f.name === c) + 2], { timestampAsUtc: true })])) : null;
          const change: Change = {
            op: 'r', schema, table, before: null, after: row, key: keyRow,
            source: { tsMs, snapshot: 'true', lsn },
          };
          const shaped = shape(change, this.options)!;
          const identity = keyRow ? JSON.stringify(pk.map((c) => values[fields.findIndex((f) => f.name === c) + 2])) : values[1];
          await sink.change({ shaped, eventTime: tsMs, dedupKey: `snapshot:${gen}:${name}:${identity}:${values[0]}`, ...(failure ? { failure } : {}) });
          n++;
        }
      }
    } catch (e) {
      dead = e instanceof SnapshotReadTimeout;
      throw e;
    } finally {
      if (!dead) await snapshotQuery(client, 'CLOSE peregrine_snapshot').catch(() => {});
    }
    return n;
  }

  private async primaryKey(regclass: string | number): Promise<string[]> {
    const { rows } = await this.meta.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [typeof regclass === 'number' ? String(regclass) : regclass],
    );
    return rows.map((r) => String(r.attname));
  }

  // ── streaming ─────────────────────────────────────────────────────────────

  /** Skips, in later polls, transactions that an admitted batch already held. */
  skipDeliveredBefore(lsn: bigint | undefined): void {
    this.skipBefore = lsn;
  }

  get savedConfirmedLsn(): bigint | undefined {
    return this.state.confirmedLsn ? parseLsn(this.state.confirmedLsn) : undefined;
  }

  saveConfirmedLsn(lsn: bigint): void {
    this.state.confirmedLsn = formatLsn(lsn);
    this.saveState();
  }

  /** Waits for the slot to be free (a previous consumer's walsender may still be leaving), then streams. */
  async startStreaming(): Promise<void> {
    const slot = this.props.slotName;
    const deadline = Date.now() + SLOT_FREE_WAIT_MS;
    for (;;) {
      const { rows } = await this.meta.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      const pid = rows[0]?.active_pid;
      if (!pid) break;
      if (Date.now() > deadline) {
        throw new Error(`the replication slot "${slot}" is in use by another connection (backend pid ${pid}): is another flow or trigger reading the same slotName?`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.repl!.start(slot, this.props.publicationName);
  }

  /** Confirms to PostgreSQL that everything before `lsn` is safe: the slot moves on. */
  confirm(lsn: bigint): void {
    this.repl?.confirm(lsn);
  }

  /**
   * The watchdog's question "do changes wait while this consumer receives nothing?". PostgreSQL
   * cannot count them cheaply: peeking the slot (pg_logical_slot_peek_binary_changes) decodes all
   * the WAL again and is refused while the walsender holds the slot, and WAL bytes are not changes.
   * So it answers 1 ("at least one") or 0, from a regular connection: 1 when the stream handed the
   * consumer nothing since the previous look (even a keep-alive would count), and the walsender sent
   * WAL that was never confirmed, or the server's WAL is ahead of the confirmed position by more
   * than the periodic-record noise. A healthy idle consumer confirms each keep-alive, so neither
   * holds for it. The first look only takes the baseline: a stall is seen at the second.
   */
  async backlog(): Promise<number> {
    const repl = this.repl;
    if (this.closed || !repl?.streamingNow) return 0;
    const moved = repl.taken !== this.takenAtLastLook;
    this.takenAtLastLook = repl.taken;
    if (moved) return 0;
    const { rows } = await this.meta.query(
      `SELECT pg_wal_lsn_diff(r.sent_lsn, s.confirmed_flush_lsn)::text AS unconfirmed,
              pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::text AS behind
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.slot_name = $1`,
      [this.props.slotName],
    );
    const unconfirmed = Number(rows[0]?.unconfirmed ?? 0);
    const behind = Number(rows[0]?.behind ?? 0);
    return unconfirmed > 0 || behind > WAL_NOISE_BYTES ? 1 : 0;
  }

  /** Test only: the replication socket is no longer read (connected, receiving nothing). */
  stallForTest(): void {
    this.repl?.stallForTest();
  }

  /** Decoded messages waiting in memory (bounded: the socket pauses when there are too many). */
  queued(): number {
    return this.repl?.queued() ?? 0;
  }

  maxQueued(): number {
    return this.repl?.maxQueued ?? 0;
  }

  /**
   * Reads the stream and hands every captured change to the sink, in commit order, until the sink
   * says stop or the stream ends. `pollMs` wakes the sink that often while the source is idle.
   */
  async pump(sink: ChangeSink, pollMs?: number): Promise<void> {
    const repl = this.repl!;
    let txn: { finalLsn: bigint; xid: number; commitMs: number; index: number; skip: boolean } | undefined;
    for (;;) {
      let item = repl.tryNext();
      if (!item) {
        if (await sink.idle(txn !== undefined)) return;
        if (repl.ended || this.closed) return;
        item = await repl.next(pollMs);
        if (!item) {
          if (repl.ended || this.closed) return;
          continue;
        }
      }
      if (item.kind === 'keepalive') {
        // Between transactions, the server's position is safe to confirm: nothing before it is pending.
        if (!txn && item.walEnd > 0n && (await sink.safePoint(item.walEnd))) return;
        continue;
      }
      const m = item.message;
      switch (m.tag) {
        case 'begin':
          txn = { finalLsn: m.finalLsn, xid: m.xid, commitMs: pgTimeToMs(m.commitTime), index: 0, skip: this.skips(m.finalLsn, m.xid) };
          break;
        case 'relation':
          await this.learn(m.relation);
          break;
        case 'insert':
        case 'update':
        case 'delete': {
          if (!txn) throw new Error('pgoutput: a row change outside a transaction');
          const index = txn.index++;
          if (txn.skip) break;
          const event = this.toEvent(m, txn, index, item.walStart);
          if (event) await sink.change(event);
          break;
        }
        case 'truncate':
          // Debezium skips truncates by default (skipped.operations=t): no execution, as in Kestra.
          if (txn) txn.index++;
          break;
        case 'commit':
          txn = undefined;
          this.lastCommitLsn = m.commitLsn;
          if (await sink.safePoint(m.endLsn)) return;
          break;
        default:
          break;
      }
    }
  }

  private skips(finalLsn: bigint, xid: number): boolean {
    if (this.skipBefore !== undefined && finalLsn < this.skipBefore) return true;
    const f = this.state.snapshot?.filter;
    if (!f || finalLsn > parseLsn(f.lsn)) return false;
    // Visible in the snapshot ⇔ committed before it: its rows were read by the snapshot already.
    return precedes(xid, f.xmin) || (precedes(xid, f.xmax) && !f.xip.includes(xid));
  }

  private async learn(relation: Relation): Promise<void> {
    const name = `${relation.schema}.${relation.table}`;
    const captured = this.tables.accepts(name);
    const pk = captured ? await this.primaryKey(relation.oid) : [];
    const kept = relation.columns.map((c) => this.columns.accepts(`${name}.${c.name}`));
    this.relations.set(relation.oid, { relation, captured, pk, kept });
  }

  private toEvent(
    m: Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>,
    txn: { finalLsn: bigint; xid: number; commitMs: number },
    index: number,
    walStart: bigint,
  ): ChangeEvent | undefined {
    const info = this.relations.get(m.relationOid);
    if (!info) throw new Error(`pgoutput: a change for relation ${m.relationOid} came before its description`);
    if (!info.captured) return undefined;
    const { relation } = info;
    const dedupKey = `${formatLsn(txn.finalLsn)}:${index}`;
    const convert = (tuple: Tuple, keyOnly: boolean, all = false): Row => {
      const row: Row = {};
      relation.columns.forEach((c, i) => {
        if (!all && !info.kept[i]) return;
        const v = tuple[i];
        row[c.name] = keyOnly && !c.isKey ? null : v === undefined ? UNAVAILABLE_VALUE : convertValue(c.typeOid, v, { timestampAsUtc: true });
      });
      return row;
    };
    let change: Change;
    try {
      const op = m.tag === 'insert' ? 'c' : m.tag === 'update' ? 'u' : 'd';
      const before = m.tag === 'insert' ? null : m.before ? convert(m.before, m.keyOnly) : null;
      const after = m.tag === 'delete' ? null : convert(m.after, false);
      const image = m.tag === 'delete' ? convert(m.before, m.keyOnly, true) : convert(m.after, false, true);
      const key = info.pk.length ? Object.fromEntries(info.pk.map((c) => [c, image[c] ?? null])) : null;
      change = {
        op, schema: relation.schema, table: relation.table, before, after, key,
        source: { tsMs: txn.commitMs, snapshot: 'false', txId: txn.xid, lsn: walStart, sequence: [this.lastCommitLsn, walStart] },
      };
    } catch (e) {
      const stream = `${this.options.database}.${relation.table}`;
      return {
        shaped: { stream, data: {} }, dedupKey, eventTime: txn.commitMs,
        failure: { reason: `a change of ${relation.schema}.${relation.table} could not be read: ${(e as Error).message}`, raw: JSON.stringify(m) },
      };
    }
    const shaped = shape(change, this.options);
    return shaped ? { shaped, dedupKey, eventTime: txn.commitMs } : undefined;
  }

  /** Ends the replication stream (reporting the confirmed position) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.repl?.close();
    await Promise.race([this.meta.end().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  }
}

function fieldType(fields: { name: string; dataTypeID: number }[], name: string): number {
  return fields.find((f) => f.name === name)?.dataTypeID ?? 25;
}

/** The 32-bit xid of an xid8 ("745", "4294968041" …), as pgoutput sends it. */
function xid32(text: string): number {
  return Number(BigInt(text) & 0xffffffffn);
}

/** TransactionIdPrecedes: modulo-2^32 comparison of normal xids. */
function precedes(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function ignoredNotes(ctx: TriggerContext, props: CdcProps): void {
  if (props.properties && Object.keys(props.properties).length) {
    ctx.logger.info(`properties (${Object.keys(props.properties).join(', ')}) are Debezium settings: accepted for Kestra, not used by Peregrine`);
  }
  if (props.includedDatabases || props.excludedDatabases) {
    ctx.logger.info(`includedDatabases/excludedDatabases are accepted for Kestra and ignored: a PostgreSQL connection reads one database (${props.database})`);
  }
}

/** Connection errors in plain words (the supervisor adds the ECONNREFUSED wording). */
export function connectionError(e: unknown, props: Pick<CdcProps, 'hostname' | 'port' | 'username' | 'database'>): Error {
  const err = e as Error & { code?: string };
  const where = `${props.hostname}:${props.port}`;
  switch (err?.code) {
    case '28P01':
      return Object.assign(new Error(`password authentication failed for user "${props.username}" on ${where} — check username and password`), { cause: e });
    case '28000':
      return Object.assign(new Error(`PostgreSQL on ${where} refused user "${props.username}": ${err.message} (pg_hba.conf must allow it, for replication too)`), { cause: e });
    case '3D000':
      return Object.assign(new Error(`database "${props.database}" does not exist on ${where}`), { cause: e });
    default:
      if (/timeout/i.test(err?.message ?? '')) return Object.assign(new Error(`connection to PostgreSQL on ${where} timed out — is the host reachable?`), { cause: e });
      return err instanceof Error ? err : new Error(String(e));
  }
}

/** A snapshot statement with a read timeout: no answer in SNAPSHOT_READ_TIMEOUT_MS is a dead link. */
async function snapshotQuery(client: pg.Client, query: string | pg.QueryConfig | pg.QueryArrayConfig): Promise<pg.QueryResult> {
  const config = typeof query === 'string' ? { text: query } : query;
  try {
    return await client.query({ ...config, query_timeout: SNAPSHOT_READ_TIMEOUT_MS } as pg.QueryConfig);
  } catch (e) {
    if ((e as Error).message !== 'Query read timeout') throw e;
    throw new SnapshotReadTimeout();
  }
}

class SnapshotReadTimeout extends Error {
  constructor() {
    super(`PostgreSQL did not answer a snapshot read within ${SNAPSHOT_READ_TIMEOUT_MS / 1000} s: the connection is considered dead`);
  }
}
