// Runs `peregrine server` as a child process (the way a user runs it) on a free port, in its
// own data folder, and talks to it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  token: string;
  dataDir: string;
  flowsDir: string;
  child: ChildProcess;
  output(): string;
  api<T = any>(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `peregrine-${prefix}-`));
}

export async function startServerProcess(
  opts: { dataDir?: string; flowsDir?: string; token?: string; env?: Record<string, string>; /** the embedded MQTT broker and sample flows (off in tests by default) */ demo?: boolean } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir('data');
  const flowsDir = opts.flowsDir ?? path.join(dataDir, 'flows');
  const token = opts.token ?? 'test-token';
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/peregrine.mjs'), 'server', '--port', '0', '--data-dir', dataDir, '--flows', flowsDir, '--token', token, ...(opts.demo ? ['--mqtt-port', '0'] : ['--no-embedded-mqtt', '--no-samples'])],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const api = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const isText = typeof body === 'string';
    const res = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': isText ? 'application/x-yaml' : 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : isText ? (body as string) : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
  return {
    url, token, dataDir, flowsDir, child,
    output: () => out,
    api,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls until `fn` returns a truthy value (no fixed sleeps in tests). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
