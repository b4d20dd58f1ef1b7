// A minimal logical replication client on pg's CopyBoth support. We do not use
// pg-logical-replication's service: its automatic acknowledgement confirms an LSN as soon as the
// message arrives, and its standby timer confirms the last *received* LSN every few seconds even
// with auto-acknowledgement off — both would tell PostgreSQL to forget changes that are not yet
// admitted. Here the only LSN ever reported is the one the consumer confirmed.
//
// Flow control: decoded messages wait in a small queue; when it holds HIGH_WATER messages the
// socket is paused (TCP backpressure stops the walsender) and resumed below LOW_WATER. Status
// updates keep flowing while paused, so the server does not time the connection out.
import pg from 'pg';
import { parsePgOutput, type PgOutputMessage } from './pgoutput';

export type StreamItem =
  | { kind: 'change'; message: PgOutputMessage; walStart: bigint }
  | { kind: 'keepalive'; walEnd: bigint };

const HIGH_WATER = 512;
const LOW_WATER = 128;
/** How often the confirmed position is reported even when nothing happens (wal_sender_timeout is 60 s). */
const STATUS_INTERVAL_MS = 10_000;
/**
 * Every status update asks the server for an immediate keepalive: a connection that brings back
 * nothing for this long, while we read it, is dead (a black-holed network would otherwise look
 * like an idle database forever: TCP keepalive takes hours to notice).
 */
const SILENT_MS = 25_000;

export class ReplicationStream {
  private readonly queue: StreamItem[] = [];
  private head = 0;
  private wake?: () => void;
  private paused = false;
  private closing = false;
  private streaming = false;
  private done = false;
  private confirmed = 0n;
  private statusTimer?: NodeJS.Timeout;
  private lastHeardAt = 0;
  private running?: Promise<unknown>;
  /** Most messages ever waiting at once (for tests and health). */
  maxQueued = 0;
  /** Messages handed to the consumer so far: its progress, as the stall watchdog sees it. */
  taken = 0;
  /** Test only: the socket is no longer read, as by a wedged client (see stallForTest). */
  private wedged = false;

  private constructor(readonly client: pg.Client, private readonly onLost: (e: Error) => void) {}

  /** Opens a replication connection (replication=database). Errors (refused, bad password) are thrown. */
  static async connect(config: pg.ClientConfig, onLost: (e: Error) => void): Promise<ReplicationStream> {
    const client = new pg.Client({ ...config, replication: 'database' } as pg.ClientConfig);
    const stream = new ReplicationStream(client, onLost);
    client.on('error', (e) => stream.lost(e));
    client.on('end', () => stream.lost(new Error('the server closed the replication connection')));
    try {
      await client.connect();
    } catch (e) {
      stream.done = true;
      throw e;
    }
    return stream;
  }

  /** Runs a replication command (CREATE_REPLICATION_SLOT …) before streaming starts. */
  async command(sql: string): Promise<pg.QueryResult> {
    return this.client.query(sql);
  }

  /** START_REPLICATION from the slot's confirmed position; resolves once the server streams. */
  async start(slot: string, publication: string): Promise<void> {
    const connection = (this.client as unknown as { connection: PgConnection }).connection;
    connection.on('copyData', (msg: { chunk: Buffer }) => {
      this.lastHeardAt = Date.now();
      try {
        this.received(msg.chunk);
      } catch (e) {
        this.lost(e as Error);
      }
    });
    const started = new Promise<void>((resolve) => connection.once('replicationStart', () => resolve()));
    const sql = `START_REPLICATION SLOT ${ident(slot)} LOGICAL 0/0 (proto_version '1', publication_names ${literal(ident(publication))})`;
    this.running = this.client.query(sql).then(
      () => this.lost(new Error('the server ended the replication stream')),
      (e: Error) => this.lost(e),
    );
    await Promise.race([started, this.running.then(() => Promise.reject(this.failure ?? new Error('replication did not start')))]);
    this.streaming = true;
    this.lastHeardAt = Date.now();
    this.statusTimer = setInterval(() => this.heartbeat(), STATUS_INTERVAL_MS);
    this.statusTimer.unref();
  }

  private failure?: Error;

