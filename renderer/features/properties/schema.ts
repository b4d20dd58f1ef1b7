// Which form field a JSON Schema property gets (from the plugin's own schema, as `plugins.list`
// gives it). Pure, so it is tested in Node.

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  description?: string;
  default?: unknown;
  required?: string[];
  minimum?: number;
  maximum?: number;
}

export type Field =
  | { kind: 'string'; multiline: boolean }
  | { kind: 'duration' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[]; free: boolean }
  | { kind: 'map' }
  | { kind: 'list' }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'tasks' }
  | { kind: 'yaml' };

const typesOf = (s: JsonSchema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);
const branchesOf = (s: JsonSchema): JsonSchema[] => s.anyOf ?? s.oneOf ?? [s];

export function isTaskList(s: JsonSchema): boolean {
  const isTask = (x?: JsonSchema) => !!x && typesOf(x).includes('object') && !!x.required?.includes('type') && !!x.required?.includes('id');
  if (typesOf(s).includes('array') && isTask(s.items)) return true;
  const ap = s.additionalProperties;
  return typesOf(s).includes('object') && typeof ap === 'object' && typesOf(ap).includes('array') && isTask(ap.items);
}

const DURATION_NAME = /(duration|timeout|interval|delay|wait|ttl|period|backoff|maxDuration)$/i;
const MULTILINE_NAME = /^(script|commands|query|sql|body|expression|description|format|inputFiles|beforeCommands)$/;

const isScalarSchema = (s: JsonSchema | undefined): boolean => !s || branchesOf(s).every((b) => typesOf(b).every((t) => t !== 'object' && t !== 'array'));

export function fieldFor(schema: JsonSchema, name: string, value: unknown): Field {
  if (isTaskList(schema)) return { kind: 'tasks' };
  const branches = branchesOf(schema);
  const types = new Set(branches.flatMap(typesOf));
  const withEnum = branches.find((b) => Array.isArray(b.enum));
  if (withEnum) return { kind: 'enum', options: withEnum.enum!.map(String), free: branches.length > 1 || types.size > 1 };

  // The value there decides between the branches of a union.
  if (Array.isArray(value)) {
    const arr = branches.find((b) => typesOf(b).includes('array'));
    return arr && isScalarSchema(arr.items) && value.every((v) => v === null || typeof v !== 'object') ? { kind: 'list' } : { kind: 'yaml' };
  }
  if (value !== null && typeof value === 'object') {
    const obj = branches.find((b) => typesOf(b).includes('object'));
    if (obj?.properties) return { kind: 'object', schema: obj };
    return Object.values(value).every((v) => v === null || typeof v !== 'object') ? { kind: 'map' } : { kind: 'yaml' };
  }
  if (typeof value === 'boolean' && types.has('boolean')) return { kind: 'boolean' };
  if (typeof value === 'number' && (types.has('number') || types.has('integer'))) return { kind: 'number', integer: types.has('integer') && !types.has('number') };

  const onlyBoolish = [...types].every((t) => t === 'boolean' || t === 'string');
  if (types.has('boolean') && onlyBoolish && (value === undefined || typeof value === 'boolean')) return { kind: 'boolean' };
  if (types.has('string') || types.size === 0) {
    if (types.size === 0 && value === undefined) return { kind: 'yaml' };
    if (DURATION_NAME.test(name) || /ISO[- ]?8601 duration|\bPT\d/i.test(schema.description ?? '')) return { kind: 'duration' };
    if (!types.has('string') && typeof value !== 'string') return { kind: 'yaml' };
    return { kind: 'string', multiline: MULTILINE_NAME.test(name) || (typeof value === 'string' && value.includes('\n')) };
  }
  if (types.has('integer') || types.has('number')) return { kind: 'number', integer: !types.has('number') };
  if (types.has('boolean')) return { kind: 'boolean' };
  if (types.has('object')) {
    const obj = branches.find((b) => typesOf(b).includes('object'))!;
    return obj.properties ? { kind: 'object', schema: obj } : { kind: 'map' };
  }
  if (types.has('array')) {
    const arr = branches.find((b) => typesOf(b).includes('array'))!;
    return isScalarSchema(arr.items) ? { kind: 'list' } : { kind: 'yaml' };
  }
  return { kind: 'yaml' };
}

/** Required properties first (in schema order), then the rest; child-task lists are left out. */
export function orderedProperties(schema: JsonSchema): { name: string; schema: JsonSchema; required: boolean }[] {
  const props = schema.properties ?? {};
  const req = new Set(schema.required ?? []);
  const all = Object.entries(props).filter(([, s]) => !isTaskList(s)).map(([name, s]) => ({ name, schema: s, required: req.has(name) }));
  return [...all.filter((p) => p.required), ...all.filter((p) => !p.required)];
}

/** ISO-8601 duration, as Kestra writes them (PT5S, P1D, PT1H30M). */
export const DURATION_RE = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;

/** Text with its `{{ … }}` / `{% … %}` parts marked (for highlighting). */
export function expressionParts(text: string): { text: string; expr: boolean }[] {
  const out: { text: string; expr: boolean }[] = [];
  const re = /\{\{[\s\S]*?(\}\}|$)|\{%[\s\S]*?(%\}|$)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    if (m.index > last) out.push({ text: text.slice(last, m.index), expr: false });
    out.push({ text: m[0], expr: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), expr: false });
  return out;
}

/** A number field's text → a number when it is one, else the text (an expression). */
export function parseNumberish(text: string, integer: boolean): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (integer ? /^[-+]?\d+$/.test(t) : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return text;
}
