// An in-process engine on a temporary data folder, for trigger and executor tests.
import type { Execution } from '../../main/model/execution';
import type { StateType } from '../../main/model/state';
import { Engine, type EngineOptions } from '../../main/runtime/engine';
import { eventually, tempDir } from './server-process';

export async function startEngine(flows: string[], opts: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = await Engine.start({ dataDir: tempDir('engine'), backoff: { minMs: 100, maxMs: 1000 }, ...opts });
  for (const source of flows) {
    const r = await engine.saveFlow(source);
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  }
  return engine;
}

/** Waits until the flow has `count` executions in the given end states; returns them (oldest first). */
export async function executionsOf(
  engine: Engine, flowId: string, count: number, opts: { states?: StateType[]; timeoutMs?: number } = {},
): Promise<Execution[]> {
  const states = opts.states ?? ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'];
  await eventually(
    async () => {
      await engine.store.writer.flush();
      const n = engine.store.db
        .prepare(`SELECT count(*) FROM executions WHERE flow_id = ? AND state IN (${states.map(() => '?').join(',')})`)
        .pluck()
        .get(flowId, ...states) as number;
      return n >= count;
    },
    opts.timeoutMs ?? 30_000,
    `${count} ${states.join('/')} executions of ${flowId}`,
  );
  return engine.store.searchExecutions({ flowId, size: 100_000, sort: 'asc' }).results;
}

export function health(engine: Engine, namespace: string, flowId: string, triggerId: string) {
  return engine.supervisor.get(namespace, flowId, triggerId)?.health();
}
