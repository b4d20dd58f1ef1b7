// io.kestra.plugin.core.log.Log: writes one or more messages to the task run's logs.
import { z } from 'zod';
import { p } from '../../schema';
import type { TaskDefinition } from '../../types';
import type { LogLevel } from '../../../model/execution';
import { scalarText } from '../util';

const props = z.object({
  message: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
    .describe('One message, or a list of messages logged one after the other.'),
  level: p.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], 'The log level.').default('INFO'),
});

export const log: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.log.Log',
  aliases: ['io.kestra.core.tasks.log.Log'],
  title: 'Log',
  description: 'Logs a message (or each message of a list) at the chosen level.',
  category: 'Core',
  icon: 'scroll-text',
  props,
  examples: [
    { title: 'Log a message', code: 'id: hello\ntype: io.kestra.plugin.core.log.Log\nmessage: "Order {{ trigger.value }} received"' },
    {
      title: 'Log several messages at DEBUG level',
      code: 'id: details\ntype: io.kestra.plugin.core.log.Log\nlevel: DEBUG\nmessage:\n  - "flow: {{ flow.id }}"\n  - "execution: {{ execution.id }}"',
    },
  ],
  outputs: {},
  async run(ctx, { message, level }) {
    const lvl = level as LogLevel;
    if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(lvl)) {
      throw new Error(`Invalid log level '${level}': use TRACE, DEBUG, INFO, WARN or ERROR`);
    }
    for (const m of Array.isArray(message) ? message : [message]) ctx.logger.log(lvl, scalarText(m));
  },
};
