// Pause: holds the execution until it is resumed from the API, or for `pauseDuration`.
import { z } from 'zod';
import { p, parseDuration } from '../schema';
import type { TaskDefinition } from '../types';

export const pauseTask: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Pause',
  aliases: ['io.kestra.core.tasks.flows.Pause'],
  title: 'Pause',
  description: 'Pauses the execution until it is resumed (from the UI or the API), or for a duration.',
  category: 'Flow',
  icon: 'pause',
  props: z.object({
    pauseDuration: p.duration('Resume by itself after this long.').optional(),
    delay: p.duration('Older name of pauseDuration.').optional(),
    behavior: z.enum(['RESUME', 'WARN', 'CANCEL', 'FAIL']).default('RESUME'),
    onResume: z.array(z.any()).optional(),
  }),
  outputs: { onResume: 'The inputs given when the execution was resumed' },
  async run(ctx, props) {
    const duration = props.pauseDuration ?? props.delay;
    const inputs = await ctx.pause(duration ? parseDuration(duration) : undefined);
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('killed while paused');
    ctx.logger.info(Object.keys(inputs).length ? `Resumed with ${JSON.stringify(inputs)}` : 'Resumed');
    return { onResume: inputs };
  },
};
