// Group commit: everything produced while the previous transaction commits is written in the
// next single transaction. Admissions resolve only once their transaction has committed.
//
// The transactions run on a worker thread with its own connection (the engine's event loop only
// serialises rows), so SQLite's work uses the other core instead of stalling executions and HTTP;
// WAL checkpoints, with their fsyncs, run on a third thread so no commit waits behind one.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Execution, LogEntry, TaskRun } from '../model/execution';
import { isTerminal } from '../model/state';
import type { Durability } from './db';

export interface Admission { execution: Execution; dedupKey?: string }
export interface AdmissionOutcome { executionId: string; duplicate: boolean }

interface PendingAdmission extends Admission {
  resolve(o: AdmissionOutcome): void;
  reject(e: unknown): void;
}

export interface WriterStats {
  commits: number;
  rows: number;
  lastBatch: number;
  maxBatch: number;
  /** Time inside SQLite for the longest transaction so far (ms): a stall shows here. */
  maxCommitMs: number;
}

/** One batch as the worker receives it: rows already serialised, in statement parameter order. */
interface Batch {
  admissions: unknown[][];
  executions: unknown[][];
  taskRuns: unknown[][];
  logs: unknown[][];
}

/** The thread's answer: per admission [execution id, duplicate], and the time spent in SQLite. */
interface CommitReply { id: number; ok: boolean; out?: [string, boolean][]; error?: string; ms?: number }

interface InFlightBatch {
  admissions: PendingAdmission[];
  waiters: { resolve(): void; reject(e: unknown): void }[];
  rows: number;
}

/**
 * Serialises the changing part of an execution: without its task runs (they have their own rows)
 * and without its trigger, written once at admission in its own table (a payload of 160 KB was
 * otherwise serialised and written again with every state change).
 */
export function executionDoc(e: Execution): string {
  const { taskRunList: _runs, trigger: _trigger, ...rest } = e;
  return JSON.stringify(rest);
}

// Plain JavaScript, evaluated in the worker (no TypeScript loader needed there, in any mode).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.durability);
db.pragma('busy_timeout = 10000');
db.pragma('wal_autocheckpoint = 0');
const insertExecution = db.prepare('INSERT OR IGNORE INTO executions (id, namespace, flow_id, flow_revision, state, trigger_id, dedup_key, created_at, updated_at, ended_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const insertTrigger = db.prepare('INSERT INTO execution_triggers (execution_id, trigger) VALUES (?, ?)');
const findDuplicate = db.prepare('SELECT id FROM executions WHERE namespace = ? AND flow_id = ? AND trigger_id = ? AND dedup_key = ? AND dedup_key IS NOT NULL').pluck();
const updateExecution = db.prepare('UPDATE executions SET state = ?, updated_at = ?, ended_at = ?, doc = ? WHERE id = ?');
const upsertTaskRun = db.prepare('INSERT INTO task_runs (execution_id, id, task_id, state, doc, seq) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id, id) DO UPDATE SET state = excluded.state, doc = excluded.doc');
const insertLog = db.prepare('INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, trigger_id, level, ts, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const commit = db.transaction((batch) => {
  const out = [];
  for (const a of batch.admissions) {
    // [insert params..., trigger, taskRunRows]
    const taskRuns = a.pop();
    const trigger = a.pop();
    const info = insertExecution.run(...a);
    if (info.changes === 0) {
      const existing = findDuplicate.get(a[1], a[2], a[5], a[6]);
      out.push([existing || a[0], true]);
    } else {
      if (trigger !== null) insertTrigger.run(a[0], trigger);
      for (const t of taskRuns) upsertTaskRun.run(...t);
      out.push([a[0], false]);
    }
  }
  for (const e of batch.executions) updateExecution.run(...e);
  for (const t of batch.taskRuns) upsertTaskRun.run(...t);
  for (const l of batch.logs) insertLog.run(...l);
  return out;
});
parentPort.on('message', (m) => {
  if (m.type === 'commit') {
    try {
      const t0 = performance.now();
      const out = commit(m.batch);
      parentPort.postMessage({ id: m.id, ok: true, out, ms: performance.now() - t0 });
    }
    catch (e) { parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e) }); }
  } else if (m.type === 'close') {
    try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch (e) {}
    db.close();
    parentPort.postMessage({ id: m.id, ok: true, out: [] });
  }
});
`;

/** Batches handed to the thread and not yet committed; more rows wait for the next batch. */
const BATCHES_IN_FLIGHT = 1;

// The checkpointer: its own thread and connection, so that copying the WAL into the database
// (and the fsync that ends it) never holds up a commit waiting behind it.
const CHECKPOINTER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { /* busy: next time */ }
}, workerData.checkpointMs);
`;

export class Writer {
  private admissions: PendingAdmission[] = [];
  private dirtyExecutions = new Map<string, Execution>();
  private dirtyTaskRuns = new Map<string, TaskRun>();
  private logs: LogEntry[] = [];
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private closed = false;
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private readonly inFlight = new Map<number, InFlightBatch>();
  private nextBatch = 0;
  /** Orders task runs as they were created (their ids are random). */
  private seq = Date.now() * 1000;
  readonly stats: WriterStats = { commits: 0, rows: 0, lastBatch: 0, maxBatch: 0, maxCommitMs: 0 };

