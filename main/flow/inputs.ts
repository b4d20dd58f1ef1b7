// Flow inputs at execution time: coerce what was provided (form fields, API JSON, trigger
// inputs) to each input's type, apply defaults, check required and validators — as Kestra does.
import YAML from 'yaml';
import type { Flow, InputSpec, InputType } from '../model/flow';
import { isTemplate, parseDuration } from '../plugins/schema';
import { show } from './zodIssues';

export interface InputError {
  id: string;
  message: string;
}

export interface ResolveOptions {
  /** FILE inputs uploaded beside the form: input id → the internal-storage URI they were stored at. */
  files?: Record<string, string>;
}

export interface ResolvedInputs {
  values: Record<string, unknown>;
  errors: InputError[];
}

/** Every type Kestra knows (ENUM is the deprecated spelling of SELECT). */
export const INPUT_TYPES: readonly InputType[] = [
  'STRING', 'INT', 'FLOAT', 'BOOLEAN', 'BOOL', 'DATETIME', 'DATE', 'TIME', 'DURATION', 'JSON', 'URI',
  'SELECT', 'MULTISELECT', 'ARRAY', 'FILE', 'SECRET', 'YAML', 'EMAIL',
];

type Coerced = { value: unknown } | { error: string };

const idOf = (input: InputSpec): string | undefined =>
  typeof input.id === 'string' ? input.id : typeof input.name === 'string' ? input.name : undefined;

/** Text types keep an empty string; for every other type an empty field means "not given". */
const keepsEmpty = (type: string): boolean => type === 'STRING' || type === 'SECRET';

export function resolveInputs(
  flow: Pick<Flow, 'inputs'>,
  provided: Record<string, unknown>,
  opts: ResolveOptions = {},
): ResolvedInputs {
  const values: Record<string, unknown> = {};
  const errors: InputError[] = [];
  for (const input of flow.inputs ?? []) {
    const id = idOf(input);
    if (!id) continue;
    const type = String(input.type);
    let raw: unknown = Object.prototype.hasOwnProperty.call(provided, id) ? provided[id] : undefined;
    if (raw === undefined && type === 'FILE' && opts.files?.[id] !== undefined) raw = opts.files[id];
    if (raw === null || (raw === '' && !keepsEmpty(type))) raw = undefined;

    if (raw === undefined) {
      const defaults = input.defaults;
      if (defaults !== undefined && defaults !== null) {
        if (isTemplate(defaults)) {
          values[id] = defaults; // rendered by the engine
          continue;
        }
        raw = defaults;
      } else if (input.required === false) {
        values[id] = null;
        continue;
      } else {
        errors.push({ id, message: 'a value is required (the input is required and has no defaults)' });
        continue;
      }
    }
    const result = checkInputValue(input, raw);
    if ('error' in result) errors.push({ id, message: result.error });
    else values[id] = result.value;
  }
  return { values, errors };
}

/** Coerces one value to the input's type and checks its validators. */
export function checkInputValue(input: InputSpec, raw: unknown): Coerced {
  const coerced = coerce(input, raw);
  if ('error' in coerced) return coerced;
  const broken = constraintError(input, coerced.value);
  return broken ? { error: broken } : coerced;
}

