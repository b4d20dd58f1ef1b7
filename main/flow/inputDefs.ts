// The `inputs:` section of a flow: one strict schema per input type (as Kestra's Input subclasses)
// and the checks beyond them (SELECT needs values, ARRAY needs itemType, defaults must fit …).
import { z } from 'zod';
import type { InputSpec } from '../model/flow';
import { isTemplate, p } from '../plugins/schema';
import { formatPath, type Anchor, type Path } from './positions';
import type { Severity } from './errors';
import { INPUT_ID } from './flowSchema';
import { checkInputValue, INPUT_TYPES } from './inputs';
import { closest } from './suggest';
import { explainIssues, show } from './zodIssues';

const typeEnum = z.enum(INPUT_TYPES as [string, ...string[]]);
const choiceList = z.array(z.union([z.string(), z.number(), z.boolean()]));

const common = {
  id: z
    .string()
    .regex(INPUT_ID, 'an input id uses letters, digits, ".", "-" and "_" and starts with a letter or digit')
    .optional()
    .describe('The ID of the input: {{ inputs.<id> }}.'),
  name: z.string().optional().describe('Deprecated: older name of id.'),
  description: z.string().optional(),
  displayName: z.string().optional().describe('The label shown in the execution form.'),
  required: z.boolean().optional().describe('Whether a value is required (true by default).'),
  defaults: z.any().optional().describe('The value used when none is given.'),
  prefill: z.any().optional().describe('A value shown in the form that the user may clear.'),
  dependsOn: z
    .object({ inputs: z.array(z.string()).optional(), condition: z.string().optional() })
    .strict()
    .optional()
    .describe('Inputs this one depends on, and a condition to show it.'),
};

const between = { after: z.string().optional().describe('Minimal value.'), before: z.string().optional().describe('Maximal value.') };
const select = {
  values: choiceList.optional().describe('The choices.'),
  expression: z.string().optional().describe('An expression producing the list of choices.'),
  allowCustomValue: z.boolean().optional(),
  autoSelectFirst: z.boolean().optional(),
};

const byType: Record<string, z.ZodRawShape> = {
  STRING: {
    validator: z.string().optional().describe('A regular expression the whole value must match.'),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(0).optional(),
  },
  SECRET: { validator: z.string().optional().describe('A regular expression the whole value must match.') },
  INT: { min: z.number().int().optional().describe('Minimal value.'), max: z.number().int().optional().describe('Maximal value.') },
  FLOAT: { min: z.number().optional().describe('Minimal value.'), max: z.number().optional().describe('Maximal value.') },
  BOOLEAN: {},
  BOOL: {},
  DATETIME: between,
  DATE: between,
  TIME: between,
  DURATION: { min: p.duration('Minimal value.').optional(), max: p.duration('Maximal value.').optional() },
  JSON: {},
  YAML: {},
  URI: {},
  EMAIL: {},
  FILE: {
    allowedFileExtensions: z.array(z.string()).optional(),
    extension: z.string().optional(),
  },
  SELECT: { ...select, isRadio: z.boolean().optional() },
  MULTISELECT: {
    ...select,
    options: choiceList.optional().describe('Deprecated: older name of values.'),
    itemType: typeEnum.optional(),
  },
  ARRAY: { itemType: typeEnum.describe('The type of the items (not ARRAY).') },
  ENUM: { values: choiceList.describe('The choices.') },
};

/** One strict schema per input type, `type` as a literal. */
export const inputSchemas: Record<string, z.ZodObject<any>> = Object.fromEntries(
  Object.entries(byType).map(([type, shape]) => [type, z.object({ ...common, ...shape, type: z.literal(type) }).strict()]),
);

