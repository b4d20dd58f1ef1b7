// The inspector's core, outside the browser: the bounded ring and its incremental filter, what is
// read from each broker's `trigger.*` variables, latency statistics, the tap hub fed by a mock
// bridge (rings per flow, live execution states, latency per trigger, reference-counted
// subscriptions), and trigger health folding with its events-per-second series.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TapEvent } from '../../../main/api/contract';
import type { Execution } from '../../../main/model/execution';
import type { TriggerHealth } from '../../../main/runtime/supervisor';
import { setBridge } from '../../../renderer/app/bridge';
import { createMockBridge, type MockBridge } from '../../../renderer/bridge/mock-bridge';
import { eventLabel, eventTimeOf, metadataOf, payloadField, payloadOf, rawText } from '../../../renderer/features/inspector/events';
import { applyHealth, healthSentence } from '../../../renderer/features/inspector/health';
import { binOf, BOUNDS, LatencyStats, percentile, sampleOf } from '../../../renderer/features/inspector/latency';
import { FilteredRing, Ring } from '../../../renderer/features/inspector/ring';
import { ALL, rowText, stateCounts, TapHub } from '../../../renderer/features/inspector/tap';

describe('Ring', () => {
  it('keeps the latest `capacity` items, newest first, and counts every push', () => {
    const r = new Ring<number>(3);
    expect(r.toArray()).toEqual([]);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.size).toBe(3);
    expect(r.seq).toBe(5);
    expect(r.toArray()).toEqual([5, 4, 3]);
    expect(r.newest(0)).toBe(5);
    expect(r.newest(2)).toBe(3);
    expect(r.newest(3)).toBeUndefined();
    expect(r.newest(-1)).toBeUndefined();
    expect(r.toArray(2)).toEqual([5, 4]);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.seq).toBe(5);
    r.push(6);
    expect(r.toArray()).toEqual([6]);
  });

  it('FilteredRing looks only at what arrived since its last sync, even after the source wrapped', () => {
    const src = new Ring<number>(5);
    let looked = 0;
    const even = new FilteredRing(src, (x) => {
      looked++;
      return x % 2 === 0;
    });
    for (let i = 1; i <= 4; i++) src.push(i);
    expect(even.sync()).toBe(2);
    expect(even.ring.toArray()).toEqual([4, 2]);
    expect(looked).toBe(4);
    for (let i = 5; i <= 7; i++) src.push(i);
    even.sync();
    expect(looked).toBe(7);
    expect(even.ring.toArray()).toEqual([6, 4, 2]);
    // 20 more: only the 5 the source still holds can be looked at; the matches kept are its own.
    for (let i = 8; i <= 27; i++) src.push(i);
    even.sync();
    expect(looked).toBe(12);
    expect(even.ring.toArray()).toEqual([26, 24, 6, 4, 2]);
    // A filter made over a full source starts from what it holds.
    expect(new FilteredRing(src, (x) => x > 25).ring.toArray()).toEqual([27, 26]);
  });
});

