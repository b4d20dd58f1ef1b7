// Python tasks through a real engine, without network: outputFiles in internal storage read by the
// next task (outputs.<task>.outputFiles), the task `timeout` killing the script, a file of a previous
// task handed to the script by its kestra:// URI, logs recorded live.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

const python3 = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!python3) {
  const why = 'python3 is not installed';
  if (process.env.PEREGRINE_REQUIRE_BROKERS === '1') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
}

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  // The engine's data folder holds the flows' virtual environments (tens of MB each).
  if (engine) rmSync(engine.services.dataDir, { recursive: true, force: true });
  engine = undefined;
});

async function run(e: Engine, flowId: string): Promise<Execution> {
  const created = await e.createExecution('test.python', flowId);
  await e.waitFor(created.id);
  await e.store.writer.flush();
  return e.getExecution(created.id)!;
}

describe.skipIf(!python3)('python tasks in the engine', { timeout: 60_000 }, () => {
  it('keeps outputFiles in internal storage for the next tasks, and reads a previous file by its kestra:// URI', async () => {
    engine = await startEngine([`id: files
namespace: test.python
tasks:
  - id: make
    type: io.kestra.plugin.scripts.python.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    outputFiles:
      - "*.csv"
    script: |
      with open("orders.csv", "w") as f:
          f.write("id,amount\\n1,10\\n2,32\\n")
  - id: total
    type: io.kestra.plugin.scripts.python.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    script: |
      import csv, json
      rows = list(csv.DictReader(open("{{ outputs.make.outputFiles['orders.csv'] }}")))
      print("::" + json.dumps({"outputs": {"total": sum(int(r["amount"]) for r in rows)}}) + "::")
  - id: show
    type: io.kestra.plugin.core.log.Log
    message: "{{ read(outputs.make.outputFiles['orders.csv']) | trim }} / total={{ outputs.total.vars.total }}"
`]);
    const ex = await run(engine, 'files');
    expect(ex.state.current).toBe('SUCCESS');
    const uri = (ex.taskRunList.find((t) => t.taskId === 'make')!.outputs!.outputFiles as Record<string, string>)['orders.csv'];
    expect(uri).toMatch(/^kestra:\/\/.*orders\.csv$/);
    expect(engine.store.logs({ executionId: ex.id }).filter((l) => l.taskId === 'show').map((l) => l.message)).toEqual(['id,amount\n1,10\n2,32 / total=42']);
  });

  it('fails a script that outlives its timeout, logging what it printed live before', async () => {
    engine = await startEngine([`id: slow
namespace: test.python
tasks:
  - id: slow
    type: io.kestra.plugin.scripts.python.Script
    timeout: PT2S
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    script: |
      import time
      print("started")
      time.sleep(60)
      print("never")
`]);
    const created = await engine.createExecution('test.python', 'slow');
    // The line is in the store while the script still runs.
    await eventually(async () => {
      await engine!.store.writer.flush();
      return engine!.store.logs({ executionId: created.id }).some((l) => l.message === 'started');
    }, 5_000, 'the first line, live');
    const started = Date.now();
    await engine.waitFor(created.id);
    await engine.store.writer.flush();
    const ex = engine.getExecution(created.id)!;
    expect(ex.state.current).toBe('FAILED');
    expect(Date.now() - started).toBeLessThan(10_000);
    const messages = engine.store.logs({ executionId: ex.id }).map((l) => l.message);
    expect(messages).toContain('started');
    expect(messages).not.toContain('never');
    expect(messages.some((m) => m.includes('Timeout'))).toBe(true);
  });
});
