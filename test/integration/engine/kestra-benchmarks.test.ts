// Kestra's published benchmark flows (test/fixtures/kestra-benchmarks, verbatim) validate and run
// with the outputs Kestra gives; benchmark01 and 02 are driven through their webhooks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/kestra-benchmarks');
let server: ServerProcess;

beforeAll(async () => {
  const flowsDir = tempDir('flows');
  for (const f of ['benchmark01.yml', 'benchmark02.yml', 'benchmark03.yml']) fs.copyFileSync(path.join(FIXTURES, f), path.join(flowsDir, f));
  server = await startServerProcess({ flowsDir });
});
afterAll(async () => server?.kill());

async function finished(id: string) {
  return eventually(async () => {
    const { body } = await server.api('GET', `/api/v1/executions/${id}`);
    return ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes(body?.state?.current) ? body : undefined;
  }, 20_000, `execution ${id} to end`);
}

describe('Kestra benchmark flows', () => {
  it('benchmark01: the webhook starts an execution that outputs and logs "Hello World"', async () => {
    const res = await fetch(`${server.url}/api/v1/executions/webhook/benchmarks/benchmark01/benchmark`, { method: 'POST' });
    expect(res.status).toBe(200);
    const created: any = await res.json();
    expect(created).toMatchObject({ namespace: 'benchmarks', flowId: 'benchmark01', trigger: { id: 'webhook', type: 'io.kestra.plugin.core.trigger.Webhook' } });
    const done = await finished(created.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.inputs).toEqual({ name: 'World' });
    expect(done.taskRunList.map((t: any) => [t.taskId, t.state.current])).toEqual([['concatenate', 'SUCCESS'], ['hello', 'SUCCESS']]);
    expect(done.taskRunList[0].outputs).toEqual({ values: { message: 'Hello World' } });
    const { body: logs } = await server.api('GET', `/api/v1/logs/${created.id}`);
    expect(logs.some((l: any) => l.taskId === 'hello' && l.level === 'INFO' && l.message === 'Hello World')).toBe(true);
  });

  it('benchmark01: a wrong webhook key is refused and starts nothing', async () => {
    const res = await fetch(`${server.url}/api/v1/executions/webhook/benchmarks/benchmark01/wrong`, { method: 'POST' });
    expect(res.status).toBe(404);
    const { body } = await server.api('GET', '/api/v1/executions/search?flowId=benchmark01&size=100');
    expect(body.results.every((e: any) => e.trigger.id === 'webhook')).toBe(true);
  });

  it('benchmark02: five If tasks each run their "then" branch: 10 task runs', async () => {
    const res = await fetch(`${server.url}/api/v1/executions/webhook/benchmarks/benchmark02/benchmark`, { method: 'POST' });
    const done = await finished(((await res.json()) as any).id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList).toHaveLength(10);
    const ran = done.taskRunList.map((t: any) => t.taskId).filter((id: string) => id.startsWith('hello'));
    expect(ran).toEqual(['hello-true-1', 'hello-true-2', 'hello-true-3', 'hello-true-4', 'hello-true-5']);
    for (const t of done.taskRunList.filter((t: any) => t.taskId.startsWith('hello'))) {
      expect(done.taskRunList.find((p: any) => p.id === t.parentTaskRunId)?.taskId).toMatch(/^if/);
    }
  });

  it('benchmark02: the input flips every branch to "else"', async () => {
    const { status, body } = await server.api('POST', '/api/v1/executions/benchmarks/benchmark02?wait=true', { condition: false });
    expect(status).toBe(200);
    expect(body.state.current).toBe('SUCCESS');
    expect(body.taskRunList.map((t: any) => t.taskId).filter((id: string) => id.startsWith('hello'))).toEqual(
      [1, 2, 3, 4, 5].map((n) => `hello-false-${n}`),
    );
  });

  it('benchmark03: a ForEach over 100 values with unbounded concurrency', async () => {
    const { body } = await server.api('POST', '/api/v1/executions/benchmarks/benchmark03?wait=true');
    expect(body.state.current).toBe('SUCCESS');
    const outputs = body.taskRunList.filter((t: any) => t.taskId === 'output');
    expect(outputs).toHaveLength(100);
    expect(new Set(outputs.map((t: any) => t.value))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => String(i + 1))));
    expect(outputs.every((t: any) => t.state.current === 'SUCCESS' && t.outputs.values.some === 'value')).toBe(true);
  });
});
