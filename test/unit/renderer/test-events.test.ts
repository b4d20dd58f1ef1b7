// The test-event panel's store: what each broker family's message carries, validation of count and
// rate, payload templates saved per flow (localStorage), and sending through the bridge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBridge } from '../../../renderer/app/bridge';
import { createMockBridge, type MockBridge } from '../../../renderer/bridge/mock-bridge';
import { defaultDraft, fieldsFor, keyOf, loadSaved, storageKey, toInput, useTestEvents, writeSaved } from '../../../renderer/features/test-events/store';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
  clear() {
    this.data.clear();
  }
  key() {
    return null;
  }
  get length() {
    return this.data.size;
  }
}

describe('test events', () => {
  let mock: MockBridge;
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
    (globalThis as { localStorage?: unknown }).localStorage = storage;
    mock = createMockBridge({ 'triggers.testEvent': (i: { count: number }) => ({ sent: i.count }) });
    setBridge(mock);
    useTestEvents.setState({ drafts: {}, templates: {}, sending: {}, outcomes: {} });
  });
  afterEach(() => {
    setBridge(undefined);
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('knows what each family of trigger carries', () => {
    expect(fieldsFor('io.kestra.plugin.kafka.RealtimeTrigger')).toMatchObject({ family: 'kafka', key: 'Key', headers: 'Headers' });
    expect(fieldsFor('io.kestra.plugin.aws.sqs.RealtimeTrigger')).toMatchObject({ family: 'sqs', attributes: 'Message attributes' });
    expect(fieldsFor('io.kestra.plugin.gcp.pubsub.RealtimeTrigger')).toMatchObject({ family: 'pubsub', attributes: 'Attributes' });
    expect(fieldsFor('io.kestra.plugin.redis.list.RealtimeTrigger')).toMatchObject({ family: 'redis' });
    expect(fieldsFor('io.kestra.plugin.redis.list.RealtimeTrigger').key).toBeUndefined();
    expect(fieldsFor('io.kestra.plugin.debezium.postgres.RealtimeTrigger')).toMatchObject({ family: 'postgres', payload: 'SQL' });
    expect(fieldsFor('io.kestra.plugin.core.trigger.Webhook')).toMatchObject({ family: 'webhook', headers: 'Headers' });
    expect(defaultDraft('io.kestra.plugin.mqtt.RealtimeTrigger').payload).toContain('celsius');
  });

  it('turns a draft into the command input, refusing a bad count or rate', () => {
    const ref = { namespace: 'n', flowId: 'f', triggerId: 't' };
    const d = { payload: '{"a":1}', key: 'k', headers: [['trace', 'x'], [' ', 'ignored']] as [string, string][], attributes: [], count: 100, rate: '50' };
    expect(toInput(ref, d).input).toEqual({ ...ref, payload: '{"a":1}', key: 'k', headers: { trace: 'x' }, count: 100, ratePerSecond: 50 });
    expect(toInput(ref, { ...d, key: '', headers: [], rate: '' }).input).toEqual({ ...ref, payload: '{"a":1}', count: 100 });
    expect(toInput(ref, { ...d, count: 0 }).error).toMatch(/Count/);
    expect(toInput(ref, { ...d, count: 1.5 }).error).toMatch(/Count/);
    expect(toInput(ref, { ...d, rate: '-3' }).error).toMatch(/Rate/);
    expect(toInput(ref, { ...d, rate: 'fast' }).error).toMatch(/Rate/);
  });

  it('keeps drafts and templates per flow and trigger in localStorage', () => {
    const s = useTestEvents.getState();
    s.open('n', 'f', 't', 'io.kestra.plugin.kafka.RealtimeTrigger');
    s.setDraft('n', 'f', 't', { payload: '{"order": 7}', key: 'card-7' });
    s.saveTemplate('n', 'f', 't', ' order 7 ');
    s.setDraft('n', 'f', 't', { payload: 'other', key: '' });
    expect(JSON.parse(storage.getItem(storageKey('n', 'f'))!).t.templates).toEqual([{ name: 'order 7', payload: '{"order": 7}', key: 'card-7', headers: [], attributes: [] }]);
    s.applyTemplate('n', 'f', 't', 'order 7');
    expect(useTestEvents.getState().drafts[keyOf('n', 'f', 't')]).toMatchObject({ payload: '{"order": 7}', key: 'card-7' });
    // Another session of the app finds them.
    useTestEvents.setState({ drafts: {}, templates: {} });
    useTestEvents.getState().open('n', 'f', 't', 'io.kestra.plugin.kafka.RealtimeTrigger');
    expect(useTestEvents.getState().templates[keyOf('n', 'f', 't')]).toHaveLength(1);
    expect(useTestEvents.getState().drafts[keyOf('n', 'f', 't')].payload).toBe('{"order": 7}');
    s.deleteTemplate('n', 'f', 't', 'order 7');
    expect(loadSaved('n', 'f', storage).t.templates).toEqual([]);
    // Another flow has its own.
    expect(loadSaved('n', 'g', storage)).toEqual({});
    writeSaved('n', 'g', 'x', { templates: [{ name: 'a', payload: 'b' }] }, storage);
    expect(loadSaved('n', 'g', storage).x.templates[0].name).toBe('a');
    storage.setItem(storageKey('n', 'h'), 'not json');
    expect(loadSaved('n', 'h', storage)).toEqual({});
  });

  it('sends through triggers.testEvent and keeps the outcome', async () => {
    const s = useTestEvents.getState();
    s.open('n', 'f', 't', 'io.kestra.plugin.redis.list.RealtimeTrigger');
    s.setDraft('n', 'f', 't', { payload: '{"a":1}', count: 3, rate: '10' });
    const o = await s.send('n', 'f', 't');
    expect(o).toMatchObject({ ok: true, sent: 3 });
    expect(o.text).toMatch(/^Sent 3 messages in /);
    expect(mock.calls.at(-1)).toEqual({ name: 'triggers.testEvent', input: { namespace: 'n', flowId: 'f', triggerId: 't', payload: '{"a":1}', count: 3, ratePerSecond: 10 } });
    s.setDraft('n', 'f', 't', { count: 0 });
    expect(await s.send('n', 'f', 't')).toMatchObject({ ok: false, text: expect.stringMatching(/Count/) });
    setBridge(createMockBridge({}));
    s.setDraft('n', 'f', 't', { count: 1 });
    expect(await s.send('n', 'f', 't')).toMatchObject({ ok: false, text: expect.stringMatching(/no handler/) });
    expect(useTestEvents.getState().sending[keyOf('n', 'f', 't')]).toBe(false);
  });
});
