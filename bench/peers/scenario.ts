// Scenario "peers": the same webhook → set value → log flow in Peregrine (Kestra's benchmark01),
// Node-RED and n8n, one after the other in the same run, driven by the same load generator
// (bench/loadgen.ts, its own process) at the same stepped rates. Peers are installed from npm into
// a scratch folder outside the repository (bench/peers/install.ts).
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startPeregrine, type EngineHealth } from '../lib/peregrine';
import { runJsonProcess } from '../lib/pace';
import { countSince, executionsSince } from '../lib/store';
import { histogram, recordMs, summary, type Summary } from '../lib/hist';
import { cpuPercent, rssMb, sample } from '../lib/procstat';
import { installPeer, PEER_OVERRIDES, PEER_VERSION_NOTES, PEER_VERSIONS, type PeerName } from './install';
import { startNodeRed, type PeerServer } from './node-red';
import { n8nExecutionsSince, n8nPersisted, startN8n, type N8nServer } from './n8n';

export interface PeerStep {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  /** HTTP 200 answers per second of the step. */
  achievedPerSecond: number;
  httpMs: { p50: number; p99: number };
  /** From the tool's own store, when it keeps executions (Peregrine, n8n): end − creation. */
  executions?: number;
  unfinished?: number;
  executionLatencyMs?: Summary;
  executionsPerSecond?: number;
  cpuPercent?: number;
  rssMb?: number;
  engine?: EngineHealth;
}

export interface PeerResult {
  name: string;
  version: string;
  status: 'ok' | 'not installed' | 'not runnable' | 'error';
  note?: string;
  persisted: string;
  startMs?: number;
  steps: PeerStep[];
  sustainedPerSecond: number;
  /** sustained / Peregrine's sustained on benchmark01 in this scenario. */
  ratioToPeregrine?: number;
  setup?: string[];
}

export interface PeersResult { rates: number[]; seconds: number; rule: string; tools: PeerResult[] }

export const PEERS_DEFAULT_RATES = [50, 100, 200, 500, 1000, 2000, 3000, 5000];
const RULE = 'achieved ≥ 95% of offered with no failed or skipped request, HTTP p99 < 1 s and, where executions are stored, every one finished with execution latency p99 < 1 s';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const loadgen = (url: string, rate: number, seconds: number) =>
  runJsonProcess(path.join(ROOT, 'bench/loadgen.ts'), [url, String(rate), String(seconds), '1024'], (seconds + 60) * 1000);

function sustained(steps: PeerStep[]): number {
  const ok = steps.filter((s) => s.achievedPerSecond >= s.offeredPerSecond * 0.95 && s.failed === 0 && s.skipped === 0 && s.httpMs.p99 < 1000
    && (s.executionLatencyMs === undefined || (s.unfinished === 0 && (s.executions ?? 0) >= s.ok && s.executionLatencyMs.p99 < 1000)));
  return Math.max(0, ...ok.map((s) => s.offeredPerSecond));
}

const overloaded = (s: PeerStep) => s.achievedPerSecond < s.offeredPerSecond * 0.8 || s.httpMs.p99 > 5000 || (s.executionLatencyMs?.p99 ?? 0) > 5000 || (s.unfinished ?? 0) > 0;

export async function peersScenario(o: { rates?: number[]; seconds?: number; only?: string[]; log?: (s: string) => void } = {}): Promise<PeersResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const rates = o.rates ?? PEERS_DEFAULT_RATES;
  const seconds = o.seconds ?? 5;
  const result: PeersResult = { rates, seconds, rule: RULE, tools: [] };
  const want = (n: string) => !o.only || o.only.includes(n);

  if (want('peregrine')) result.tools.push(await peregrine(rates, seconds, log));
  for (const name of ['node-red', 'n8n'] as PeerName[]) if (want(name)) result.tools.push(await peer(name, rates, seconds, log));

  const base = result.tools.find((t) => t.name === 'Peregrine');
  for (const t of result.tools) if (base?.sustainedPerSecond && t.status === 'ok') t.ratioToPeregrine = Math.round((t.sustainedPerSecond / base.sustainedPerSecond) * 1000) / 1000;
  return result;
}

