// Scenario "realtime": for each broker, publish → execution created / first task running / execution
// ended through Peregrine's RealtimeTrigger, beside the FLOOR (the same broker, the same publisher
// and rates, consumed by a bare client in its own process that only notes the receive time).
// The product's overhead = Peregrine − floor. Peregrine and the floor run one after the other, on
// separate destinations of the same broker, so they never compete for the CPU.
import { fork } from 'node:child_process';
import path from 'node:path';
import { createRegistry } from '../../main/plugins';
import { startBroker, BrokerMissingError } from '../../test/brokers';
import { startPeregrine, type EngineHealth, type Peregrine } from '../lib/peregrine';
import { runJsonProcess } from '../lib/pace';
import { countSince, executionsSince } from '../lib/store';
import { histogram, recordMs, summary, type Summary } from '../lib/hist';
import { BROKER_SERVER, RT_BROKERS, TRIGGER_TYPE, flowYaml, openPublisher, parseStamp, prepare, type RtBroker, type Target } from './clients';

export interface RtStep {
  rate: number;
  seconds: number;
  peregrine?: {
    sent: number; publishErrors: number; executions: number; unfinished: number; failed: number; missing: number;
    achievedPerSecond: number;
    createdMs: Summary; firstTaskMs: Summary; endedMs: Summary;
    engine: EngineHealth;
  };
  floor?: { sent: number; publishErrors: number; received: number; unique: number; wallMs?: Summary; preciseMs?: Summary };
  /**
   * Peregrine created − floor receive, at p50, p99 and on the mean (both measured in integer ms of
   * the same wall clock; the mean of such differences is unbiased, so it resolves below 1 ms).
   */
  overheadMs?: { p50: number; p99: number; mean: number };
}

export interface RtBrokerResult {
  broker: RtBroker;
  trigger: string;
  status: 'ok' | 'skipped' | 'error';
  note?: string;
  brokerReadyMs?: number;
  steps: RtStep[];
}

export interface RealtimeResult { brokers: RtBrokerResult[]; steadyRate: number; steadySeconds: number; rates: number[]; stepSeconds: number; bundled?: boolean }

const NS = 'bench.rt';
const HERE = import.meta.dirname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RealtimeOptions { brokers?: RtBroker[]; steady?: { rate: number; seconds: number }; rates?: number[]; stepSeconds?: number; log?: (s: string) => void }

export async function realtimeScenario(o: RealtimeOptions = {}): Promise<RealtimeResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const steady = o.steady ?? { rate: 50, seconds: 6 };
  const rates = o.rates ?? [500, 1000, 2000];
  // 10 s per rate: at 1,000/s a p99 over 10,000 events, which one stall of the machine does not decide.
  const stepSeconds = o.stepSeconds ?? 10;
  const plan = [{ rate: steady.rate, seconds: steady.seconds }, ...rates.map((rate) => ({ rate, seconds: stepSeconds }))];
  const registry = createRegistry();
  const result: RealtimeResult = { brokers: [], steadyRate: steady.rate, steadySeconds: steady.seconds, rates, stepSeconds };
  for (const broker of o.brokers ?? [...RT_BROKERS]) {
    const r: RtBrokerResult = { broker, trigger: TRIGGER_TYPE[broker], status: 'ok', steps: plan.map((p) => ({ ...p })) };
    result.brokers.push(r);
    if (!registry.trigger(TRIGGER_TYPE[broker])) {
      r.status = 'skipped';
      r.note = `${TRIGGER_TYPE[broker]} is not registered in createRegistry() when this run started (the family is still being finished), so there is no Peregrine side to measure`;
      log(`realtime ${broker}: skipped — ${r.note}`);
      continue;
    }
    let handle;
    try {
      handle = await startBroker(BROKER_SERVER[broker]);
      r.brokerReadyMs = handle.readyMs;
    } catch (e) {
      r.status = 'skipped';
      r.note = e instanceof BrokerMissingError ? `broker not installed: ${(e as Error).message}` : `broker did not start: ${(e as Error).message.slice(0, 300)}`;
      log(`realtime ${broker}: skipped — ${r.note}`);
      continue;
    }
    try {
      const base = { broker, connection: handle.connection, url: handle.url };
      await peregrineSide(r, { ...base, name: 'peregrine' }, plan, log, result, { ...handle.env });
      await floorSide(r, { ...base, name: 'floor' }, plan, log);
      for (const s of r.steps) {
        if (s.peregrine && s.floor?.wallMs && s.peregrine.createdMs.count) {
          s.overheadMs = { p50: round(s.peregrine.createdMs.p50 - s.floor.wallMs.p50), p99: round(s.peregrine.createdMs.p99 - s.floor.wallMs.p99), mean: round(s.peregrine.createdMs.mean - s.floor.wallMs.mean) };
        }
      }
    } catch (e) {
      r.status = 'error';
      r.note = (e as Error).message.slice(0, 500);
      log(`realtime ${broker}: error — ${r.note}`);
    } finally {
      await handle.stop().catch(() => {});
    }
  }
  return result;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

async function probeUntil(t: Target, seen: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const pub = await openPublisher(t);
  try {
    const deadline = Date.now() + timeoutMs;
    let seq = 0;
    while (Date.now() < deadline) {
      pub.send([{ step: -1, seq: seq++ }]);
      await sleep(300);
      if (await seen()) return;
    }
    throw new Error(`${what}: no probe message arrived within ${timeoutMs / 1000} s`);
  } finally {
    await pub.close().catch(() => {});
  }
}

