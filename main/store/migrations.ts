// Numbered schema migrations; each runs once, in order, inside a transaction.
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  // 1: the engine's tables
  `
  CREATE TABLE flow_revisions (
    namespace TEXT NOT NULL, flow_id TEXT NOT NULL, revision INTEGER NOT NULL,
    source TEXT NOT NULL, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (namespace, flow_id, revision)
  );
  CREATE TABLE executions (
    id TEXT PRIMARY KEY, namespace TEXT NOT NULL, flow_id TEXT NOT NULL, flow_revision INTEGER NOT NULL,
    state TEXT NOT NULL, trigger_id TEXT, dedup_key TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER,
    doc TEXT NOT NULL
  );
  CREATE UNIQUE INDEX executions_dedup ON executions (namespace, flow_id, trigger_id, dedup_key);
  CREATE INDEX executions_flow ON executions (namespace, flow_id, created_at);
  CREATE INDEX executions_created ON executions (created_at);
  CREATE INDEX executions_state ON executions (state);
  CREATE TABLE task_runs (
    id TEXT PRIMARY KEY, execution_id TEXT NOT NULL, task_id TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL
  );
  CREATE INDEX task_runs_execution ON task_runs (execution_id);
  CREATE TABLE logs (
    id INTEGER PRIMARY KEY, execution_id TEXT, namespace TEXT NOT NULL, flow_id TEXT NOT NULL,
    task_id TEXT, task_run_id TEXT, attempt INTEGER, trigger_id TEXT,
    level TEXT NOT NULL, ts TEXT NOT NULL, message TEXT NOT NULL
  );
  CREATE INDEX logs_execution ON logs (execution_id, id);
  CREATE INDEX logs_flow ON logs (namespace, flow_id, id);
  CREATE TABLE trigger_state (
    namespace TEXT NOT NULL, flow_id TEXT NOT NULL, trigger_id TEXT NOT NULL,
    state TEXT NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, flow_id, trigger_id)
  );
  CREATE TABLE kv (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, key)
  );
  CREATE TABLE secrets (
    namespace TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
  );
  `,
  // 2: fewer index pages touched per commit (the hot path writes ~5 rows per execution)
  `
  DROP INDEX executions_dedup;
  CREATE UNIQUE INDEX executions_dedup ON executions (namespace, flow_id, trigger_id, dedup_key) WHERE dedup_key IS NOT NULL;
  DROP INDEX executions_state;
  CREATE INDEX executions_unfinished ON executions (created_at) WHERE ended_at IS NULL;
  DROP INDEX logs_flow;
  DROP INDEX task_runs_execution;
  CREATE TABLE task_runs_v2 (
    execution_id TEXT NOT NULL, id TEXT NOT NULL, task_id TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (execution_id, id)
  ) WITHOUT ROWID;
  INSERT INTO task_runs_v2 (execution_id, id, task_id, state, doc, seq) SELECT execution_id, id, task_id, state, doc, rowid FROM task_runs;
  DROP TABLE task_runs;
  ALTER TABLE task_runs_v2 RENAME TO task_runs;
  `,
  // 3: the trigger (its payload can be large) in its own table, written once at admission: SQLite
  // rewrites a whole row on UPDATE, so a payload kept in the executions row was written again with
  // every state change
  `
  CREATE TABLE execution_triggers (execution_id TEXT PRIMARY KEY, trigger TEXT NOT NULL);
  `,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
