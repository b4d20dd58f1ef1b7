// Live streams at 10,000 events/s: batched to at most ~60 per second with nothing dropped; a
// client that falls behind gets coalesced state and a count of what was left out, never an
// unbounded queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TapEvent } from '../../../main/api/contract';
import { StreamHub } from '../../../main/api/streams';
import type { Execution } from '../../../main/model/execution';
import { newState } from '../../../main/model/state';
import { EngineEvents } from '../../../main/runtime/events';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';
import { ipcTransport, webSocketTransport, type Transport } from './transports';

const tap = (i: number): Omit<TapEvent, 'size'> => ({
  namespace: 'n', flowId: 'f', triggerId: 't', executionId: `e${i}`, receivedAt: Date.now(), variables: { value: `message ${i}` },
});

/** Emits `total` tap events at `perSecond`, in 1 ms slices. */
async function fire(events: EngineEvents, total: number, perSecond: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
    for (; sent < due; sent++) events.emit('triggerEvent', tap(sent));
    await new Promise((r) => setTimeout(r, 1));
  }
  return (performance.now() - started) / 1000;
}

for (const make of [webSocketTransport, ipcTransport]) {
  describe(`10,000 events/s over ${make === webSocketTransport ? 'WebSocket' : 'Electron IPC'}`, () => {
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

    it('arrive in at most ~60 batches per second, none dropped', async () => {
      const batches: { at: number; n: number; dropped: number }[] = [];
      const stop = t.bridge.subscribe('triggerEvents', {}, (b) => batches.push({ at: performance.now(), n: b.events.length, dropped: b.dropped }));
      await new Promise((r) => setTimeout(r, 100)); // the subscription reaches the engine
      const seconds = await fire(engine.events, 10_000, 10_000);
      await eventually(() => batches.reduce((a, b) => a + b.n, 0) >= 10_000, 10_000, 'all events');
      stop();
      const received = batches.reduce((a, b) => a + b.n, 0);
      const dropped = batches.reduce((a, b) => a + b.dropped, 0);
      const span = (batches[batches.length - 1].at - batches[0].at) / 1000;
      console.log(`[streams] ${received} events in ${seconds.toFixed(2)} s → ${batches.length} batches over ${span.toFixed(2)} s (${(batches.length / Math.max(span, 0.001)).toFixed(1)}/s)`);
      expect(received).toBe(10_000);
      expect(dropped).toBe(0);
      // At most one batch per 16 ms frame (plus the first and last).
      expect(batches.length).toBeLessThanOrEqual(Math.ceil(span * 62.5) + 2);
      expect(batches.length).toBeGreaterThan(1);
    });
  });
}

describe('a client that falls behind', () => {
  it('gets a bounded tap with a dropped count and coalesced executions', async () => {
    const events = new EngineEvents();
    const hub = new StreamHub(events, { maxBuffered: 1000 });
    let ready = false;
    const tapBatches: { n: number; dropped: number }[] = [];
    const execBatches: Execution[][] = [];
    hub.subscribe('triggerEvents', {}, (b) => tapBatches.push({ n: b.events.length, dropped: b.dropped }), () => ready);
    hub.subscribe('executions', {}, (b) => execBatches.push(b.events), () => ready);
    const e: Execution = { id: 'x', namespace: 'n', flowId: 'f', flowRevision: 1, taskRunList: [], inputs: {}, labels: [], state: newState(), originalId: 'x' };
    for (let i = 0; i < 20_000; i++) events.emit('triggerEvent', tap(i));
    for (let i = 0; i < 500; i++) events.emit('execution', e);
    await new Promise((r) => setTimeout(r, 100));
    expect(tapBatches).toEqual([]); // nothing sent while the client is behind
    ready = true;
    await eventually(() => tapBatches.length === 1 && execBatches.length === 1, 2000, 'one batch each');
    expect(tapBatches[0]).toEqual({ n: 1000, dropped: 19_000 });
    expect(execBatches[0]).toHaveLength(1);
    hub.close();
  });

  it('truncates huge payloads in the tap', () => {
    const events = new EngineEvents();
    const hub = new StreamHub(events, { maxTapPayload: 1024, intervalMs: 0 });
    const got: TapEvent[] = [];
    hub.subscribe('triggerEvents', {}, (b) => got.push(...b.events));
    events.emit('triggerEvent', { ...tap(1), variables: { value: 'x'.repeat(10_000) } });
    return eventually(() => got.length === 1, 1000, 'the event').then(() => {
      expect(got[0].size).toBeGreaterThan(10_000);
      expect(got[0].variables).toMatchObject({ truncated: true });
      hub.close();
    });
  });
});
