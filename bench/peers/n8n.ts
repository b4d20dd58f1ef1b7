// n8n running the webhook → set value → log flow: Webhook (POST /webhook/bench, n8n's default
// "respond immediately") → Edit Fields (Set: message = "Hello World") → No Operation (n8n has no
// log node: what each node produced is kept in the execution record). Imported with its CLI
// (`n8n import:workflow`), activated, then `n8n start` with N8N_USER_FOLDER in a scratch folder and
// its defaults otherwise: SQLite, regular execution mode, every execution and its data saved.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort, until } from '../lib/net';
import { peerPrefix } from './install';
import type { PeerServer } from './node-red';

const WORKFLOW_ID = 'PeregrineBench01';

export const N8N_WORKFLOW = {
  id: WORKFLOW_ID,
  name: 'bench webhook → set → log',
  active: true,
  nodes: [
    { id: '0f5bd0c2-1c1d-4c55-9d4e-6a1b8f0b0001', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: '6c0c7b53-0d8f-4a43-8f8e-2b8f5b0b0001', parameters: { httpMethod: 'POST', path: 'bench', options: {} } },
    {
      id: '0f5bd0c2-1c1d-4c55-9d4e-6a1b8f0b0002', name: 'Edit Fields', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [220, 0],
      parameters: { assignments: { assignments: [{ id: 'a1', name: 'message', value: 'Hello World', type: 'string' }] }, options: {} },
    },
    { id: '0f5bd0c2-1c1d-4c55-9d4e-6a1b8f0b0003', name: 'No Operation, do nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
  ],
  connections: {
    Webhook: { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
    'Edit Fields': { main: [[{ node: 'No Operation, do nothing', type: 'main', index: 0 }]] },
  },
  settings: { executionOrder: 'v1' },
  pinData: {},
};

export interface N8nServer extends PeerServer { dbFile: string; setup: string[] }

function env(home: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    N8N_USER_FOLDER: home,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    WEBHOOK_URL: `http://127.0.0.1:${port}/`,
    // No calls home from a benchmark (nothing but loopback is reachable anyway).
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_SECURE_COOKIE: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    NODE_ENV: 'production',
  };
}

export async function startN8n(version: string): Promise<N8nServer> {
  const bin = path.join(peerPrefix('n8n'), 'node_modules/n8n/bin/n8n');
  if (!fs.existsSync(bin)) throw new Error(`n8n is not installed at ${bin}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-bench-n8n-'));
  const port = await freePort();
  const e = env(home, port);
  const setup: string[] = [];
  const wf = path.join(home, 'workflow.json');
  fs.writeFileSync(wf, JSON.stringify(N8N_WORKFLOW, null, 2));
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { env: e, cwd: home, encoding: 'utf8', timeout: 180_000 });
    const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    setup.push(`n8n ${args.join(' ')} → exit ${r.status}${text ? `: ${text.split('\n').slice(-3).join(' | ')}` : ''}`);
    return r.status === 0;
  };
  const t0 = performance.now();
  if (!cli(['import:workflow', `--input=${wf}`])) throw new Error(`n8n import:workflow failed: ${setup.at(-1)}`);
  // n8n 2.x publishes a workflow version to make it active; 1.x flips `active`. Try the first that exists.
  if (!cli(['publish:workflow', `--id=${WORKFLOW_ID}`])) cli(['update:workflow', `--id=${WORKFLOW_ID}`, '--active=true']);
  const logFile = path.join(home, 'n8n.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [bin, 'start'], { env: e, cwd: home, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const webhookUrl = `http://127.0.0.1:${port}/webhook/bench`;
  const up = await until(async () => (await fetch(webhookUrl, { method: 'POST' })).status === 200, 180_000, 500);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`n8n did not answer on ${webhookUrl} within 180 s:\n${setup.join('\n')}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  return {
    name: 'n8n', version, webhookUrl, child: child as ChildProcess, home, logFile, startMs: Math.round(performance.now() - t0), setup,
    dbFile: path.join(home, '.n8n', 'database.sqlite'),
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface N8nExecution { id: number; status: string; createdAt: number; startedAt: number | null; stoppedAt: number | null }

/** n8n stores dates as UTC text "YYYY-MM-DD HH:MM:SS.SSS". */
const date = (v: string | null): number | null => (v ? Date.parse(v.includes('T') ? v : `${v.replace(' ', 'T')}Z`) : null);

/** The workflow's executions created since `since` (n8n's own SQLite, read-only). */
export function n8nExecutionsSince(dbFile: string, since: number): N8nExecution[] {
  if (!fs.existsSync(dbFile)) return [];
  const db = new Database(dbFile, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    const iso = new Date(since).toISOString().replace('T', ' ').replace('Z', '');
    const rows = db.prepare('SELECT id, status, createdAt, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? AND createdAt >= ?').all(WORKFLOW_ID, iso) as { id: number; status: string; createdAt: string; startedAt: string | null; stoppedAt: string | null }[];
    return rows.map((r) => ({ id: r.id, status: r.status, createdAt: date(r.createdAt)!, startedAt: date(r.startedAt), stoppedAt: date(r.stoppedAt) }));
  } finally {
    db.close();
  }
}

/** What n8n kept: rows and bytes of execution records and their data. */
export function n8nPersisted(dbFile: string): { executions: number; executionDataBytes: number; dbBytes: number } {
  if (!fs.existsSync(dbFile)) return { executions: 0, executionDataBytes: 0, dbBytes: 0 };
  const db = new Database(dbFile, { readonly: true });
  try {
    const executions = (db.prepare('SELECT count(*) AS n FROM execution_entity WHERE workflowId = ?').get(WORKFLOW_ID) as { n: number }).n;
    let executionDataBytes = 0;
    try {
      executionDataBytes = (db.prepare('SELECT coalesce(sum(length(data)), 0) AS b FROM execution_data').get() as { b: number }).b;
    } catch {
      // older schema
    }
    const wal = fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0;
    return { executions, executionDataBytes, dbBytes: fs.statSync(dbFile).size + wal };
  } finally {
    db.close();
  }
}