function coerce(input: InputSpec, raw: unknown): Coerced {
  const type = String(input.type) as InputType | 'ENUM';
  switch (type) {
    case 'STRING':
    case 'SECRET':
      return asText(raw, 'a string');
    case 'EMAIL': {
      const t = asText(raw, 'an email address');
      if ('error' in t) return t;
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(t.value)) ? t : { error: `expected an email address but got ${show(raw)}` };
    }
    case 'URI': {
      const t = asText(raw, 'a URI');
      if ('error' in t) return t;
      return isUri(String(t.value)) ? t : { error: `expected a URI such as https://example.com/path but got ${show(raw)}` };
    }
    case 'INT': {
      const n = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) return { error: `expected an integer but got ${show(raw)}` };
      if (n > 2147483647 || n < -2147483648) return { error: `${n} is out of range for INT (a 32-bit integer): use FLOAT or STRING` };
      return { value: n };
    }
    case 'FLOAT': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return { error: `expected a number but got ${show(raw)}` };
      return { value: n };
    }
    case 'BOOLEAN':
    case 'BOOL': {
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return { value: raw.trim().toLowerCase() === 'true' };
      return { error: `expected true or false but got ${show(raw)}` };
    }
    case 'DATETIME': {
      const text = raw instanceof Date ? raw.toISOString() : raw;
      if (typeof text !== 'string' || !DATETIME.test(text.trim()) || Number.isNaN(Date.parse(text.trim()))) {
        return { error: `expected a date and time with a zone such as 2024-01-15T10:30:00Z but got ${show(raw)}` };
      }
      return { value: new Date(text.trim()).toISOString().replace('.000Z', 'Z') };
    }
    case 'DATE': {
      const text = raw instanceof Date ? raw.toISOString().slice(0, 10) : raw;
      if (typeof text !== 'string' || !isCalendarDate(text.trim())) return { error: `expected a date such as 2024-01-15 but got ${show(raw)}` };
      return { value: text.trim() };
    }
    case 'TIME': {
      if (typeof raw !== 'string' || !TIME.test(raw.trim())) return { error: `expected a time such as 10:30 or 10:30:15 but got ${show(raw)}` };
      return { value: raw.trim() };
    }
    case 'DURATION': {
      if (typeof raw !== 'string' || parseDuration(raw) === undefined) {
        return { error: `expected an ISO-8601 duration such as PT30S, PT5M or P1D but got ${show(raw)}` };
      }
      return { value: raw.trim().toUpperCase() };
    }
    case 'JSON': {
      if (typeof raw !== 'string') return { value: raw };
      try {
        return { value: JSON.parse(raw) };
      } catch (e) {
        return { error: `invalid JSON: ${(e as Error).message}` };
      }
    }
    case 'YAML': {
      if (typeof raw !== 'string') return { value: raw };
      const doc = YAML.parseDocument(raw);
      if (doc.errors.length) return { error: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` };
      return { value: doc.toJS() };
    }
    case 'SELECT':
    case 'ENUM': {
      if (raw === null || typeof raw === 'object') return { error: `expected one value but got ${show(raw)}` };
      const text = String(raw);
      const allowed = choices(input);
      if (allowed && !input.allowCustomValue && !allowed.includes(text)) {
        return { error: `expected one of ${allowed.join(', ')} but got ${show(raw)}` };
      }
      return { value: text };
    }
    case 'MULTISELECT': {
      const list = asList(raw);
      if (!list) return { error: `expected a list of values but got ${show(raw)}` };
      const allowed = choices(input);
      const out: unknown[] = [];
      for (const item of list) {
        const itemType = input.itemType && input.itemType !== 'STRING' ? input.itemType : undefined;
        const c = itemType ? coerce({ id: input.id, type: itemType }, item) : asText(item, 'a string');
        if ('error' in c) return c;
        if (allowed && !input.allowCustomValue && !allowed.includes(String(c.value))) {
          return { error: `expected values among ${allowed.join(', ')} but got ${show(item)}` };
        }
        out.push(c.value);
      }
      return { value: out };
    }
    case 'ARRAY': {
      const list = asList(raw);
      if (!list) return { error: `expected a list but got ${show(raw)}` };
      const itemType = (input.itemType ?? 'STRING') as InputType;
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const c = checkInputValue({ id: input.id, type: itemType }, list[i]);
        if ('error' in c) return { error: `item ${i + 1}: ${c.error}` };
        out.push(c.value);
      }
      return { value: out };
    }
    case 'FILE': {
      if (typeof raw !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/./i.test(raw.trim())) {
        return { error: `expected a file (the kestra:// URI of an uploaded file) but got ${show(raw)}` };
      }
      return { value: raw.trim() };
    }
    default:
      return { error: `unknown input type ${type}` };
  }
}

function constraintError(input: InputSpec, value: unknown): string | undefined {
  const type = String(input.type);
  if ((type === 'STRING' || type === 'SECRET') && typeof value === 'string') {
    if (typeof input.validator === 'string') {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${input.validator})$`, 'u');
      } catch {
        return `the validator \`${input.validator}\` is not a valid regular expression`;
      }
      if (!re.test(value)) return `${type === 'SECRET' ? 'the value' : show(value)} must match the pattern \`${input.validator}\``;
    }
    if (typeof input.minLength === 'number' && value.length < input.minLength) return `must be at least ${input.minLength} characters long`;
    if (typeof input.maxLength === 'number' && value.length > input.maxLength) return `must be at most ${input.maxLength} characters long`;
  }
  if ((type === 'INT' || type === 'FLOAT') && typeof value === 'number') {
    if (typeof input.min === 'number' && value < input.min) return `must be at least ${input.min} but got ${value}`;
    if (typeof input.max === 'number' && value > input.max) return `must be at most ${input.max} but got ${value}`;
  }
  if (type === 'DURATION' && typeof value === 'string') {
    const ms = parseDuration(value)!;
    const min = typeof input.min === 'string' ? parseDuration(input.min) : undefined;
    const max = typeof input.max === 'string' ? parseDuration(input.max) : undefined;
    if (min !== undefined && ms < min) return `must be at least ${input.min} but got ${value}`;
    if (max !== undefined && ms > max) return `must be at most ${input.max} but got ${value}`;
  }
  if ((type === 'DATETIME' || type === 'DATE' || type === 'TIME') && typeof value === 'string') {
    const key = (v: string) => (type === 'DATETIME' ? Date.parse(v) : type === 'TIME' ? normalTime(v) : v);
    const after = typeof input.after === 'string' ? input.after : undefined;
    const before = typeof input.before === 'string' ? input.before : undefined;
    if (after !== undefined && key(value) < key(after)) return `must be after ${after} but got ${value}`;
    if (before !== undefined && key(value) > key(before)) return `must be before ${before} but got ${value}`;
  }
  return undefined;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?$/;

function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const normalTime = (t: string): string => (t.length === 5 ? `${t}:00` : t);

function isUri(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function asText(raw: unknown, what: string): Coerced {
  if (typeof raw === 'string') return { value: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
  return { error: `expected ${what} but got ${show(raw)}` };
}

/** A list, a JSON list in a string, or a single value (MULTISELECT/ARRAY from a form). */
function asList(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') {
    const t = raw.trim();
    if (t.startsWith('[')) {
      try {
        const v = JSON.parse(t);
        return Array.isArray(v) ? v : undefined;
      } catch {
        return undefined;
      }
    }
    return [raw];
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') return [raw];
  return undefined;
}

/** The choices of a SELECT/MULTISELECT (`options` is MULTISELECT's older name); undefined when dynamic. */
function choices(input: InputSpec): string[] | undefined {
  const list = Array.isArray(input.values) ? input.values : Array.isArray(input.options) ? (input.options as unknown[]) : undefined;
  return list?.map((v) => String(v));
}