async function peregrineSide(r: RtBrokerResult, t: Target, plan: { rate: number; seconds: number }[], log: (s: string) => void, result: RealtimeResult, env: Record<string, string>): Promise<void> {
  await prepare(t);
  const flowId = `rt_${r.broker}`;
  let server: Peregrine | undefined;
  try {
    server = await startPeregrine({ label: `rt-${r.broker}`, flows: { [flowId]: flowYaml(t, flowId) }, env });
    result.bundled = server.bundled;
    const started = Date.now();
    await probeUntil(t, () => countSince(server!.dbFile, NS, flowId, started).total > 0, `Peregrine ${r.broker}`);
    await server.drained(10_000);
    await sleep(300);
    for (const [k, step] of r.steps.entries()) {
      await server.health();
      const since = Date.now();
      const pub = await runJsonProcess(path.join(HERE, 'publish.ts'), [JSON.stringify(t), String(step.rate), String(step.seconds), String(k)], (step.seconds + 90) * 1000);
      // Every message is an execution, and every execution is finished (or 30 s pass).
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const c = countSince(server.dbFile, NS, flowId, since);
        if (c.total >= pub.sent + pub.warmup && c.unfinished === 0) break;
        await sleep(100);
      }
      const engine = await server.health();
      const rows = executionsSince(server.dbFile, NS, flowId, since, { marker: 'step', width: 160, firstTask: true });
      const created = histogram(), first = histogram(), ended = histogram();
      let unfinished = 0, failed = 0, count = 0, lastEnd = 0, firstTs = Infinity;
      const seqs = new Set<number>();
      for (const row of rows) {
        const s = parseStamp(row.stampText);
        if (!s || s.step !== k) continue;
        count++;
        seqs.add(s.seq);
        firstTs = Math.min(firstTs, s.ts);
        recordMs(created, row.createdAt - s.ts);
        if (row.firstTaskRunning !== undefined) recordMs(first, row.firstTaskRunning - s.ts);
        if (row.endedAt === null) unfinished++;
        else {
          recordMs(ended, row.endedAt - s.ts);
          lastEnd = Math.max(lastEnd, row.endedAt);
        }
        if (row.state !== 'SUCCESS') failed++;
      }
      step.peregrine = {
        sent: pub.sent, publishErrors: pub.errors, executions: count, unfinished, failed, missing: Math.max(0, pub.sent - seqs.size),
        achievedPerSecond: lastEnd > firstTs ? Math.round((count - unfinished) / ((lastEnd - firstTs) / 1000)) : 0,
        createdMs: summary(created), firstTaskMs: summary(first), endedMs: summary(ended), engine,
      };
      const p = step.peregrine;
      log(`realtime ${r.broker} Peregrine @ ${step.rate}/s × ${step.seconds} s: ${p.executions}/${p.sent} executions, publish→created p50 ${p.createdMs.p50} ms p99 ${p.createdMs.p99} ms, →task p50 ${p.firstTaskMs.p50} p99 ${p.firstTaskMs.p99}, →ended p50 ${p.endedMs.p50} p99 ${p.endedMs.p99}; loop lag p99 ${engine.eventLoopLagMs.p99.toFixed(1)} ms, cpu ${engine.cpuPercent}%, rss ${engine.rssMb} MB, rows/commit ${engine.writer.rowsPerCommit}`);
      // Far behind (or losing messages): higher rates would only measure a queue. The floor runs the same steps.
      if (p.createdMs.p99 > 2000 || p.missing > 0) {
        r.steps.splice(k + 1);
        break;
      }
      await sleep(300);
    }
  } finally {
    await server?.stop();
  }
}

async function floorSide(r: RtBrokerResult, t: Target, plan: { rate: number; seconds: number }[], log: (s: string) => void): Promise<void> {
  await prepare(t);
  const child = fork(path.join(HERE, 'floor.ts'), [JSON.stringify(t)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: ((m: any) => void)[] = [];
  child.on('message', (m) => waiting.shift()?.(m));
  const next = (timeoutMs = 30_000) => new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('floor consumer did not answer')), timeoutMs);
    waiting.push((m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
  const report = async (step: number) => {
    const answer = next();
    child.send({ cmd: 'report', step });
    return answer;
  };
  try {
    await next(60_000); // ready
    await probeUntil(t, async () => (await report(-1)).count > 0, `floor ${r.broker}`);
    await sleep(500);
    for (const [k, step] of r.steps.entries()) {
      const pub = await runJsonProcess(path.join(HERE, 'publish.ts'), [JSON.stringify(t), String(step.rate), String(step.seconds), String(k)], (step.seconds + 90) * 1000);
      const deadline = Date.now() + 30_000;
      let rep = await report(k);
      while (rep.count < pub.sent && Date.now() < deadline) {
        await sleep(100);
        rep = await report(k);
      }
      step.floor = { sent: pub.sent, publishErrors: pub.errors, received: rep.count, unique: rep.unique, wallMs: rep.wall, preciseMs: rep.precise };
      log(`realtime ${r.broker} floor @ ${step.rate}/s × ${step.seconds} s: ${rep.count}/${pub.sent} received, publish→receive p50 ${rep.wall?.p50} ms p99 ${rep.wall?.p99} ms (precise p50 ${rep.precise?.p50 ?? '–'} ms p99 ${rep.precise?.p99 ?? '–'} ms)`);
      await sleep(300);
    }
  } finally {
    child.send({ cmd: 'stop' });
    await Promise.race([new Promise((res) => child.once('exit', res)), sleep(8000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
