// io.kestra.plugin.core.flow.ForEach: runs the child task group once per value, `concurrencyLimit` groups at a time.
import { z } from 'zod';
import { p, taskList } from '../../schema';
import type { ChildPlan, TaskDefinition } from '../../types';
import { asInt, handlers, tasksOf } from '../util';

const props = z.object({
  values: z
    .union([z.string(), z.array(z.any())])
    .describe('The values to iterate over: a list, or a JSON array as text (for example rendered from an expression).'),
  concurrencyLimit: p
    .int('How many task groups run at the same time: 1 = one after the other, 0 = all at once.')
    .default(1),
  tasks: taskList('Tasks run for each value, one after the other.').min(1, 'The `tasks` list needs at least one task'),
  errors: taskList('Tasks to run when a child task fails.').optional(),
  finally: taskList('Tasks to run at the end, whatever the outcome.').optional(),
});

/** Kestra's FlowableUtils.resolveValues for a list: each value as text, objects as JSON, duplicates removed. */
export function resolveForEachValues(values: unknown): string[] {
  let list: unknown[];
  if (typeof values === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values);
    } catch (e) {
      throw new Error(`\`values\` must be a list or a JSON array, got ${preview(values)}: ${(e as Error).message}`);
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      throw new Error('Maps are not supported in `values`: give a list');
    }
    if (!Array.isArray(parsed)) throw new Error(`\`values\` must be a list or a JSON array, got ${preview(values)}`);
    list = parsed;
  } else if (Array.isArray(values)) {
    list = values;
  } else {
    throw new Error(`\`values\` must be a list or a JSON array, got ${preview(values)}`);
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of list) {
    if (v === null || v === undefined) throw new Error(`Found a null value inside the iteration values=${preview(values)}`);
    const text = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (!seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  }
  return out;
}

function preview(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

export const forEach: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.ForEach',
  title: 'For each',
  description:
    'Runs the child tasks for each value; `{{ taskrun.value }}` is the current value and `{{ taskrun.iteration }}` its index.',
  category: 'Flow',
  icon: 'repeat',
  props,
  childTaskProps: ['tasks', 'errors', 'finally'],
  examples: [
    {
      title: 'Two groups at a time',
      code:
        'id: each_region\ntype: io.kestra.plugin.core.flow.ForEach\nvalues: ["eu", "us", "apac"]\nconcurrencyLimit: 2\ntasks:\n' +
        '  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "Region {{ taskrun.value }}"',
    },
    {
      title: 'Iterate over the items of the event',
      code:
        'id: each_item\ntype: io.kestra.plugin.core.flow.ForEach\nvalues: "{{ trigger.value | jq(\'.items\') | first }}"\ntasks:\n' +
        '  - id: item\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ taskrun.value }}"',
    },
  ],
  outputs: {},
  plan(_ctx, props): ChildPlan {
    const limit = asInt(props.concurrencyLimit, 'concurrencyLimit');
    if (limit < 0) throw new Error('`concurrencyLimit` must be 0 (no limit) or more');
    const tasks = tasksOf(props.tasks);
    const values = resolveForEachValues(props.values);
    return {
      branches: values.map((value, iteration) => ({ tasks, value, iteration })),
      concurrency: limit,
      ...handlers(props),
    };
  },
};
