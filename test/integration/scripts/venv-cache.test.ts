// The Python virtual environment cached per flow (main/plugins/scripts/python/env.ts), with real
// `python3 -m venv` (a few seconds each, hence here and not in test/unit): created at the first
// run, reused while beforeCommands do not change, a new one when they change, discarded when the
// creating run's beforeCommands fail, created once when runs start together, a dead process's lock
// taken over. No network: beforeCommands here do not download (kestra-libs.test.ts does, with pip).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowVenvsDir, readMeta, resolvePython, venvKey } from '../../../main/plugins/scripts/python/env';
import { pythonCommands } from '../../../main/plugins/scripts/python/commands';
import { pythonScript } from '../../../main/plugins/scripts/python/script';
import { scrubbedEnv } from '../../../main/plugins/scripts/runner';
import { createTestContext } from '../../unit/plugins/context';
import { requirePython3, runIn, tempDirs } from '../../unit/plugins/python-helpers';

const python3 = requirePython3();
const tempDir = tempDirs('peregrine-venv-test-');

const venvsOf = (dataDir: string, flowId = 'flow_a') => {
  const dir = flowVenvsDir(dataDir, 'company.team', flowId);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)) : [];
};
const locksOf = (dataDir: string, flowId = 'flow_a') => {
  const dir = flowVenvsDir(dataDir, 'company.team', flowId);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.lock')) : [];
};

describe.skipIf(!python3)('the Python virtual environment cached per flow', { timeout: 180_000 }, () => {
  // {{ workingDir }} changes every run: it must not change the key.
  const before = ['echo "pip would install here"', 'ls {{ workingDir }} > /dev/null', 'python -c "import sys; print(\'before-in-venv\', sys.prefix != sys.base_prefix)"'];
  const script = 'import sys, os\nprint("in-venv", sys.prefix != sys.base_prefix, os.environ["VIRTUAL_ENV"] == sys.prefix)';

  it('is created at the first run, reused while beforeCommands do not change (Script and Commands alike), a new one when they change', async () => {
    const dataDir = tempDir();
    const first = await runIn(pythonScript, dataDir, { beforeCommands: before, script });
    expect(first.created).toBe(true);
    expect(first.t.messages('INFO')).toEqual(expect.arrayContaining(['before-in-venv True', 'in-venv True True']));
    const [venv] = venvsOf(dataDir);
    expect(venvsOf(dataDir)).toHaveLength(1);
    const meta = (await readMeta(venv))!;
    expect(meta.beforeCommands[1]).toBe('ls {{workingDir}} > /dev/null');
    expect(meta.flow).toBe('company.team.flow_a');
    const cfg = statSync(path.join(venv, 'pyvenv.cfg'));

    const second = await runIn(pythonScript, dataDir, { beforeCommands: before, script });
    expect(second.created).toBe(false);
    expect(second.t.messages('INFO')).toEqual(expect.arrayContaining(['before-in-venv True', 'in-venv True True']));
    expect(second.t.messages('DEBUG').some((m) => m.startsWith("Reusing this flow's Python virtual environment") && m.endsWith(venv))).toBe(true);
    expect(venvsOf(dataDir)).toEqual([venv]);
    expect((await readMeta(venv))!.createdAt).toBe(meta.createdAt);
    expect(statSync(path.join(venv, 'pyvenv.cfg')).mtimeMs).toBe(cfg.mtimeMs);
    expect(statSync(path.join(venv, 'pyvenv.cfg')).ino).toBe(cfg.ino);

    const commands = await runIn(pythonCommands, dataDir, { beforeCommands: before, commands: ['python -c "import sys; print(sys.prefix)"'] });
    expect(commands.created).toBe(false);
    expect(commands.t.messages('INFO')).toContain(venv);

    const changed = await runIn(pythonScript, dataDir, { beforeCommands: [...before, 'echo changed'], script });
    expect(changed.created).toBe(true);
    expect(venvsOf(dataDir)).toHaveLength(2);
    expect(venvsOf(dataDir)).toContain(venv);
    expect(locksOf(dataDir)).toEqual([]);
  });

  it('is discarded when the creating run\'s beforeCommands fail; kept when only the script fails', async () => {
    const dataDir = tempDir();
    const failing = runIn(pythonScript, dataDir, { beforeCommands: ['test -f ok.txt'], script: 'print(1)' });
    await expect(failing).rejects.toThrow('exit code 1');
    expect(venvsOf(dataDir)).toEqual([]);
    expect(locksOf(dataDir)).toEqual([]);

    // The same beforeCommands, passing now (the file comes from inputFiles): a fresh venv.
    const ok = await runIn(pythonScript, dataDir, { inputFiles: { 'ok.txt': 'x' }, beforeCommands: ['test -f ok.txt'], script: 'print("ran")' });
    expect(ok.created).toBe(true);
    expect(ok.t.messages('INFO')).toContain('ran');
    expect(venvsOf(dataDir)).toHaveLength(1);

    // The script fails after beforeCommands passed: the venv stays and is reused.
    const scriptFails = runIn(pythonScript, dataDir, { inputFiles: { 'ok.txt': 'x' }, beforeCommands: ['test -f ok.txt'], script: 'raise SystemExit(3)' });
    await expect(scriptFails).rejects.toThrow('exit code 3');
    expect(venvsOf(dataDir)).toHaveLength(1);
  });

  it('is created once when runs start together (the others wait), taking over the lock of a process that died', async () => {
    const dataDir = tempDir();
    const info = await resolvePython(scrubbedEnv({}), undefined, createTestContext().ctx.logger);
    const beforeCommands = ['sleep 0.5', 'echo ready'];
    const dir = path.join(flowVenvsDir(dataDir, 'company.team', 'flow_a'), venvKey(info, beforeCommands, []));
    mkdirSync(path.dirname(dir), { recursive: true });
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, at: new Date().toISOString() })); // no such process

    const runs = await Promise.all([0, 1, 2, 3].map(() => runIn(pythonScript, dataDir, { beforeCommands, script: 'import sys\nprint(sys.prefix)' })));
    expect(runs.filter((r) => r.created)).toHaveLength(1);
    expect(venvsOf(dataDir)).toEqual([dir]);
    for (const r of runs) expect(r.t.messages('INFO')).toContain(dir);
    expect(runs.filter((r) => r.t.messages('INFO').some((m) => m.startsWith('Waiting for another run of this flow'))).length).toBeGreaterThanOrEqual(1);
    expect(locksOf(dataDir)).toEqual([]);
  });

  it('is a throwaway one with dependencyCacheEnabled: false', async () => {
    const dataDir = tempDir();
    const r = await runIn(pythonScript, dataDir, { dependencyCacheEnabled: false, beforeCommands: ['echo hi'], script });
    expect(r.t.messages('INFO')).toContain('in-venv True True');
    expect(r.t.messages('INFO').some((m) => m.startsWith('dependencyCacheEnabled is false'))).toBe(true);
    expect(venvsOf(dataDir)).toEqual([]);
  });
});