async function peregrine(rates: number[], seconds: number, log: (s: string) => void): Promise<PeerResult> {
  const r: PeerResult = {
    name: 'Peregrine', version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, status: 'ok', steps: [], sustainedPerSecond: 0,
    persisted: 'every execution, its task runs and its log line, committed to SQLite (WAL, synchronous=NORMAL) before the webhook answers',
  };
  const flow = fs.readFileSync(path.join(ROOT, 'test/fixtures/kestra-benchmarks/benchmark01.yml'), 'utf8');
  const t0 = performance.now();
  const server = await startPeregrine({ label: 'peers', flows: { benchmark01: flow }, maxInFlight: 100_000 });
  r.startMs = Math.round(performance.now() - t0);
  const url = `${server.url}/api/v1/executions/webhook/benchmarks/benchmark01/benchmark`;
  try {
    await loadgen(url, 200, 1); // warm-up
    await server.drained();
    for (const rate of rates) {
      await server.health();
      const since = Date.now();
      const load = await loadgen(url, rate, seconds);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const c = countSince(server.dbFile, 'benchmarks', 'benchmark01', since);
        if (c.total >= load.ok && c.unfinished === 0) break;
        await sleep(100);
      }
      const engine = await server.health();
      const rows = executionsSince(server.dbFile, 'benchmarks', 'benchmark01', since, { marker: 'id', width: 1 });
      const h = histogram();
      let unfinished = 0, first = Infinity, last = 0;
      for (const row of rows) {
        first = Math.min(first, row.createdAt);
        if (row.endedAt === null) unfinished++;
        else {
          recordMs(h, row.endedAt - row.createdAt);
          last = Math.max(last, row.endedAt);
        }
      }
      const step: PeerStep = {
        ...stepOf(rate, seconds, load), executions: rows.length, unfinished, executionLatencyMs: summary(h),
        executionsPerSecond: last > first ? Math.round((rows.length - unfinished) / ((last - first) / 1000)) : 0,
        cpuPercent: engine.cpuPercent, rssMb: engine.rssMb, engine,
      };
      r.steps.push(step);
      logStep(log, r.name, step);
      if (overloaded(step)) break;
      await server.drained();
      await sleep(300);
    }
  } finally {
    await server.stop();
  }
  r.sustainedPerSecond = sustained(r.steps);
  return r;
}

function stepOf(rate: number, seconds: number, load: any): PeerStep {
  return {
    offeredPerSecond: rate, seconds, sent: load.sent, ok: load.ok, failed: load.failed, skipped: load.skipped,
    achievedPerSecond: Math.round(load.achieved), httpMs: { p50: load.httpP50Ms, p99: load.httpP99Ms },
  };
}

function logStep(log: (s: string) => void, name: string, s: PeerStep): void {
  const exec = s.executionLatencyMs ? `, ${s.executions} executions stored (${s.unfinished} unfinished), execution latency p50 ${s.executionLatencyMs.p50} p99 ${s.executionLatencyMs.p99} ms, ${s.executionsPerSecond} executions/s` : '';
  log(`peers ${name} @ ${s.offeredPerSecond}/s: ${s.ok} OK, ${s.failed} failed, ${s.skipped} skipped, ${s.achievedPerSecond}/s, HTTP p50 ${s.httpMs.p50} p99 ${s.httpMs.p99} ms${exec}; cpu ${s.cpuPercent ?? '?'}%, rss ${s.rssMb ?? '?'} MB`);
}

