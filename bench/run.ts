// `npm run bench`: Kestra's published benchmarks run verbatim against `peregrine server`, with
// load from a separate process, reported as results.json, a Markdown table and a plot.
//   npm run bench -- [--scenarios ceiling,benchmark01,benchmark02,benchmark03,benchmark04,realtime,peers,coldstart] [--rates 5,50,500,1000,2000,3000,5000] [--duration 10]
//     benchmark04: [--sizes 1.6KB,16KB,160KB]   realtime: [--brokers redis,amqp,mqtt,nats,kafka,postgres,sqs,pubsub] [--steady 50x6]
//     peers: [--peers peregrine,node-red,n8n]   (--rates / --duration, when given, apply to every stepped scenario;
//     otherwise each new scenario uses its own default steps: 5 s each; realtime 50/s for 6 s, then 10 s per rate)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import hdr from 'hdr-histogram-js';
import { KESTRA_1_2, sustained } from './kestra-published';
import { writeReport, type BenchResults, type CeilingResult, type RateStep } from './report';
import { benchmark04Scenario } from './benchmark04/scenario';
import type { SizeName } from './benchmark04/orders';
import { realtimeScenario } from './realtime/scenario';
import type { RtBroker } from './realtime/clients';
import { peersScenario } from './peers/scenario';
import { bundleFresh } from './lib/peregrine';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = parseArgs(process.argv.slice(2));
const scenarios = (args.scenarios ?? 'ceiling,benchmark01,benchmark02,benchmark03,benchmark04,realtime,peers,coldstart').split(',');
const rates = (args.rates ?? '4.17,50,500,1000,2000,3000,4000,5000,6000').split(',').map(Number);
const duration = Number(args.duration ?? 10);
/** --rates / --duration as given on the command line (the new scenarios have their own defaults). */
const explicitRates = args.rates ? rates : undefined;
const explicitDuration = args.duration ? duration : undefined;

interface Server { url: string; child: ChildProcess; dataDir: string }

/** The URL a server process prints as "serving on <url>". */
function servingUrl(child: ChildProcess, what: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /serving on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`${what} exited ${c}`)));
  });
}

