// The fake Kestra server refuses what Kestra refuses, so the deploy tests prove something.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKestra, type FakeKestra } from '../../kestra/fake-server';

const FLOW = 'id: a\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';

describe('fake Kestra server', () => {
  let k: FakeKestra;
  const call = async (method: string, p: string, body?: string, type = 'application/x-yaml', auth = `Basic ${Buffer.from('u:p').toString('base64')}`) => {
    const res = await fetch(k.url + p, { method, body, headers: { ...(body !== undefined ? { 'content-type': type } : {}), ...(auth ? { authorization: auth } : {}) } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  beforeAll(async () => {
    k = await startFakeKestra({ basic: { user: 'u', password: 'p' } });
  });
  afterAll(async () => k.stop());

  it('needs the credentials', async () => {
    expect((await call('GET', '/api/v1/flows/search', undefined, undefined, '')).status).toBe(401);
    expect((await call('GET', '/api/v1/flows/search', undefined, undefined, 'Bearer x')).status).toBe(401);
  });

  it('takes flows as application/x-yaml only', async () => {
    const r = await call('POST', '/api/v1/flows', JSON.stringify({ id: 'a' }), 'application/json');
    expect(r.status).toBe(415);
  });

  it('creates (200 with the flow and its source), refuses a second create (422), updates (revision 2)', async () => {
    const created = await call('POST', '/api/v1/flows', FLOW);
    expect(created).toMatchObject({ status: 200, body: { id: 'a', namespace: 'company.team', revision: 1, source: FLOW } });
    expect(await call('POST', '/api/v1/flows', FLOW)).toMatchObject({ status: 422, body: { message: expect.stringMatching(/Flow id already exists/) } });
    expect(await call('PUT', '/api/v1/flows/company.team/a', FLOW.replace('hi', 'ho'))).toMatchObject({ status: 200, body: { revision: 2 } });
    expect((await call('GET', '/api/v1/flows/company.team/a')).body.source).toBeUndefined();
    expect((await call('GET', '/api/v1/flows/company.team/a?source=true')).body.source).toContain('ho');
  });

  it('answers 404 for an unknown flow on PUT and GET, 422 when the body does not match the path', async () => {
    expect((await call('PUT', '/api/v1/flows/company.team/nope', FLOW.replace('id: a', 'id: nope'))).status).toBe(404);
    expect((await call('GET', '/api/v1/flows/company.team/nope')).status).toBe(404);
    expect(await call('PUT', '/api/v1/flows/company.team/a', FLOW.replace('id: a', 'id: b'))).toMatchObject({ status: 422, body: { message: expect.stringMatching(/Illegal flow id update/) } });
    expect(await call('PUT', '/api/v1/flows/company.team/a', FLOW.replace('company.team', 'company.other'))).toMatchObject({ status: 422, body: { message: expect.stringMatching(/Illegal namespace update/) } });
  });

  it('refuses YAML that does not parse, a flow without id or namespace, and unknown plugin types (422)', async () => {
    expect((await call('POST', '/api/v1/flows', 'id: [')).status).toBe(422);
    expect(await call('POST', '/api/v1/flows', 'tasks: []\n')).toMatchObject({ status: 422, body: { _embedded: { errors: expect.arrayContaining([{ message: 'must not be null', path: 'flow.id' }]) } } });
    const bad = FLOW.replace('core.log.Log', 'acme.Thing').replace('id: a', 'id: z');
    expect(await call('POST', '/api/v1/flows', bad)).toMatchObject({ status: 422, body: { message: 'Invalid entity: tasks[0]: Invalid type: io.kestra.plugin.acme.Thing' } });
  });

  it('validates several documents, one result per document', async () => {
    const { body } = await call('POST', '/api/v1/flows/validate', `${FLOW}---\n${FLOW.replace('core.log.Log', 'acme.Thing')}`);
    expect(body).toEqual([
      expect.objectContaining({ index: 0, flow: 'a', namespace: 'company.team' }),
      expect.objectContaining({ index: 1, constraints: 'tasks[0]: Invalid type: io.kestra.plugin.acme.Thing' }),
    ]);
    expect(body[0].constraints).toBeUndefined();
  });

  it('serves no tenant paths when it has none', async () => {
    expect((await call('GET', '/api/v1/main/flows/search')).status).toBe(404);
  });
});
