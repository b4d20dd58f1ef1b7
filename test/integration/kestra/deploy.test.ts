// Deploy and pull against the fake Kestra server (test/kestra/fake-server.ts), in process on a
// free 127.0.0.1 port: create then update, Basic and Bearer auth, tenant paths, Kestra's
// validation errors per file, namespace override keeping comments, namespace files, and local
// secret values that never leave the machine.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deployFlows, formatDeployReport, pullFlows, setNamespace, type DeployItem } from '../../../main/kestra';
import { startFakeKestra, type FakeKestra } from '../../kestra/fake-server';
import { tempDir } from '../../helpers/server-process';

const flow = (id: string, namespace = 'company.team', extra = '') => `# ${id}: a comment Kestra must receive too
id: ${id}
namespace: ${namespace} # the team's namespace

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "hello from ${id}"
${extra}`;

const items = (...sources: [string, string][]): DeployItem[] => sources.map(([label, source]) => ({ label, source }));

let servers: FakeKestra[] = [];
async function fake(opts: Parameters<typeof startFakeKestra>[0] = {}) {
  const s = await startFakeKestra(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

describe('deploy', () => {
  it('creates flows, then updates them; YAML bodies with Basic auth on /api/v1 paths', async () => {
    const k = await fake({ basic: { user: 'admin@kestra.io', password: 'kestra' } });
    const opts = { server: k.url, auth: { user: 'admin@kestra.io', password: 'kestra' } };
    const first = await deployFlows(items(['a.yml', flow('a')], ['b.yml', flow('b', 'company.team.sub')]), opts);
    expect(first).toMatchObject({ ok: true, created: 2, updated: 0, failed: 0 });
    expect(first.results.map((r) => [r.label, r.action, r.revision])).toEqual([['a.yml', 'created', 1], ['b.yml', 'created', 1]]);
    expect(k.flows.get('company.team/a')?.source).toBe(flow('a'));

    const second = await deployFlows(items(['a.yml', flow('a').replace('hello', 'hi')]), opts);
    expect(second).toMatchObject({ ok: true, created: 0, updated: 1 });
    expect(second.results[0].revision).toBe(2);
    expect(k.flows.get('company.team/a')?.source).toContain('hi from a');

    // What went over the wire, the way Kestra's API documents it.
    for (const r of k.requests) {
      expect(r.path.startsWith('/api/v1/flows')).toBe(true);
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('admin@kestra.io:kestra').toString('base64')}`);
      if (r.method !== 'GET') expect(r.headers['content-type']).toBe('application/x-yaml');
    }
    expect(k.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /api/v1/flows/validate 200', 'GET /api/v1/flows/company.team/a 404', 'POST /api/v1/flows 200',
      'POST /api/v1/flows/validate 200', 'GET /api/v1/flows/company.team.sub/b 404', 'POST /api/v1/flows 200',
      'POST /api/v1/flows/validate 200', 'GET /api/v1/flows/company.team/a 200', 'PUT /api/v1/flows/company.team/a 200',
    ]);
    expect(formatDeployReport(second).at(-1)).toBe(`1 flow(s) to ${k.url}: 0 created, 1 updated, 0 failed`);

    // The same source again: nothing sent, no new revision.
    const before = k.requests.length;
    const third = await deployFlows(items(['a.yml', flow('a').replace('hello', 'hi')]), opts);
    expect(third.results.map((r) => [r.action, r.revision])).toEqual([['unchanged', 2]]);
    expect(k.requests.slice(before).map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(formatDeployReport(third).at(-1)).toBe(`1 flow(s) to ${k.url}: 0 created, 0 updated, 1 unchanged, 0 failed`);
  });

  it('uses tenant paths and a Bearer token (Kestra EE / newer OSS)', async () => {
    const k = await fake({ tenant: 'main', token: 'ee-token' });
    const report = await deployFlows(items(['a.yml', flow('a')]), { server: `${k.url}/`, tenant: 'main', auth: { token: 'ee-token' } });
    expect(report).toMatchObject({ ok: true, created: 1 });
    expect(k.requests.every((r) => r.path.startsWith('/api/v1/main/flows') && r.headers.authorization === 'Bearer ee-token')).toBe(true);

    // Without --tenant, the old paths do not exist there: the error says what to do.
    const lost = await deployFlows(items(['a.yml', flow('a')]), { server: k.url, auth: { token: 'ee-token' } });
    expect(lost.ok).toBe(false);
    expect(lost.results[0].errors.join('\n')).toMatch(/--tenant main/);
  });

  it('reports refused credentials, and missing ones, in plain words', async () => {
    const k = await fake({ basic: { user: 'admin', password: 'right' } });
    const wrong = await deployFlows(items(['a.yml', flow('a')]), { server: k.url, auth: { user: 'admin', password: 'wrong' } });
    expect(formatDeployReport(wrong)[0]).toBe('a.yml: 401 Unauthorized: the server refused these credentials');
    const none = await deployFlows(items(['a.yml', flow('a')]), { server: k.url });
    expect(none.results[0].errors[0]).toMatch(/needs credentials \(--user\/--password or --token\)/);
    expect(k.flows.size).toBe(0);
  });

  it("shows Kestra's validation errors per file and saves nothing half-valid", async () => {
    for (const validationShape of ['constraints', 'errors'] as const) {
      const k = await fake({ validationShape });
      const bad = flow('bad', 'company.team', `  - id: notify\n    type: io.kestra.plugin.acme.Pager\n    to: ops\n`);
      const report = await deployFlows(items(['good.yml', flow('good')], ['flows/bad.yml', bad]), { server: k.url });
      expect(report).toMatchObject({ ok: false, created: 1, failed: 1 });
      const lines = formatDeployReport(report);
      expect(lines).toContain('flows/bad.yml: tasks[1]: Invalid type: io.kestra.plugin.acme.Pager');
      expect(lines.at(-1)).toBe(`2 flow(s) to ${k.url}: 1 created, 0 updated, 1 failed`);
      expect([...k.flows.keys()]).toEqual(['company.team/good']);
    }
  });

  it('without validation first, shows the 422 of create/update (Kestra JsonError)', async () => {
    const k = await fake();
    const bad = flow('bad', 'company.team', `triggers:\n  - id: t\n    type: io.kestra.plugin.acme.Trigger\n`);
    const report = await deployFlows(items(['bad.yml', bad]), { server: k.url, validate: false });
    expect(report.results[0]).toMatchObject({ action: 'failed', errors: ['triggers[0]: Invalid type: io.kestra.plugin.acme.Trigger'] });
    expect(k.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404', 'POST 422']);
  });

  it('checks locally what is not a flow, and a flow given twice, before sending anything', async () => {
    const k = await fake();
    const report = await deployFlows(
      items(['broken.yml', 'id: [oops'], ['noid.yml', 'namespace: company.team\ntasks: []\n'], ['a.yml', flow('a')], ['again.yml', flow('a')]),
      { server: k.url },
    );
    expect(report.results.map((r) => r.action)).toEqual(['failed', 'failed', 'created', 'failed']);
    expect(report.results[0].errors[0]).toMatch(/not a flow/);
    expect(report.results[3].errors[0]).toBe('company.team.a is also defined by a.yml: not sent twice');
    expect(k.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/flows'))).toHaveLength(1);
  });

  it('never sends the value of a local secret; secret() references go as they are', async () => {
    const k = await fake();
    const secrets = [
      { namespace: '', name: 'DB_PASSWORD', value: 's3cr3t-Pa55word' },
      { namespace: 'company.team', name: 'API_KEY', value: 'ak_live_0123456789' },
    ];
    process.env.SECRET_ENV_TOKEN = Buffer.from('env-token-value-42').toString('base64');
    try {
      const good = flow('good', 'company.team', `  - id: call\n    type: io.kestra.plugin.core.http.Request\n    uri: https://api.example.com\n    headers:\n      Authorization: "Bearer {{ secret('API_KEY') }}"\n`);
      const pasted = flow('pasted', 'company.team', `  - id: call\n    type: io.kestra.plugin.core.http.Request\n    uri: https://api.example.com\n    headers:\n      Authorization: "Bearer ak_live_0123456789"\n`);
      const fromEnv = flow('env', 'company.team', `  - id: call\n    type: io.kestra.plugin.core.log.Log\n    message: env-token-value-42\n`);
      const { environmentSecrets } = await import('../../../main/kestra');
      const report = await deployFlows(
        items(['good.yml', good], ['pasted.yml', pasted], ['env.yml', fromEnv]),
        { server: k.url, secrets: [...secrets, ...environmentSecrets()], namespaceFiles: [{ namespace: 'company.team', path: '/leak.txt', content: Buffer.from('password=s3cr3t-Pa55word') }] },
      );
      expect(report.results.map((r) => r.action)).toEqual(['created', 'failed', 'failed']);
      expect(report.results[1].errors[0]).toMatch(/local secret company.team\/API_KEY: not sent\. Write \{\{ secret\('API_KEY'\) \}\} instead/);
      expect(report.results[2].errors[0]).toMatch(/local secret ENV_TOKEN/);
      expect(report.namespaceFiles).toEqual([{ namespace: 'company.team', path: '/leak.txt', ok: false, error: 'holds the value of a local secret: not sent' }]);
      const sent = k.allBodies();
      expect(sent).toContain("{{ secret('API_KEY') }}");
      for (const s of [...secrets.map((x) => x.value), 'env-token-value-42']) expect(sent).not.toContain(s);
      expect(k.requests.some((r) => r.path.includes('/namespaces/'))).toBe(false);
    } finally {
      delete process.env.SECRET_ENV_TOKEN;
    }
  });

  it('deploys into another namespace, rewriting only the namespace value (comments kept)', async () => {
    const k = await fake();
    const report = await deployFlows(items(['a.yml', flow('a')]), { server: k.url, namespace: 'prod.payments' });
    expect(report.results[0]).toMatchObject({ action: 'created', namespace: 'prod.payments', id: 'a' });
    expect(k.flows.get('prod.payments/a')?.source).toBe(flow('a').replace('namespace: company.team #', 'namespace: prod.payments #'));
    expect(setNamespace('id: x\ntasks: []\n', 'a.b')).toBe('id: x\nnamespace: a.b\ntasks: []\n');
    expect(setNamespace('id: x\nnamespace: "q.u" # c\n', 'a.b')).toBe('id: x\nnamespace: a.b # c\n');
    expect(() => setNamespace(flow('a'), 'Not/A/Namespace')).toThrow(/is not a namespace/);
  });

  it('uploads namespace files as multipart fileContent, before the flows', async () => {
    const k = await fake({ tenant: 'main' });
    const report = await deployFlows(items(['a.yml', flow('a')]), {
      server: k.url, tenant: 'main',
      namespaceFiles: [{ namespace: 'company.team', path: '/scripts/score.py', content: Buffer.from('print("hi")\n') }],
    });
    expect(report.ok).toBe(true);
    expect(k.namespaceFiles.get('company.team:/scripts/score.py')?.toString()).toBe('print("hi")\n');
    const upload = k.requests.find((r) => r.path === '/api/v1/main/namespaces/company.team/files')!;
    expect(upload.query.get('path')).toBe('/scripts/score.py');
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(k.requests.indexOf(upload)).toBe(0);
  });

  it('dry run validates on the server and writes nothing', async () => {
    const k = await fake();
    const report = await deployFlows(items(['a.yml', flow('a')]), { server: k.url, dryRun: true });
    expect(report.results[0].action).toBe('valid');
    expect(k.flows.size).toBe(0);
    expect(formatDeployReport(report).at(-1)).toBe(`1 flow(s) to ${k.url}: 1 valid, 0 created, 0 updated, 0 failed`);
  });

  it('says when the server cannot be reached', async () => {
    const k = await fake();
    await k.stop();
    servers = [];
    const report = await deployFlows(items(['a.yml', flow('a')]), { server: k.url });
    expect(report.results[0].errors[0]).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe('pull', () => {
  it("writes a namespace's flows (and those below it) as <namespace>/<id>.yml, the source as Kestra returns it", async () => {
    const k = await fake({ tenant: 'main', basic: { user: 'u', password: 'p' } });
    const sources = [flow('x', 'acme.shop'), flow('y', 'acme.shop.eu'), flow('z', 'other')];
    for (const s of sources) k.seed(s);
    const dir = tempDir('pull');
    // The workspace already holds acme.shop.x in a file of another name: that file is updated.
    fs.mkdirSync(path.join(dir, 'mine'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'mine/x-local.yaml'), flow('x', 'acme.shop').replace('hello', 'old'));
    const opts = { server: k.url, tenant: 'main', auth: { user: 'u', password: 'p' }, flowsDir: dir, namespace: 'acme.shop' };
    const results = await pullFlows(opts);
    expect(results.map((r) => [r.namespace, r.id, r.action, path.relative(dir, r.file!)])).toEqual([
      ['acme.shop.eu', 'y', 'created', 'acme.shop.eu/y.yml'],
      ['acme.shop', 'x', 'updated', 'mine/x-local.yaml'],
    ]);
    expect(fs.readFileSync(path.join(dir, 'mine/x-local.yaml'), 'utf8')).toBe(sources[0]);
    expect(fs.readFileSync(path.join(dir, 'acme.shop.eu/y.yml'), 'utf8')).toBe(sources[1]);
    expect(fs.existsSync(path.join(dir, 'other'))).toBe(false);
    expect((await pullFlows(opts)).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(k.requests.filter((r) => r.path.endsWith('/flows/search'))[0].query.get('namespace')).toBe('acme.shop');
    expect(k.requests.some((r) => r.query.get('source') === 'true')).toBe(true);
  });

  it('round-trips: deploy a workspace, pull it into an empty one, same files', async () => {
    const k = await fake();
    const srcs = [flow('one'), flow('two', 'company.ops')];
    await deployFlows(items(['one.yml', srcs[0]], ['two.yml', srcs[1]]), { server: k.url });
    const dir = tempDir('pull-rt');
    const results = await pullFlows({ server: k.url, flowsDir: dir });
    expect(results.map((r) => `${r.namespace}.${r.id} ${r.action}`).sort()).toEqual(['company.ops.two created', 'company.team.one created']);
    expect(fs.readFileSync(path.join(dir, 'company.team/one.yml'), 'utf8')).toBe(srcs[0]);
    expect(fs.readFileSync(path.join(dir, 'company.ops/two.yml'), 'utf8')).toBe(srcs[1]);
  });

  it('never writes outside the workspace, whatever the server answers', async () => {
    const k = await fake();
    k.flows.set('x', { namespace: '../../etc', id: 'passwd', revision: 1, source: 'id: passwd\nnamespace: x\ntasks: [{id: a, type: b}]\n', updated: '' });
    const dir = tempDir('pull-evil');
    const [r] = await pullFlows({ server: k.url, flowsDir: dir });
    expect(r).toMatchObject({ action: 'failed', error: expect.stringMatching(/not a valid name/) });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
