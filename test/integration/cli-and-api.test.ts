// The `peregrine` command and the web API as a user meets them: validate exits 1 with
// file:line:col messages; the server refuses requests without its token; flows and executions
// round-trip through Kestra's paths.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/peregrine.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('peregrine validate', () => {
  it('exits 1 and prints one file:line:col: message per problem for broken flows', () => {
    const r = cli('validate', 'test/fixtures/flows/broken');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('test/fixtures/flows/broken/misspelt-property.yaml:6:5: tasks[0].mesage: unknown property "mesage" for io.kestra.plugin.core.log.Log: did you mean "message"?');
    expect(lines).toContain('test/fixtures/flows/broken/unknown-type.yaml:5:11: tasks[0].type: unknown task type io.kestra.plugin.core.log.Logg: did you mean io.kestra.plugin.core.log.Log?');
    expect(lines.some((l) => /^test\/fixtures\/flows\/broken\/bad-indentation\.yaml:\d+:\d+: /.test(l))).toBe(true);
    expect(lines.some((l) => /block-expression\.yaml:9:39: tasks\[0\]\.message: invalid expression/.test(l))).toBe(true);
  });

  it("exits 0 for Kestra's benchmark flows", () => {
    const r = cli('validate', 'test/fixtures/kestra-benchmarks/benchmark01.yml', 'test/fixtures/kestra-benchmarks/benchmark02.yml', 'test/fixtures/kestra-benchmarks/benchmark03.yml');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/: ok$/gm)).toHaveLength(3);
  });
});

describe('peregrine server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ token: 'secret-token-123' });
  });
  afterAll(async () => server?.kill());

  it('binds 127.0.0.1 and prints a URL with its token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await eventually(() => server.output().includes(`${server.url}/?token=secret-token-123`), 5000, 'the login URL');
  });

  it('refuses requests without the token, or with a wrong one', async () => {
    expect((await fetch(`${server.url}/api/v1/executions/search`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/executions/search`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/executions/search?token=secret-token-123`)).status).toBe(200);
  });

  const FLOW = `id: hello
namespace: cli.test
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: hello {{ inputs.who }}
`;

  it('creates, reads, updates and deletes a flow with YAML bodies; the file lands in the workspace', async () => {
    const created = await server.api('POST', '/api/v1/flows', FLOW);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'hello', namespace: 'cli.test', revision: 1 });
    expect(fs.readFileSync(path.join(server.flowsDir, 'cli.test/hello.yml'), 'utf8')).toBe(FLOW);
    expect((await server.api('POST', '/api/v1/flows', FLOW)).status).toBe(409);
    const updated = await server.api('PUT', '/api/v1/flows/cli.test/hello', FLOW.replace('hello {{', 'hi {{'));
    expect(updated.body.revision).toBe(2);
    const got = await server.api('GET', '/api/v1/flows/cli.test/hello');
    expect(got.body.source).toContain('hi {{ inputs.who }}');
    const bad = await server.api('PUT', '/api/v1/flows/cli.test/hello', FLOW.replace('type: io.kestra.plugin.core.log.Log', 'type: io.kestra.plugin.core.log.Lg'));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^\d+:\d+: tasks\[0\]\.type: unknown task type .*did you mean io\.kestra\.plugin\.core\.log\.Log\?/m);
  });

  it('validates a multi-document body, one result per flow', async () => {
    const { body } = await server.api('POST', '/api/v1/flows/validate', `${FLOW}---\n${FLOW.replace('id: hello', 'id: Bad id!')}`);
    expect(body).toHaveLength(2);
    expect(body[0].constraints).toBeUndefined();
    expect(body[1].constraints).toMatch(/id/);
  });

  it('runs an execution with inputs and shows it through the CLI', async () => {
    const { body: e } = await server.api('POST', '/api/v1/executions/cli.test/hello?wait=true', { who: 'peregrine' });
    expect(e.state.current).toBe('SUCCESS');
    const { body: logs } = await server.api('GET', `/api/v1/logs/${e.id}`);
    expect(logs.map((l: any) => l.message)).toContain('hi peregrine');
    const bad = await server.api('POST', '/api/v1/executions/cli.test/hello', { who: 42, extra: 1 });
    expect(bad.status).toBe(200); // Kestra keeps unknown inputs out; 42 coerces to "42" for STRING

    const search = await server.api('GET', '/api/v1/executions/search?namespace=cli.test&state=SUCCESS');
    expect(search.body.results.map((x: any) => x.id)).toContain(e.id);

    const list = cli('executions', '--data-dir', server.dataDir, '--json');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).results.map((x: any) => x.id)).toContain(e.id);
    const logsCli = cli('logs', e.id, '--data-dir', server.dataDir);
    expect(logsCli.stdout).toMatch(/INFO\s+greet: hi peregrine/);
  });

  it('reloads a flow when its file changes in the workspace', async () => {
    fs.mkdirSync(path.join(server.flowsDir, 'watched'), { recursive: true });
    fs.writeFileSync(path.join(server.flowsDir, 'watched/w.yml'), FLOW.replace('id: hello', 'id: watched').replace('namespace: cli.test', 'namespace: watch.test'));
    await eventually(async () => (await server.api('GET', '/api/v1/flows/watch.test/watched')).status === 200, 10_000, 'flow loaded from file');
    fs.writeFileSync(path.join(server.flowsDir, 'watched/w.yml'), FLOW.replace('id: hello', 'id: watched').replace('namespace: cli.test', 'namespace: watch.test').replace('hello {{', 'changed {{'));
    await eventually(async () => (await server.api('GET', '/api/v1/flows/watch.test/watched')).body.source.includes('changed'), 10_000, 'flow reloaded');
    fs.rmSync(path.join(server.flowsDir, 'watched/w.yml'));
    await eventually(async () => (await server.api('GET', '/api/v1/flows/watch.test/watched')).status === 404, 10_000, 'flow removed');
  });

  it('answers unknown paths and bad JSON with clear errors', async () => {
    expect((await server.api('GET', '/api/v1/nothing-here')).status).toBe(404);
    const res = await fetch(`${server.url}/api/v1/executions/cli.test/hello`, {
      method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: '{oops',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toMatch(/invalid JSON/);
  });
});

describe('peregrine run', () => {
  it('runs a flow file headless with its trigger live, and stops gracefully on SIGTERM', async () => {
    const dir = tempDir('run');
    const file = path.join(dir, 'tick.yml');
    fs.writeFileSync(file, `id: tick
namespace: run.test
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: tick {{ trigger.date }}
triggers:
  - id: every_second
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
`);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/peregrine.mjs'), 'run', file, '--data-dir', path.join(dir, 'data')], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await eventually(() => /execution \S+ run\.test\.tick: SUCCESS/.test(out), 15_000, 'a scheduled execution');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('stopping triggers and flushing the store');
    const list = cli('executions', '--data-dir', path.join(dir, 'data'), '--json');
    expect(JSON.parse(list.stdout).results.length).toBeGreaterThanOrEqual(1);
  });
});

describe('data folder', () => {
  it('executions reports a missing data folder', () => {
    const r = cli('executions', '--data-dir', path.join(tempDir('none'), 'missing'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no data in/);
  });
});
