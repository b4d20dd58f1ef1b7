// io.kestra.plugin.core.kv.Set: stores a value under a key in a namespace's KV store.
import { z } from 'zod';
import { p, parseDuration } from '../../schema';
import type { TaskDefinition } from '../../types';
import { asBool } from '../util';
import { KV_TYPES, namespaceOf, renderTyped, requireKey } from './common';

const props = z.object({
  key: p.string('The key to set.'),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.any()), z.record(z.string(), z.any())])
    .describe('The value; one `{{ expression }}` keeps its type (number, map, list).'),
  namespace: p.string("The namespace of the KV pair; the flow's namespace by default.").optional(),
  overwrite: p.bool('Replace an existing value; when false, an existing key fails the task.').default(true),
  ttl: p.duration('How long the pair lives (ISO-8601); forever when not set.').optional(),
  kvType: p.enum(KV_TYPES, 'Convert a text value to this type before storing it.').optional(),
  kvDescription: p.string('A description of the pair.').optional(),
});

export const kvSet: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.kv.Set',
  title: 'Set KV',
  description: 'Creates or replaces a key-value pair in the namespace KV store.',
  category: 'KV Store',
  icon: 'key-round',
  props,
  rawProps: ['value'],
  examples: [
    {
      title: 'Remember the last order id',
      code: 'id: remember\ntype: io.kestra.plugin.core.kv.Set\nkey: last_order\nvalue: "{{ trigger.value }}"\nkvType: STRING',
    },
    { title: 'Store a counter for one day', code: 'id: counter\ntype: io.kestra.plugin.core.kv.Set\nkey: hits\nvalue: "42"\nkvType: NUMBER\nttl: P1D' },
  ],
  outputs: {},
  async run(ctx, props) {
    const namespace = namespaceOf(ctx, props.namespace);
    const key = requireKey(props.key);
    let value = renderTyped(ctx, props.value);
    if (props.kvType && typeof value === 'string') value = convert(value, props.kvType, key);

    let ttlMs: number | undefined;
    if (props.ttl) {
      ttlMs = parseDuration(props.ttl);
      if (ttlMs === undefined || ttlMs <= 0) throw new Error(`Invalid ttl '${props.ttl}': use a positive ISO-8601 duration such as PT1H`);
    }
    if (!asBool(props.overwrite, 'overwrite') && ctx.services.kv.get(namespace, key) !== undefined) {
      throw new Error(`Cannot set value for key '${key}' in namespace '${namespace}': the key already exists and \`overwrite\` is false`);
    }
    ctx.services.kv.set(namespace, key, value, ttlMs);
  },
};

function convert(text: string, kvType: string, key: string): unknown {
  const bad = (what: string) => new Error(`Cannot store '${text}' as ${kvType} for key '${key}': ${what}`);
  switch (kvType) {
    case 'NUMBER': {
      const n = text.trim() === '' ? NaN : Number(text);
      if (Number.isNaN(n)) throw bad('not a number');
      return n;
    }
    case 'BOOLEAN':
      return text.trim().toLowerCase() === 'true';
    case 'DATETIME':
    case 'DATE': {
      const t = Date.parse(text);
      if (Number.isNaN(t)) throw bad('not an ISO-8601 date-time');
      return new Date(t).toISOString();
    }
    case 'DURATION':
      if (parseDuration(text) === undefined) throw bad('not an ISO-8601 duration');
      return text;
    case 'JSON':
      try {
        return JSON.parse(text);
      } catch (e) {
        throw bad(`not valid JSON (${(e as Error).message})`);
      }
    default:
      return text;
  }
}
