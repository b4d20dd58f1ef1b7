// Webhook trigger: an HTTP POST to /api/v1/executions/webhook/{namespace}/{flowId}/{key} starts an execution.
import { z } from 'zod';
import { p } from '../schema';
import type { TriggerDefinition } from '../types';

export const webhookTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'webhook',
  type: 'io.kestra.plugin.core.trigger.Webhook',
  aliases: ['io.kestra.core.models.triggers.types.Webhook'],
  title: 'Webhook',
  description: 'Starts an execution for each HTTP request to /api/v1/executions/webhook/{namespace}/{flowId}/{key}.',
  category: 'Triggers',
  icon: 'webhook',
  props: z.object({
    key: z.string().min(1).describe('The secret part of the webhook URL.'),
    wait: p.bool('Answer only when the execution has ended.').default(false),
    returnOutputs: p.bool('With wait: answer with the execution outputs.').default(false),
    inputs: p.map().optional(),
  }),
  outputs: { body: 'The request body (JSON parsed when it is JSON)', headers: 'Request headers (lists of values)', parameters: 'Query parameters (lists of values)' },
  examples: [
    {
      title: 'A webhook that logs its body',
      code: `id: webhook_example
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.body }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: 4wjtkzwVGBM9yKnjm3yv8r`,
    },
  ],
};
