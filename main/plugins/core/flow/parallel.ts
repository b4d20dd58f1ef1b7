// io.kestra.plugin.core.flow.Parallel: runs each child task as its own branch, all at once or `concurrent` at a time.
import { z } from 'zod';
import { p, taskList } from '../../schema';
import type { ChildPlan, TaskDefinition } from '../../types';
import { asInt, handlers, tasksOf } from '../util';

const props = z.object({
  tasks: taskList('Tasks to run in parallel.').min(1, 'The `tasks` list needs at least one task'),
  concurrent: p.int('How many child tasks may run at the same time; 0 = no limit.').default(0),
  failFast: p.bool('Kill the running siblings as soon as one child fails.').default(false),
  errors: taskList('Tasks to run when a child task fails.').optional(),
  finally: taskList('Tasks to run at the end, whatever the outcome.').optional(),
});

export const parallel: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Parallel',
  aliases: ['io.kestra.core.tasks.flows.Parallel'],
  title: 'Parallel',
  description: 'Runs its child tasks concurrently, bounded by `concurrent` (0 = all at once).',
  category: 'Flow',
  icon: 'columns-3',
  props,
  childTaskProps: ['tasks', 'errors', 'finally'],
  examples: [
    {
      title: 'Notify two systems at once',
      code:
        'id: notify\ntype: io.kestra.plugin.core.flow.Parallel\ntasks:\n' +
        '  - id: crm\n    type: io.kestra.plugin.core.http.Request\n    uri: http://crm.local/hook\n' +
        '  - id: audit\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.value }}"',
    },
  ],
  outputs: {},
  plan(_ctx, props): ChildPlan {
    const concurrent = asInt(props.concurrent, 'concurrent');
    if (concurrent < 0) throw new Error('`concurrent` must be 0 (no limit) or more');
    // failFast is validated here; killing the siblings on the first failure is the executor's job.
    return {
      branches: tasksOf(props.tasks).map((task) => ({ tasks: [task] })),
      concurrency: concurrent,
      ...handlers(props),
    };
  },
};
