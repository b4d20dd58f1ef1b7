// Redis list RealtimeTrigger. Unlike Kestra's LPOP loop (a crash loses the element), each element
// is moved atomically (BLMOVE) into this trigger's processing list, admitted, and only then removed.
// On start, whatever a crash left in the processing list is admitted again.
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { AdmissionPipe } from '../common/admission-pipe';
import { decode, eventFor, type SerdeType } from '../common/serde';
import type { TriggerContext, TriggerDefinition, TriggerHandle } from '../types';
import { connect } from './client';

const BATCH = 200;

export const redisListRealtimeTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.redis.list.RealtimeTrigger',
  title: 'Redis list (realtime)',
  description: 'Starts one execution per element pushed to a Redis list. Elements are moved to a processing list and removed only once their execution is committed.',
  category: 'Redis',
  icon: 'redis',
  props: z.object({
    url: z.string().describe('The Redis URL, e.g. redis://localhost:6379/0'),
    key: z.string().describe('The list to consume.'),
    serdeType: z.enum(['STRING', 'JSON']).default('STRING'),
  }),
  outputs: { value: 'The element, decoded as serdeType says' },
  examples: [{
    title: 'One execution per element of a Redis list',
    code: `id: redis_list
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value }}"
triggers:
  - id: watch
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: redis://localhost:6379/0
    key: orders
    serdeType: JSON`,
  }],
  async start(ctx, props: { url: string; key: string; serdeType: SerdeType }) {
    const processing = processingList(props.key, ctx);
    const client = connect(props.url, (e) => ctx.fail(e));
    // Removals go on their own connection: the consumer's is held by BLMOVE while it waits.
    const remover = connect(props.url, (e) => ctx.fail(e));
    await Promise.all([client.connect(), remover.connect()]).catch((e) => {
      for (const c of [client, remover]) c.removeAllListeners('end').disconnect();
      throw e;
    });
    const pipe = new AdmissionPipe(ctx);
    const admit = (elements: Buffer[]) =>
      pipe.push(elements.map((e) => eventFor(decode(e, props.serdeType), 'value', {})), {
        async ack() {
          const p = remover.pipeline();
          for (const e of elements) p.lrem(processing, 1, e);
          await p.exec();
        },
      });
    // Recover what a crash left half-done.
    const left = await client.lrangeBuffer(processing, 0, -1);
    if (left.length) {
      ctx.logger.warn(`Re-admitting ${left.length} element(s) left in ${processing} by an earlier stop`);
      for (let i = 0; i < left.length; i += BATCH) {
        await pipe.waitForRoom();
        admit(left.slice(i, i + BATCH));
      }
    }
    /** Test only: while set, no BLMOVE is sent (connected, taking nothing); released by stop(). */
    let stalled: { release(): void; released: Promise<void> } | undefined;
    let atGate: (() => void) | undefined;
    ctx.setState('RUNNING');
    const loop = (async () => {
      while (!ctx.signal.aborted) {
        await pipe.waitForRoom();
        if (stalled) {
          atGate?.();
          await stalled.released;
        }
        if (ctx.signal.aborted) break;
        const first = await client.blmoveBuffer(props.key, processing, 'LEFT', 'RIGHT', 1);
        if (!first) continue;
        // Drain what is already waiting (without blocking) so that a burst costs one admission.
        const room = Math.max(0, pipe.room(BATCH) - 1);
        admit([first, ...(room ? await drain(client, props.key, processing, room) : [])]);
      }
    })().catch((e) => {
      if (!ctx.signal.aborted) ctx.fail(e);
    });
    const handle: TriggerHandle = {
      async stop() {
        for (const c of [client, remover]) c.removeAllListeners('end');
        client.disconnect();
        stalled?.release();
        await loop;
        await pipe.drained();
        remover.disconnect();
      },
      backlog: () => client.llen(props.key),
      /** Resolves once the BLMOVE under way (at most 1 s) has answered: from then on, nothing is taken. */
      async stallForTest() {
        const parked = new Promise<void>((resolve) => (atGate = resolve));
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        stalled = { release, released };
        await Promise.race([parked, loop]);
      },
    };
    return handle;
  },
  /** The inspector's "send test event": the payload pushed to the tail of the list (RPUSH, as ListPush does). */
  async publish(_ctx, props: { url: string; key: string }, message) {
    const client = connect(props.url);
    try {
      await client.connect();
      await client.rpush(props.key, message.payload);
    } finally {
      client.disconnect();
    }
  },
};

/** Moves up to `max` waiting elements in one atomic round trip. */
const DRAIN = `local out = {}
for i = 1, tonumber(ARGV[1]) do
  local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not v then break end
  out[#out + 1] = v
end
return out`;

async function drain(client: Redis, key: string, processing: string, max: number): Promise<Buffer[]> {
  const c = client as Redis & { drainListBuffer?: (k: string, p: string, n: number) => Promise<Buffer[]> };
  if (!c.drainListBuffer) client.defineCommand('drainList', { numberOfKeys: 2, lua: DRAIN });
  return c.drainListBuffer!(key, processing, max);
}

/** One processing list per trigger, so two flows on the same list never take each other's elements. */
export function processingList(key: string, ctx: Pick<TriggerContext, 'flow' | 'trigger'>): string {
  return `${key}:processing:${ctx.flow.namespace}.${ctx.flow.id}.${ctx.trigger.id}`;
}
