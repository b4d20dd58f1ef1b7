// Where a realtime trigger's latency tail comes from: the engine in-process with a Redis list
// trigger fed at a steady rate, GC pauses and event-loop stalls (1 ms resolution) recorded, and
// each message's publish → created latency, with the late ones (send offset+ms) beside the GC pauses.
//   tsx bench/tools/loop-stalls.ts [rate=1000] [seconds=10]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startBroker } from '../../test/brokers';
import { Engine } from '../../main/runtime/engine';
import { executionsSince } from '../lib/store';
import { parseStamp, stamp } from '../realtime/clients';
import { histogram, recordMs, summary } from '../lib/hist';

const [rateArg = '1000', secondsArg = '10'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const redis = await startBroker('redis');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stalls-'));
const engine = await Engine.start({ dataDir, maxInFlight: 10_000 });
await engine.saveFlow(`id: stalls
namespace: bench
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${redis.url}
    key: stalls
`);
await new Promise((r) => setTimeout(r, 1000));
const gcs: { kind: number; ms: number; at: number }[] = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail?.kind, ms: e.duration, at: performance.timeOrigin + e.startTime });
});
obs.observe({ entryTypes: ['gc'] });
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const pub = new Redis(redis.connection);
const started = Date.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const t = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    const batch: string[] = [];
    for (; sent < due; sent++) batch.push(stamp(0, sent));
    if (batch.length) void pub.rpush('stalls', ...batch);
    if (Date.now() - started > seconds * 1000) {
      clearInterval(t);
      resolve();
    }
  }, 1);
});
await new Promise((r) => setTimeout(r, 1000));
loop.disable();
obs.disconnect();
const created = histogram();
const late: string[] = [];
for (const row of executionsSince(path.join(dataDir, 'peregrine.db'), 'bench', 'stalls', started, { marker: '"step', width: 120 })) {
  const s = parseStamp(row.stampText);
  if (!s) continue;
  recordMs(created, row.createdAt - s.ts);
  if (row.createdAt - s.ts >= 5) late.push(`${s.ts - started}+${row.createdAt - s.ts}`);
}
console.log(JSON.stringify({
  rate, seconds, sent,
  publishToCreatedMs: summary(created),
  loopMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, p999: loop.percentile(99.9) / 1e6, max: loop.max / 1e6 },
  gc: { count: gcs.length, totalMs: Math.round(gcs.reduce((a, g) => a + g.ms, 0)), over2msAt: gcs.filter((g) => g.ms > 2).map((g) => `${Math.round(g.at - started)}:${g.ms.toFixed(1)}`) },
  lateAt: late.slice(0, 200),
  writer: engine.store.writer.stats,
}));
pub.disconnect();
await engine.close();
await redis.stop();
process.exit(0);
