// Kafka-system-test-style crash harness: uniquely numbered messages in, the engine SIGKILLed at
// seeded random moments and restarted, and every id accounted for at the end.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WITH_TRIGGER } from '../../main/store';
import type { BrokerHandle, BrokerName } from '../brokers';
import { startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process';

/** Another port on the broker's host to connect to (a fault-injecting proxy). */
export interface Endpoint {
  port: number;
}

export interface FamilyAdapter<N extends BrokerName = BrokerName> {
  family: string;
  broker: N;
  /** A flow whose trigger consumes the messages; its only task returns the id. `at`: connect there instead. */
  flow(broker: BrokerHandle<N>, at?: Endpoint): string;
  /** Publishes messages carrying these ids. */
  publish(broker: BrokerHandle<N>, ids: number[]): Promise<void>;
  /** The id an execution was started for. */
  idOf(trigger: Record<string, unknown>): number;
  /** True when the source gives a message identity (dedup): then no id may have two executions. */
  identity: boolean;
  /** Set-up on the broker before the engine starts (tables, streams). */
  prepare?(broker: BrokerHandle<N>): Promise<void>;
  close?(): Promise<void>;
  /** Where a proxy in front of the broker must listen and forward to (default: any port → broker.port). */
  proxy?(broker: BrokerHandle<N>): { listen: number; target: number };
  /** Environment the engine needs to reach the broker (at `at`) when the flow cannot say it. */
  env?(broker: BrokerHandle<N>, at?: Endpoint): Record<string, string>;
  /** What the BACKOFF reason must say after a black hole, where the family words it itself. */
  blackHoleReason?: RegExp;
  /** The broker keeps nothing across a SIGKILL (an in-memory fake): messages are lost with it. */
  volatile?: boolean;
  /** The broker writes acknowledged messages to disk only this often: a SIGKILL sooner loses them. */
  persistEveryMs?: number;
}

export interface CrashReport {
  family: string;
  sent: number;
  kills: number;
  executions: number;
  lost: number;
  duplicates: number;
  integrity: string[];
  seconds: number;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function integrityCheck(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'peregrine.db'));
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

function countExecutions(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'peregrine.db'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM executions').pluck().get() as number;
  } finally {
    db.close();
  }
}

export async function crashScenario<N extends BrokerName>(
  adapter: FamilyAdapter<N>, broker: BrokerHandle<N>, opts: { messages: number; kills: number; seed: number; batch?: number },
): Promise<CrashReport> {
  const started = Date.now();
  const random = seeded(opts.seed);
  const dataDir = tempDir(`crash-${adapter.family}`);
  const flowsDir = path.join(dataDir, 'flows');
  fs.mkdirSync(flowsDir, { recursive: true });
  fs.writeFileSync(path.join(flowsDir, 'crash.yml'), adapter.flow(broker));
  await adapter.prepare?.(broker);
  let server: ServerProcess = await startServerProcess({ dataDir, flowsDir, env: { ...broker.env } });
  const integrity: string[] = [];
  const batch = opts.batch ?? 100;
  const ids = Array.from({ length: opts.messages }, (_, i) => i + 1);
  // Kill points, spread over the stream: after which batch each kill happens (seeded).
  const batches = Math.ceil(ids.length / batch);
  const killAfter = new Set<number>();
  while (killAfter.size < Math.min(opts.kills, batches - 1)) killAfter.add(1 + Math.floor(random() * (batches - 1)));
  let kills = 0;
  try {
    for (let b = 0; b < batches; b++) {
      await adapter.publish(broker, ids.slice(b * batch, (b + 1) * batch));
      if (killAfter.has(b)) {
        // Let the engine get some way into what was published, then kill it at a random instant.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
        await server.kill('SIGKILL');
        kills++;
        integrity.push(integrityCheck(dataDir));
        server = await startServerProcess({ dataDir, flowsDir, env: { ...broker.env } });
      }
    }
    // Wait until every id has an execution (or nothing new arrives for a while).
    let last = -1;
    let stableSince = Date.now();
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const n = countExecutions(dataDir);
      if (n >= opts.messages && n === last && Date.now() - stableSince > 1500) break;
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 20_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await server.kill('SIGTERM');
    integrity.push(integrityCheck(dataDir));
  } finally {
    await server.kill('SIGKILL');
  }
  const db = new Database(path.join(dataDir, 'peregrine.db'), { readonly: true });
  const rows = db.prepare(`SELECT t.trigger FROM executions e ${WITH_TRIGGER}`).pluck().all() as (string | null)[];
  db.close();
  const seen = new Map<number, number>();
  for (const row of rows) {
    const trigger = (row ? JSON.parse(row).variables ?? {} : {}) as Record<string, unknown>;
    const id = adapter.idOf(trigger);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const lost = ids.filter((id) => !seen.has(id)).length;
  const duplicates = [...seen.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { family: adapter.family, sent: ids.length, kills, executions: rows.length, lost, duplicates, integrity, seconds: Math.round((Date.now() - started) / 1000) };
}

export function reportTable(reports: CrashReport[]): string {
  const lines = ['| family | sent | SIGKILLs | executions | lost | duplicates | integrity | seconds |', '|---|--:|--:|--:|--:|--:|---|--:|'];
  for (const r of reports) {
    const ok = r.integrity.every((x) => x === 'ok') ? 'ok' : r.integrity.join(', ');
    lines.push(`| ${r.family} | ${r.sent} | ${r.kills} | ${r.executions} | ${r.lost} | ${r.duplicates} | ${ok} | ${r.seconds} |`);
  }
  return lines.join('\n');
}

/** Appends a report to test-results/reliability.md so a run leaves its table behind. */
export function saveReport(title: string, table: string): void {
  const dir = path.resolve(import.meta.dirname, '../../test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'reliability.md'), `\n## ${title} — ${new Date().toISOString()}\n\n${table}\n`);
  console.log(`\n${title}\n${table}\n`);
}
