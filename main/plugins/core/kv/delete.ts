// io.kestra.plugin.core.kv.Delete: removes a key from the namespace KV store.
import { z } from 'zod';
import { p } from '../../schema';
import type { TaskDefinition } from '../../types';
import { asBool } from '../util';
import { namespaceOf, requireKey } from './common';

const props = z.object({
  key: p.string('The key to delete.'),
  namespace: p.string("The namespace of the KV pair; the flow's namespace by default.").optional(),
  errorOnMissing: p.bool('Fail when the key does not exist.').default(false),
});

export const kvDelete: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.kv.Delete',
  title: 'Delete KV',
  description: 'Deletes a key-value pair from the namespace KV store.',
  category: 'KV Store',
  icon: 'key-round',
  props,
  examples: [{ title: 'Forget a key', code: 'id: forget\ntype: io.kestra.plugin.core.kv.Delete\nkey: last_order' }],
  outputs: { deleted: 'Whether a value existed and was deleted.' },
  async run(ctx, props) {
    const namespace = namespaceOf(ctx, props.namespace);
    const key = requireKey(props.key);
    const deleted = ctx.services.kv.delete(namespace, key);
    if (!deleted && asBool(props.errorOnMissing, 'errorOnMissing')) {
      throw new Error(`No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`);
    }
    return { deleted };
  },
};
