// `peregrine server` for one benchmark scenario: its own data folder and workspace with the given
// flows, a free loopback port, and helpers for the REST API and the engine-health metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'bench';

export interface EngineHealth {
  windowMs: number;
  eventLoopLagMs: { p50: number; p99: number; max: number };
  rssMb: number;
  heapMb: number;
  cpuPercent: number;
  writer: { commits: number; rowsPerCommit: number; maxBatch: number };
  executionsRunning: number;
}

export interface Peregrine {
  url: string;
  dataDir: string;
  dbFile: string;
  child: ChildProcess;
  /** Whether bin/peregrine.mjs ran the esbuild bundle (else the TypeScript sources through tsx). */
  bundled: boolean;
  api<T = any>(p: string, init?: RequestInit): Promise<T>;
  /** Engine health since the last reset; resets the window. */
  health(): Promise<EngineHealth>;
  /** Waits until no execution is running (or the timeout passes). */
  drained(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** Whether bin/peregrine.mjs would pick the bundle (same rule as the bin). */
export function bundleFresh(): boolean {
  const bundle = path.join(ROOT, 'dist/engine/peregrine.mjs');
  if (!fs.existsSync(bundle)) return false;
  const newest = (dir: string): number => {
    let n = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      n = Math.max(n, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }
    return n;
  };
  return fs.statSync(bundle).mtimeMs > newest(path.join(ROOT, 'main'));
}

export async function startPeregrine(opts: { flows: Record<string, string>; maxInFlight?: number; nodeArgs?: string[]; label?: string; env?: Record<string, string> }): Promise<Peregrine> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `peregrine-bench-${opts.label ?? 'x'}-`));
  const flowsDir = path.join(dataDir, 'flows');
  fs.mkdirSync(flowsDir);
  for (const [name, source] of Object.entries(opts.flows)) fs.writeFileSync(path.join(flowsDir, `${name}.yml`), source);
  const bundled = bundleFresh();
  const args = [...(opts.nodeArgs ?? []), path.join(ROOT, 'bin/peregrine.mjs'), 'server', '--port', '0', '--token', TOKEN, '--data-dir', dataDir, '--flows', flowsDir, '--no-embedded-mqtt', '--no-samples'];
  if (opts.maxInFlight) args.push('--max-in-flight', String(opts.maxInFlight));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dataDir, env: { ...process.env, ...(opts.env ?? {}) } });
  let errText = '';
  child.stderr!.on('data', (d) => {
    errText += d;
    if (errText.length > 20_000) errText = errText.slice(-10_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`peregrine server did not start in 60 s:\n${errText.slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /serving on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/[?#].*$/, '').replace(/\/$/, ''));
      }
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`peregrine server exited ${c}:\n${errText.slice(-2000)}`));
    });
  });
  child.stdout!.resume();
  const api = async <T>(p: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(url + p, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    return (await res.json()) as T;
  };
  const self: Peregrine = {
    url, dataDir, dbFile: path.join(dataDir, 'peregrine.db'), child, bundled, api,
    health: () => api<EngineHealth>('/api/v1/peregrine/metrics?reset=true'),
    async drained(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = await api<EngineHealth>('/api/v1/peregrine/metrics');
        if (m.executionsRunning === 0) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const exited = await Promise.race([new Promise((r) => child.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!exited) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
