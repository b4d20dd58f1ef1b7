// Python for script tasks run as local processes: which interpreter runs them, and the virtual
// environment their `beforeCommands` and `dependencies` install into.
//
// Kestra runs `pip install …` from beforeCommands in a fresh container every time. Locally that
// would reinstall on every execution — far too slow for one execution per event — so a task with
// beforeCommands or dependencies runs inside a virtual environment CACHED PER FLOW:
//
//   <dataDir>/python/venvs/<namespace>/<flowId>/<key>/     key = hash(Python version and
//                                                          executable, beforeCommands, dependencies)
//
// While they do not change, the venv is reused. beforeCommands still run every time, as in Kestra
// (they may do more than install), but `pip install x` then finds x installed and returns at once.
// A changed beforeCommands (or another Python) gives another key, so a new venv; venvs of the flow
// unused for a week are removed when a new one is created.
//
// Creation is guarded by a lock: in-process (the engine runs many executions at once) and a lock
// file (another process on the same data folder). The venv becomes "ready" once the creating run's
// beforeCommands succeeded — a line after them writes the ready marker — and until then other runs
// of the flow wait, so two runs never pip-install into the same fresh venv at once. When the
// creating run's beforeCommands fail, the venv is removed: a broken environment is never reused.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, accessSync, statSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../types';
import { runProcess } from '../runner';

export interface PythonInfo {
  /** The command found in PATH (python3, python3.12, a pyenv shim …). */
  command: string;
  /** `sys.executable`: the interpreter itself. */
  executable: string;
  /** e.g. 3.11.7 */
  version: string;
}

/** Where executables live in a venv. */
const VENV_BIN = process.platform === 'win32' ? 'Scripts' : 'bin';
const READY = '.peregrine-ready';
const META = '.peregrine-env.json';
const LAST_USED = '.peregrine-last-used';
/** Venvs of a flow unused for this long are removed when the flow gets a new one. */
export const PRUNE_UNUSED_AFTER_MS = 7 * 24 * 3600 * 1000;
const POLL_MS = 100;

// ---------------------------------------------------------------------------------------------
// The interpreter.

export function findExecutable(name: string, PATH: string | undefined): string | undefined {
  for (const dir of (PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, fsConstants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const probes = new Map<string, Promise<PythonInfo>>();

function probe(command: string, env: Record<string, string>): Promise<PythonInfo> {
  const key = `${command}\u0000${env.PATH ?? ''}`;
  let p = probes.get(key);
  if (!p) {
    p = new Promise<PythonInfo>((resolve, reject) => {
      execFile(command, ['-c', 'import sys; print(sys.version.split()[0]); print(sys.executable)'], { env, timeout: 30_000 }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`Cannot run ${command}: ${(String(stderr).trim().split('\n').pop() || error.message).trim()}`));
          return;
        }
        const [version, executable] = String(stdout).trim().split('\n').map((s) => s.trim());
        resolve({ command, version, executable: executable || command });
      });
    });
    probes.set(key, p);
    p.catch(() => probes.delete(key));
  }
  return p;
}

/**
 * The Python that runs the task: `python<pythonVersion>` when asked for and installed, else
 * `python3`, else `python`. Kestra installs a missing version with uv; here a missing version is a
 * warning and the default Python runs the script.
 */
export async function resolvePython(env: Record<string, string>, pythonVersion: string | undefined, logger: Logger): Promise<PythonInfo> {
  const wanted = pythonVersion?.trim() || undefined;
  const names = [...(wanted ? [`python${wanted}`] : []), 'python3', 'python'];
  for (const name of names) {
    const file = findExecutable(name, env.PATH);
    if (!file) continue;
    const info = await probe(file, env);
    if (wanted && info.version !== wanted && !info.version.startsWith(`${wanted}.`)) {
      logger.warn(`pythonVersion ${wanted}: no python${wanted} in PATH, the script runs with ${name} (Python ${info.version})`);
    }
    return info;
  }
  throw new Error(`No Python interpreter found in PATH (${env.PATH ?? ''}): install Python 3 (python3)`);
}

/**
 * Kestra's commands call `python`; many systems only have `python3`. When PATH has no `python`,
 * returns a folder (under the data folder) holding a `python` link to the interpreter, to append to PATH.
 */
