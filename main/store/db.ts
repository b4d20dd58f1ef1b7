// Opens the engine's SQLite file: WAL, the chosen durability, migrations applied.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export type Durability = 'NORMAL' | 'FULL';

export function openDatabase(dataDir: string, durability: Durability = 'NORMAL'): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'peregrine.db'));
  db.pragma('journal_mode = WAL');
  // NORMAL survives a process crash; FULL also survives power loss (DESIGN.md).
  db.pragma(`synchronous = ${durability}`);
  db.pragma('busy_timeout = 5000');
  // Checkpoints run on their own thread (store/writer.ts), not inside our commits.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}
