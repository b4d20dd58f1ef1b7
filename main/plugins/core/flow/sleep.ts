// io.kestra.plugin.core.flow.Sleep: waits for an ISO-8601 duration (stops at once on kill/timeout).
import { z } from 'zod';
import { p, parseDuration } from '../../schema';
import type { TaskDefinition } from '../../types';
import { sleep as wait } from '../util';

const props = z.object({
  duration: p.duration('How long to wait, as an ISO-8601 duration (PT5S, PT1M).'),
});

export const sleep: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Sleep',
  title: 'Sleep',
  description: 'Pauses the branch for a duration before continuing.',
  category: 'Flow',
  icon: 'timer',
  props,
  examples: [{ title: 'Wait five seconds', code: 'id: wait\ntype: io.kestra.plugin.core.flow.Sleep\nduration: PT5S' }],
  outputs: {},
  async run(ctx, { duration }) {
    const ms = parseDuration(duration);
    if (ms === undefined || ms < 0) throw new Error(`Invalid duration '${duration}': use an ISO-8601 duration such as PT5S`);
    ctx.logger.info(`Waiting for ${duration}`);
    await wait(ms, ctx.signal);
  },
};
