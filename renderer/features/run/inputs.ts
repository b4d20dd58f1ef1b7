// A flow's `inputs` as a form: which field each input type gets, its first value, and the values
// sent to `executions.create` (typed as Kestra expects them). Pure.
import { valueAt } from '../editor/edits';

export interface InputSpec {
  id: string;
  type: string;
  description?: string;
  displayName?: string;
  required: boolean;
  defaults?: unknown;
  values?: string[];
  itemType?: string;
}

export type FieldKind = 'text' | 'textarea' | 'int' | 'float' | 'boolean' | 'select' | 'multiselect' | 'datetime' | 'date' | 'time' | 'password' | 'email' | 'uri' | 'duration' | 'unsupported';
export type FieldValue = string | boolean | string[];

export function readInputs(source: string): InputSpec[] {
  const raw = valueAt(source, 'inputs');
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((x): InputSpec[] => {
    if (!x || typeof x !== 'object') return [];
    const o = x as Record<string, unknown>;
    const id = typeof o.id === 'string' ? o.id : typeof o.name === 'string' ? o.name : undefined;
    if (!id) return [];
    const type = String(o.type ?? 'STRING').toUpperCase();
    return [{
      id,
      type,
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      ...(typeof o.displayName === 'string' ? { displayName: o.displayName } : {}),
      required: o.required !== false && (o.defaults === undefined || o.defaults === null),
      ...(o.defaults !== undefined && o.defaults !== null ? { defaults: o.defaults } : {}),
      ...(Array.isArray(o.values) ? { values: o.values.map(String) } : Array.isArray(o.options) ? { values: (o.options as unknown[]).map(String) } : {}),
      ...(typeof o.itemType === 'string' ? { itemType: o.itemType } : {}),
    }];
  });
}

export function fieldKind(type: string): FieldKind {
  switch (type) {
    case 'INT': return 'int';
    case 'FLOAT': return 'float';
    case 'BOOLEAN': case 'BOOL': return 'boolean';
    case 'SELECT': case 'ENUM': return 'select';
    case 'MULTISELECT': return 'multiselect';
    case 'DATETIME': return 'datetime';
    case 'DATE': return 'date';
    case 'TIME': return 'time';
    case 'JSON': case 'YAML': case 'ARRAY': return 'textarea';
    case 'SECRET': return 'password';
    case 'EMAIL': return 'email';
    case 'URI': return 'uri';
    case 'DURATION': return 'duration';
    case 'FILE': return 'unsupported';
    default: return 'text';
  }
}

export const isTemplate = (v: unknown): boolean => typeof v === 'string' && /\{\{|\{%/.test(v);

/** The field's first value: the input's default (templated defaults are left to the engine). */
export function initialValue(spec: InputSpec): FieldValue {
  const d = spec.defaults;
  const kind = fieldKind(spec.type);
  if (kind === 'boolean') return d === true || d === 'true';
  if (kind === 'multiselect') return Array.isArray(d) ? d.map(String) : [];
  if (d === undefined || isTemplate(d)) return '';
  if (kind === 'datetime') return toLocalInput(String(d));
  if (kind === 'textarea') return typeof d === 'string' ? d : JSON.stringify(d, null, 2);
  return String(d);
}

/** `2024-01-15T10:30:00Z` → `2024-01-15T10:30` in local time (what <input type=datetime-local> shows). */
export function toLocalInput(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}${d.getSeconds() ? `:${pad(d.getSeconds())}` : ''}`;
}

/** The values to send, and what is wrong with the form (by input id). */
export function toInputs(specs: InputSpec[], values: Record<string, FieldValue>): { inputs: Record<string, unknown>; errors: Record<string, string> } {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const spec of specs) {
    const kind = fieldKind(spec.type);
    const v = values[spec.id] ?? initialValue(spec);
    if (kind === 'boolean') {
      inputs[spec.id] = v === true;
      continue;
    }
    if (kind === 'multiselect') {
      const list = Array.isArray(v) ? v : [];
      if (list.length) inputs[spec.id] = list;
      else if (spec.required) errors[spec.id] = 'pick at least one';
      continue;
    }
    const text = typeof v === 'string' ? v : '';
    if (kind === 'unsupported') {
      if (spec.required) errors[spec.id] = 'FILE inputs cannot be sent from here yet';
      continue;
    }
    if (text.trim() === '' && kind !== 'text' && kind !== 'password') {
      if (spec.required) errors[spec.id] = 'required';
      continue;
    }
    if (text === '' && (kind === 'text' || kind === 'password')) {
      if (spec.required) errors[spec.id] = 'required';
      continue;
    }
    switch (kind) {
      case 'int':
        if (!/^[-+]?\d+$/.test(text.trim())) errors[spec.id] = 'a whole number';
        else inputs[spec.id] = Number(text);
        break;
      case 'float':
        if (Number.isNaN(Number(text)) || text.trim() === '') errors[spec.id] = 'a number';
        else inputs[spec.id] = Number(text);
        break;
      case 'datetime': {
        const t = Date.parse(text);
        if (Number.isNaN(t)) errors[spec.id] = 'a date and time';
        else inputs[spec.id] = new Date(t).toISOString();
        break;
      }
      case 'textarea':
        if (spec.type === 'JSON') {
          try {
            JSON.parse(text);
            inputs[spec.id] = text;
          } catch (e) {
            errors[spec.id] = `not JSON: ${(e as Error).message}`;
          }
        } else if (spec.type === 'ARRAY') {
          const t = text.trim();
          if (t.startsWith('[')) {
            try {
              inputs[spec.id] = JSON.parse(t);
            } catch (e) {
              errors[spec.id] = `not a JSON list: ${(e as Error).message}`;
            }
          } else inputs[spec.id] = t.split(',').map((s) => s.trim()).filter(Boolean);
        } else inputs[spec.id] = text;
        break;
      case 'duration':
        if (!/^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/.test(text.trim())) errors[spec.id] = 'an ISO-8601 duration such as PT5M';
        else inputs[spec.id] = text.trim();
        break;
      default:
        inputs[spec.id] = text;
    }
  }
  return { inputs, errors };
}