describe('events', () => {
  const kafka = { topic: 'orders', partition: 1, offset: 42, key: 'card-9', timestamp: '2025-01-01T10:00:00.000Z', headers: [{ trace: 'x' }], value: { order: 9 } };
  it('labels an event by where it came from and its identity, for each broker family', () => {
    expect(eventLabel(kafka)).toBe('orders · key=card-9 · p1@42');
    expect(eventLabel({ topic: 'sensors/lab/temperature', payload: { celsius: 20 }, id: 7 })).toBe('sensors/lab/temperature · key=7');
    expect(eventLabel({ subject: 'orders.created', data: 'x', seq: 12 })).toBe('orders.created · #12');
    expect(eventLabel({ queue: 'q', messageId: 'm1', body: 'b' })).toBe('q · key=m1');
    expect(eventLabel({ value: { order: 7, customer: 'ada' } })).toBe('{"order":7,"customer":"ada"}');
    expect(eventLabel({ date: '2025-01-01T00:00:00Z', next: 'x' })).toBe('date=2025-01-01T00:00:00Z');
    expect(eventLabel({ op: 'c', after: { id: 1 } })).toBe('c');
    expect(eventLabel({ truncated: true, preview: '…' })).toBe('(large payload)');
    expect(eventLabel({ value: 'x'.repeat(100) })).toMatch(/^x{60}…$/);
    expect(eventLabel(undefined)).toBe('');
  });

  it('splits the payload from the metadata', () => {
    expect(payloadField(kafka)).toBe('value');
    expect(payloadOf(kafka)).toEqual({ order: 9 });
    expect(metadataOf(kafka)).toEqual({ topic: 'orders', partition: 1, offset: 42, key: 'card-9', timestamp: '2025-01-01T10:00:00.000Z', headers: [{ trace: 'x' }] });
    expect(payloadField({ body: 1, headers: {} })).toBe('body');
    expect(payloadOf({ a: 1 })).toEqual({ a: 1 });
    expect(rawText({ a: 1 })).toBe('{"a":1}');
    expect(rawText({ a: 1 }, true)).toBe('{\n  "a": 1\n}');
    expect(rawText('as is')).toBe('as is');
    expect(rawText(undefined)).toBe('');
  });

  it('reads the event time when the source gives a plausible one', () => {
    const created = Date.parse('2025-01-01T10:00:00.005Z');
    expect(eventTimeOf(kafka, created)).toBe(created - 5);
    expect(eventTimeOf({ publishTime: String(created - 9) }, created)).toBe(created - 9);
    expect(eventTimeOf({ timestamp: created + 5000 }, created)).toBeUndefined();
    expect(eventTimeOf({ value: 1 }, created)).toBeUndefined();
  });
});

describe('latency', () => {
  it('percentiles (nearest rank), bins and samples', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(binOf(0)).toBe(0);
    expect(binOf(1)).toBe(0);
    expect(binOf(1.5)).toBe(1);
    expect(binOf(99_999)).toBe(BOUNDS.length);
    expect(sampleOf({ createdAt: 100 })).toBeUndefined();
    expect(sampleOf({ createdAt: 100, startedAt: 103, endedAt: 110, eventAt: 95 })).toEqual({ at: 110, total: 15, queue: 8, run: 7 });
    expect(sampleOf({ createdAt: 100, endedAt: 104 })).toEqual({ at: 104, total: 4, queue: 0, run: 4 });
  });

  it('keeps a bounded window of samples: summary, histogram with the p95 bin marked, per-second series with gaps', () => {
    const s = new LatencyStats(100);
    expect(s.summary()).toEqual({ n: 0 });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 150; i++) s.add({ at: t0 + (i < 100 ? 0 : 2000), total: i < 140 ? 3 : 400, queue: 1, run: 2 });
    const sum = s.summary();
    expect(sum.n).toBe(100);
    expect(s.count).toBe(150);
    expect(sum.p50).toBe(3);
    expect(sum.p99).toBe(400);
    const bins = s.histogram();
    expect(bins[binOf(3)].count).toBe(90);
    expect(bins[binOf(400)].count).toBe(10);
    expect(bins.find((b) => b.mark)?.label).toBe(bins[binOf(400)].label);
    const series = s.series(t0 + 2000, 3);
    expect(series[0]).toBe(3);
    expect(series[1]).toBeNull();
    expect(series[2]).toBeCloseTo((40 * 3 + 10 * 400) / 50);
  });
});

const tap = (i: number, flowId = 'f', triggerId = 't'): TapEvent => ({
  namespace: 'n', flowId, triggerId, executionId: `e${i}`, receivedAt: 1000 + i, size: 10, variables: { topic: 'orders', key: `k${i}`, value: { i } },
});

