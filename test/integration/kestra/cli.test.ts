// `peregrine deploy | pull | export | import | export-execution | gallery` as a user runs them:
// exit codes and messages, against the fake Kestra server (in this process: the CLI runs as a
// child, spawned asynchronously so the server can answer it).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../../main/kestra';
import { Engine } from '../../../main/runtime/engine';
import { Store } from '../../../main/store';
import { tempDir } from '../../helpers/server-process';
import { startFakeKestra, type FakeKestra } from '../../kestra/fake-server';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HAS_ZIP = spawnSync('sh', ['-c', 'command -v zip']).status === 0;

function peregrine(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^KESTRA_|^SECRET_/.test(k)));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/peregrine.mjs'), ...args], {
      cwd: ROOT,
      env: { ...base, PEREGRINE_DATA_DIR: tempDir('cli-default-data'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const flow = (id: string, namespace = 'company.team', task = 'io.kestra.plugin.core.log.Log') => `# ${id}
id: ${id}
namespace: ${namespace}
tasks:
  - id: log
    type: ${task}
    message: hello from ${id}
`;

function workspace(files: Record<string, string>): string {
  const dir = tempDir('cli-ws');
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), source);
  }
  return dir;
}

describe('peregrine deploy', { timeout: 180_000 }, () => {
  let k: FakeKestra;
  beforeAll(async () => {
    k = await startFakeKestra({ basic: { user: 'admin', password: 'pw' } });
  });
  afterAll(async () => k?.stop());

  it('creates, then updates what changed and leaves the rest unchanged; exit 0 and a summary', async () => {
    const dir = workspace({ 'a.yml': flow('a'), 'sub/b.yml': flow('b') });
    const files = [path.join(dir, 'a.yml'), path.join(dir, 'sub/b.yml')];
    const r = await peregrine(['deploy', '--server', k.url, '--user', 'admin', '--password', 'pw', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${files[0]}: created company.team.a (revision 1)`,
      `${files[1]}: created company.team.b (revision 1)`,
      `2 flow(s) to ${k.url}: 2 created, 0 updated, 0 failed`,
    ]);
    fs.writeFileSync(files[0], flow('a').replace('hello', 'hi'));
    const again = await peregrine(['deploy', '--server', k.url, '--flows', dir], { KESTRA_USER: 'admin', KESTRA_PASSWORD: 'pw' });
    expect(again.status).toBe(0);
    expect(again.stdout.trim().split('\n')).toEqual([
      `${files[0]}: updated company.team.a (revision 2)`,
      `${files[1]}: unchanged company.team.b (revision 1)`,
      `2 flow(s) to ${k.url}: 0 created, 1 updated, 1 unchanged, 0 failed`,
    ]);
  });

  it("prints Kestra's validation errors as file: message and exits 1", async () => {
    const dir = workspace({ 'ok.yml': flow('ok'), 'bad.yml': flow('bad', 'company.team', 'io.kestra.plugin.acme.Pager') });
    const r = await peregrine(['deploy', '--server', k.url, '--user', 'admin', '--password', 'pw', path.join(dir, 'bad.yml'), path.join(dir, 'ok.yml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${path.join(dir, 'bad.yml')}: tasks[0]: Invalid type: io.kestra.plugin.acme.Pager`);
    expect(r.stdout).toMatch(/2 flow\(s\) to .*: 1 created, 0 updated, 1 failed/);
  });

  it('exits 1 with a clear message: wrong password, no server, no such file', async () => {
    const dir = workspace({ 'a.yml': flow('a') });
    const wrong = await peregrine(['deploy', '--server', k.url, '--user', 'admin', '--password', 'nope', path.join(dir, 'a.yml')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain(`${path.join(dir, 'a.yml')}: 401 Unauthorized: the server refused these credentials`);
    const noServer = await peregrine(['deploy', path.join(dir, 'a.yml')]);
    expect(noServer.status).toBe(1);
    expect(noServer.stderr).toMatch(/required option '--server <url>' not specified/);
    const missing = await peregrine(['deploy', '--server', k.url, path.join(dir, 'nope.yml')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.yml: no such file/);
  });

  it('never sends the value of a secret from the local store (--data-dir)', async () => {
    const dataDir = tempDir('cli-secrets');
    const store = new Store({ dataDir });
    store.secrets.set('company.team', 'PAGER_TOKEN', 'pgr-0123456789abcdef');
    await store.close();
    const dir = workspace({ 'ref.yml': flow('ref').replace('hello from ref', "{{ secret('PAGER_TOKEN') }}"), 'pasted.yml': flow('pasted').replace('hello from pasted', 'pgr-0123456789abcdef') });
    const r = await peregrine(['deploy', '--server', k.url, '--user', 'admin', '--password', 'pw', '--data-dir', dataDir, '--flows', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${path.join(dir, 'pasted.yml')}: holds the value of the local secret company.team/PAGER_TOKEN: not sent.`);
    expect(r.stdout).toMatch(/ref\.yml: (created|updated) company\.team\.ref/);
    expect(k.allBodies()).not.toContain('pgr-0123456789abcdef');
    expect(k.allBodies()).toContain("{{ secret('PAGER_TOKEN') }}");
  });

  it('--tenant, --token and --namespace', async () => {
    const ee = await startFakeKestra({ tenant: 'main', token: 'tok-1' });
    try {
      const dir = workspace({ 'a.yml': flow('a') });
      const r = await peregrine(['deploy', '--server', ee.url, '--tenant', 'main', '--token', 'tok-1', '--namespace', 'prod.team', path.join(dir, 'a.yml')]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(': created prod.team.a (revision 1)');
      expect(ee.flows.get('prod.team/a')?.source).toBe(flow('a').replace('namespace: company.team', 'namespace: prod.team'));
      expect(ee.requests.every((q) => q.path.startsWith('/api/v1/main/') && q.headers.authorization === 'Bearer tok-1')).toBe(true);
    } finally {
      await ee.stop();
    }
  });
});

describe('peregrine pull', { timeout: 180_000 }, () => {
  it('writes <namespace>/<id>.yml with the source Kestra returns; exit 0', async () => {
    const k = await startFakeKestra({ tenant: 'main' });
    try {
      k.seed(flow('x', 'acme.shop'));
      k.seed(flow('y', 'other'));
      const dir = tempDir('cli-pull');
      const r = await peregrine(['pull', '--server', k.url, '--tenant', 'main', '--namespace', 'acme', '--flows', dir]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`acme.shop.x: created (${path.join(dir, 'acme.shop/x.yml')})`);
      expect(r.stdout).toMatch(/1 flow\(s\) from .*: 1 created, 0 updated, 0 unchanged, 0 failed/);
      expect(fs.readFileSync(path.join(dir, 'acme.shop/x.yml'), 'utf8')).toBe(flow('x', 'acme.shop'));
      expect(fs.existsSync(path.join(dir, 'other'))).toBe(false);
      const noTenant = await peregrine(['pull', '--server', k.url, '--flows', dir]);
      expect(noTenant.status).toBe(1);
      expect(noTenant.stderr).toMatch(/Not Found/);
    } finally {
      await k.stop();
    }
  });
});

describe('peregrine export / import', { timeout: 180_000 }, () => {
  it('round-trips a workspace, a namespace and a flow through a ZIP', async () => {
    const src = workspace({ 'company.team/a.yml': flow('a'), 'company.team.sub/b.yml': flow('b', 'company.team.sub'), 'other/c.yml': flow('c', 'other'), 'notes/broken.yml': 'id: [' });
    const out = tempDir('cli-export');
    const all = await peregrine(['export', '--flows', src, '-o', path.join(out, 'all.zip')]);
    expect(all.status).toBe(0);
    expect(readZip(fs.readFileSync(path.join(out, 'all.zip'))).map((e) => e.name)).toEqual(['company.team.sub/b.yml', 'company.team/a.yml', 'notes/broken.yml', 'other/c.yml']);
    const ns = await peregrine(['export', '--flows', src, '--namespace', 'company.team', '-o', path.join(out, 'ns.zip')]);
    expect(ns.stdout).toContain('2 flow file(s) written to');
    await peregrine(['export', '--flows', src, '--flow', 'other.c', '-o', path.join(out, 'one.zip')]);
    expect(readZip(fs.readFileSync(path.join(out, 'one.zip'))).map((e) => [e.name, e.data.toString()])).toEqual([['other/c.yml', flow('c', 'other')]]);
    const none = await peregrine(['export', '--flows', src, '--namespace', 'nothing', '-o', path.join(out, 'none.zip')]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no flows in namespace nothing in the workspace/);

    const dest = tempDir('cli-import');
    const imp = await peregrine(['import', path.join(out, 'all.zip'), '--flows', dest]);
    expect(imp.status).toBe(0); // notes/broken.yml is not a flow: skipped (not a failure), the rest imported
    expect(imp.stdout).toContain('company.team/a.yml: created company.team.a');
    expect(imp.stdout).toContain('notes/broken.yml: skipped: not a flow: no string id and namespace');
    expect(fs.readFileSync(path.join(dest, 'company.team.sub/b.yml'), 'utf8')).toBe(flow('b', 'company.team.sub'));
    expect((await peregrine(['import', path.join(out, 'ns.zip'), '--flows', dest])).stdout).toMatch(/2 entries: 0 created, 0 updated, 2 unchanged/);

    fs.writeFileSync(path.join(dest, 'company.team/a.yml'), flow('a').replace('hello', 'changed'));
    const conflict = await peregrine(['import', path.join(out, 'ns.zip'), '--flows', dest]);
    expect(conflict.status).toBe(1);
    expect(conflict.stdout).toContain('company.team/a.yml: conflict company.team.a: company.team/a.yml already holds company.team.a with another source (import with overwrite to replace it)');
    const forced = await peregrine(['import', path.join(out, 'ns.zip'), '--flows', dest, '--overwrite']);
    expect(forced.status).toBe(0);
    expect(fs.readFileSync(path.join(dest, 'company.team/a.yml'), 'utf8')).toBe(flow('a'));
  });

  it('imports invalid flows not at all, "not supported locally" ones as files', async () => {
    const src = workspace({
      'ok.yml': flow('ok'),
      'typo.yml': flow('typo', 'company.team', 'io.kestra.plugin.core.log.Lgo'),
      'kestra-only.yml': flow('kestra-only', 'company.team', 'io.kestra.plugin.notifications.slack.SlackIncomingWebhook'),
    });
    const zip = path.join(tempDir('cli-zip'), 'f.zip');
    expect((await peregrine(['export', '--flows', src, '-o', zip])).status).toBe(0);
    const dest = tempDir('cli-import2');
    const r = await peregrine(['import', zip, '--flows', dest]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('kestra-only.yml: created company.team.kestra-only (uses Kestra plugins not supported locally: kept, not run)');
    expect(r.stdout).toMatch(/typo\.yml: invalid company\.team\.typo: typo\.yml:6:11: tasks\[0\]\.type: unknown task type io\.kestra\.plugin\.core\.log\.Lgo: did you mean io\.kestra\.plugin\.core\.log\.Log\?/);
    expect(fs.existsSync(path.join(dest, 'company.team/typo.yml'))).toBe(false);
    expect(fs.existsSync(path.join(dest, 'company.team/kestra-only.yml'))).toBe(true);
  });

  it.skipIf(!HAS_ZIP)(`imports an archive made by Info-ZIP zip${HAS_ZIP ? '' : ' (skipped: zip is not installed; apt-get install zip)'}`, async () => {
    const src = workspace({ 'company.team/a.yml': flow('a'), 'company.team/b.yaml': flow('b') });
    const zip = path.join(tempDir('cli-infozip'), 'flows.zip');
    expect(spawnSync('zip', ['-q', '-r', zip, '.'], { cwd: src }).status).toBe(0);
    const dest = tempDir('cli-import3');
    const r = await peregrine(['import', zip, '--flows', dest]);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dest, 'company.team/b.yml'), 'utf8')).toBe(flow('b'));
  });
});

describe('peregrine export-execution', { timeout: 180_000 }, () => {
  it("writes the execution, its task runs and logs as JSON; exit 1 for an unknown id", async () => {
    const dataDir = tempDir('cli-exec');
    const engine = await Engine.start({ dataDir, watch: false });
    let id: string;
    try {
      expect((await engine.saveFlow(flow('ran'))).ok).toBe(true);
      const e = await engine.createExecution('company.team', 'ran');
      id = e.id;
      await engine.waitFor(id);
    } finally {
      await engine.close();
    }
    const out = path.join(tempDir('cli-exec-out'), 'case.json');
    const r = await peregrine(['export-execution', id, '--data-dir', dataDir, '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(SUCCESS, 1 task run\(s\), \d+ log line\(s\)\) written to/);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(doc).toMatchObject({ kind: 'peregrine.execution', execution: { id, flowId: 'ran', taskRunList: [{ taskId: 'log' }] }, flow: { id: 'ran', revision: 1 } });
    expect(doc.logs.some((l: { message: string }) => l.message === 'hello from ran')).toBe(true);
    const stdout = await peregrine(['export-execution', id, '--data-dir', dataDir, '-o', '-']);
    expect(JSON.parse(stdout.stdout).execution.id).toBe(id);
    const unknown = await peregrine(['export-execution', 'nope', '--data-dir', dataDir, '-o', out]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no execution nope in/);
  });
});

describe('peregrine gallery', { timeout: 180_000 }, () => {
  it('lists the samples and copies one into the workspace', async () => {
    const list = await peregrine(['gallery', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^fraud-detection-kafka\s+Fraud and anomaly detection.*\[kafka\]$/m);
    const dir = tempDir('cli-gallery');
    const use = await peregrine(['gallery', 'use', 'stock-price-alert-mqtt', '--flows', dir, '--namespace', 'sandbox']);
    expect(use.status).toBe(0);
    expect(use.stdout).toContain(`sandbox.stock-price-alert written to ${path.join(dir, 'sandbox/stock-price-alert.yml')}`);
    expect(use.stdout).toMatch(/feed it: npm run brokers -- up mosquitto --port 1883/);
    const unknown = await peregrine(['gallery', 'use', 'nope', '--flows', dir]);
    expect(unknown.status).toBe(1);
  });
});
