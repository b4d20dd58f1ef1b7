// Python script tasks with the local Python: protocol lines, logs, files, failures, kills, and the
// virtual environment cached per flow. No network here (no pip download): the integration suite
// test/integration/scripts/ installs Kestra's real libraries from PyPI and npm.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../../../main/plugins';
import { flowVenvsDir, pythonCommandFolder, resolvePython } from '../../../main/plugins/scripts/python/env';
import { nodeScript } from '../../../main/plugins/scripts/node/script';
import { pythonCommands } from '../../../main/plugins/scripts/python/commands';
import { pythonScript } from '../../../main/plugins/scripts/python/script';
import { protocolLogLevel, scrubbedEnv } from '../../../main/plugins/scripts/runner';
import { createTestContext, prepareProps, runTask } from './context';
import { requirePython3, runIn, tempDirs } from './python-helpers';

const python3 = requirePython3();
const tempDir = tempDirs('peregrine-python-test-');

const venvsOf = (dataDir: string, flowId = 'flow_a') => {
  const dir = flowVenvsDir(dataDir, 'company.team', flowId);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)) : [];
};

describe('protocol log levels', () => {
  it("maps Kestra's levels and Python's own names", () => {
    expect(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].map(protocolLogLevel)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);
    expect(protocolLogLevel('warning')).toBe('WARN');
    expect(protocolLogLevel('CRITICAL')).toBe('ERROR');
    expect(protocolLogLevel('FATAL')).toBe('ERROR');
    expect(protocolLogLevel('NOTICE')).toBe('INFO');
    expect(protocolLogLevel(undefined)).toBe('INFO');
  });
});

describe('python definitions', () => {
  const registry = createRegistry();

  it('are registered, with Kestra property names, and their examples validate with the strict schema', async () => {
    const { parse } = await import('yaml');
    for (const type of ['io.kestra.plugin.scripts.python.Script', 'io.kestra.plugin.scripts.python.Commands']) {
      const def = registry.task(type)!;
      expect(def, type).toBeDefined();
      const schema = registry.schemaOf(def);
      for (const name of [
        'beforeCommands', 'env', 'interpreter', 'inputFiles', 'outputFiles', 'namespaceFiles', 'warningOnStdErr', 'failFast', 'targetOS',
        'taskRunner', 'containerImage', 'docker', 'runner', 'outputDirectory', 'timeout',
        'dependencies', 'pythonVersion', 'dependencyCacheEnabled', 'packageManager', 'uvAutoInstallEnabled', 'uvInstallerVersion', 'uvInstallerSha256',
      ]) {
        expect(Object.keys(schema.shape), `${type}.${name}`).toContain(name);
      }
      for (const ex of def.examples ?? []) {
        const r = schema.safeParse(parse(ex.code));
        expect(r.success, `${type} example "${ex.title}": ${r.success ? '' : JSON.stringify(r.error.issues)}`).toBe(true);
      }
      expect(() => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })).not.toThrow();
    }
  });

  it('accept a Kestra flow task unchanged (Docker runner, containerImage, warningOnStdErr, pythonVersion, dependencies)', () => {
    const def = registry.task('io.kestra.plugin.scripts.python.Script')!;
    const r = registry.schemaOf(def).safeParse({
      id: 'py', type: def.type, containerImage: 'python:3.12-slim', warningOnStdErr: false, pythonVersion: '3.12',
      dependencies: ['pandas==2.2.3'], dependencyCacheEnabled: true, packageManager: 'PIP',
      taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker', pullPolicy: 'IF_NOT_PRESENT' },
      timeout: 'PT5M', script: 'print(1)',
    });
    expect(r.success, r.success ? '' : JSON.stringify(r.error.issues)).toBe(true);
    expect(registry.schemaOf(def).safeParse({ id: 'py', type: def.type, script: 'print(1)', dependancies: ['x'] }).success).toBe(false);
  });
});