function execution(id: string, state: string, at = Date.parse('2025-01-01T10:00:00.000Z'), labels: { key: string; value: string }[] = []): Execution {
  const iso = (ms: number) => new Date(ms).toISOString();
  const terminal = state === 'SUCCESS' || state === 'FAILED';
  return {
    id, namespace: 'n', flowId: 'f', flowRevision: 1, taskRunList: [], inputs: {}, labels, originalId: id,
    trigger: { id: 't', type: 'x', variables: { timestamp: iso(at - 5) } },
    state: {
      current: state as never,
      histories: [{ state: 'CREATED', date: iso(at) }, ...(state !== 'CREATED' ? [{ state: 'RUNNING' as const, date: iso(at + 2) }] : []), ...(terminal ? [{ state: state as never, date: iso(at + 10) }] : [])],
      startDate: iso(at),
      ...(terminal ? { endDate: iso(at + 10) } : {}),
    },
  };
}

describe('TapHub', () => {
  let mock: MockBridge;
  let hub: TapHub;
  beforeEach(() => {
    mock = createMockBridge({ 'executions.get': (i: { id: string }) => execution(i.id, 'SUCCESS'), 'executions.timings': () => [] });
    setBridge(mock);
    hub = new TapHub();
  });
  afterEach(() => {
    hub.stop();
    setBridge(undefined);
  });

  it('listens once, and files events into the all-flows ring and each flow ring', () => {
    hub.start();
    hub.start();
    expect(mock.subscriptions('triggerEvents')).toBe(1);
    mock.emit('triggerEvents', [tap(1), tap(2, 'g'), tap(3)], 4);
    expect(hub.version).toBe(1);
    expect(hub.dropped).toBe(4);
    expect(hub.all.toArray().map((r) => r.ev.executionId)).toEqual(['e3', 'e2', 'e1']);
    expect(hub.flowRing('n/f').toArray().map((r) => r.label)).toEqual(['orders · key=k3', 'orders · key=k1']);
    expect(hub.flowRing('n/g').size).toBe(1);
    expect(hub.all.newest(0)!.triggerKey).toBe('n/f/t');
    expect(rowText(hub.all.newest(0)!)).toContain('"i":3');
    hub.clear('n/f');
    expect(hub.flowRing('n/f').size).toBe(0);
    expect(hub.all.size).toBe(3);
  });

  it('keeps at most 16 flow rings (the least recently used go)', () => {
    for (let f = 0; f < 20; f++) hub.ingest([tap(f, `flow${f}`)]);
    hub.flowRing('n/flow0'); // recreated empty: it had been let go
    expect(hub.flowRing('n/flow0').size).toBe(0);
    expect(hub.flowRing('n/flow19').size).toBe(1);
  });

  it('follows executions by filter with reference counting, tracking states and latency once per execution', () => {
    const stop1 = hub.watchExecutions({ namespace: 'n', flowId: 'f' });
    const stop2 = hub.watchExecutions({ namespace: 'n', flowId: 'f' });
    expect(mock.subscriptions('executions')).toBe(1);
    mock.emit('executions', [execution('e1', 'RUNNING')]);
    expect(hub.execs.get('e1')).toMatchObject({ state: 'RUNNING' });
    mock.emit('executions', [execution('e1', 'SUCCESS'), execution('e1', 'SUCCESS')]);
    expect(hub.execs.get('e1')).toMatchObject({ state: 'SUCCESS', done: true });
    const lat = hub.latencyOf('n/f/t');
    expect(lat.count).toBe(1);
    expect(lat.summary()).toMatchObject({ p50: 15, queueP50: 7, runP50: 8 });
    expect(hub.latencyOf(ALL).count).toBe(1);
    // A replay keeps the old event time: not a latency sample.
    mock.emit('executions', [execution('r1', 'SUCCESS', Date.now(), [{ key: 'replayOf', value: 'e1' }])]);
    expect(lat.count).toBe(1);
    stop1();
    stop1();
    expect(mock.subscriptions('executions')).toBe(1);
    stop2();
    expect(mock.subscriptions('executions')).toBe(0);
  });

  it('counts the states of a ring\u2019s executions, and asks for those no stream told about (each once)', async () => {
    hub.ingest([tap(1), tap(2), tap(3)]);
    hub.applyExecutions([execution('e1', 'SUCCESS'), execution('e2', 'RUNNING')]);
    expect(stateCounts(hub.flowRing('n/f'), hub.execs)).toEqual({ events: 3, known: 2, terminal: 1, byState: { SUCCESS: 1, RUNNING: 1 } });
    hub.fill(['e1', 'e3', 'e3']);
    hub.fill(['e3']);
    await new Promise((r) => setTimeout(r, 0));
    expect(mock.calls.filter((c) => c.name === 'executions.get').map((c) => (c.input as { id: string }).id)).toEqual(['e3']);
    expect(hub.execs.get('e3')?.state).toBe('SUCCESS');
  });

  it('seeds a flow\u2019s latency from executions.timings once, leaving replays out', async () => {
    mock = createMockBridge({
      'executions.timings': () => [
        { id: 'a', triggerId: 't', state: 'SUCCESS', createdAt: 100, startedAt: 102, endedAt: 110 },
        { id: 'b', triggerId: 't', state: 'SUCCESS', createdAt: 100, startedAt: 101, endedAt: 104, replayOf: 'a' },
        { id: 'c', state: 'SUCCESS', createdAt: 100, endedAt: 104 },
        { id: 'd', triggerId: 't', state: 'RUNNING', createdAt: 100 },
      ],
    });
    setBridge(mock);
    await hub.preload('n', 'f');
    await hub.preload('n', 'f');
    expect(mock.calls.filter((c) => c.name === 'executions.timings')).toHaveLength(1);
    expect(hub.latencyOf('n/f/t').count).toBe(1);
    expect(hub.latencyOf('n/f/t').summary().p50).toBe(10);
  });
});

