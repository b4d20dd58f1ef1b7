// io.kestra.plugin.core.debug.Return: renders a template and returns it as output `value`.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { scalarText } from '../util';

const props = z.object({
  format: z.union([z.string(), z.number(), z.boolean()]).optional().describe('The templated string to render.'),
});

export const returnTask: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.debug.Return',
  aliases: ['io.kestra.core.tasks.debugs.Return'],
  title: 'Return',
  description: 'Renders `format` and returns it as the output `value`; handy to inspect or reuse a value.',
  category: 'Core',
  icon: 'corner-down-left',
  props,
  examples: [
    { title: 'Return a value', code: 'id: greet\ntype: io.kestra.plugin.core.debug.Return\nformat: "{{ task.id }} > {{ taskrun.startDate }}"' },
  ],
  outputs: { value: 'The rendered string.' },
  async run(ctx, { format }) {
    const value = format === undefined ? null : scalarText(format);
    if (value !== null) ctx.logger.debug(value);
    return { value };
  },
};
