// Where the broker binaries, jars and the install cache are.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT = 'bash test/brokers/install.sh';

/** Downloads and builds of install.sh: $PEREGRINE_BROKERS_CACHE or ~/.cache/peregrine-brokers. */
export function cacheDir(): string {
  return process.env.PEREGRINE_BROKERS_CACHE || join(homedir(), '.cache', 'peregrine-brokers');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable named `name` on PATH or in the extra folders (Debian puts some in sbin). */
export function which(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin', ...extraDirs];
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** PostgreSQL server programs: PATH first, else the newest /usr/lib/postgresql/N/bin. */
export function pgBin(name: 'postgres' | 'initdb'): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const path = join(root, v, 'bin', name);
    if (isExecutable(path)) return path;
  }
  return which(name);
}

/** Folder of jars copied by install.sh, if it has any. */
export function jarDir(name: 'kafka' | 'elasticmq'): string | undefined {
  const dir = join(cacheDir(), name);
  try {
    return readdirSync(dir).some((f) => f.endsWith('.jar')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export function javaBin(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home && isExecutable(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return which('java');
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** uid/gid of a system user, when it exists. */
export function userIds(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', user], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