async function peer(name: PeerName, rates: number[], seconds: number, log: (s: string) => void): Promise<PeerResult> {
  const version = PEER_VERSIONS[name];
  const r: PeerResult = {
    name: name === 'n8n' ? 'n8n' : 'Node-RED', version, status: 'ok', steps: [], sustainedPerSecond: 0,
    persisted: name === 'n8n'
      ? 'n8n defaults: every production execution is saved to its SQLite database (execution_entity) with the data each node produced (execution_data)'
      : 'nothing: Node-RED keeps no record of a message once it has passed; the debug node writes one console log line per request (to a file here)',
  };
  log(`peers: installing ${name}@${version} into the bench cache (reused when present)…`);
  const inst = await installPeer(name);
  if (!inst.ok) {
    r.status = 'not installed';
    r.note = `${PEER_VERSION_NOTES[name]}; ${inst.error}`;
    log(`peers ${name}: not installed — ${inst.error}`);
    return r;
  }
  r.note = [
    PEER_VERSION_NOTES[name],
    Object.keys(PEER_OVERRIDES[name]).length ? `installed with npm overrides ${JSON.stringify(PEER_OVERRIDES[name])} (a dependency fetched from a non-registry URL, unreachable here)` : '',
    inst.engineWarnings?.length ? `npm engine warnings for transitive dependencies: ${inst.engineWarnings.join(', ')} (npm installed it regardless)` : '',
  ].filter(Boolean).join('; ');
  let server: PeerServer | N8nServer;
  try {
    server = name === 'n8n' ? await startN8n(version) : await startNodeRed(version);
  } catch (e) {
    r.status = 'not runnable';
    r.note = [r.note, (e as Error).message.slice(0, 2500)].filter(Boolean).join('; ');
    log(`peers ${name}: could not start — ${(e as Error).message.slice(0, 600)}`);
    return r;
  }
  r.startMs = server.startMs;
  if ('setup' in server) r.setup = (server as N8nServer).setup;
  const pid = server.child.pid;
  try {
    await loadgen(server.webhookUrl, Math.min(50, rates[0]), 1); // warm-up
    await sleep(1000);
    for (const rate of rates) {
      const since = Date.now();
      const before = sample(pid);
      const load = await loadgen(server.webhookUrl, rate, seconds);
      const step: PeerStep = stepOf(rate, seconds, load);
      if ('dbFile' in server) {
        const n8n = server as N8nServer;
        const deadline = Date.now() + 60_000;
        let rows = n8nExecutionsSince(n8n.dbFile, since);
        while (Date.now() < deadline && (rows.length < load.ok || rows.some((x) => x.stoppedAt === null))) {
          await sleep(250);
          rows = n8nExecutionsSince(n8n.dbFile, since);
        }
        const h = histogram();
        let unfinished = 0, first = Infinity, last = 0;
        for (const x of rows) {
          first = Math.min(first, x.createdAt);
          if (x.stoppedAt === null) unfinished++;
          else {
            recordMs(h, x.stoppedAt - x.createdAt);
            last = Math.max(last, x.stoppedAt);
          }
        }
        Object.assign(step, {
          executions: rows.length, unfinished, executionLatencyMs: summary(h),
          executionsPerSecond: last > first ? Math.round((rows.length - unfinished) / ((last - first) / 1000)) : 0,
        });
      }
      step.cpuPercent = cpuPercent(before, sample(pid));
      step.rssMb = rssMb(pid);
      r.steps.push(step);
      logStep(log, r.name, step);
      if (overloaded(step)) break;
      await sleep(500);
    }
    if ('dbFile' in server) {
      const p = n8nPersisted((server as N8nServer).dbFile);
      r.persisted += ` — this run: ${p.executions} executions, ${(p.executionDataBytes / 1e6).toFixed(1)} MB of execution data, database ${(p.dbBytes / 1e6).toFixed(1)} MB`;
    }
  } catch (e) {
    r.status = 'error';
    r.note = [r.note, (e as Error).message.slice(0, 1000)].filter(Boolean).join('; ');
  } finally {
    await server.stop();
  }
  r.sustainedPerSecond = sustained(r.steps);
  return r;
}