export type Report = (path: Path, anchor: Anchor, message: string, severity?: Severity) => void;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Validates `inputs:`; `lineOf` names where an earlier duplicate is. */
export function checkInputDefinitions(inputs: unknown, report: Report, lineOf: (path: Path) => number): void {
  if (inputs === undefined || inputs === null) return;
  if (!Array.isArray(inputs)) {
    report(['inputs'], 'value', `expected a list of inputs but got ${show(inputs)}`);
    return;
  }
  const seen = new Map<string, Path>();
  const ids = new Set<string>();
  inputs.forEach((input, i) => {
    const path: Path = ['inputs', i];
    if (!isPlainObject(input)) {
      report(path, 'value', `expected an input (a mapping with id and type) but got ${show(input)}`);
      return;
    }
    if (input.id === undefined && input.name !== undefined) {
      report([...path, 'name'], 'key', `"name" is the older spelling of "id": write id: ${show(input.name)}`, 'warning');
    } else if (input.id === undefined) report(path, 'map', 'missing required property id');
    const idKey = input.id !== undefined ? 'id' : 'name';
    const id = input[idKey];
    if (typeof id === 'string') {
      ids.add(id);
      const first = seen.get(id);
      if (first) report([...path, idKey], 'value', `duplicate input id "${id}": ${formatPath(first)} at line ${lineOf(first)} already uses it`);
      else seen.set(id, path);
    }

    const type = input.type;
    if (type === undefined) {
      report(path, 'map', 'missing required property type');
      return;
    }
    if (typeof type !== 'string' || !(type in inputSchemas)) {
      report([...path, 'type'], 'value', unknownInputType(type));
      return;
    }
    if (type === 'ENUM') report([...path, 'type'], 'value', 'ENUM is deprecated: use SELECT', 'warning');
    const schema = inputSchemas[type];
    const res = schema.safeParse(input);
    if (!res.success) {
      for (const f of explainIssues(res.error.issues, input, schema, { subject: `a ${type} input` })) {
        report([...path, ...f.path], f.anchor, f.message);
      }
    }
    // A misspelt `values` is reported as an unknown property with a suggestion: say it once.
    const misspeltValues = Object.keys(input).some((k) => !(k in schema.shape) && closest(k, ['values']) === 'values');
    if (type === 'SELECT' && input.values === undefined && input.expression === undefined && !misspeltValues) {
      report(path, 'map', 'missing required property values: a SELECT input needs its list of choices (or an expression)');
    }
    if (type === 'MULTISELECT') {
      if (input.values === undefined && input.options === undefined && input.expression === undefined && !misspeltValues) {
        report(path, 'map', 'missing required property values: a MULTISELECT input needs its list of choices (or an expression)');
      }
      if (input.values !== undefined && input.options !== undefined) {
        report([...path, 'options'], 'key', 'use either values or options (its older name), not both');
      }
    }
    if ((type === 'ARRAY' || type === 'MULTISELECT') && (input.itemType === 'ARRAY' || input.itemType === 'MULTISELECT')) {
      report([...path, 'itemType'], 'value', `itemType cannot be ${input.itemType}`);
    }
    if (typeof input.validator === 'string') {
      try {
        new RegExp(input.validator, 'u');
      } catch (e) {
        report([...path, 'validator'], 'value', `not a valid regular expression: ${(e as Error).message}`);
      }
    }
    if (res.success && input.defaults !== undefined && input.defaults !== null && !isTemplate(input.defaults)) {
      const checked = checkInputValue(input as unknown as InputSpec, input.defaults);
      if ('error' in checked) report([...path, 'defaults'], 'value', `the default value does not fit the input: ${checked.error}`);
    }
  });

  inputs.forEach((input, i) => {
    const deps = isPlainObject(input) && isPlainObject(input.dependsOn) ? input.dependsOn.inputs : undefined;
    if (!Array.isArray(deps)) return;
    deps.forEach((dep, j) => {
      if (typeof dep === 'string' && !ids.has(dep)) {
        const guess = closest(dep, ids);
        report(['inputs', i, 'dependsOn', 'inputs', j], 'value', `depends on input "${dep}", which does not exist${guess ? `: did you mean "${guess}"?` : ''}`);
      }
    });
  });
}

function unknownInputType(type: unknown): string {
  if (typeof type !== 'string') return `expected an input type (${INPUT_TYPES.join(', ')}) but got ${show(type)}`;
  const guess = closest(type, Object.keys(inputSchemas), Math.max(2, Math.floor(type.length / 3)));
  return guess
    ? `unknown input type "${type}": did you mean ${guess}?`
    : `unknown input type "${type}"; input types are ${INPUT_TYPES.join(', ')}`;
}
