// The KV store of Kestra's kv() function and KV tasks, per namespace, with optional expiry.
import type Database from 'better-sqlite3';

export class KvStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(private readonly db: Database.Database) {
    this.getStmt = db.prepare('SELECT value, expires_at FROM kv WHERE namespace = ? AND key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at',
    );
    this.delStmt = db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?');
  }

  get(namespace: string, key: string): unknown {
    const row = this.getStmt.get(namespace, key) as { value: string; expires_at: number | null } | undefined;
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= Date.now()) {
      this.delStmt.run(namespace, key);
      return undefined;
    }
    return JSON.parse(row.value);
  }

  set(namespace: string, key: string, value: unknown, ttlMs?: number): void {
    const now = Date.now();
    this.setStmt.run(namespace, key, JSON.stringify(value ?? null), ttlMs ? now + ttlMs : null, now);
  }

  delete(namespace: string, key: string): boolean {
    return this.delStmt.run(namespace, key).changes > 0;
  }

  list(namespace: string): { key: string; updatedAt: string; expiresAt?: string }[] {
    return (this.db.prepare('SELECT key, updated_at, expires_at FROM kv WHERE namespace = ? ORDER BY key').all(namespace) as any[])
      .filter((r) => r.expires_at === null || r.expires_at > Date.now())
      .map((r) => ({ key: r.key, updatedAt: new Date(r.updated_at).toISOString(), ...(r.expires_at ? { expiresAt: new Date(r.expires_at).toISOString() } : {}) }));
  }
}
