// Admission latency of the store alone (admit() → committed), at a steady rate, with the
// engine's real write mix per execution (admission, then the final update, two task runs and a
// log one tick later): shows what commits and checkpoints add to every event's latency.
//   tsx bench/tools/admission-latency.ts [rate=2000] [seconds=10]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newState, transition } from '../../main/model/state';
import type { Execution } from '../../main/model/execution';
import { newId } from '../../main/runtime/ids';
import { Store } from '../../main/store';
import { histogram, recordMs, summary } from '../lib/hist';

const [rateArg = '2000', secondsArg = '10'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-'));
const store = new Store({ dataDir });
const h = histogram();
const payload = { body: { order: 'x'.repeat(1200) }, headers: { 'content-type': ['application/json'] } };

function execution(): Execution {
  const id = newId();
  return { id, namespace: 'bench', flowId: 'latency', flowRevision: 1, taskRunList: [], inputs: {}, labels: [], state: newState(), originalId: id,
    trigger: { id: 'webhook', type: 'io.kestra.plugin.core.trigger.Webhook', variables: payload } } as Execution;
}

async function one(): Promise<void> {
  const e = execution();
  const t0 = performance.now();
  await store.writer.admit({ execution: e });
  recordMs(h, performance.now() - t0);
  for (const taskId of ['a', 'b']) {
    const t = { id: newId(), executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, attempts: [], state: newState() };
    store.writer.saveTaskRun(transition(t.state, 'SUCCESS') && t);
  }
  store.writer.appendLog({ namespace: e.namespace, flowId: e.flowId, executionId: e.id, taskId: 'b', timestamp: new Date().toISOString(), level: 'INFO', message: 'hello' });
  transition(e.state, 'SUCCESS');
  store.writer.saveExecution(e);
}

const started = performance.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) void one();
    if (performance.now() - started > seconds * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, 1);
});
await store.writer.flush();
console.log(JSON.stringify({ rate, seconds, admissions: sent, latencyMs: summary(h), writer: store.writer.stats }));
await store.close();
fs.rmSync(dataDir, { recursive: true, force: true });
