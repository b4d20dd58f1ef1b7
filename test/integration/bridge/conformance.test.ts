// One conformance suite, run against both transports: every command and stream behaves the same
// over the WebSocket of web mode and over Electron IPC + MessagePort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge, StreamBatch, StreamName } from '../../../main/api/contract';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';
import { ipcTransport, webSocketTransport, type Transport } from './transports';

const FLOW = `id: conf
namespace: bridge.test
inputs:
  - id: who
    type: STRING
    defaults: you
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello {{ inputs.who }}{{ trigger.body.extra ?? '' }}
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
`;

function collect<S extends StreamName>(bridge: Bridge, stream: S, filter = {}) {
  const batches: StreamBatch<S>[] = [];
  const stop = bridge.subscribe(stream, filter, (b) => batches.push(b));
  return { batches, events: () => batches.flatMap((b) => b.events), stop };
}

for (const make of [webSocketTransport, ipcTransport]) {
  describe(`contract over ${make === webSocketTransport ? 'WebSocket' : 'Electron IPC'}`, () => {
    let engine: Engine;
    let t: Transport;
    beforeAll(async () => {
      engine = await startEngine([]);
      t = await make(engine);
    });
    afterAll(async () => {
      await t.close();
      await engine.close();
    });

    it('saves, lists and reads flows; an invalid flow comes back with positioned errors, not a throw', async () => {
      const saved = await t.bridge.call('flows.save', { source: FLOW });
      expect(saved).toMatchObject({ ok: true, value: { ok: true, flow: { namespace: 'bridge.test', id: 'conf', revision: 1 } } });
      const list = await t.bridge.call('flows.list', {});
      expect(list.ok && list.value.flows.map((f) => f.id)).toContain('conf');
      const got = await t.bridge.call('flows.get', { namespace: 'bridge.test', id: 'conf' });
      expect(got.ok && got.value.source).toBe(FLOW);
      const bad = await t.bridge.call('flows.save', { source: FLOW.replace('core.log.Log', 'core.log.Lgo') });
      expect(bad.ok).toBe(true);
      expect(bad.ok && bad.value.ok).toBe(false);
      expect(bad.ok && bad.value.errors[0]).toMatchObject({ line: 9, column: 11, path: 'tasks[0].type' });
    });

    it('answers unknown commands, bad inputs and missing things with data', async () => {
      expect(await t.bridge.call('nope' as never, {} as never)).toMatchObject({ ok: false, error: { code: 'INVALID' } });
      expect(await t.bridge.call('flows.get', { namespace: 'bridge.test' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID', message: expect.stringMatching(/id/) } });
      expect(await t.bridge.call('executions.get', { id: 'missing' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });

    it('creates an execution and streams its states and logs in batches', async () => {
      const executions = collect(t.bridge, 'executions', { flowId: 'conf' });
      const logs = collect(t.bridge, 'logs', { flowId: 'conf' });
      const created = await t.bridge.call('executions.create', { namespace: 'bridge.test', flowId: 'conf', inputs: { who: 'stream' } });
      expect(created.ok).toBe(true);
      const id = created.ok ? created.value.id : '';
      await eventually(() => executions.events().some((e) => e.id === id && e.state.current === 'SUCCESS'), 5000, 'SUCCESS on the stream');
      await eventually(() => logs.events().some((l) => l.executionId === id && l.message === 'hello stream'), 5000, 'the log on the stream');
      executions.stop();
      logs.stop();
      const got = await t.bridge.call('executions.get', { id });
      expect(got.ok && got.value.state.current).toBe('SUCCESS');
      const q = await t.bridge.call('logs.query', { executionId: id });
      expect(q.ok && q.value.map((l) => l.message)).toEqual(['hello stream']);
    });

    it('sends a test event to a webhook trigger, taps it, and replays it against the edited flow', async () => {
      const tap = collect(t.bridge, 'triggerEvents', { flowId: 'conf' });
      const sent = await t.bridge.call('triggers.testEvent', { namespace: 'bridge.test', flowId: 'conf', triggerId: 'hook', payload: '{"extra":"!"}' });
      expect(sent).toEqual({ ok: true, value: { sent: 1 } });
      await eventually(() => tap.events().length === 1, 5000, 'the tapped event');
      const [event] = tap.events();
      expect(event.variables).toMatchObject({ body: { extra: '!' } });
      const first = await engine.waitFor(event.executionId);
      expect(engine.store.logs({ executionId: first.id }).map((l) => l.message)).toEqual(['hello you!']);
      await t.bridge.call('flows.save', { source: FLOW.replace('message: hello', 'message: bye') });
      const replay = await t.bridge.call('executions.replay', { id: first.id });
      expect(replay.ok).toBe(true);
      const second = await engine.waitFor(replay.ok ? replay.value.id : '');
      expect(second.flowRevision).toBe(first.flowRevision + 1);
      expect(second.trigger?.variables).toEqual(first.trigger?.variables);
      expect(engine.store.logs({ executionId: second.id }).map((l) => l.message)).toEqual(['bye you!']);
      tap.stop();
    });

    it('reports trigger health and keeps counters live on the stream', async () => {
      const health = await t.bridge.call('triggers.health', {});
      expect(health.ok && health.value.find((h) => h.triggerId === 'hook')).toMatchObject({ state: 'RUNNING', mode: 'webhook' });
      const stream = collect(t.bridge, 'triggers', { flowId: 'conf' });
      await eventually(() => stream.events().some((h) => h.triggerId === 'hook' && h.admitted >= 1), 3000, 'health on the stream');
      stream.stop();
    });

    it('stores secrets without ever reading values back', async () => {
      expect(await t.bridge.call('secrets.set', { name: 'TOKEN', value: 'v3ry-s3cret' })).toEqual({ ok: true, value: { saved: true } });
      const list = await t.bridge.call('secrets.list', {});
      expect(list.ok && list.value.map((s) => s.name)).toContain('TOKEN');
      expect(JSON.stringify(list)).not.toContain('v3ry-s3cret');
      expect(await t.bridge.call('secrets.delete', { name: 'TOKEN' })).toEqual({ ok: true, value: { deleted: true } });
    });

    it('serves the plugin catalogue and the flow JSON Schema', async () => {
      const plugins = await t.bridge.call('plugins.list', {});
      const log = plugins.ok ? plugins.value.find((p) => p.type === 'io.kestra.plugin.core.log.Log') : undefined;
      expect(log).toMatchObject({ kind: 'task', category: expect.any(String), aliases: expect.arrayContaining(['io.kestra.core.tasks.log.Log']) });
      expect((log!.schema as any).properties.message).toBeDefined();
      const schema = await t.bridge.call('plugins.flowSchema', {});
      expect(schema.ok && (schema.value as any).properties.tasks).toBeDefined();
    });

    it('disables a flow by editing its YAML and keeps the rest of the text', async () => {
      const r = await t.bridge.call('flows.setEnabled', { namespace: 'bridge.test', id: 'conf', enabled: false });
      expect(r.ok && r.value.flow?.disabled).toBe(true);
      const got = await t.bridge.call('flows.get', { namespace: 'bridge.test', id: 'conf' });
      expect(got.ok && got.value.source).toMatch(/^disabled: true$/m);
      expect(got.ok && got.value.source).toContain('{{ inputs.who }}{{ trigger.body.extra');
      await t.bridge.call('flows.setEnabled', { namespace: 'bridge.test', id: 'conf', enabled: true });
    });
  });
}