describe.skipIf(!python3)('python Script', () => {
  it('logs stdout at INFO and stderr at ERROR line by line, and reads outputs, metrics and logs from protocol lines', async () => {
    const { outputs, t } = await runTask(pythonScript, {
      env: { ORDER: '{{ trigger.value }}' },
      script: [
        'import json, os, sys',
        'order = json.loads(os.environ["ORDER"])',
        'print("amount", order["amount"])',
        'print("careful", file=sys.stderr)',
        'print("::" + json.dumps({"outputs": {"score": order["amount"] / 100, "ok": True, "tags": ["a"]}}) + "::")',
        'print("::" + json.dumps({"metrics": [{"name": "orders", "type": "counter", "value": 1, "tags": {"k": "v"}}, {"name": "t", "type": "timer", "value": 0.25}]}) + "::")',
        'print("::" + json.dumps({"logs": [{"level": "WARNING", "message": "python name"}, {"level": "DEBUG", "message": "details"}]}) + "::")',
        'print("unbuffered=" + os.environ.get("PYTHONUNBUFFERED", "") + " pipcheck=" + os.environ.get("PIP_DISABLE_PIP_VERSION_CHECK", ""))',
      ].join('\n'),
    }, { variables: { trigger: { value: '{"amount": 250}' } } });
    expect(outputs).toEqual({
      exitCode: 0,
      vars: { score: 2.5, ok: true, tags: ['a'] },
      outputFiles: {},
      metrics: [{ name: 'orders', type: 'counter', value: 1, tags: { k: 'v' } }, { name: 't', type: 'timer', value: 0.25 }],
    });
    expect(t.messages('INFO')).toEqual(['amount 250', 'unbuffered=true pipcheck=1']);
    expect(t.messages('ERROR')).toEqual(['careful']);
    expect(t.messages('WARN')).toEqual(['python name']);
    expect(t.messages('DEBUG')).toEqual(['details']);
    expect(t.logs.some((l) => l.message.includes('::{'))).toBe(false);
  });

  it('streams lines while the script runs (not at exit)', async () => {
    const t = createTestContext();
    const props = prepareProps(pythonScript, { script: 'import time\nprint("first")\ntime.sleep(3)\nprint("second")' }, t.ctx);
    const run = pythonScript.run!(t.ctx, props);
    const started = Date.now();
    while (!t.messages('INFO').includes('first')) {
      if (Date.now() - started > 2500) throw new Error('the first line did not arrive before the script ended');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(t.messages('INFO')).toEqual(['first']);
    await run;
    expect(t.messages('INFO')).toEqual(['first', 'second']);
  });

  it('fails with the exit code and the exception line of the traceback', async () => {
    await expect(runTask(pythonScript, { script: 'x = 1\nprint(x / 0)' })).rejects.toThrow('Command failed with exit code 1: ZeroDivisionError: division by zero');
    await expect(runTask(pythonScript, { script: 'import sys\nsys.exit(4)' })).rejects.toThrow('exit code 4');
  });

  it('writes inputFiles, keeps outputFiles, and reads kestra:// URIs in the script from local copies', async () => {
    const t = createTestContext();
    const uri = t.storage.put('orders.csv', 'id,amount\n1,10\n2,32\n');
    const props = prepareProps(pythonScript, {
      inputFiles: { 'conf/threshold.txt': '20' },
      outputFiles: ['*.json'],
      script: [
        'import csv, json',
        'threshold = float(open("conf/threshold.txt").read())',
        `rows = list(csv.DictReader(open("${uri}")))`,
        'big = [r["id"] for r in rows if float(r["amount"]) > threshold]',
        'json.dump({"big": big}, open("result.json", "w"))',
        'open("{{ outputDir }}/note.txt", "w").write("done")',
      ].join('\n'),
    }, t.ctx);
    const outputs = (await pythonScript.run!(t.ctx, props))!;
    const files = outputs.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['note.txt', 'result.json']);
    expect(JSON.parse(t.storage.get(files['result.json']).toString())).toEqual({ big: ['2'] });
    expect(t.storage.get(files['note.txt']).toString()).toBe('done');
  });

  it('runs with a container image or a Docker runner named, saying they are ignored; quiet with the Process runner', async () => {
    const { t } = await runTask(pythonScript, { containerImage: 'python:3.12-slim', script: 'print("ok")' });
    expect(t.messages('INFO')).toEqual([
      "The container image 'python:3.12-slim' is ignored: Peregrine runs scripts as local processes (like io.kestra.plugin.core.runner.Process)",
      'ok',
    ]);
    const docker = await runTask(pythonScript, { taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker' }, script: 'print("ok")' });
    expect(docker.t.messages('INFO')[0]).toMatch(/task runner 'io.kestra.plugin.scripts.runner.docker.Docker' is ignored/);
    const quiet = await runTask(pythonScript, { taskRunner: { type: 'io.kestra.plugin.core.runner.Process' }, warningOnStdErr: true, script: 'print("ok")' });
    expect(quiet.t.messages()).toEqual(['ok']);
  });

  it('is killed (with its children) on timeout or kill', async () => {
    const controller = new AbortController();
    const t = createTestContext({ controller });
    const props = prepareProps(pythonScript, { script: 'import subprocess, time\nsubprocess.Popen(["sleep", "30"])\nprint("started", flush=True)\ntime.sleep(30)' }, t.ctx);
    const run = pythonScript.run!(t.ctx, props);
    while (!t.messages('INFO').includes('started')) await new Promise((r) => setTimeout(r, 10));
    const at = Date.now();
    controller.abort(new Error('Timeout: the task ran longer than PT1S'));
    await expect(run).rejects.toThrow('Timeout: the task ran longer than PT1S');
    expect(Date.now() - at).toBeLessThan(3000);
  });

  it('uses the interpreter given, and pythonVersion picks python<version> from PATH', async () => {
    const { t } = await runTask(pythonScript, { interpreter: ['/bin/bash', '-c'], script: 'import sys\nprint(sys.version_info[0])' });
    expect(t.messages('INFO')).toEqual(['3']);
    const info = await resolvePython(scrubbedEnv({}), undefined, createTestContext().ctx.logger);
    const minor = info.version.split('.').slice(0, 2).join('.');
    const exact = await runTask(pythonScript, { pythonVersion: minor, script: 'import sys\nprint("%d.%d" % sys.version_info[:2])' });
    expect(exact.t.messages()).toEqual([minor]);
    const missing = await runTask(pythonScript, { pythonVersion: '2.1', script: 'print("ran")' });
    expect(missing.t.messages('WARN')[0]).toMatch(/pythonVersion 2\.1: no python2\.1 in PATH, the script runs with python3 \(Python 3\./);
    expect(missing.t.messages('INFO')).toEqual(['ran']);
  });
});

describe.skipIf(!python3)('python Commands', () => {
  it('runs `python main.py` on files from inputFiles, with outputs', async () => {
    const { outputs, t } = await runTask(pythonCommands, {
      inputFiles: { 'main.py': 'import sys, json\nprint("args", sys.argv[1:])\nprint("::" + json.dumps({"outputs": {"doubled": int(sys.argv[1]) * 2}}) + "::")' },
      commands: ['python main.py {{ inputs.n }}'],
    }, { variables: { inputs: { n: 21 } } });
    expect(outputs).toMatchObject({ exitCode: 0, vars: { doubled: 42 } });
    expect(t.messages('INFO')).toEqual(["args ['21']"]);
  });

  it('gives `python` to systems that only have python3', async () => {
    const dataDir = tempDir();
    const bin = tempDir();
    const env = scrubbedEnv({});
    const info = await resolvePython(env, undefined, createTestContext().ctx.logger);
    // A PATH with python3 and no python.
    execFileSync('ln', ['-s', info.executable, path.join(bin, 'python3')]);
    const folder = await pythonCommandFolder(dataDir, info, bin);
    expect(folder).toBe(path.join(dataDir, 'python', 'bin'));
    expect(execFileSync(path.join(folder!, 'python'), ['-c', 'print("hi")']).toString().trim()).toBe('hi');
    expect(await pythonCommandFolder(dataDir, info, `${bin}${path.delimiter}${folder}`)).toBeUndefined();
  });
});

describe.skipIf(!python3)('the virtual environment', () => {
  it('is not created when there is nothing to install (the fast path); test/integration/scripts covers the cache', async () => {
    const dataDir = tempDir();
    const r = await runIn(pythonScript, dataDir, { script: 'import sys\nprint(sys.prefix == sys.base_prefix)' });
    expect(r.t.messages('INFO')).toEqual(['True']);
    expect(existsSync(path.join(dataDir, 'python', 'venvs'))).toBe(false);
    expect(venvsOf(dataDir)).toEqual([]);
  });
});

describe('node Script (runner changes shared with the Python tasks)', () => {
  it('reads kestra:// URIs in the script from local copies, and maps WARNING/CRITICAL protocol levels', async () => {
    const t = createTestContext();
    const uri = t.storage.put('data.txt', 'from storage');
    const props = prepareProps(nodeScript, {
      script: [
        `console.log(require("fs").readFileSync("${uri}", "utf8"));`,
        'console.log("::" + JSON.stringify({ logs: [{ level: "WARNING", message: "w" }, { level: "CRITICAL", message: "c" }] }) + "::");',
      ].join('\n'),
    }, t.ctx);
    await nodeScript.run!(t.ctx, props);
    expect(t.logs).toEqual([
      { level: 'INFO', message: 'from storage' },
      { level: 'WARN', message: 'w' },
      { level: 'ERROR', message: 'c' },
    ]);
  });
});
