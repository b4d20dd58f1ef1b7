// The engine's store: one SQLite file, one group-commit writer, and the read side.
import type Database from 'better-sqlite3';
import type { Execution, LogEntry, LogLevel, TaskRun } from '../model/execution';
import { LOG_LEVELS } from '../model/execution';
import type { StateType } from '../model/state';
import { openDatabase, type Durability } from './db';
import { KvStore } from './kv';
import { keyFileProvider, SecretStore, type SecretKeyProvider } from './secrets';
import { FileStorage } from './storage';
import { Writer } from './writer';

export interface StoreOptions {
  dataDir: string;
  durability?: Durability;
  secretKeys?: SecretKeyProvider;
  onWriteError?(e: unknown): void;
}

export interface ExecutionQuery {
  namespace?: string;
  flowId?: string;
  state?: StateType[];
  /** ms since epoch, on creation time */
  from?: number;
  to?: number;
  triggerId?: string;
  labels?: Record<string, string>;
  /** 1-based, as Kestra's search API */
  page?: number;
  size?: number;
  sort?: 'asc' | 'desc';
}

export interface FlowRevision { namespace: string; flowId: string; revision: number; source: string; createdAt: string; deleted: boolean }

export class Store {
  readonly db: Database.Database;
  readonly writer: Writer;
  readonly storage: FileStorage;
  readonly kv: KvStore;
  readonly secrets: SecretStore;
  readonly dataDir: string;

  constructor(opts: StoreOptions) {
    this.dataDir = opts.dataDir;
    this.db = openDatabase(opts.dataDir, opts.durability);
    this.writer = new Writer(this.db.name, opts.durability, opts.onWriteError);
    this.storage = new FileStorage(opts.dataDir);
    this.kv = new KvStore(this.db);
    this.secrets = new SecretStore(this.db, opts.secretKeys ?? keyFileProvider(opts.dataDir));
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Commits what is queued, folds the WAL back into the database file, and closes. */
  async close(): Promise<void> {
    await this.writer.close();
    this.db.close();
  }

  // ── executions ────────────────────────────────────────────────────────────

  getExecution(id: string): Execution | undefined {
    const row = this.stmt(`SELECT e.doc, t.trigger FROM executions e ${WITH_TRIGGER} WHERE e.id = ?`).get(id) as { doc: string; trigger: string | null } | undefined;
    if (!row) return undefined;
    const execution = executionFromRow(row);
    execution.taskRunList = this.taskRuns(id);
    return execution;
  }

  taskRuns(executionId: string): TaskRun[] {
    return (this.stmt('SELECT doc FROM task_runs WHERE execution_id = ? ORDER BY seq').pluck().all(executionId) as string[]).map(
      (d) => JSON.parse(d) as TaskRun,
    );
  }

  /** Executions a crash left unfinished, oldest first. */
  unfinishedExecutions(): Execution[] {
    const ids = this.db
      .prepare('SELECT id FROM executions WHERE ended_at IS NULL ORDER BY created_at')
      .pluck()
      .all() as string[];
    return ids.map((id) => this.getExecution(id)!).filter(Boolean);
  }

  searchExecutions(q: ExecutionQuery = {}): { results: Execution[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.namespace) { where.push('(namespace = ? OR namespace LIKE ?)'); args.push(q.namespace, `${q.namespace}.%`); }
    if (q.flowId) { where.push('flow_id = ?'); args.push(q.flowId); }
    if (q.triggerId) { where.push('trigger_id = ?'); args.push(q.triggerId); }
    if (q.state?.length) { where.push(`state IN (${q.state.map(() => '?').join(',')})`); args.push(...q.state); }
    if (q.from !== undefined) { where.push('created_at >= ?'); args.push(q.from); }
    if (q.to !== undefined) { where.push('created_at <= ?'); args.push(q.to); }
    for (const [k, v] of Object.entries(q.labels ?? {})) {
      where.push(`EXISTS (SELECT 1 FROM json_each(executions.doc, '$.labels') l WHERE json_extract(l.value, '$.key') = ? AND json_extract(l.value, '$.value') = ?)`);
      args.push(k, v);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const size = Math.min(Math.max(q.size ?? 25, 1), 10_000);
    const page = Math.max(q.page ?? 1, 1);
    const total = this.db.prepare(`SELECT count(*) FROM executions ${clause}`).pluck().get(...args) as number;
    const ids = this.db
      .prepare(`SELECT id FROM executions ${clause} ORDER BY created_at ${q.sort === 'asc' ? 'ASC' : 'DESC'}, rowid LIMIT ? OFFSET ?`)
      .pluck()
      .all(...args, size, (page - 1) * size) as string[];
    return { results: ids.map((id) => this.getExecution(id)!).filter(Boolean), total };
  }

  deleteExecution(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM execution_triggers WHERE execution_id = ?').run(id);
      this.db.prepare('DELETE FROM task_runs WHERE execution_id = ?').run(id);
      this.db.prepare('DELETE FROM logs WHERE execution_id = ?').run(id);
      return this.db.prepare('DELETE FROM executions WHERE id = ?').run(id).changes > 0;
    })();
  }

  /** Retention: deletes finished executions (and their task runs and logs) created before `before`. */
  purgeExecutions(before: number): number {
    return this.db.transaction(() => {
      const old = `SELECT id FROM executions WHERE created_at < ? AND ended_at IS NOT NULL`;
      this.db.prepare(`DELETE FROM execution_triggers WHERE execution_id IN (${old})`).run(before);
      this.db.prepare(`DELETE FROM task_runs WHERE execution_id IN (${old})`).run(before);
      this.db.prepare(`DELETE FROM logs WHERE execution_id IN (${old})`).run(before);
      return this.db.prepare('DELETE FROM executions WHERE created_at < ? AND ended_at IS NOT NULL').run(before).changes;
    })();
  }

