// A profiling run of benchmark04 (not part of `npm run bench`): one message size at one rate, the
// engine under `node --cpu-prof`, optionally with extra Kafka consumer properties in the trigger
// (to test a hypothesis), then a self-time summary of the profile.
//   tsx bench/tools/profile-b04.ts <size=160KB> <rate=300> <seconds=5> [property=value ...]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../test/brokers';
import { ROOT, startPeregrine } from '../lib/peregrine';
import { runJsonProcess } from '../lib/pace';
import { countSince, executionsSince } from '../lib/store';
import { histogram, recordMs, summary } from '../lib/hist';
import { top } from './cpuprofile-top';

/** Bytes the process read and wrote (/proc/<pid>/io: wchar = all write() calls, write_bytes = to storage). */
function procIo(pid: number): Record<string, number> {
  return Object.fromEntries(fs.readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
}

const [size = '160KB', rateArg = '300', secondsArg = '5', ...extra] = process.argv.slice(2);
const kafka = await startBroker('kafka');
const brokers = kafka.connection.brokers.join(',');
const props = extra.map((kv) => kv.split('=')).map(([k, v]) => `      ${k}: "${v}"`).join('\n');
const flow = fs.readFileSync(path.join(ROOT, 'test/fixtures/kestra-benchmarks/benchmark04.yml'), 'utf8')
  .replace(/bootstrap\.servers: \S+/, `bootstrap.servers: ${brokers}${props ? `\n${props}` : ''}`);
const admin = new Kafka({ clientId: 'prof', brokers: kafka.connection.brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'test_kestra', numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-prof-'));
const server = await startPeregrine({ label: 'prof', flows: { benchmark04: flow }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
const produce = (sz: string, rate: number, secs: number) => runJsonProcess(path.join(ROOT, 'bench/benchmark04/produce.ts'), [brokers, 'test_kestra', sz, String(rate), String(secs)], 300_000);
try {
  const t = Date.now();
  while (countSince(server.dbFile, 'benchmarks', 'benchmark04', t).total === 0) await produce('1.6KB', 10, 0.5);
  await new Promise((r) => setTimeout(r, 1000));
  const io0 = procIo(server.child.pid!);
  const since = Date.now();
  const pub = await produce(size, Number(rateArg), Number(secondsArg));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const c = countSince(server.dbFile, 'benchmarks', 'benchmark04', since);
    if (c.total >= pub.sent && c.unfinished === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const io1 = procIo(server.child.pid!);
  const perExec = (k: string) => Math.round((io1[k] - io0[k]) / pub.sent);
  console.log(JSON.stringify({ messageBytes: pub.messageBytes, perExecution: { wchar: perExec('wchar'), write_bytes: perExec('write_bytes'), rchar: perExec('rchar') }, dbBytes: fs.statSync(server.dbFile).size, walBytes: fs.existsSync(`${server.dbFile}-wal`) ? fs.statSync(`${server.dbFile}-wal`).size : 0 }));
  const rows = executionsSince(server.dbFile, 'benchmarks', 'benchmark04', since, { marker: 'published_at', width: 40 });
  const h = histogram();
  let first = Infinity, last = 0;
  for (const r of rows) {
    const p = Number(/published_at\\?"\s*:\s*(\d+)/.exec(r.stampText)?.[1]);
    first = Math.min(first, p);
    if (r.endedAt) {
      last = Math.max(last, r.endedAt);
      recordMs(h, r.endedAt - p);
    }
  }
  console.log(JSON.stringify({ size, rate: Number(rateArg), extra, sent: pub.sent, producerCpuMs: pub.cpuMs, executions: rows.length, achievedPerSecond: Math.round(rows.length / ((last - first) / 1000)), publishToEnded: summary(h) }));
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  await kafka.stop();
}
// One profile per thread: the main thread and the store's writer worker.
for (const [i, file] of fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort().entries()) {
  const dest = path.join(os.tmpdir(), `b04-${size}-${rateArg}${extra.length ? '-tuned' : ''}-thread${i}.cpuprofile`);
  fs.copyFileSync(path.join(profDir, file), dest);
  console.log(top(dest, 20));
}
fs.rmSync(server.dataDir, { recursive: true, force: true });
fs.rmSync(profDir, { recursive: true, force: true });
process.exit(0);
