// io.kestra.plugin.core.flow.Switch: runs the task list of the case whose key equals `value`.
import { z } from 'zod';
import { taskList } from '../../schema';
import type { ChildPlan, TaskDefinition } from '../../types';
import { handlers, scalarText, tasksOf } from '../util';

const props = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]).describe('The value to match against the keys of `cases`.'),
  cases: z
    .record(z.string(), taskList().min(1, 'a case needs at least one task'))
    .optional()
    .describe('Task lists by value.'),
  defaults: taskList('Tasks to run when no case matches.').min(1, "The 'defaults' property cannot be empty.").optional(),
  errors: taskList('Tasks to run when a child task fails.').optional(),
  finally: taskList('Tasks to run at the end, whatever the outcome.').optional(),
});

export const switchTask: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Switch',
  aliases: ['io.kestra.core.tasks.flows.Switch'],
  title: 'Switch',
  description: 'Routes to the task list whose case key equals the rendered value, or to `defaults`.',
  category: 'Flow',
  icon: 'split',
  props,
  childTaskProps: ['cases', 'defaults', 'errors', 'finally'],
  examples: [
    {
      title: 'Route on the event type',
      code:
        'id: route\ntype: io.kestra.plugin.core.flow.Switch\nvalue: "{{ trigger.headers.type }}"\ncases:\n' +
        '  ORDER:\n    - id: order\n      type: io.kestra.plugin.core.log.Log\n      message: order\n' +
        '  REFUND:\n    - id: refund\n      type: io.kestra.plugin.core.log.Log\n      message: refund\n' +
        'defaults:\n  - id: other\n    type: io.kestra.plugin.core.log.Log\n    message: something else',
    },
  ],
  outputs: { value: 'The rendered value.', defaults: 'True when no case matched and `defaults` ran.' },
  plan(_ctx, props): ChildPlan {
    const value = scalarText(props.value);
    const cases = props.cases ?? {};
    const matched = Object.prototype.hasOwnProperty.call(cases, value);
    const chosen = tasksOf(matched ? cases[value] : props.defaults);
    return {
      // Children inherit the parent's taskrun.value (as in Kestra); the switch value is an output.
      branches: chosen.length ? [{ tasks: chosen }] : [],
      concurrency: 1,
      ...handlers(props),
      outputs: { value, defaults: !matched },
    };
  },
};