  // ── logs ──────────────────────────────────────────────────────────────────

  logs(q: { executionId?: string; namespace?: string; flowId?: string; minLevel?: LogLevel; afterId?: number; limit?: number }):
    (LogEntry & { id: number })[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.executionId) { where.push('execution_id = ?'); args.push(q.executionId); }
    if (q.namespace) { where.push('namespace = ?'); args.push(q.namespace); }
    if (q.flowId) { where.push('flow_id = ?'); args.push(q.flowId); }
    if (q.afterId !== undefined) { where.push('id > ?'); args.push(q.afterId); }
    if (q.minLevel) {
      const levels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(q.minLevel));
      where.push(`level IN (${levels.map(() => '?').join(',')})`);
      args.push(...levels);
    }
    const rows = this.db
      .prepare(`SELECT * FROM logs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`)
      .all(...args, q.limit ?? 10_000) as any[];
    return rows.map((r) => ({
      id: r.id,
      namespace: r.namespace,
      flowId: r.flow_id,
      ...(r.execution_id ? { executionId: r.execution_id } : {}),
      ...(r.task_id ? { taskId: r.task_id } : {}),
      ...(r.task_run_id ? { taskRunId: r.task_run_id } : {}),
      ...(r.attempt !== null ? { attemptNumber: r.attempt } : {}),
      ...(r.trigger_id ? { triggerId: r.trigger_id } : {}),
      timestamp: r.ts,
      level: r.level,
      message: r.message,
    }));
  }

  // ── flow revisions ────────────────────────────────────────────────────────

  /** Records a flow's source; a new revision only when the source changed. Returns the revision. */
  saveFlowRevision(namespace: string, flowId: string, source: string): number {
    const last = this.db
      .prepare('SELECT revision, source, deleted FROM flow_revisions WHERE namespace = ? AND flow_id = ? ORDER BY revision DESC LIMIT 1')
      .get(namespace, flowId) as { revision: number; source: string; deleted: number } | undefined;
    if (last && last.source === source && !last.deleted) return last.revision;
    const revision = (last?.revision ?? 0) + 1;
    this.db
      .prepare('INSERT INTO flow_revisions (namespace, flow_id, revision, source, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(namespace, flowId, revision, source, Date.now());
    return revision;
  }

  markFlowDeleted(namespace: string, flowId: string): void {
    const last = this.flowRevision(namespace, flowId);
    if (!last || last.deleted) return;
    this.db
      .prepare('INSERT INTO flow_revisions (namespace, flow_id, revision, source, created_at, deleted) VALUES (?, ?, ?, ?, ?, 1)')
      .run(namespace, flowId, last.revision + 1, last.source, Date.now());
  }

  flowRevision(namespace: string, flowId: string, revision?: number): FlowRevision | undefined {
    const row = (revision === undefined
      ? this.db.prepare('SELECT * FROM flow_revisions WHERE namespace = ? AND flow_id = ? ORDER BY revision DESC LIMIT 1').get(namespace, flowId)
      : this.db.prepare('SELECT * FROM flow_revisions WHERE namespace = ? AND flow_id = ? AND revision = ?').get(namespace, flowId, revision)) as any;
    return row
      ? { namespace: row.namespace, flowId: row.flow_id, revision: row.revision, source: row.source, createdAt: new Date(row.created_at).toISOString(), deleted: !!row.deleted }
      : undefined;
  }

  flowRevisions(namespace: string, flowId: string): FlowRevision[] {
    return (this.db.prepare('SELECT * FROM flow_revisions WHERE namespace = ? AND flow_id = ? ORDER BY revision').all(namespace, flowId) as any[]).map(
      (row) => ({ namespace: row.namespace, flowId: row.flow_id, revision: row.revision, source: row.source, createdAt: new Date(row.created_at).toISOString(), deleted: !!row.deleted }),
    );
  }

  // ── trigger state (schedule dates, polling cursors) ───────────────────────

  triggerState<T>(namespace: string, flowId: string, triggerId: string): T | undefined {
    const s = this.db
      .prepare('SELECT state FROM trigger_state WHERE namespace = ? AND flow_id = ? AND trigger_id = ?')
      .pluck()
      .get(namespace, flowId, triggerId) as string | undefined;
    return s === undefined ? undefined : (JSON.parse(s) as T);
  }

  setTriggerState(namespace: string, flowId: string, triggerId: string, state: unknown): void {
    this.db
      .prepare('INSERT INTO trigger_state (namespace, flow_id, trigger_id, state, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at')
      .run(namespace, flowId, triggerId, JSON.stringify(state), Date.now());
  }
}

/** Joins an execution row (alias e) to its trigger (alias t, column trigger). */
export const WITH_TRIGGER = 'LEFT JOIN execution_triggers t ON t.execution_id = e.id';

/** An execution from its row: the changing document and the trigger written once at admission. */
export function executionFromRow(row: { doc: string; trigger: string | null }): Execution {
  const execution = JSON.parse(row.doc) as Execution;
  // Rows written before migration 3 keep the trigger inside the document.
  if (row.trigger !== null) execution.trigger = JSON.parse(row.trigger);
  return execution;
}

export { FileStorage } from './storage';
export type { Durability } from './db';
