// The flow document's own structure (everything but the plugins' properties), as zod schemas:
// validation and the editor's JSON Schema both read these.
import { z } from 'zod';
import { p, retrySchema } from '../plugins/schema';
import { INPUT_TYPES } from './inputs';

/** Kestra's AbstractFlow: `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, at most 100 characters. */
export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Kestra's AbstractFlow: `^[a-z0-9][a-z0-9._-]*`, at most 150 characters (dot-separated: company.team). */
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
/** Kestra's task id (and Peregrine's idSchema): no dots. */
export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
/** Kestra's Input/Output id: dots allowed. */
export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

export const TOP_LEVEL_KEYS = [
  'id', 'namespace', 'revision', 'description', 'labels', 'inputs', 'variables', 'tasks', 'errors', 'finally',
  'afterExecution', 'triggers', 'pluginDefaults', 'taskDefaults', 'concurrency', 'outputs', 'retry', 'sla',
  'disabled', 'listeners',
] as const;

/** Top-level lists of tasks, in the order Kestra runs them. */
export const TASK_LIST_KEYS = ['tasks', 'errors', 'finally', 'afterExecution'] as const;

const labelValue = z.union([z.string(), z.number(), z.boolean()]);
export const labelsSchema = z
  .union([z.record(z.string(), labelValue), z.array(z.object({ key: z.string(), value: labelValue }).strict())])
  .describe('Labels as a map of key: value, or a list of {key, value}.');

export const concurrencySchema = z
  .object({
    limit: z.number().int().min(1).describe('How many executions of this flow may run at once.'),
    behavior: z
      .enum(['QUEUE', 'CANCEL', 'FAIL'])
      .optional()
      .describe('What happens to an execution over the limit (QUEUE by default).'),
  })
  .strict();

export const flowOutputSchema = z
  .object({
    id: z.string().regex(INPUT_ID, 'an output id uses letters, digits, ".", "-" and "_" and starts with a letter or digit'),
    type: z.enum(INPUT_TYPES as [string, ...string[]]).describe('The type of the output value.'),
    value: z.any().refine((v) => v !== undefined, 'missing value').describe('The value, usually an expression.'),
    description: z.string().optional(),
    displayName: z.string().optional(),
    required: z.boolean().optional(),
  })
  .strict();

/** Kept loose: Kestra's SLA types carry type-specific properties. */
export const slaSchema = z.looseObject({
  id: z.string(),
  type: z.enum(['MAX_DURATION', 'EXECUTION_ASSERTION']),
  behavior: z.enum(['FAIL', 'CANCEL', 'NONE']).optional(),
  duration: p.duration().optional(),
  assert: z.string().optional(),
});

export const pluginDefaultSchema = z
  .object({
    type: z.string().describe('A plugin type, or a prefix of types (io.kestra.plugin.scripts).'),
    forced: z.boolean().optional().describe('When true, these values override the ones set on the task.'),
    values: z.record(z.string(), z.any()).optional().describe('Property values applied to matching tasks and triggers.'),
  })
  .strict();

export const listenerSchema = z
  .object({
    description: z.string().optional(),
    conditions: z.array(z.any()).optional(),
    tasks: z.array(z.any()),
  })
  .strict();

/**
 * The top level minus the task lists, triggers and inputs (validated on their own). Loose: unknown
 * keys are reported separately, with a suggestion.
 */
export const flowShellSchema = z.looseObject({
  id: z
    .string()
    .regex(FLOW_ID, 'a flow id uses letters, digits, ".", "-" and "_" and starts with a letter or digit')
    .max(100)
    .describe('The flow id, unique within its namespace.'),
  namespace: z
    .string()
    .regex(NAMESPACE, 'a namespace uses lowercase letters, digits, ".", "-" and "_" (e.g. company.team)')
    .max(150)
    .describe('Dot-separated namespace, e.g. company.team.'),
  revision: z.number().int().min(1).optional().describe('Set by the server; read-only.'),
  description: z.string().optional(),
  labels: labelsSchema.optional(),
  variables: z.record(z.string(), z.any()).optional().describe('Values available as {{ vars.name }}.'),
  concurrency: concurrencySchema.optional(),
  outputs: z.array(flowOutputSchema).optional().describe('Values the flow exposes when it ends.'),
  retry: retrySchema.optional(),
  sla: z.array(slaSchema).optional(),
  disabled: z.boolean().optional().describe('A disabled flow starts no execution.'),
  pluginDefaults: z.array(pluginDefaultSchema).optional().describe('Default property values by plugin type.'),
  taskDefaults: z.array(pluginDefaultSchema).optional().describe('Older name of pluginDefaults.'),
  listeners: z.array(listenerSchema).optional().describe('Deprecated: use afterExecution or a Flow trigger.'),
});

/** Removes `key: null` entries whose schema allows the key to be absent (Kestra reads them as unset). */
export function dropNullOptionals(value: Record<string, unknown>, schema: z.ZodObject<any>): Record<string, unknown> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && shape[k] && shape[k].safeParse(undefined).success) continue;
    out[k] = v;
  }
  return out;
}
