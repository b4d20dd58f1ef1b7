// Reading deploy reports for people (renderer/features/deploy/report.ts): connection problems that
// made every flow fail become one sentence; Kestra's validation lines split into path + message;
// the client's CLI wording becomes the dialog's.
import { describe, expect, it } from 'vitest';
import type { DeployReport, DeployResult } from '../../../main/api/contract';
import { connectionProblem, inAppWording, reportConnectionProblem, splitErrorLine, summaryParts } from '../../../renderer/features/deploy/report';

const result = (action: DeployResult['action'], errors: string[] = [], id = 'a'): DeployResult => ({ label: `${id}.yml`, namespace: 'company.team', id, action, errors, warnings: [] });
const report = (results: DeployResult[]): DeployReport => ({
  server: 'http://kestra:8080', results, namespaceFiles: [],
  created: results.filter((r) => r.action === 'created').length, updated: results.filter((r) => r.action === 'updated').length,
  failed: results.filter((r) => r.action === 'failed').length, ok: results.every((r) => r.action !== 'failed'),
});

describe('deploy report, for people', () => {
  it('an unreachable server, refused or missing credentials, a missing API: one sentence each', () => {
    expect(connectionProblem('cannot reach http://127.0.0.1:9: ECONNREFUSED')).toEqual({
      kind: 'unreachable', title: 'Cannot reach http://127.0.0.1:9: is Kestra running there, and is the URL right?', detail: 'ECONNREFUSED',
    });
    expect(connectionProblem('401 Unauthorized: the server refused these credentials')?.kind).toBe('unauthorized');
    expect(connectionProblem('401 Unauthorized: the server needs credentials (--user/--password or --token)')).toMatchObject({
      kind: 'unauthorized', title: expect.stringMatching(/needs credentials/), detail: '401 Unauthorized: the server needs credentials (choose Basic or Token)',
    });
    expect(connectionProblem('403 Forbidden: these credentials may not do this')?.kind).toBe('forbidden');
    expect(connectionProblem('no Kestra flows API at http://k/api/v1/flows: newer Kestra versions need a tenant (--tenant main)', 'http://k')).toMatchObject({
      kind: 'no-api', detail: expect.stringContaining('tenant “main”'),
    });
    expect(connectionProblem('tasks[0]: Invalid type: x')).toBeUndefined();
  });

  it('names the connection problem only when every flow failed for the same one', () => {
    const down = 'cannot reach http://kestra:8080: ECONNREFUSED';
    expect(reportConnectionProblem(report([result('failed', [down], 'a'), result('failed', [down], 'b')]))?.kind).toBe('unreachable');
    // One flow went through: the server was there; the failure is that flow's own.
    expect(reportConnectionProblem(report([result('failed', [down], 'a'), result('created', [], 'b')]))).toBeUndefined();
    expect(reportConnectionProblem(report([result('failed', [down], 'a'), result('failed', ['tasks[0]: Invalid type: x'], 'b')]))).toBeUndefined();
    expect(reportConnectionProblem(report([result('created')]))).toBeUndefined();
  });

  it('splits Kestra validation lines into path and message; prose stays whole', () => {
    expect(splitErrorLine('tasks[0]: Invalid type: io.kestra.plugin.x.Y')).toEqual({ path: 'tasks[0]', message: 'Invalid type: io.kestra.plugin.x.Y' });
    expect(splitErrorLine('tasks[1].cases.big[0]: must not be null')).toEqual({ path: 'tasks[1].cases.big[0]', message: 'must not be null' });
    expect(splitErrorLine('flow.id: Flow id already exists')).toEqual({ path: 'flow.id', message: 'Flow id already exists' });
    expect(splitErrorLine('namespace: must match "^[a-z0-9][a-z0-9._-]*$"')).toEqual({ path: 'namespace', message: 'must match "^[a-z0-9][a-z0-9._-]*$"' });
    expect(splitErrorLine('Illegal argument: Cannot parse the flow: x')).toEqual({ message: 'Illegal argument: Cannot parse the flow: x' });
    expect(splitErrorLine('not a flow: the YAML does not parse')).toEqual({ message: 'not a flow: the YAML does not parse' });
  });

  it('speaks of the dialog’s fields, not CLI flags; counts only what happened', () => {
    expect(inAppWording('check --tenant main (older versions have none)')).toBe('check tenant “main” (older versions have none)');
    expect(summaryParts(report([result('created', [], 'a'), result('created', [], 'b'), result('failed', ['x'], 'c')]))).toEqual([
      { action: 'created', count: 2 }, { action: 'failed', count: 1 },
    ]);
    expect(summaryParts(report([result('valid')]))).toEqual([{ action: 'valid', count: 1 }]);
  });
});