  /** The periodic status update, and the check that the server still answers. */
  private heartbeat(): void {
    // A paused socket is not read: its silence is ours, not the server's.
    if (this.paused || this.wedged) this.lastHeardAt = Date.now();
    const silent = Date.now() - this.lastHeardAt;
    if (silent > SILENT_MS) {
      this.lost(new Error(`PostgreSQL sent nothing for ${Math.round(silent / 1000)} s, not even the keepalives asked for: the replication connection is considered dead`));
      return;
    }
    this.sendStatus(true);
  }

  private lost(e: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = e;
    clearInterval(this.statusTimer);
    this.wake?.();
    // Before streaming starts, errors are thrown by connect()/start() instead.
    if (this.streaming && !this.closing) this.onLost(e);
  }

  private received(buf: Buffer): void {
    if (buf[0] === 0x77 /* w: XLogData */) {
      const walStart = buf.readBigUInt64BE(1);
      this.push({ kind: 'change', walStart, message: parsePgOutput(buf.subarray(25)) });
    } else if (buf[0] === 0x6b /* k: primary keepalive */) {
      const walEnd = buf.readBigUInt64BE(1);
      if (buf[17] === 1) this.sendStatus(false); // the server wants to hear from us now
      this.push({ kind: 'keepalive', walEnd });
    }
  }

  private push(item: StreamItem): void {
    this.queue.push(item);
    const queued = this.queue.length - this.head;
    if (queued > this.maxQueued) this.maxQueued = queued;
    if (queued >= HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket()?.pause();
    }
    this.wake?.();
  }

  /** How many decoded messages wait to be handled. */
  queued(): number {
    return this.queue.length - this.head;
  }

  /** The next waiting message, if one is already here. */
  tryNext(): StreamItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++];
    this.taken++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.queued() <= LOW_WATER && !this.done && !this.wedged) {
      this.paused = false;
      this.socket()?.resume();
    }
    return item;
  }

  /** Waits for the next message; undefined when the stream ended or `timeoutMs` passed. */
  async next(timeoutMs?: number): Promise<StreamItem | undefined> {
    const ready = this.tryNext();
    if (ready || this.done) return ready;
    await new Promise<void>((resolve) => {
      const timer = timeoutMs !== undefined ? setTimeout(resolve, timeoutMs) : undefined;
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
    return this.tryNext();
  }

  /** Whether START_REPLICATION is under way (and not ended). */
  get streamingNow(): boolean {
    return this.streaming && !this.done;
  }

  /** Test only: stops reading the socket while staying connected (status updates still go out). */
  stallForTest(): void {
    this.wedged = true;
    this.socket()?.pause();
  }

  get ended(): boolean {
    return this.done && this.head >= this.queue.length;
  }

  /** Reports `lsn` as written, flushed and applied: PostgreSQL may forget everything before it. */
  confirm(lsn: bigint): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus(false);
  }

  confirmedLsn(): bigint {
    return this.confirmed;
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.done || !this.running) return;
    const buf = Buffer.alloc(34);
    buf[0] = 0x72; // r: standby status update
    buf.writeBigUInt64BE(this.confirmed, 1);
    buf.writeBigUInt64BE(this.confirmed, 9);
    buf.writeBigUInt64BE(this.confirmed, 17);
    buf.writeBigInt64BE(BigInt(Date.now() - 946_684_800_000) * 1000n, 25);
    buf[33] = replyRequested ? 1 : 0;
    (this.client as unknown as { connection: PgConnection }).connection.sendCopyFromChunk(buf);
  }

  private socket(): { pause(): void; resume(): void } | undefined {
    return (this.client as unknown as { connection: PgConnection }).connection.stream;
  }

  /** Reports the confirmed position one last time, ends the stream cleanly (the slot is released) and disconnects. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.statusTimer);
    const connection = (this.client as unknown as { connection: PgConnection }).connection;
    if (!this.done && this.running) {
      try {
        this.sendStatus(false);
        if (this.paused || this.wedged) this.socket()?.resume();
        connection.endCopyFrom(); // CopyDone: the walsender leaves streaming and releases the slot
        await Promise.race([this.running, new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // closing anyway
      }
    }
    this.done = true;
    this.wake?.();
    await Promise.race([this.client.end().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  }
}

interface PgConnection {
  on(event: string, fn: (...args: any[]) => void): void;
  once(event: string, fn: (...args: any[]) => void): void;
  sendCopyFromChunk(buf: Buffer): void;
  endCopyFrom(): void;
  stream?: { pause(): void; resume(): void };
}

/** A quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
/** A quoted SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
