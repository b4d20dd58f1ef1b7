// Server processes: each runs detached in its own process group, writes to a log file, and is
// stopped gracefully (one signal to the leader) and then cleaned up (SIGKILL to the group).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { isRoot, userIds } from './paths';

export interface Launch {
  /** Shown in errors and in the log. */
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** System user to run as when we are root (PostgreSQL refuses root). */
  runAs?: string;
  /** Graceful stop signal, sent to the group leader (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Wait this long for a graceful stop before SIGKILL (default 30 s). */
  stopTimeoutMs?: number;
  /** Wait until this loopback port accepts connections before launching the next process. */
  waitForPort?: number;
}

export interface ServerProcess {
  readonly launch: Launch;
  readonly pid: number;
  /** Exit description, once exited. */
  exitedWith?: string;
  readonly exited: Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function logLine(logFile: string, text: string): void {
  const fd = openSync(logFile, 'a');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function runAsIds(user: string | undefined): { uid: number; gid: number } | undefined {
  if (!user || !isRoot()) return undefined;
  const ids = userIds(user);
  if (!ids) throw new Error(`system user ${user} is missing (run: bash test/brokers/install.sh)`);
  return ids;
}

/** Start a server process in its own process group, output appended to `logFile`. */
export function spawnServer(launch: Launch, logFile: string): ServerProcess {
  logLine(logFile, `\n=== ${new Date().toISOString()} ${launch.command} ${launch.args.join(' ')}\n`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      detached: true,
      stdio: ['ignore', fd, fd],
      ...runAsIds(launch.runAs),
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  let settle!: () => void;
  const exited = new Promise<void>((resolve) => (settle = resolve));
  const proc: ServerProcess = { launch, pid: child.pid ?? -1, exited };
  child.once('error', (err) => {
    proc.exitedWith = `failed to start: ${err.message}`;
    settle();
  });
  child.once('exit', (code, signal) => {
    proc.exitedWith = signal ? `killed by ${signal}` : `exit code ${code}`;
    settle();
  });
  return proc;
}

/** Run a setup command to completion (initdb, Kafka storage format), output to the log. */
export function runToCompletion(launch: Launch, logFile: string, timeoutMs = 120_000): void {
  logLine(logFile, `\n=== ${new Date().toISOString()} ${launch.command} ${launch.args.join(' ')}\n`);
  const fd = openSync(logFile, 'a');
  try {
    const result = spawnSync(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', fd, fd],
      timeout: timeoutMs,
      ...runAsIds(launch.runAs),
    });
    if (result.error) throw new Error(`${launch.label} failed: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${launch.label} failed (${result.signal ?? `exit code ${result.status}`})`);
  } finally {
    closeSync(fd);
  }
}

/** Signal a whole process group; false when it no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  zombie: boolean;
}

/** Every live process from /proc (Linux); empty where there is no /proc. */
function processTable(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const table: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp), zombie: state === 'Z' || state === 'X' });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/**
 * The server's processes: its process group plus every descendant of the leader (PostgreSQL's
 * children call setsid(), so they are not in the postmaster's group).
 */
function serverProcesses(leader: number, table = processTable()): number[] {
  const found = new Set<number>();
  for (const p of table) if (!p.zombie && p.pgrp === leader) found.add(p.pid);
  const queue = [leader];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table) {
      if (p.ppid === parent && !found.has(p.pid)) {
        if (!p.zombie) found.add(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return [...found];
}

/** Graceful stop: signal the leader, wait, then SIGKILL whatever is left of the server. */
export async function stopServer(proc: ServerProcess): Promise<void> {
  if (proc.exitedWith === undefined) {
    try {
      process.kill(proc.pid, proc.launch.stopSignal ?? 'SIGTERM');
    } catch {
      // already gone
    }
    const timeout = sleep(proc.launch.stopTimeoutMs ?? 30_000).then(() => 'timeout');
    await Promise.race([proc.exited, timeout]);
  }
  await killServer(proc);
}

/** SIGKILL the server (group and descendants) and wait until none of it is left. */
export async function killServer(proc: ServerProcess): Promise<void> {
  const members = serverProcesses(proc.pid);
  signalGroup(proc.pid, 'SIGKILL');
  for (const pid of members) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await Promise.race([proc.exited, sleep(10_000)]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const table = processTable();
    const alive = new Set(table.filter((p) => !p.zombie).map((p) => p.pid));
    if (!members.some((pid) => alive.has(pid)) && !table.some((p) => !p.zombie && p.pgrp === proc.pid)) return;
    await sleep(50);
  }
}

/** Synchronous last resort for process exit handlers. */
export function killServerSync(proc: ServerProcess): void {
  const members = serverProcesses(proc.pid);
  signalGroup(proc.pid, 'SIGKILL');
  for (const pid of members) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number, proc?: ServerProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (proc?.exitedWith !== undefined) throw new Error(`${proc.launch.label} ${proc.exitedWith}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A watchdog shell that SIGKILLs the given process groups (and removes `dir`, if given) as soon
 * as this Node process is gone, even when it was killed with SIGKILL and ran no exit handler.
 * Returns its pid, to be killed on a normal stop.
 */
export function spawnWatchdog(groups: number[], dir: string | undefined): number | undefined {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    // dash's kill: "-9 -PGID" signals the group ("--" is not understood)
    ...groups.map((g) => `kill -9 -${g} 2>/dev/null`),
    dir ? `sleep 1; rm -rf -- '${dir.replace(/'/g, `'\\''`)}'` : ':',
  ].join('\n');
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return child.pid;
}

export function killWatchdog(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
