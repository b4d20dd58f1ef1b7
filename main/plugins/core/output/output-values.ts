// io.kestra.plugin.core.output.OutputValues: returns a map of rendered values as output `values`.
import { z } from 'zod';
import { p } from '../../schema';
import type { TaskDefinition } from '../../types';

const props = z.object({
  values: p.map('The values to output, by name; strings are rendered.').optional(),
});

export const outputValues: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.output.OutputValues',
  aliases: ['io.kestra.core.tasks.outputs.OutputValues'],
  title: 'Output values',
  description: 'Outputs one or more values, read downstream as `{{ outputs.<id>.values.<name> }}`.',
  category: 'Core',
  icon: 'list-plus',
  props,
  examples: [
    {
      title: 'Output two values',
      code: 'id: out\ntype: io.kestra.plugin.core.output.OutputValues\nvalues:\n  customer: "{{ trigger.value | jq(\'.customer\') | first }}"\n  received: "{{ execution.startDate }}"',
    },
  ],
  outputs: { values: 'The rendered values, by name.' },
  async run(_ctx, { values }) {
    return { values: values ?? {} };
  },
};
