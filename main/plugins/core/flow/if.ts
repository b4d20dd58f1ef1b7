// io.kestra.plugin.core.flow.If: runs `then` when the condition is truthy, `else` otherwise.
import { z } from 'zod';
import { taskList } from '../../schema';
import type { ChildPlan, TaskDefinition } from '../../types';
import { handlers, isTruthy, tasksOf } from '../util';

const props = z.object({
  condition: z
    .union([z.string(), z.boolean(), z.number()])
    .describe('Rendered, then read as a boolean: "false", "0", "-0" and "" are false, anything else is true.'),
  then: taskList('Tasks to run when the condition is true.').min(1, 'The `then` list needs at least one task'),
  else: taskList('Tasks to run when the condition is false.').optional(),
  errors: taskList('Tasks to run when a child task fails.').optional(),
  finally: taskList('Tasks to run at the end, whatever the outcome.').optional(),
});

export const ifTask: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.If',
  aliases: ['io.kestra.core.tasks.flows.If'],
  title: 'If',
  description: 'Branches on a condition: `then` when it is true, `else` when it is false.',
  category: 'Flow',
  icon: 'git-branch',
  props,
  childTaskProps: ['then', 'else', 'errors', 'finally'],
  examples: [
    {
      title: 'Branch on an input',
      code:
        'id: big_order\ntype: io.kestra.plugin.core.flow.If\ncondition: "{{ inputs.amount > 1000 }}"\nthen:\n' +
        '  - id: review\n    type: io.kestra.plugin.core.log.Log\n    message: Needs review\nelse:\n' +
        '  - id: accept\n    type: io.kestra.plugin.core.log.Log\n    message: Accepted',
    },
  ],
  outputs: { evaluationResult: 'Whether the condition was true.' },
  plan(_ctx, props): ChildPlan {
    const result = isTruthy(props.condition);
    const chosen = tasksOf(result ? props.then : props.else);
    return {
      branches: chosen.length ? [{ tasks: chosen }] : [],
      concurrency: 1,
      ...handlers(props),
      outputs: { evaluationResult: result },
    };
  },
};
