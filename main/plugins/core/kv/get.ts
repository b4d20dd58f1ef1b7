// io.kestra.plugin.core.kv.Get: reads the value stored under a key.
import { z } from 'zod';
import { p } from '../../schema';
import type { TaskDefinition } from '../../types';
import { asBool } from '../util';
import { namespaceOf, requireKey } from './common';

const props = z.object({
  key: p.string('The key to read.'),
  namespace: p.string("The namespace of the KV pair; the flow's namespace by default.").optional(),
  errorOnMissing: p.bool('Fail when the key has no value.').default(false),
});

export const kvGet: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.kv.Get',
  title: 'Get KV',
  description: 'Reads the value of a key from the namespace KV store (same as the `kv()` function).',
  category: 'KV Store',
  icon: 'key-round',
  props,
  examples: [{ title: 'Read a key, fail when it is missing', code: 'id: read\ntype: io.kestra.plugin.core.kv.Get\nkey: last_order\nerrorOnMissing: true' }],
  outputs: { value: 'The stored value, with the type it was stored with (null when missing).' },
  async run(ctx, props) {
    const namespace = namespaceOf(ctx, props.namespace);
    const key = requireKey(props.key);
    const value = ctx.services.kv.get(namespace, key);
    if (value === undefined && asBool(props.errorOnMissing, 'errorOnMissing')) {
      throw new Error(`No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`);
    }
    return { value: value === undefined ? null : value };
  },
};
