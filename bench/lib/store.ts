// Reads what the engine persisted (peregrine.db, read-only while the server runs, WAL mode).
import Database from 'better-sqlite3';
import { WITH_TRIGGER } from '../../main/store';

export interface ExecutionRow {
  id: string;
  createdAt: number;
  endedAt: number | null;
  state: string;
  /** A slice of the trigger variables / document holding the send stamp. */
  stampText: string;
  /** The first task run's RUNNING date (ms), when it has one. */
  firstTaskRunning?: number;
}

function open(dbFile: string): Database.Database {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** How many executions of a flow were created since `since`, and how many are not finished. */
export function countSince(dbFile: string, namespace: string, flowId: string, since: number): { total: number; unfinished: number } {
  const db = open(dbFile);
  try {
    const r = db.prepare('SELECT count(*) AS total, coalesce(sum(ended_at IS NULL), 0) AS unfinished FROM executions WHERE namespace = ? AND flow_id = ? AND created_at >= ?').get(namespace, flowId, since) as { total: number; unfinished: number };
    return r;
  } finally {
    db.close();
  }
}

/**
 * The executions of a flow created since `since`, with the text around `marker` in their document
 * (e.g. the send stamp inside trigger.value) and, when asked, the first task run's RUNNING date.
 */
export function executionsSince(dbFile: string, namespace: string, flowId: string, since: number, opts: { marker: string; width?: number; firstTask?: boolean }): ExecutionRow[] {
  const db = open(dbFile);
  try {
    const width = opts.width ?? 200;
    const first = opts.firstTask ? ', (SELECT t.doc FROM task_runs t WHERE t.execution_id = e.id ORDER BY t.seq LIMIT 1) AS first' : '';
    const rows = db.prepare(`SELECT e.id, e.created_at, e.ended_at, e.state, substr(coalesce(t.trigger, e.doc), max(1, instr(coalesce(t.trigger, e.doc), ?) - 8), ?) AS stamp${first} FROM executions e ${WITH_TRIGGER} WHERE e.namespace = ? AND e.flow_id = ? AND e.created_at >= ?`)
      .all(opts.marker, width, namespace, flowId, since) as { id: string; created_at: number; ended_at: number | null; state: string; stamp: string; first?: string }[];
    return rows.map((r) => {
      let firstTaskRunning: number | undefined;
      if (r.first) {
        const doc = JSON.parse(r.first) as { state?: { histories?: { state: string; date: string }[]; startDate?: string } };
        const running = doc.state?.histories?.find((h) => h.state === 'RUNNING')?.date ?? doc.state?.startDate;
        if (running) firstTaskRunning = Date.parse(running);
      }
      return { id: r.id, createdAt: r.created_at, endedAt: r.ended_at, state: r.state, stampText: r.stamp ?? '', firstTaskRunning };
    });
  } finally {
    db.close();
  }
}
