// io.kestra.plugin.transform.jsonata.TransformValue: queries or reshapes a JSON value with JSONata.
import { z } from 'zod';
import { p, parseDuration } from '../../schema';
import type { TaskDefinition } from '../../types';
import { compileJsonata, describeJsonataError, evaluateJsonata, toPlainJson } from './compile';

/** Evaluation runs on the engine's event loop; without a task timeout it gets this much time at most. */
export const DEFAULT_EVALUATION_BUDGET_MS = 30_000;

const props = z.object({
  from: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.any()), z.record(z.string(), z.any())])
    .describe('The value to transform: JSON text (often rendered from an expression) or a YAML value.'),
  expression: p.string('The JSONata expression to apply.'),
  maxDepth: p.int('The maximum number of nested evaluations (guards runaway recursion).').default(1000),
});

export const transformValue: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.transform.jsonata.TransformValue',
  title: 'JSONata transform',
  description: 'Transforms or queries a JSON value with a JSONata expression; the result is the output `value`.',
  category: 'Transform',
  icon: 'braces',
  props,
  valueProps: ['from'],
  examples: [
    {
      title: 'Total an order',
      code:
        'id: total\ntype: io.kestra.plugin.transform.jsonata.TransformValue\nfrom: "{{ trigger.value }}"\nexpression: |\n' +
        '  {\n    "order_id": order_id,\n    "total": $sum(items.(quantity * price))\n  }',
    },
  ],
  outputs: { value: 'The result of the expression (null when it yields nothing).' },
  async run(ctx, props) {
    const maxDepth = typeof props.maxDepth === 'number' ? props.maxDepth : Number(props.maxDepth);
    if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new Error('`maxDepth` must be a whole number of at least 1');
    const expression = compileJsonata(props.expression, { maxDepth, timeoutMs: evaluationBudget(ctx.task.timeout) });

    let input: unknown = props.from;
    if (typeof input === 'string') {
      try {
        input = JSON.parse(input);
      } catch (e) {
        throw new Error(`Failed to parse the JSON value passed through the \`from\` property: ${(e as Error).message}`);
      }
    }
    let result: unknown;
    try {
      result = await evaluateJsonata(expression, input);
    } catch (e) {
      if (e instanceof RangeError) throw new Error('Failed to evaluate the JSONata expression: it recursed too deeply; lower `maxDepth`');
      throw new Error(`Failed to evaluate the JSONata expression: ${describeJsonataError(e)}`);
    }
    return { value: toPlainJson(result) };
  },
};

function evaluationBudget(timeout: string | undefined): number {
  const ms = typeof timeout === 'string' ? parseDuration(timeout) : undefined;
  return ms && ms > 0 ? ms : DEFAULT_EVALUATION_BUDGET_MS;
}
