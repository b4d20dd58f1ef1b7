// Group commit: everything produced during one tick of the event loop is written in a single
// transaction. Admissions resolve only once that transaction has committed.
import type Database from 'better-sqlite3';
import type { Execution, LogEntry, TaskRun } from '../model/execution';
import { isTerminal } from '../model/state';

export interface Admission { execution: Execution; dedupKey?: string }
export interface AdmissionOutcome { executionId: string; duplicate: boolean }

interface PendingAdmission extends Admission {
  resolve(o: AdmissionOutcome): void;
  reject(e: unknown): void;
}

export interface WriterStats { commits: number; rows: number; lastBatch: number; maxBatch: number }

/** Serialises an execution without its task runs (they have their own rows). */
export function executionDoc(e: Execution): string {
  const { taskRunList: _omit, ...rest } = e;
  return JSON.stringify(rest);
}

export class Writer {
  private admissions: PendingAdmission[] = [];
  private dirtyExecutions = new Map<string, Execution>();
  private dirtyTaskRuns = new Map<string, TaskRun>();
  private logs: LogEntry[] = [];
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private closed = false;
  readonly stats: WriterStats = { commits: 0, rows: 0, lastBatch: 0, maxBatch: 0 };

  private readonly insertExecution;
  private readonly findDuplicate;
  private readonly updateExecution;
  private readonly upsertTaskRun;
  private readonly insertLog;

  constructor(private readonly db: Database.Database, private readonly onError: (e: unknown) => void = () => {}) {
    this.insertExecution = db.prepare(
      `INSERT OR IGNORE INTO executions (id, namespace, flow_id, flow_revision, state, trigger_id, dedup_key, created_at, updated_at, ended_at, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.findDuplicate = db.prepare(
      'SELECT id FROM executions WHERE namespace = ? AND flow_id = ? AND trigger_id = ? AND dedup_key = ? AND dedup_key IS NOT NULL',
    ).pluck();
    this.updateExecution = db.prepare('UPDATE executions SET state = ?, updated_at = ?, ended_at = ?, doc = ? WHERE id = ?');
    this.upsertTaskRun = db.prepare(
      `INSERT INTO task_runs (execution_id, id, task_id, state, doc, seq) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (execution_id, id) DO UPDATE SET state = excluded.state, doc = excluded.doc`,
    );
    this.insertLog = db.prepare(
      `INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, trigger_id, level, ts, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Inserts a new execution; resolves after commit, with `duplicate` when the dedup key was seen. */
  admit(admission: Admission): Promise<AdmissionOutcome> {
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
    if (!this.scheduled && this.pendingRows() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Commits what is queued now, synchronously (shutdown). */
  close(): void {
    this.commit();
    this.closed = true;
  }

  private pendingRows(): number {
    return this.admissions.length + this.dirtyExecutions.size + this.dirtyTaskRuns.size + this.logs.length;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    this.scheduled = false;
    const admissions = this.admissions;
    const executions = this.dirtyExecutions;
    const taskRuns = this.dirtyTaskRuns;
    const logs = this.logs;
    const waiters = this.waiters;
    this.admissions = [];
    this.dirtyExecutions = new Map();
    this.dirtyTaskRuns = new Map();
    this.logs = [];
    this.waiters = [];
    const rows = admissions.length + executions.size + taskRuns.size + logs.length;
    if (rows === 0) {
      waiters.forEach((w) => w.resolve());
      return;
    }
    let outcomes: AdmissionOutcome[];
    try {
      outcomes = this.db.transaction(() => {
        const out = admissions.map((a) => this.writeAdmission(a));
        for (const e of executions.values()) this.writeExecution(e);
        for (const t of taskRuns.values()) this.writeTaskRun(t);
        for (const l of logs) this.writeLog(l);
        return out;
      })();
    } catch (e) {
      this.onError(e);
      admissions.forEach((a) => a.reject(e));
      waiters.forEach((w) => w.reject(e));
      return;
    }
    this.stats.commits++;
    this.stats.rows += rows;
    this.stats.lastBatch = rows;
    if (rows > this.stats.maxBatch) this.stats.maxBatch = rows;
    admissions.forEach((a, i) => a.resolve(outcomes[i]));
    waiters.forEach((w) => w.resolve());
  }

  private writeAdmission({ execution: e, dedupKey }: Admission): AdmissionOutcome {
    const created = Date.parse(e.state.startDate);
    const ended = e.state.endDate ? Date.parse(e.state.endDate) : null;
    const triggerId = e.trigger?.id ?? null;
    const info = this.insertExecution.run(
      e.id, e.namespace, e.flowId, e.flowRevision, e.state.current, triggerId, dedupKey ?? null,
      created, Date.now(), ended, executionDoc(e),
    );
    if (info.changes === 0) {
      const existing = this.findDuplicate.get(e.namespace, e.flowId, triggerId, dedupKey ?? null) as string | undefined;
      return { executionId: existing ?? e.id, duplicate: true };
    }
    for (const t of e.taskRunList) this.writeTaskRun(t);
    return { executionId: e.id, duplicate: false };
  }

  private writeExecution(e: Execution): void {
    const ended = isTerminal(e.state.current) && e.state.endDate ? Date.parse(e.state.endDate) : null;
    this.updateExecution.run(e.state.current, Date.now(), ended, executionDoc(e), e.id);
  }

  private writeTaskRun(t: TaskRun): void {
    this.upsertTaskRun.run(t.executionId, t.id, t.taskId, t.state.current, JSON.stringify(t), this.seq++);
  }

  /** Orders task runs as they were created (their ids are random). */
  private seq = Date.now() * 1000;

  private writeLog(l: LogEntry): void {
    this.insertLog.run(
      l.executionId ?? null, l.namespace, l.flowId, l.taskId ?? null, l.taskRunId ?? null, l.attemptNumber ?? null,
      l.triggerId ?? null, l.level, l.timestamp, l.message,
    );
  }
}
