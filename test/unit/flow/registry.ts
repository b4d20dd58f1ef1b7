// A small registry mirroring Kestra's core plugins, so flow tests do not depend on main/plugins/index.ts.
import { z } from 'zod';
import { PluginRegistry } from '../../../main/plugins/registry';
import { p, taskList } from '../../../main/plugins/schema';
import type { TaskDefinition, TriggerDefinition } from '../../../main/plugins/types';

const doc = { category: 'Core', description: 'test plugin' };

export const log: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.core.log.Log',
  aliases: ['io.kestra.core.tasks.log.Log'],
  title: 'Log',
  description: 'Logs a message.',
  props: z.object({
    message: z.union([z.string(), z.array(z.string())]).describe('One message, or a list of messages.'),
    level: p.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], 'The log level.').default('INFO'),
  }),
  async run() {},
};

export const ret: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.core.debug.Return',
  aliases: ['io.kestra.core.tasks.debugs.Return'],
  title: 'Return',
  props: z.object({ format: z.string().optional().describe('The value to return.') }),
  async run() {},
};

export const output: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.test.Format',
  title: 'Format',
  props: z.object({ format: p.enum(['STRING', 'JSON'], 'The output format.'), count: p.int('How many.').optional() }),
  async run() {},
};

export const ifTask: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.If',
  title: 'If',
  props: z.object({
    condition: z.union([z.string(), z.boolean()]).describe('The condition.'),
    then: taskList('Tasks when true.').min(1),
    else: taskList('Tasks when false.').optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  childTaskProps: ['then', 'else', 'errors', 'finally'],
  plan: () => ({ branches: [], concurrency: 1 }),
};

export const switchTask: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Switch',
  title: 'Switch',
  props: z.object({
    value: z.union([z.string(), z.number(), z.boolean()]).describe('The value to match.'),
    cases: z.record(z.string(), taskList()).optional().describe('Task lists by value.'),
    defaults: taskList('When no case matches.').optional(),
  }),
  childTaskProps: ['cases', 'defaults'],
  plan: () => ({ branches: [], concurrency: 1 }),
};

export const parallel: TaskDefinition = {
  ...doc,
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Parallel',
  title: 'Parallel',
  props: z.object({ tasks: taskList().min(1), concurrent: p.int().optional(), errors: taskList().optional(), finally: taskList().optional() }),
  childTaskProps: ['tasks', 'errors', 'finally'],
  plan: () => ({ branches: [], concurrency: 0 }),
};

export const webhook: TriggerDefinition = {
  ...doc,
  kind: 'trigger',
  mode: 'webhook',
  type: 'io.kestra.plugin.core.trigger.Webhook',
  aliases: ['io.kestra.core.models.triggers.types.Webhook'],
  title: 'Webhook',
  props: z.object({ key: z.string().describe('The secret key of the webhook URL.') }),
};

export function testRegistry(): PluginRegistry {
  return new PluginRegistry().register(log, ret, output, ifTask, switchTask, parallel, webhook);
}
