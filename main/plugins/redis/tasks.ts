// Redis producer tasks: ListPush, and string Set / Get.
import { z } from 'zod';
import { messagesFrom } from '../common/messages-from';
import { p, parseDuration } from '../schema';
import type { TaskDefinition } from '../types';
import { connect } from './client';

async function withClient<T>(url: string, fn: (c: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const c = connect(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

const serialize = (v: unknown, serde: string) => (serde === 'JSON' || typeof v !== 'string' ? JSON.stringify(v) : v);

export const redisListPush: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.redis.list.ListPush',
  title: 'Redis ListPush',
  description: 'Pushes elements to a Redis list.',
  category: 'Redis',
  icon: 'redis',
  props: z.object({
    url: z.string(),
    key: z.string(),
    from: z.union([z.string(), z.array(z.any())]).describe('An element, a list of elements, or a kestra:// URI of a JSON-lines file.'),
    serdeType: z.enum(['STRING', 'JSON']).default('STRING'),
  }),
  outputs: { count: 'How many elements were pushed' },
  async run(ctx, props) {
    const items = messagesFrom(props.from, ctx.services.storage, { what: 'an element', text: 'message' });
    const values = items.map((v) => serialize(v, props.serdeType));
    const count = values.length ? await withClient(props.url, (c) => c.rpush(props.key, ...values)) : 0;
    ctx.logger.info(`Pushed ${values.length} element(s) to ${props.key} (length now ${count})`);
    return { count: values.length };
  },
};

export const redisSet: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.redis.string.Set',
  title: 'Redis Set',
  description: 'Sets a Redis string key.',
  category: 'Redis',
  icon: 'redis',
  props: z.object({
    url: z.string(),
    key: z.string(),
    value: z.any(),
    serdeType: z.enum(['STRING', 'JSON']).default('STRING'),
    get: p.bool('Return the old value.').default(false),
    options: z.object({ expirationDuration: p.duration().optional(), mustNotExist: p.bool().optional(), mustExist: p.bool().optional() }).optional(),
  }),
  outputs: { oldValue: 'The previous value (with get: true)' },
  async run(_ctx, props) {
    return withClient(props.url, async (c) => {
      const old = props.get ? await c.get(props.key) : null;
      const args: (string | number)[] = [];
      const ms = props.options?.expirationDuration ? parseDuration(props.options.expirationDuration) : undefined;
      if (ms) args.push('PX', ms);
      if (props.options?.mustNotExist) args.push('NX');
      if (props.options?.mustExist) args.push('XX');
      await (c as any).set(props.key, serialize(props.value, props.serdeType), ...args);
      return props.get ? { oldValue: old } : {};
    });
  },
};

export const redisGet: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.redis.string.Get',
  title: 'Redis Get',
  description: 'Reads a Redis string key.',
  category: 'Redis',
  icon: 'redis',
  props: z.object({
    url: z.string(),
    key: z.string(),
    serdeType: z.enum(['STRING', 'JSON']).default('STRING'),
    failedOnMissing: p.bool().default(false),
  }),
  outputs: { data: 'The value', key: 'The key' },
  async run(_ctx, props) {
    const raw = await withClient(props.url, (c) => c.get(props.key));
    if (raw === null && props.failedOnMissing) throw new Error(`the Redis key ${props.key} does not exist`);
    return { key: props.key, data: raw !== null && props.serdeType === 'JSON' ? JSON.parse(raw) : raw };
  },
};
