// CPU cost of one benchmark01 execution in-process (admission → execution → commit), in µs of
// CPU per execution: a figure that holds even on a busy machine, to measure optimisations by.
//   tsx bench/engine-cpu.ts [N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../main/runtime/engine';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-'));
const engine = await Engine.start({ dataDir, maxInFlight: 1e9 });
await engine.saveFlow(fs.readFileSync(path.resolve(import.meta.dirname, '../test/fixtures/kestra-benchmarks/benchmark01.yml'), 'utf8'));
const N = Number(process.argv[2] ?? 20000);
const inst = engine.supervisor.get('benchmarks', 'benchmark01', 'webhook')!;
// warm up
for (let i = 0; i < 2000; i++) await inst.admit([{ variables: { body: null, headers: {}, parameters: {} } }]);
await new Promise((r) => setTimeout(r, 500));
const cpu0 = process.cpuUsage(); const t0 = performance.now();
const ids: string[] = [];
const batch = 100;
for (let i = 0; i < N; i += batch) {
  const rs = await Promise.all(Array.from({ length: batch }, () => inst.admit([{ variables: { body: null, headers: {}, parameters: {} } }])));
  for (const [r] of rs) ids.push(r.executionId);
}
await Promise.all(ids.slice(-200).map((id) => engine.waitFor(id)));
await engine.store.writer.flush();
const cpu = process.cpuUsage(cpu0); const wall = performance.now() - t0;
console.log(JSON.stringify({ N, cpuUsPerExec: +(((cpu.user + cpu.system) / N)).toFixed(1), wallMs: Math.round(wall), perSec: Math.round(N / wall * 1000), writer: engine.store.writer.stats }));
await engine.close();
