// Secrets: encrypted at rest (AES-256-GCM) with a key the host provides — a 0600 key file in
// web mode, Electron's safeStorage in the app. Values are never returned by listings.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';

export interface SecretKeyProvider { key(): Buffer }

/** A random 32-byte key kept in `<dataDir>/secret.key`, readable by its owner only. */
export function keyFileProvider(dataDir: string): SecretKeyProvider {
  const file = path.join(dataDir, 'secret.key');
  let cached: Buffer | undefined;
  return {
    key() {
      if (cached) return cached;
      if (!fs.existsSync(file)) {
        fs.mkdirSync(dataDir, { recursive: true });
        fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
      }
      fs.chmodSync(file, 0o600);
      cached = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
      if (cached.length !== 32) throw new Error(`${file} does not hold a 32-byte key`);
      return cached;
    },
  };
}

export class SecretStore {
  constructor(private readonly db: Database.Database, private readonly keys: SecretKeyProvider) {}

  set(namespace: string, name: string, value: string): void {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keys.key(), iv);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const blob = Buffer.concat([iv, cipher.getAuthTag(), body]);
    this.db
      .prepare('INSERT INTO secrets (namespace, name, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(namespace, name, blob, Date.now());
  }

  /** The secret for a namespace, falling back to parent namespaces and then the global ("") one. */
  get(namespace: string, name: string): string | undefined {
    const stmt = this.db.prepare('SELECT value FROM secrets WHERE namespace = ? AND name = ?').pluck();
    const parts = namespace ? namespace.split('.') : [];
    for (let i = parts.length; i >= 0; i--) {
      const blob = stmt.get(parts.slice(0, i).join('.'), name) as Buffer | undefined;
      if (blob) return this.decrypt(blob);
    }
    return undefined;
  }

  delete(namespace: string, name: string): boolean {
    return this.db.prepare('DELETE FROM secrets WHERE namespace = ? AND name = ?').run(namespace, name).changes > 0;
  }

  list(): { namespace: string; name: string; updatedAt: string }[] {
    return (this.db.prepare('SELECT namespace, name, updated_at FROM secrets ORDER BY namespace, name').all() as any[]).map(
      (r) => ({ namespace: r.namespace, name: r.name, updatedAt: new Date(r.updated_at).toISOString() }),
    );
  }

  private decrypt(blob: Buffer): string {
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.keys.key(), blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Kestra's convention: `SECRET_<NAME>` environment variables hold base64-encoded values. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[`SECRET_${name}`];
  return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
}
