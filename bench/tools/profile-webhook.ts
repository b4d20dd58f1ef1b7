// A profiling run of benchmark01 (not part of `npm run bench`): the engine under `node --cpu-prof`,
// webhook load from bench/loadgen.ts at one rate, then a self-time summary of the profile and the
// engine's CPU µs per execution.
//   tsx bench/tools/profile-webhook.ts [rate=3000] [seconds=5] [flow=benchmark01]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startPeregrine } from '../lib/peregrine';
import { runJsonProcess } from '../lib/pace';
import { countSince } from '../lib/store';
import { top } from './cpuprofile-top';

const [rateArg = '3000', secondsArg = '5', flowId = 'benchmark01'] = process.argv.slice(2);
const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-prof-'));
const flow = fs.readFileSync(path.join(ROOT, `test/fixtures/kestra-benchmarks/${flowId}.yml`), 'utf8');
const server = await startPeregrine({ label: 'prof', flows: { [flowId]: flow }, maxInFlight: 100_000, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
const url = `${server.url}/api/v1/executions/webhook/benchmarks/${flowId}/benchmark`;
const load = (rate: number, secs: number) => runJsonProcess(path.join(ROOT, 'bench/loadgen.ts'), [url, String(rate), String(secs), '1024'], (secs + 60) * 1000);
try {
  await load(500, 2); // warm-up
  await server.drained();
  await server.health();
  const since = Date.now();
  const r = await load(Number(rateArg), Number(secondsArg));
  await server.drained();
  const h = await server.health();
  const n = countSince(server.dbFile, 'benchmarks', flowId, since).total;
  console.log(JSON.stringify({ rate: Number(rateArg), achieved: r.achieved, httpP99Ms: r.httpP99Ms, executions: n, cpuPercent: h.cpuPercent, cpuUsPerExecution: Math.round(((h.cpuPercent / 100) * h.windowMs * 1000) / n), loopLagP99: h.eventLoopLagMs.p99, rowsPerCommit: h.writer.rowsPerCommit }));
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
}
// One profile per thread: the main thread and the store's writer worker.
for (const [i, file] of fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort().entries()) {
  const dest = path.join(os.tmpdir(), `${flowId}-${rateArg}-thread${i}.cpuprofile`);
  fs.copyFileSync(path.join(profDir, file), dest);
  console.log(top(dest, 30));
}
fs.rmSync(server.dataDir, { recursive: true, force: true });
fs.rmSync(profDir, { recursive: true, force: true });
process.exit(0);