export async function pythonCommandFolder(dataDir: string, python: PythonInfo, PATH: string | undefined): Promise<string | undefined> {
  if (findExecutable('python', PATH) || process.platform === 'win32') return undefined;
  const dir = path.join(dataDir, 'python', 'bin');
  const link = path.join(dir, 'python');
  const current = await fs.readlink(link).catch(() => undefined);
  if (current !== python.executable) {
    await fs.mkdir(dir, { recursive: true });
    const tmp = `${link}.${process.pid}.${Date.now()}`;
    await fs.symlink(python.executable, tmp);
    await fs.rename(tmp, link); // atomic: a concurrent run sees the old link or the new one
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// The virtual environment.

export interface VenvRequest {
  /** The data folder: venvs live in <dataDir>/python/venvs. */
  dataDir: string;
  namespace: string;
  flowId: string;
  python: PythonInfo;
  /** Rendered beforeCommands, with the run's own folders replaced by placeholders (they change every run). */
  beforeCommands: string[];
  dependencies: string[];
  /** The environment the venv is created and `dependencies` installed with. */
  env: Record<string, string>;
  logger: Logger;
  signal: AbortSignal;
  /** false (dependencyCacheEnabled: false): a throwaway venv in `scratchDir`, removed with the run. */
  cache: boolean;
  scratchDir: string;
}

export interface Venv {
  dir: string;
  /** Its bin folder, to put first in PATH. */
  bin: string;
  /** True when this run created it. */
  created: boolean;
  /** A shell line to run right after beforeCommands: it marks the venv ready (only for the run that created it). */
  readyLine?: string;
  /** Call once the run ended: a venv this run created and whose beforeCommands failed is removed. */
  release(): Promise<void>;
}

export function venvKey(python: PythonInfo, beforeCommands: string[], dependencies: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: 1, python: python.version, executable: python.executable, beforeCommands, dependencies }))
    .digest('hex')
    .slice(0, 16);
}

/** The folder of a flow's venvs. */
export function flowVenvsDir(dataDir: string, namespace: string, flowId: string): string {
  return path.join(dataDir, 'python', 'venvs', safeSegment(namespace), safeSegment(flowId));
}

const safeSegment = (s: string) => {
  const v = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return v === '' || v === '.' || v === '..' ? '_' : v;
};

/** Venvs being created by a run of this process (the in-process half of the lock). */
const creatingHere = new Set<string>();

/** Returns the venv to run in: reused when ready, created (under the lock) otherwise. */
export async function acquireVenv(req: VenvRequest): Promise<Venv> {
  if (!req.cache) {
    const dir = path.join(req.scratchDir, 'venv');
    req.logger.info(`dependencyCacheEnabled is false: a fresh Python virtual environment for this run (Python ${req.python.version})`);
    await createVenv(req, dir);
    return { dir, bin: path.join(dir, VENV_BIN), created: true, release: async () => undefined };
  }

  const key = venvKey(req.python, req.beforeCommands, req.dependencies);
  const dir = path.join(flowVenvsDir(req.dataDir, req.namespace, req.flowId), key);
  const ready = path.join(dir, READY);
  const lockFile = `${dir}.lock`;
  let waitingSaid = false;

  for (;;) {
    if (req.signal.aborted) throw abortError(req.signal);
    if (await exists(ready)) return reuse(req, dir);
    if (!creatingHere.has(dir)) {
      creatingHere.add(dir); // no await between the check and the add: one creator per process
      let locked = false;
      try {
        locked = await tryLockFile(lockFile);
      } finally {
        if (!locked) creatingHere.delete(dir);
      }
      if (locked) {
        const unlock = async () => {
          await fs.rm(lockFile, { force: true }).catch(() => undefined);
          creatingHere.delete(dir);
        };
        try {
          if (await exists(ready)) {
            await unlock();
            return reuse(req, dir);
          }
          return await createCached(req, dir, key, unlock);
        } catch (e) {
          await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
          await unlock();
          throw e;
        }
      }
    }
    if (!waitingSaid) {
      waitingSaid = true;
      req.logger.info('Waiting for another run of this flow that is creating its Python virtual environment');
    }
    await sleep(POLL_MS, req.signal);
  }
}

async function reuse(req: VenvRequest, dir: string): Promise<Venv> {
  const meta = await readMeta(dir);
  await fs.writeFile(path.join(dir, LAST_USED), new Date().toISOString()).catch(() => undefined);
  req.logger.debug(`Reusing this flow's Python virtual environment (Python ${req.python.version}${meta?.createdAt ? `, created ${meta.createdAt}` : ''}): ${dir}`);
  return { dir, bin: path.join(dir, VENV_BIN), created: false, release: async () => undefined };
}

