// Shared by the Python task tests: whether python3 with venv is here (required in CI), temporary
// data folders cleaned after the file, and running a task with a chosen data folder (where the
// flow's venvs live), as the engine does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { TaskDefinition } from '../../../main/plugins/types';
import { cleanupTestContexts, createTestContext, prepareProps } from './context';

/** True when python3 with venv/ensurepip is installed; under PEREGRINE_REQUIRE_BROKERS=1 its absence throws. */
export function requirePython3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
    return true;
  } catch {
    const why = 'python3 with the venv module (and ensurepip) is not installed: the Python script task tests need it (Debian: apt-get install python3 python3-venv)';
    if (process.env.PEREGRINE_REQUIRE_BROKERS === '1') throw new Error(why);
    console.warn(`SKIPPED: ${why}`);
    return false;
  }
}

/** A temporary-folder factory whose folders (and test contexts) are removed after the file. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    cleanupTestContexts();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/** Runs a task of flow company.team.<flowId> with a chosen data folder, as the engine does. */
export async function runIn<P>(def: TaskDefinition<P>, dataDir: string, spec: Record<string, unknown>, flowId = 'flow_a') {
  const t = createTestContext({ flow: { id: flowId, namespace: 'company.team' }, task: { id: 'task', type: def.type } });
  t.ctx.services.dataDir = dataDir;
  const outputs = await def.run!(t.ctx, prepareProps(def, spec, t.ctx));
  return { outputs: outputs ?? undefined, t, created: t.messages('INFO').some((m) => m.startsWith('Creating a Python virtual environment for this flow')) };
}
