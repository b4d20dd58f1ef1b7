// Property schema builders shared by every plugin. Kestra lets almost any property be an
// expression, so each builder accepts either its plain type or a `{{ … }}` template; after
// rendering, the same schema coerces the rendered text back to the plain type.
import { z } from 'zod';

const TEMPLATE = /\{\{|\{%/;
export const isTemplate = (v: unknown): v is string => typeof v === 'string' && TEMPLATE.test(v);
/** A string holding an expression, kept as is until rendered. */
export const expression = z.string().refine((v) => TEMPLATE.test(v), 'expected an expression');

function coerceNumber(v: unknown): unknown {
  if (typeof v !== 'string' || isTemplate(v)) return v;
  const text: string = v;
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : v;
}
function coerceBoolean(v: unknown): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

const describe = <T extends z.ZodType>(schema: T, description?: string): T =>
  (description ? schema.describe(description) : schema);

export const p = {
  string: (description?: string) => describe(z.string(), description),
  int: (description?: string) =>
    describe(z.preprocess(coerceNumber, z.union([z.number().int(), expression])), description),
  number: (description?: string) =>
    describe(z.preprocess(coerceNumber, z.union([z.number(), expression])), description),
  bool: (description?: string) =>
    describe(z.preprocess(coerceBoolean, z.union([z.boolean(), expression])), description),
  /** ISO-8601 duration (PT5S, P1D, PT1H30M). */
  duration: (description?: string) =>
    describe(
      z.string().refine((v) => isTemplate(v) || parseDuration(v) !== undefined, {
        message: 'expected an ISO-8601 duration such as PT30S, PT5M or P1D',
      }),
      description,
    ),
  enum: <T extends readonly [string, ...string[]]>(values: T, description?: string) =>
    describe(z.union([z.enum(values), expression]), description),
  /** A string or a list of strings (Kafka topics, MQTT topics). */
  stringOrList: (description?: string) => describe(z.union([z.string(), z.array(z.string())]), description),
  map: (description?: string) => describe(z.record(z.string(), z.any()), description),
  /** Any JSON value (inputs, outputs, payloads). */
  any: (description?: string) => describe(z.any(), description),
};

/** Parses an ISO-8601 duration to milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
    text.trim(),
  );
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [, neg, w, d, h, min, s] = m;
  const ms =
    (Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) *
    1000;
  return neg ? -ms : ms;
}

export const retrySchema = z
  .object({
    type: z.enum(['constant', 'exponential', 'random']),
    interval: p.duration().optional(),
    maxInterval: p.duration().optional(),
    minInterval: p.duration().optional(),
    delayFactor: p.number().optional(),
    maxAttempts: p.int('How many attempts at most, the first one included.').optional(),
    maxAttempt: p.int('Older name of maxAttempts.').optional(),
    maxDuration: p.duration().optional(),
    warningOnRetry: p.bool().optional(),
    behavior: z.enum(['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION']).optional(),
  })
  .strict();

const ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const idSchema = z
  .string()
  .regex(ID, 'an id uses letters, digits, "-" and "_" and starts with a letter or digit')
  .max(100);

/** Properties every task has, whatever its type. */
export const commonTaskProps = {
  id: idSchema,
  type: z.string(),
  description: z.string().optional(),
  disabled: z.boolean().optional(),
  allowFailure: z.boolean().optional(),
  allowWarning: z.boolean().optional(),
  timeout: p.duration('Fails the task when it runs longer than this.').optional(),
  retry: retrySchema.optional(),
  logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  logToFile: z.boolean().optional(),
  workerGroup: z.any().optional(),
  runIf: z.string().optional(),
};

/** Properties every trigger has, whatever its type. */
export const commonTriggerProps = {
  id: idSchema,
  type: z.string(),
  description: z.string().optional(),
  disabled: z.boolean().optional(),
  labels: z.union([z.record(z.string(), z.string()), z.array(z.object({ key: z.string(), value: z.string() }))]).optional(),
  logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  stopAfter: z.array(z.string()).optional(),
  failOnTriggerError: z.boolean().optional(),
  allowConcurrent: z.boolean().optional(),
  conditions: z.array(z.any()).optional(),
};

/** A list of child tasks; each child is validated against its own plugin by the flow validator. */
export const taskList = (description?: string) =>
  describe(z.array(z.looseObject({ id: z.string(), type: z.string() })), description);