async function createCached(req: VenvRequest, dir: string, key: string, unlock: () => Promise<void>): Promise<Venv> {
  await fs.rm(dir, { recursive: true, force: true }); // what a failed creation may have left
  await fs.mkdir(path.dirname(dir), { recursive: true });
  req.logger.info(
    `Creating a Python virtual environment for this flow (Python ${req.python.version}); it is reused while beforeCommands${req.dependencies.length ? ' and dependencies' : ''} do not change: ${dir}`,
  );
  await createVenv(req, dir);
  const meta: VenvMeta = {
    createdAt: new Date().toISOString(),
    key,
    python: req.python.version,
    executable: req.python.executable,
    flow: `${req.namespace}.${req.flowId}`,
    beforeCommands: req.beforeCommands,
    dependencies: req.dependencies,
  };
  await fs.writeFile(path.join(dir, META), `${JSON.stringify(meta, null, 2)}\n`);
  await fs.writeFile(path.join(dir, LAST_USED), meta.createdAt);
  const ready = path.join(dir, READY);
  const needsBefore = req.beforeCommands.length > 0 && process.platform !== 'win32';
  if (!needsBefore) await fs.writeFile(ready, meta.createdAt);
  await pruneUnused(path.dirname(dir), dir, req.logger);
  return {
    dir,
    bin: path.join(dir, VENV_BIN),
    created: true,
    readyLine: needsBefore ? `: > ${shellQuote(ready)}` : undefined,
    async release() {
      if (!(await exists(ready))) {
        req.logger.warn('beforeCommands did not succeed: the new Python virtual environment is discarded (the next run creates it again)');
        await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
      await unlock();
    },
  };
}

async function createVenv(req: VenvRequest, dir: string): Promise<void> {
  const venv = await runProcess({
    command: [req.python.executable, '-m', 'venv', dir],
    cwd: path.dirname(dir),
    env: req.env,
    signal: req.signal,
    logger: req.logger,
  });
  if (venv.aborted) throw abortError(req.signal);
  if (venv.exitCode !== 0) {
    throw new Error(
      `Cannot create a Python virtual environment with ${req.python.executable} -m venv${venv.lastStdErr ? `: ${venv.lastStdErr}` : ''} (on Debian/Ubuntu: apt-get install python3-venv)`,
    );
  }
  if (req.dependencies.length === 0) return;
  const bin = path.join(dir, VENV_BIN);
  req.logger.info(`Installing dependencies: ${req.dependencies.join(' ')}`);
  const pip = await runProcess({
    command: [path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python'), '-m', 'pip', 'install', ...req.dependencies],
    cwd: path.dirname(dir),
    env: { ...req.env, PATH: `${bin}${path.delimiter}${req.env.PATH ?? ''}`, VIRTUAL_ENV: dir },
    signal: req.signal,
    logger: req.logger,
  });
  if (pip.aborted) throw abortError(req.signal);
  if (pip.exitCode !== 0) throw new Error(`Cannot install the dependencies (pip exit code ${pip.exitCode})${pip.lastStdErr ? `: ${pip.lastStdErr}` : ''}`);
}

interface VenvMeta {
  createdAt: string;
  key: string;
  python: string;
  executable: string;
  flow: string;
  beforeCommands: string[];
  dependencies: string[];
}

export async function readMeta(dir: string): Promise<VenvMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, META), 'utf8')) as VenvMeta;
  } catch {
    return undefined;
  }
}

/** Removes the flow's other venvs that no run used for a week (and that nobody is creating). */
async function pruneUnused(flowDir: string, keep: string, logger: Logger): Promise<void> {
  const entries = await fs.readdir(flowDir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const dir = path.join(flowDir, e.name);
    if (!e.isDirectory() || dir === keep || creatingHere.has(dir) || (await exists(`${dir}.lock`))) continue;
    const used = await fs.stat(path.join(dir, LAST_USED)).catch(() => fs.stat(dir).catch(() => undefined));
    if (used && Date.now() - used.mtimeMs > PRUNE_UNUSED_AFTER_MS) {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      logger.debug(`Removed a virtual environment of this flow unused since ${used.mtime.toISOString()}: ${dir}`);
    }
  }
}

/** The cross-process half of the lock: an exclusive file holding the creator's pid. */
async function tryLockFile(lockFile: string): Promise<boolean> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(lockFile, 'wx');
      try {
        await fh.writeFile(JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      } finally {
        await fh.close();
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!(await isStale(lockFile))) return false;
    await fs.rm(lockFile, { force: true });
  }
  return false;
}

/**
 * A lock is stale when its process is gone, or when it names this process (the caller holds the
 * in-process lock, so no run of this process holds the file: it is a leftover).
 */
async function isStale(lockFile: string): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockFile, 'utf8');
    mtimeMs = (await fs.stat(lockFile)).mtimeMs;
  } catch {
    return false; // just removed: try again next poll
  }
  let pid: unknown;
  try {
    pid = (JSON.parse(text) as { pid?: unknown }).pid;
  } catch {
    return Date.now() - mtimeMs > 10_000; // being written, or garbage
  }
  if (typeof pid !== 'number') return Date.now() - mtimeMs > 10_000;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(`Process killed: ${String(reason ?? 'task stopped')}`);
}

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
