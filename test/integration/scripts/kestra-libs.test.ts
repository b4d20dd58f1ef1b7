// Kestra's own script libraries as conformance clients, through a real engine: the `kestra` package
// from PyPI (installed by the flow itself, `beforeCommands: pip install kestra`, into the flow's
// cached virtual environment) and `@kestra-io/libs` from npm (installed by this setup into a temp
// folder given to the script as NODE_PATH, and by a Commands task with `npm install`, Kestra's way).
// Asserts what the engine recorded: outputs, metrics (outputs.<task>.metrics) and log levels.
//
// Needs python3 with venv, npm, and access to PyPI and the npm registry.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Execution, LogEntry } from '../../../main/model/execution';
import { flowVenvsDir, readMeta } from '../../../main/plugins/scripts/python/env';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { tempDir } from '../../helpers/server-process';

const has = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const python3 = has('python3', ['-c', 'import venv, ensurepip']);
const npm = has('npm', ['--version']);
for (const [ok, why] of [
  [python3, 'python3 with the venv module is not installed (Debian: apt-get install python3 python3-venv)'],
  [npm, 'npm is not installed'],
] as const) {
  if (ok) continue;
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
  const created = await e.createExecution('test.scripts', flowId);
  await e.waitFor(created.id);
  await e.store.writer.flush();
  return e.getExecution(created.id)!;
}

const taskRun = (ex: Execution, taskId: string) => ex.taskRunList.find((t) => t.taskId === taskId)!;
const logsOf = (e: Engine, ex: Execution, taskId: string): LogEntry[] => e.store.logs({ executionId: ex.id }).filter((l) => l.taskId === taskId);
/** Why an execution failed, for the assertion message. */
const explain = (e: Engine, ex: Execution) =>
  e.store.logs({ executionId: ex.id }).filter((l) => l.level === 'ERROR' || l.level === 'WARN').map((l) => `${l.taskId}: ${l.message}`).join('\n');