describe('trigger health', () => {
  const h = (received: number, state = 'RUNNING', extra: Partial<TriggerHealth> = {}): TriggerHealth => ({
    namespace: 'n', flowId: 'f', triggerId: 't', type: 'x', mode: 'realtime', state: state as never, since: new Date(0).toISOString(),
    received, admitted: received, duplicates: 0, failed: 0, inFlight: 0, rate: 0, restarts: 0, ...extra,
  });

  it('folds reports into a map and an events-per-second series from the received counter', () => {
    let st: Parameters<typeof applyHealth>[0] = { byKey: {}, rates: {}, totalRate: [] };
    st = applyHealth(st, [h(0)], 1000);
    expect(st.rates['n/f/t']).toBeUndefined();
    st = applyHealth(st, [h(50)], 1500);
    expect(st.rates['n/f/t']).toEqual([100]);
    st = applyHealth(st, [h(50)], 1600); // too soon to measure: nothing new
    expect(st.rates['n/f/t']).toEqual([100]);
    st = applyHealth(st, [h(150)], 2000);
    expect(st.rates['n/f/t']).toEqual([100, 200]);
    expect(st.totalRate).toEqual([100, 200]);
    expect(Object.keys(st.byKey)).toEqual(['n/f/t']);
  });

  it('says what a state means', () => {
    expect(healthSentence(h(0))).toMatch(/consuming/);
    expect(healthSentence(h(0, 'BACKOFF', { nextRetryAt: new Date(5000).toISOString(), restarts: 2 }), 2000)).toBe('Failing and retrying in 3 s (attempt 3).');
    expect(healthSentence(h(0, 'ERROR'))).toMatch(/fix the flow/);
    expect(healthSentence(h(0, 'RUNNING', { mode: 'webhook' }))).toMatch(/webhook/);
  });
});
