// The contract commands for the UI (kestra.deploy / kestra.pull, workspace.export / import,
// executions.export, gallery.list / use) against a real engine and the fake Kestra server — and the
// engine keeping a "not supported locally" flow as a file: editable, listed as a problem, never
// run, deployable.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type EngineApi } from '../../../main/api';
import { readZip, writeZip } from '../../../main/kestra';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { tempDir } from '../../helpers/server-process';
import { startFakeKestra, type FakeKestra } from '../../kestra/fake-server';

const RUNNABLE = `id: hello
namespace: company.team
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}"
`;
// A flow for a Kestra cluster: Slack is a Kestra plugin Peregrine does not run.
const FOR_KESTRA = `# notify the team (runs on Kestra only)
id: notify
namespace: company.team
tasks:
  - id: slack
    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
    url: "{{ secret('SLACK_WEBHOOK') }}"
    payload: '{"text": "hello"}'
`;

async function value<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('contract: Kestra, archives, gallery', () => {
  let engine: Engine;
  let api: EngineApi;
  let k: FakeKestra;
  let flowsDir: string;

  beforeAll(async () => {
    flowsDir = path.join(tempDir('contract-ws'), 'flows');
    engine = await startEngine([], { flowsDir, watch: false });
    api = createApi(engine);
    k = await startFakeKestra({ tenant: 'main', basic: { user: 'admin', password: 'pw' }, extraTypes: ['io.kestra.plugin.notifications.slack.SlackIncomingWebhook'] });
  });
  afterAll(async () => {
    api?.close();
    await engine?.close();
    await k?.stop();
  });

  it('keeps a "not supported locally" flow as a file and a problem; it never runs', async () => {
    const saved = await value(api.call('flows.save', { source: FOR_KESTRA }));
    expect(saved.ok).toBe(false);
    expect(saved.errors).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_PLUGIN', path: 'tasks[0].type', message: expect.stringMatching(/does not run locally/) })]);
    const file = path.join(flowsDir, 'company.team/notify.yml');
    expect(fs.readFileSync(file, 'utf8')).toBe(FOR_KESTRA);
    const list = await value(api.call('flows.list', {}));
    expect(list.flows.map((f) => f.id)).not.toContain('notify');
    expect(list.problems).toEqual([{ file, errors: [expect.objectContaining({ code: 'UNSUPPORTED_PLUGIN' })], source: FOR_KESTRA, namespace: 'company.team', id: 'notify', notSupportedLocally: true }]);
    expect(engine.flow('company.team', 'notify')).toBeUndefined();
    expect((await api.call('executions.create', { namespace: 'company.team', flowId: 'notify' })).ok).toBe(false);
  });

  it('a runnable flow that gains an unsupported task stops running; fixed, it runs again', async () => {
    expect((await value(api.call('flows.save', { source: RUNNABLE }))).ok).toBe(true);
    expect(engine.flow('company.team', 'hello')).toBeDefined();
    const withSlack = `${RUNNABLE}  - id: tell\n    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook\n    url: https://hooks.example.com\n`;
    const r = await engine.saveFlow(withSlack);
    expect(r).toMatchObject({ ok: false, kept: true, file: path.join(flowsDir, 'company.team/hello.yml') });
    expect(engine.flow('company.team', 'hello')).toBeUndefined();
    expect(engine.problems.has(r.file!)).toBe(true);
    const fixed = await engine.saveFlow(RUNNABLE);
    expect(fixed.ok).toBe(true);
    expect(engine.problems.has(r.file!)).toBe(false);
    expect(fs.readFileSync(r.file!, 'utf8')).toBe(RUNNABLE);
  });

  it('keeps nothing else: a typo is refused, and keepUnsupported: false refuses too', async () => {
    const typo = await engine.saveFlow(RUNNABLE.replace('id: hello', 'id: typo').replace('core.log.Log', 'core.log.Lgo'));
    expect(typo).toMatchObject({ ok: false });
    expect(typo.kept).toBeUndefined();
    expect(fs.existsSync(path.join(flowsDir, 'company.team/typo.yml'))).toBe(false);
    const refused = await engine.saveFlow(FOR_KESTRA.replace('id: notify', 'id: refused'), { keepUnsupported: false });
    expect(refused.kept).toBeUndefined();
    expect(fs.existsSync(path.join(flowsDir, 'company.team/refused.yml'))).toBe(false);
  });

  it('kestra.deploy sends workspace flows (the kept one too), and never a local secret value', async () => {
    await value(api.call('secrets.set', { namespace: '', name: 'SLACK_WEBHOOK', value: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET' }));
    const report = await value(api.call('kestra.deploy', {
      server: k.url, tenant: 'main', user: 'admin', password: 'pw',
      flows: [{ namespace: 'company.team', id: 'hello' }, { namespace: 'company.team', id: 'notify' }],
      sources: [FOR_KESTRA.replace('id: notify', 'id: pasted').replace("{{ secret('SLACK_WEBHOOK') }}", 'https://hooks.slack.com/services/T000/B000/XXXXSECRET')],
    }));
    expect(report.results.map((r) => [r.label, r.action])).toEqual([['company.team/hello.yml', 'created'], ['company.team/notify.yml', 'created'], ['sources[0]', 'failed']]);
    expect(report.results[2].errors[0]).toMatch(/local secret SLACK_WEBHOOK: not sent/);
    expect(k.flows.get('company.team/notify')?.source).toBe(FOR_KESTRA);
    expect(k.allBodies()).not.toContain('XXXXSECRET');
    expect(k.allBodies()).toContain("{{ secret('SLACK_WEBHOOK') }}");
    const missing = await api.call('kestra.deploy', { server: k.url, flows: [{ namespace: 'company.team', id: 'nope' }] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await api.call('kestra.deploy', { server: 'not a url', all: true })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
  });

  it('kestra.deploy sends the workspace\'s namespace files with a flow that uses them, and only then', async () => {
    const files = path.join(flowsDir, 'company.scripts', '_files');
    fs.mkdirSync(path.join(files, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(files, 'score.py'), 'print(42)\n');
    fs.writeFileSync(path.join(files, 'lib', 'util.py'), 'X = 1\n');
    const script = (id: string, enabled: boolean) => `id: ${id}
namespace: company.scripts
tasks:
  - id: score
    type: io.kestra.plugin.scripts.python.Script
    namespaceFiles:
      enabled: ${enabled}
    script: print(1)
`;
    expect(await engine.saveFlow(script('plain', false))).toMatchObject({ ok: true });
    const without = await value(api.call('kestra.deploy', { server: k.url, tenant: 'main', user: 'admin', password: 'pw', flows: [{ namespace: 'company.scripts', id: 'plain' }] }));
    expect(without.namespaceFiles).toEqual([]);
    expect(await engine.saveFlow(script('scored', true))).toMatchObject({ ok: true });
    const report = await value(api.call('kestra.deploy', { server: k.url, tenant: 'main', user: 'admin', password: 'pw', flows: [{ namespace: 'company.scripts', id: 'scored' }], namespace: 'prod.scripts' }));
    expect(report.namespaceFiles.map((f) => `${f.namespace}:${f.path}:${f.ok}`).sort()).toEqual(['prod.scripts:/lib/util.py:true', 'prod.scripts:/score.py:true']);
    expect(k.namespaceFiles.get('prod.scripts:/score.py')?.toString()).toBe('print(42)\n');
    await engine.deleteFlow('company.scripts', 'plain');
    await engine.deleteFlow('company.scripts', 'scored');
    fs.rmSync(path.join(flowsDir, 'company.scripts'), { recursive: true, force: true });
  });

  it('kestra.pull brings flows from the server into the workspace, loaded at once', async () => {
    k.seed(RUNNABLE.replace('id: hello', 'id: from-kestra').replace('company.team', 'company.remote'));
    const { results } = await value(api.call('kestra.pull', { server: k.url, tenant: 'main', user: 'admin', password: 'pw', namespace: 'company.remote' }));
    expect(results).toEqual([expect.objectContaining({ namespace: 'company.remote', id: 'from-kestra', action: 'created' })]);
    expect(engine.flow('company.remote', 'from-kestra')).toBeDefined();
    expect(fs.existsSync(path.join(flowsDir, 'company.remote/from-kestra.yml'))).toBe(true);
  });

  it('workspace.export / workspace.import round-trip into another engine; conflicts need overwrite', async () => {
    const all = await value(api.call('workspace.export', {}));
    expect(all.entries).toEqual(['company.remote/from-kestra.yml', 'company.team/hello.yml', 'company.team/notify.yml']);
    const one = await value(api.call('workspace.export', { flow: { namespace: 'company.team', id: 'notify' } }));
    expect(one).toMatchObject({ fileName: 'company.team.notify.zip', entries: ['company.team/notify.yml'] });
    expect(readZip(Buffer.from(one.zipBase64, 'base64'))[0].data.toString('utf8')).toBe(FOR_KESTRA);
    expect((await value(api.call('workspace.export', { namespace: 'company' }))).entries).toHaveLength(3);
    expect(await api.call('workspace.export', { namespace: 'nothing.here' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const other = await startEngine([], { flowsDir: path.join(tempDir('contract-ws2'), 'flows'), watch: false });
    const otherApi = createApi(other);
    try {
      const { results } = await value(otherApi.call('workspace.import', { zipBase64: all.zipBase64 }));
      expect(results.map((r) => [r.entry, r.action, !!r.unsupported])).toEqual([
        ['company.remote/from-kestra.yml', 'created', false], ['company.team/hello.yml', 'created', false], ['company.team/notify.yml', 'created', true],
      ]);
      expect(other.flow('company.team', 'hello')).toBeDefined();
      expect([...other.problems.keys()].map((f) => path.basename(f))).toEqual(['notify.yml']);
      // Kestra's own export: flat names, and a changed flow.
      const kestraZip = writeZip([{ name: 'company.team.hello.yml', data: RUNNABLE.replace('hello {{', 'hi {{') }, { name: 'README.txt', data: 'not a flow' }]);
      const conflict = await value(otherApi.call('workspace.import', { zipBase64: kestraZip.toString('base64') }));
      expect(conflict.results.map((r) => r.action)).toEqual(['conflict', 'skipped']);
      const forced = await value(otherApi.call('workspace.import', { zipBase64: kestraZip.toString('base64'), overwrite: true }));
      expect(forced.results[0]).toMatchObject({ action: 'updated', file: path.join(other.options.flowsDir!, 'company.team/hello.yml') });
      expect(other.flow('company.team', 'hello')?.source).toContain('hi {{');
      expect(await otherApi.call('workspace.import', { zipBase64: Buffer.from('nope').toString('base64') })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    } finally {
      otherApi.close();
      await other.close();
    }
  });

  it('executions.export: the execution, its task runs and logs, the flow revision; secret values masked', async () => {
    const created = await value(api.call('executions.create', { namespace: 'company.team', flowId: 'hello', inputs: { who: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET' } }));
    await engine.waitFor(created.id);
    const doc = await value(api.call('executions.export', { id: created.id }));
    expect(doc).toMatchObject({ kind: 'peregrine.execution', version: 1, execution: { id: created.id, namespace: 'company.team', flowId: 'hello', state: { current: 'SUCCESS' } }, flow: { source: RUNNABLE } });
    expect(doc.execution.taskRunList).toEqual([expect.objectContaining({ taskId: 'greet', attempts: [expect.objectContaining({ state: expect.objectContaining({ current: 'SUCCESS' }) })] })]);
    expect(doc.logs.some((l) => l.taskId === 'greet' && l.message.startsWith('hello '))).toBe(true);
    expect(JSON.stringify(doc)).not.toContain('XXXXSECRET');
    expect(doc.execution.inputs.who).toBe('******');
    expect(await api.call('executions.export', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('gallery.list describes the samples; gallery.use copies one into the workspace', async () => {
    const list = await value(api.call('gallery.list', {}));
    const names = list.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['fraud-detection-kafka', 'order-processing-sqs', 'realtime-prediction-redis', 'stock-price-alert-mqtt', 'shipping-notification-amqp', 'cdc-sync-postgres-kafka']));
    const fraud = list.find((g) => g.name === 'fraud-detection-kafka')!;
    expect(fraud).toMatchObject({ id: 'fraud-detection', title: expect.stringMatching(/^Fraud and anomaly detection/), brokers: ['kafka'], triggers: ['io.kestra.plugin.kafka.RealtimeTrigger'] });
    expect(fraud.description).toMatch(/Kafka/);
    expect(fraud.useCase).toMatch(/fraud/i);
    expect(fraud.feed.join('\n')).toMatch(/npm run brokers -- up kafka/);
    expect(list.find((g) => g.name === 'order-processing-sqs')!.brokers.sort()).toEqual(['postgres', 'sqs']);

    const used = await value(api.call('gallery.use', { name: 'realtime-prediction-redis', namespace: 'sandbox.ml' }));
    expect(used).toMatchObject({ ok: true, kept: false, namespace: 'sandbox.ml', id: 'realtime-prediction' });
    expect(fs.readFileSync(path.join(flowsDir, 'sandbox.ml/realtime-prediction.yml'), 'utf8')).toMatch(/^# Real-time prediction/);
    expect(engine.flow('sandbox.ml', 'realtime-prediction')).toBeDefined();
    // Whether its plugins run here yet or not, a gallery flow always lands in the workspace.
    const orders = await value(api.call('gallery.use', { name: 'order-processing-sqs', namespace: 'sandbox.orders' }));
    expect(orders.ok || orders.kept).toBe(true);
    expect(fs.existsSync(path.join(flowsDir, 'sandbox.orders/order-processing.yml'))).toBe(true);
    // The workspace's own changes are not overwritten by accident.
    await engine.saveFlow(fs.readFileSync(path.join(flowsDir, 'sandbox.ml/realtime-prediction.yml'), 'utf8').replace('bias: -1.1', 'bias: -2'));
    expect(await api.call('gallery.use', { name: 'realtime-prediction-redis', namespace: 'sandbox.ml' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await value(api.call('gallery.use', { name: 'realtime-prediction-redis', namespace: 'sandbox.ml', overwrite: true }))).toMatchObject({ ok: true });
    expect(await api.call('gallery.use', { name: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
