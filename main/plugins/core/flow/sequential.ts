// io.kestra.plugin.core.flow.Sequential: runs its child tasks one after the other (a visual group).
import { z } from 'zod';
import { taskList } from '../../schema';
import type { ChildPlan, TaskDefinition } from '../../types';
import { handlers, tasksOf } from '../util';

const props = z.object({
  tasks: taskList('Tasks to run one after the other.').min(1, "The 'tasks' property cannot be empty"),
  errors: taskList('Tasks to run when a child task fails.').optional(),
  finally: taskList('Tasks to run at the end, whatever the outcome.').optional(),
});

export const sequential: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Sequential',
  aliases: ['io.kestra.core.tasks.flows.Sequential'],
  title: 'Sequential',
  description: 'Runs its child tasks one after the other; groups tasks and gives them their own errors/finally.',
  category: 'Flow',
  icon: 'list-ordered',
  props,
  childTaskProps: ['tasks', 'errors', 'finally'],
  examples: [
    {
      title: 'Group two steps',
      code:
        'id: group\ntype: io.kestra.plugin.core.flow.Sequential\ntasks:\n' +
        '  - id: first\n    type: io.kestra.plugin.core.debug.Return\n    format: one\n' +
        '  - id: second\n    type: io.kestra.plugin.core.debug.Return\n    format: two',
    },
  ],
  outputs: {},
  plan(_ctx, props): ChildPlan {
    const tasks = tasksOf(props.tasks);
    return { branches: tasks.length ? [{ tasks }] : [], concurrency: 1, ...handlers(props) };
  },
};