describe.skipIf(!python3)('the kestra package (PyPI) in python tasks', { timeout: 300_000 }, () => {
  const flow = (install: string) => `id: python_libs
namespace: test.scripts
inputs:
  - id: rows
    type: INT
    defaults: 7
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    beforeCommands:
      - ${install}
    script: |
      import time
      from kestra import Kestra

      Kestra.outputs({"answer": 42, "ok": True, "nested": {"list": [1, 2]}, "rows": {{ inputs.rows }}})
      Kestra.counter("rows", {{ inputs.rows }}, {"source": "orders"})
      Kestra.timer("load", 1.5, {"phase": "extract"})
      Kestra.timer("sleep", lambda: time.sleep(0.01))
      Kestra.gauge("temperature", 21.5)
      logger = Kestra.logger()
      logger.debug("debug line")
      logger.info("info line")
      logger.warning("warning line")
      logger.error("error line")
      logger.critical("critical line")
      print("plain stdout")
  - id: py_commands
    type: io.kestra.plugin.scripts.python.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    beforeCommands:
      - ${install}
    inputFiles:
      main.py: |
        import sys
        from kestra import Kestra
        Kestra.outputs({"doubled": int(sys.argv[1]) * 2})
    commands:
      - python main.py {{ outputs.py.vars.answer }}
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "answer={{ outputs.py.vars.answer }} ok={{ outputs.py.vars.ok }} doubled={{ outputs.py_commands.vars.doubled }}"
`;

  it('outputs, metrics and log levels; the venv is created once, reused by the next task and execution, and a new one when beforeCommands change', async () => {
    engine = await startEngine([flow('pip install kestra')]);
    const venvs = () => readdirSync(flowVenvsDir(engine!.services.dataDir, 'test.scripts', 'python_libs'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

    const first = await run(engine, 'python_libs');
    expect(first.state.current, explain(engine, first)).toBe('SUCCESS');

    const py = taskRun(first, 'py');
    expect(py.outputs).toMatchObject({ exitCode: 0, vars: { answer: 42, ok: true, nested: { list: [1, 2] }, rows: 7 }, outputFiles: {} });
    const metrics = py.outputs!.metrics as { name: string; type: string; value: number; tags: Record<string, string> }[];
    expect(metrics).toEqual(expect.arrayContaining([
      { name: 'rows', type: 'counter', value: 7, tags: { source: 'orders' } },
      { name: 'load', type: 'timer', value: 1.5, tags: { phase: 'extract' } },
      { name: 'temperature', type: 'gauge', value: 21.5, tags: {} },
    ]));
    expect(metrics.find((m) => m.name === 'sleep')).toMatchObject({ type: 'timer', tags: {} });
    expect(typeof metrics.find((m) => m.name === 'sleep')!.value).toBe('number');
    expect(taskRun(first, 'py_commands').outputs).toMatchObject({ vars: { doubled: 84 } });

    // Kestra.logger(): "<ISO time> - <message>" at the level sent; WARNING → WARN, CRITICAL → ERROR.
    const pyLogs = logsOf(engine, first, 'py');
    const byMessage = (text: string) => pyLogs.filter((l) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z - ${text}$`).test(l.message)).map((l) => l.level);
    expect(byMessage('debug line')).toEqual(['DEBUG']);
    expect(byMessage('info line')).toEqual(['INFO']);
    expect(byMessage('warning line')).toEqual(['WARN']);
    expect(byMessage('error line')).toEqual(['ERROR']);
    expect(byMessage('critical line')).toEqual(['ERROR']);
    expect(pyLogs.filter((l) => l.message === 'plain stdout').map((l) => l.level)).toEqual(['INFO']);
    expect(pyLogs.some((l) => l.message.includes('::{'))).toBe(false);
    expect(logsOf(engine, first, 'use').map((l) => l.message)).toEqual(['answer=42 ok=true doubled=84']);

    // The first task created the venv and pip-installed kestra into it; the second reused it.
    expect(pyLogs.some((l) => l.message.startsWith('Creating a Python virtual environment for this flow'))).toBe(true);
    expect(pyLogs.some((l) => /^Successfully installed .*kestra-/.test(l.message))).toBe(true);
    const cmdLogs = logsOf(engine, first, 'py_commands');
    expect(cmdLogs.some((l) => l.message.startsWith('Creating'))).toBe(false);
    expect(cmdLogs.some((l) => l.message.startsWith('Requirement already satisfied: kestra'))).toBe(true);
    expect(venvs()).toHaveLength(1);
    const venv = path.join(flowVenvsDir(engine.services.dataDir, 'test.scripts', 'python_libs'), venvs()[0]);
    const meta = (await readMeta(venv))!;
    const cfg = statSync(path.join(venv, 'pyvenv.cfg'));

    // A second execution: the same venv, pip finds kestra installed.
    const second = await run(engine, 'python_libs');
    expect(second.state.current, explain(engine, second)).toBe('SUCCESS');
    const again = logsOf(engine, second, 'py');
    expect(again.some((l) => l.message.startsWith('Creating'))).toBe(false);
    expect(again.some((l) => l.level === 'DEBUG' && l.message.startsWith("Reusing this flow's Python virtual environment") && l.message.endsWith(venv))).toBe(true);
    expect(again.some((l) => l.message.startsWith('Requirement already satisfied: kestra'))).toBe(true);
    expect(again.some((l) => l.message.startsWith('Successfully installed'))).toBe(false);
    expect(venvs()).toHaveLength(1);
    expect((await readMeta(venv))!.createdAt).toBe(meta.createdAt);
    expect(statSync(path.join(venv, 'pyvenv.cfg')).ino).toBe(cfg.ino);

    // Changed beforeCommands: a new venv.
    const saved = await engine.saveFlow(flow('pip install "kestra>=1"'));
    expect(saved.ok).toBe(true);
    const third = await run(engine, 'python_libs');
    expect(third.state.current, explain(engine, third)).toBe('SUCCESS');
    expect(logsOf(engine, third, 'py').some((l) => l.message.startsWith('Creating a Python virtual environment for this flow'))).toBe(true);
    expect(venvs()).toHaveLength(2);
  });
});

describe.skipIf(!npm)('@kestra-io/libs (npm) in node tasks', { timeout: 300_000 }, () => {
  let nodeModules = '';
  let npmDir = '';
  afterAll(() => {
    if (npmDir) rmSync(npmDir, { recursive: true, force: true });
  });
  beforeAll(() => {
    // The library from the npm registry, into a temporary folder (not the repository).
    const dir = tempDir('kestra-libs-npm');
    npmDir = dir;
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', dir, '@kestra-io/libs'], { cwd: dir, stdio: 'pipe', timeout: 180_000 });
    nodeModules = path.join(dir, 'node_modules');
  }, 200_000);

  it('outputs, metrics and log levels, with the library on NODE_PATH and installed by beforeCommands', async () => {
    engine = await startEngine([`id: node_libs
namespace: test.scripts
tasks:
  - id: js
    type: io.kestra.plugin.scripts.node.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      NODE_PATH: "${nodeModules}"
    script: |
      const Kestra = require('@kestra-io/libs');
      Kestra.outputs({ answer: 42, ok: true, nested: { list: [1, 2] } });
      Kestra.counter('rows', 7, { source: 'orders' });
      Kestra.timer('load', 1.5, { phase: 'extract' });
      Kestra.gauge('temperature', 21.5);
      const logger = Kestra.logger();
      logger.debug('debug line');
      logger.info('info line');
      logger.warn('warning line');
      logger.error('error line');
      console.log('plain stdout');
      Kestra.timer('wait', (done) => setTimeout(done, 20));
  - id: js_commands
    type: io.kestra.plugin.scripts.node.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    beforeCommands:
      - npm install --no-audit --no-fund --no-package-lock --silent @kestra-io/libs
    inputFiles:
      main.js: |
        const Kestra = require('@kestra-io/libs');
        Kestra.outputs({ doubled: Number(process.argv[2]) * 2 });
    commands:
      - node main.js {{ outputs.js.vars.answer }}
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "answer={{ outputs.js.vars.answer }} ok={{ outputs.js.vars.ok }} doubled={{ outputs.js_commands.vars.doubled }}"
`]);
    const ex = await run(engine, 'node_libs');
    expect(ex.state.current, explain(engine, ex)).toBe('SUCCESS');

    const js = taskRun(ex, 'js');
    expect(js.outputs).toMatchObject({ exitCode: 0, vars: { answer: 42, ok: true, nested: { list: [1, 2] } }, outputFiles: {} });
    const metrics = js.outputs!.metrics as { name: string; type: string; value: number; tags: Record<string, string> }[];
    expect(metrics).toEqual(expect.arrayContaining([
      { name: 'rows', type: 'counter', value: 7, tags: { source: 'orders' } },
      { name: 'load', type: 'timer', value: 1.5, tags: { phase: 'extract' } },
      { name: 'temperature', type: 'gauge', value: 21.5, tags: {} },
    ]));
    const wait = metrics.find((m) => m.name === 'wait')!;
    expect(wait).toMatchObject({ type: 'timer', tags: {} });
    expect(wait.value).toBeGreaterThan(0);

    const jsLogs = logsOf(engine, ex, 'js').map((l) => `${l.level} ${l.message}`);
    expect(jsLogs).toEqual(expect.arrayContaining(['DEBUG debug line', 'INFO info line', 'WARN warning line', 'ERROR error line', 'INFO plain stdout']));
    expect(jsLogs.some((l) => l.includes('::{'))).toBe(false);

    expect(taskRun(ex, 'js_commands').outputs).toMatchObject({ exitCode: 0, vars: { doubled: 84 } });
    expect(logsOf(engine, ex, 'use').map((l) => l.message)).toEqual(['answer=42 ok=true doubled=84']);
  });
});
