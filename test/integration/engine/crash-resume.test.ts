// SIGKILL the engine with executions in flight: on restart each resumes and ends, none is lost,
// and no task that had finished before the kill runs again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const FLOW = `id: slow
namespace: crash.test
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first {{ inputs.n }}
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT3S
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: last {{ inputs.n }}
inputs:
  - id: n
    type: INT
`;

const N = 20;
let server: ServerProcess | undefined;
afterAll(async () => server?.kill('SIGKILL'));

describe('crash durability', () => {
  it('resumes every in-flight execution after SIGKILL, without rerunning finished tasks', async () => {
    const dataDir = tempDir('crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'slow.yml'), FLOW);
    server = await startServerProcess({ dataDir, flowsDir });

    const ids: string[] = [];
    for (let n = 0; n < N; n++) {
      const { status, body } = await server.api('POST', '/api/v1/executions/crash.test/slow', { n });
      expect(status).toBe(200);
      ids.push(body.id);
    }
    // Wait until every execution is committed with its first task finished and is sleeping.
    await eventually(async () => {
      for (const id of ids) {
        const { body } = await server!.api('GET', `/api/v1/executions/${id}`);
        const first = body.taskRunList.find((t: any) => t.taskId === 'first');
        const wait = body.taskRunList.find((t: any) => t.taskId === 'wait');
        if (first?.state.current !== 'SUCCESS' || wait?.state.current !== 'RUNNING') return false;
      }
      return true;
    }, 20_000, 'all executions to be sleeping');

    await server.kill('SIGKILL');
    server = await startServerProcess({ dataDir, flowsDir });

    for (const id of ids) {
      const done = await eventually(async () => {
        const { body } = await server!.api('GET', `/api/v1/executions/${id}`);
        return body.state.current === 'SUCCESS' ? body : undefined;
      }, 30_000, `execution ${id} to succeed after the restart`);
      expect(done.taskRunList.map((t: any) => t.taskId)).toEqual(['first', 'wait', 'last']);
      const { body: logs } = await server.api('GET', `/api/v1/logs/${id}`);
      const messages = logs.map((l: any) => l.message);
      expect(messages.filter((m: string) => m.startsWith('first ')).length).toBe(1);
      expect(messages.filter((m: string) => m.startsWith('last ')).length).toBe(1);
    }
    const { body } = await server.api('GET', '/api/v1/executions/search?namespace=crash.test&size=100');
    expect(body.total).toBe(N);
  });
});
