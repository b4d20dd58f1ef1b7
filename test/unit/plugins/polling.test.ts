// The shared poll of the SQS and Pub/Sub polling triggers: collect what a queue delivers (hidden
// while held), admit one execution for the batch, and only then acknowledge it; stopped midway, hand
// the batch back. The queue here is an in-memory mock; storage is the real test storage.
import { afterAll, describe, expect, it } from 'vitest';
import { admitHeldBatch, type HeldBatchSource } from '../../../main/plugins/common/polling';
import type { TriggerContext, TriggerEvent } from '../../../main/plugins/types';
import { cleanupTestContexts, createTestContext } from './context';

afterAll(cleanupTestContexts);

interface Delivery { id: string; copy: number }

/** A queue mock that answers each receive with the next list of deliveries, and records every call. */
function inMemoryQueueMock(answers: Delivery[][]) {
  const calls: string[] = [];
  const rooms: number[] = [];
  const source: HeldBatchSource<Delivery> = {
    async receive(room) {
      rooms.push(room);
      calls.push('receive');
      return (answers.shift() ?? []).slice(0, room);
    },
    idOf: (d) => d.id,
    hold: (got) => void calls.push(`hold ${got.length}`),
    release: () => void calls.push('release'),
    handBack: async (batch) => void calls.push(`handBack ${batch.map((d) => `${d.id}#${d.copy}`).join(',')}`),
    record: (d) => ({ id: d.id, copy: d.copy }),
    acknowledge: async (batch) => void calls.push(`acknowledge ${batch.map((d) => `${d.id}#${d.copy}`).join(',')}`),
  };
  return { source, calls, rooms };
}

/** A trigger context on the real test storage whose admit records the events (or fails when told). */
function triggerContext(opts: { admitFails?: boolean; controller?: AbortController; calls?: string[] } = {}) {
  const t = createTestContext();
  const admitted: TriggerEvent[] = [];
  const controller = opts.controller ?? new AbortController();
  const ctx = {
    flow: t.ctx.flow,
    trigger: { id: 'poll', type: 'test.Polling' },
    logger: t.ctx.logger,
    services: t.ctx.services,
    signal: controller.signal,
    async admit(event: TriggerEvent) {
      opts.calls?.push('admit');
      if (opts.admitFails) throw new Error('the store is closed');
      admitted.push(event);
      return { executionId: `e${admitted.length}` };
    },
  } as unknown as TriggerContext;
  const lines = (uri: string) => t.storage.get(uri).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { ctx, admitted, lines };
}

describe('admitHeldBatch', () => {
  it('collects until an empty answer, keeps a message delivered twice once (its latest copy), admits, then acknowledges', async () => {
    const q = inMemoryQueueMock([[{ id: 'a', copy: 1 }, { id: 'b', copy: 1 }], [{ id: 'a', copy: 2 }, { id: 'c', copy: 1 }], []]);
    const { ctx, admitted, lines } = triggerContext({ calls: q.calls });
    await admitHeldBatch(ctx, { interval: 'PT1S' }, q.source);
    expect(admitted).toHaveLength(1);
    expect(admitted[0].variables.count).toBe(3);
    expect(lines(admitted[0].variables.uri as string)).toEqual([{ id: 'a', copy: 2 }, { id: 'b', copy: 1 }, { id: 'c', copy: 1 }]);
    expect(q.calls).toEqual(['receive', 'hold 2', 'receive', 'hold 2', 'receive', 'admit', 'release', 'acknowledge a#2,b#1,c#1', 'release']);
  });

  it('stops at maxRecords, asking each receive for no more than the room left', async () => {
    const q = inMemoryQueueMock([[{ id: 'a', copy: 1 }, { id: 'b', copy: 1 }], [{ id: 'c', copy: 1 }, { id: 'd', copy: 1 }], [{ id: 'e', copy: 1 }]]);
    const { ctx, admitted } = triggerContext();
    await admitHeldBatch(ctx, { interval: 'PT1S', maxRecords: 3 }, q.source);
    expect(q.rooms).toEqual([3, 1]);
    expect(admitted[0].variables.count).toBe(3);
  });

  it('admits nothing and acknowledges nothing when nothing came', async () => {
    const q = inMemoryQueueMock([[]]);
    const { ctx, admitted } = triggerContext();
    await admitHeldBatch(ctx, { interval: 'PT1S' }, q.source);
    expect(admitted).toEqual([]);
    expect(q.calls).toEqual(['receive', 'release']);
  });

  it('stopped while collecting: hands the batch back, admits and acknowledges nothing', async () => {
    const controller = new AbortController();
    const q = inMemoryQueueMock([[{ id: 'a', copy: 1 }], [{ id: 'b', copy: 1 }]]);
    const receive = q.source.receive;
    q.source.receive = async (room, deadline) => {
      const got = await receive(room, deadline);
      controller.abort(); // the trigger is stopped after the first receive
      return got;
    };
    const { ctx, admitted } = triggerContext({ controller });
    await admitHeldBatch(ctx, { interval: 'PT1S' }, q.source);
    expect(admitted).toEqual([]);
    expect(q.calls).toEqual(['receive', 'hold 1', 'handBack a#1', 'release']);
  });

  it('a failed admission acknowledges nothing, releases the hold and fails the poll', async () => {
    const q = inMemoryQueueMock([[{ id: 'a', copy: 1 }], []]);
    const { ctx } = triggerContext({ admitFails: true });
    await expect(admitHeldBatch(ctx, { interval: 'PT1S' }, q.source)).rejects.toThrow('the store is closed');
    expect(q.calls).toEqual(['receive', 'hold 1', 'receive', 'release']);
  });
});