  constructor(file: string, durability: Durability = 'NORMAL', private readonly onError: (e: unknown) => void = () => {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, durability } });
    this.worker.unref();
    this.checkpointer = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { driver, file, checkpointMs: 500 } });
    this.checkpointer.unref();
    this.checkpointer.on('error', (e) => this.onError(e));
    this.worker.on('message', (m: CommitReply) => this.committed(m));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new Error(`the store's writer thread stopped (exit code ${code})`));
    });
  }

  /** Inserts a new execution; resolves after commit, with `duplicate` when the dedup key was seen. */
  admit(admission: Admission): Promise<AdmissionOutcome> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      this.admissions.push({ ...admission, resolve, reject });
      this.schedule();
    });
  }

  /** Marks an execution's own row to be rewritten at the next commit. */
  saveExecution(execution: Execution): void {
    this.dirtyExecutions.set(execution.id, execution);
    this.schedule();
  }

  saveTaskRun(taskRun: TaskRun): void {
    this.dirtyTaskRuns.set(taskRun.id, taskRun);
    this.schedule();
  }

  appendLog(entry: LogEntry): void {
    this.logs.push(entry);
    this.schedule();
  }

  /** Resolves after everything queued so far is committed. */
  flush(): Promise<void> {
    if (!this.scheduled && this.pendingRows() === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Commits what is queued, folds the WAL back into the database file and stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => {});
    this.closed = true;
    await this.checkpointer.terminate();
    await new Promise<void>((resolve) => {
      const id = ++this.nextBatch;
      this.inFlight.set(id, { admissions: [], waiters: [{ resolve, reject: () => resolve() }], rows: 0 });
      this.worker.postMessage({ type: 'close', id });
      setTimeout(resolve, 5000).unref();
    });
    await this.worker.terminate();
  }

  private pendingRows(): number {
    return this.admissions.length + this.dirtyExecutions.size + this.dirtyTaskRuns.size + this.logs.length;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  /** Serialises the rows gathered so far and hands them to the writer thread as one transaction. */
  private commit(): void {
    this.scheduled = false;
    // Group commit: while the thread is busy, rows keep gathering into the next, larger batch
    // (fewer transactions and messages under load); committed() sends it.
    if (this.inFlight.size >= BATCHES_IN_FLIGHT) return;
    const admissions = this.admissions;
    const waiters = this.waiters;
    const batch: Batch = {
      admissions: admissions.map((a) => this.admissionRow(a)),
      executions: [...this.dirtyExecutions.values()].map((e) => this.executionRow(e)),
      taskRuns: [...this.dirtyTaskRuns.values()].map((t) => this.taskRunRow(t)),
      logs: this.logs.map(logRow),
    };
    const rows = admissions.length + batch.executions.length + batch.taskRuns.length + batch.logs.length;
    this.admissions = [];
    this.dirtyExecutions = new Map();
    this.dirtyTaskRuns = new Map();
    this.logs = [];
    this.waiters = [];
    if (rows === 0) {
      // Nothing new: answer once the batches already on their way are committed.
      if (this.inFlight.size === 0) waiters.forEach((w) => w.resolve());
      else [...this.inFlight.values()].pop()!.waiters.push(...waiters);
      return;
    }
    const id = ++this.nextBatch;
    this.inFlight.set(id, { admissions, waiters, rows });
    this.worker.postMessage({ type: 'commit', id, batch });
  }

  private committed(m: CommitReply): void {
    const b = this.inFlight.get(m.id);
    if (!b) return;
    this.inFlight.delete(m.id);
    if (!m.ok) {
      const e = new Error(`a write to the store failed: ${m.error}`);
      this.onError(e);
      b.admissions.forEach((a) => a.reject(e));
      b.waiters.forEach((w) => w.reject(e));
      return;
    }
    if (b.rows) {
      this.stats.commits++;
      this.stats.rows += b.rows;
      this.stats.lastBatch = b.rows;
      if (b.rows > this.stats.maxBatch) this.stats.maxBatch = b.rows;
      if (m.ms! > this.stats.maxCommitMs) this.stats.maxCommitMs = m.ms!;
    }
    b.admissions.forEach((a, i) => a.resolve({ executionId: m.out![i][0], duplicate: m.out![i][1] }));
    b.waiters.forEach((w) => w.resolve());
    if (this.pendingRows() || this.waiters.length) this.schedule();
  }

  private failAll(e: unknown): void {
    this.onError(e);
    for (const b of this.inFlight.values()) {
      b.admissions.forEach((a) => a.reject(e));
      b.waiters.forEach((w) => w.reject(e));
    }
    this.inFlight.clear();
  }

  private admissionRow({ execution: e, dedupKey }: Admission): unknown[] {
    const ended = e.state.endDate ? Date.parse(e.state.endDate) : null;
    return [
      e.id, e.namespace, e.flowId, e.flowRevision, e.state.current, e.trigger?.id ?? null, dedupKey ?? null,
      Date.parse(e.state.startDate), Date.now(), ended, executionDoc(e), e.trigger ? JSON.stringify(e.trigger) : null,
      e.taskRunList.map((t) => this.taskRunRow(t)),
    ];
  }

  private executionRow(e: Execution): unknown[] {
    const ended = isTerminal(e.state.current) && e.state.endDate ? Date.parse(e.state.endDate) : null;
    return [e.state.current, Date.now(), ended, executionDoc(e), e.id];
  }

  private taskRunRow(t: TaskRun): unknown[] {
    return [t.executionId, t.id, t.taskId, t.state.current, JSON.stringify(t), this.seq++];
  }
}

function logRow(l: LogEntry): unknown[] {
  return [
    l.executionId ?? null, l.namespace, l.flowId, l.taskId ?? null, l.taskRunId ?? null, l.attemptNumber ?? null,
    l.triggerId ?? null, l.level, l.timestamp, l.message,
  ];
}