async function startServer(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-bench-'));
  const flowsDir = path.join(dataDir, 'flows');
  fs.mkdirSync(flowsDir);
  for (const f of ['benchmark01', 'benchmark02', 'benchmark03']) {
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/kestra-benchmarks', `${f}.yml`), path.join(flowsDir, `${f}.yml`));
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/peregrine.mjs'), 'server', '--port', '0', '--token', 'bench', '--data-dir', dataDir, '--flows', flowsDir, '--max-in-flight', '100000', '--no-embedded-mqtt'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await servingUrl(child, 'server');
  return { url, child, dataDir };
}

const api = async (server: Server, p: string, init: RequestInit = {}) => {
  const res = await fetch(server.url + p, { ...init, headers: { authorization: 'Bearer bench', 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return res.json() as Promise<any>;
};

function loadgen(url: string, rate: number, seconds: number): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/loadgen.ts'), url, String(rate), String(seconds), '1024'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`loadgen exited ${code}`))));
  });
}

/** Execution latency (end − creation) of the flow's executions created in [from, to]. */
function latencies(dataDir: string, flowId: string, from: number, to: number) {
  const db = new Database(path.join(dataDir, 'peregrine.db'), { readonly: true });
  const rows = db.prepare('SELECT created_at, ended_at, state FROM executions WHERE flow_id = ? AND created_at BETWEEN ? AND ?').all(flowId, from, to) as { created_at: number; ended_at: number | null; state: string }[];
  db.close();
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let unfinished = 0;
  let failed = 0;
  for (const r of rows) {
    if (r.ended_at === null) unfinished++;
    else h.recordValue(Math.max(1, (r.ended_at - r.created_at) * 1000)); // µs, at ms resolution
    if (r.state !== 'SUCCESS') failed++;
  }
  return { count: rows.length, unfinished, failed, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, max: h.maxValue / 1000 };
}

async function drained(server: Server, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = await api(server, '/api/v1/peregrine/metrics');
    if (m.executionsRunning === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function webhookScenario(server: Server, flowId: string): Promise<RateStep[]> {
  const steps: RateStep[] = [];
  for (const rate of rates) {
    await api(server, '/api/v1/peregrine/metrics?reset=true');
    const from = Date.now();
    const load = await loadgen(`${server.url}/api/v1/executions/webhook/benchmarks/${flowId}/benchmark`, rate, duration);
    const to = Date.now();
    await drained(server);
    const health = await api(server, '/api/v1/peregrine/metrics?reset=true');
    const lat = latencies(server.dataDir, flowId, from, to);
    const step: RateStep = {
      offeredPerSecond: rate, achievedPerSecond: Math.round(load.achieved), sent: load.sent, executions: lat.count, failed: lat.failed + load.failed,
      skipped: load.skipped, latencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max }, httpMs: { p50: load.httpP50Ms, p99: load.httpP99Ms }, engine: health,
    };
    steps.push(step);
    console.log(`${flowId} @ ${rate}/s: achieved ${step.achievedPerSecond}/s, latency p50 ${lat.p50.toFixed(1)} ms p99 ${lat.p99.toFixed(1)} ms, loop lag p99 ${health.eventLoopLagMs.p99.toFixed(1)} ms, rss ${health.rssMb} MB, cpu ${health.cpuPercent}%, rows/commit ${health.writer.rowsPerCommit}`);
    // Stop stepping up once the engine clearly cannot keep up (latency past 5 s or a large shortfall).
    if (lat.p99 > 5000 || step.achievedPerSecond < rate * 0.8) break;
  }
  return steps;
}

/** The do-nothing HTTP server (bench/ceiling/server.ts) under the same load generator: this machine's ceiling. */
async function ceilingScenario(): Promise<CeilingResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/ceiling/server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await servingUrl(child, 'ceiling server');
    const target = `${url}/api/v1/executions/webhook/benchmarks/benchmark01/benchmark`;
    await loadgen(target, 1000, 1); // warm-up
    const steps: CeilingResult['steps'] = [];
    for (const rate of explicitRates ?? [2000, 5000, 8000, 10_000, 12_000, 15_000, 20_000]) {
      const load = await loadgen(target, rate, duration);
      steps.push({ offeredPerSecond: rate, achievedPerSecond: Math.round(load.achieved), httpP50Ms: load.httpP50Ms, httpP99Ms: load.httpP99Ms });
      console.log(`ceiling @ ${rate}/s: achieved ${Math.round(load.achieved)}/s, HTTP p50 ${load.httpP50Ms.toFixed(2)} ms p99 ${load.httpP99Ms.toFixed(1)} ms`);
      if (load.achieved < rate * 0.8) break;
    }
    const ok = steps.filter((x) => x.achievedPerSecond >= x.offeredPerSecond * 0.95 && x.httpP99Ms < 50);
    return { steps, sustainedPerSecond: Math.max(0, ...ok.map((x) => x.offeredPerSecond)) };
  } finally {
    child.kill('SIGTERM');
  }
}

async function foreachScenario(server: Server): Promise<{ runs: number; p50Ms: number; minMs: number }> {
  const durations: number[] = [];
  for (let i = 0; i < 20; i++) {
    const e = await api(server, '/api/v1/executions/benchmarks/benchmark03?wait=true', { method: 'POST', body: '{}' });
    durations.push(Date.parse(e.state.endDate) - Date.parse(e.state.startDate));
  }
  durations.sort((a, b) => a - b);
  const r = { runs: durations.length, p50Ms: durations[Math.floor(durations.length / 2)], minMs: durations[0] };
  console.log(`benchmark03: 100-iteration ForEach, p50 ${r.p50Ms} ms, best ${r.minMs} ms over ${r.runs} runs`);
  return r;
}

