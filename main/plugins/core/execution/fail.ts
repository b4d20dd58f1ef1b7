// io.kestra.plugin.core.execution.Fail: fails the task run, always or when `condition` is truthy.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { isTruthy, scalarText } from '../util';

const props = z.object({
  condition: z
    .union([z.string(), z.boolean(), z.number()])
    .optional()
    .describe('Fail only when this renders to a truthy value ("false", "0", "-0" and "" are false).'),
  errorMessage: z.string().default('Task failure').describe('The error message.'),
});

export const fail: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.execution.Fail',
  aliases: ['io.kestra.core.tasks.executions.Fail'],
  title: 'Fail',
  description: 'Fails the execution, always or only when a condition holds.',
  category: 'Core',
  icon: 'octagon-x',
  props,
  examples: [
    { title: 'Fail on a condition', code: "id: reject\ntype: io.kestra.plugin.core.execution.Fail\ncondition: \"{{ inputs.amount > 10000 }}\"\nerrorMessage: Amount too large" },
    { title: 'Always fail', code: 'id: stop\ntype: io.kestra.plugin.core.execution.Fail\nerrorMessage: Something went wrong' },
  ],
  outputs: {},
  async run(ctx, { condition, errorMessage }) {
    if (condition !== undefined) {
      // As Kestra: the message is logged at ERROR, the task fails with "Fail on a condition".
      if (isTruthy(typeof condition === 'string' ? condition : scalarText(condition))) {
        ctx.logger.error(errorMessage);
        throw new Error('Fail on a condition');
      }
      return;
    }
    throw new Error(errorMessage);
  },
};