/** Cold start: spawn → "serving on" with 100 flows in the workspace (bundled engine when built). */
async function coldStart(): Promise<{ flows: number; runs: number; p50Ms: number; minMs: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-cold-'));
  const flowsDir = path.join(dataDir, 'flows');
  fs.mkdirSync(flowsDir);
  const source = fs.readFileSync(path.join(ROOT, 'test/fixtures/kestra-benchmarks/benchmark02.yml'), 'utf8');
  for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(flowsDir, `f${i}.yml`), source.replace('id: benchmark02', `id: flow${i}`));
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/peregrine.mjs'), 'server', '--port', '0', '--token', 'x', '--data-dir', dataDir, '--flows', flowsDir, '--no-embedded-mqtt'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('serving on')) resolve();
      });
    });
    times.push(performance.now() - t);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const r = { flows: 100, runs: times.length, p50Ms: Math.round(times[2]), minMs: Math.round(times[0]) };
  console.log(`cold start with 100 flows: p50 ${r.p50Ms} ms, best ${r.minMs} ms`);
  return r;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const environment: BenchResults['environment'] = { loadAverageStart: os.loadavg(), engine: bundleFresh() ? 'dist/engine bundle' : 'TypeScript sources through tsx (the bundle is older than main/)' };
  // The benchmark01–03 server starts when first needed and stops once they are done, so that it
  // does not sit beside the other scenarios' processes.
  let server: Server | undefined;
  const getServer = async () => (server ??= await startServer());
  const stopServer = (s: Server) => {
    s.child.once('exit', () => fs.rmSync(s.dataDir, { recursive: true, force: true }));
    s.child.kill('SIGTERM');
  };
  const results: BenchResults = {
    date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    durationPerStepS: duration, scenarios: {}, kestra: KESTRA_1_2, environment,
  };
  try {
    for (const [i, s] of scenarios.entries()) {
      if (server && !scenarios.slice(i).some((x) => ['benchmark01', 'benchmark02', 'benchmark03'].includes(x))) {
        stopServer(server);
        server = undefined;
      }
      if (s === 'benchmark01' || s === 'benchmark02') {
        const steps = await webhookScenario(await getServer(), s);
        const ok = steps.filter((x) => x.latencyMs.p99 < 1000 && x.achievedPerSecond >= x.offeredPerSecond * 0.95);
        const fast = steps.filter((x) => x.latencyMs.p99 < 50 && x.achievedPerSecond >= x.offeredPerSecond * 0.95);
        results.scenarios[s] = {
          steps,
          sustainedPerSecond: Math.max(0, ...ok.map((x) => x.offeredPerSecond)),
          sustainedP99Under50msPerSecond: Math.max(0, ...fast.map((x) => x.offeredPerSecond)),
          kestraSustainedPerMinute: { oss: sustained(KESTRA_1_2[s].oss), ee: sustained(KESTRA_1_2[s].ee) },
        };
      } else if (s === 'benchmark03') {
        results.scenarios[s] = { foreach: await foreachScenario(await getServer()) };
      } else if (s === 'ceiling') {
        results.scenarios[s] = { ceiling: await ceilingScenario() };
      } else if (s === 'coldstart') {
        results.scenarios[s] = { coldStart: await coldStart() };
      } else if (s === 'benchmark04') {
        results.scenarios[s] = await benchmark04Scenario({ sizes: args.sizes?.split(',') as SizeName[] | undefined, rates: explicitRates, seconds: explicitDuration });
      } else if (s === 'realtime') {
        const [rate, secs] = (args.steady ?? '50x6').split('x').map(Number);
        results.scenarios[s] = await realtimeScenario({ brokers: args.brokers?.split(',') as RtBroker[] | undefined, steady: { rate, seconds: secs }, rates: explicitRates, stepSeconds: explicitDuration });
      } else if (s === 'peers') {
        results.scenarios[s] = await peersScenario({ only: args.peers?.split(','), rates: explicitRates, seconds: explicitDuration });
      } else {
        console.warn(`unknown scenario ${s} (known: ceiling, benchmark01, benchmark02, benchmark03, benchmark04, realtime, peers, coldstart)`);
      }
    }
  } finally {
    if (server) stopServer(server as Server);
  }
  environment.loadAverageEnd = os.loadavg();
  environment.wallSeconds = (performance.now() - t0) / 1000;
  const dir = await writeReport(results, path.join(ROOT, 'bench/results'));
  console.log(`\n${fs.readFileSync(path.join(dir, 'results.md'), 'utf8')}\nwritten to ${path.relative(ROOT, dir)}`);
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[i + 1] ?? '';
  return out;
}

await main();
