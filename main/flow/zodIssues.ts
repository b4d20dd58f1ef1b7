// zod issues → sentences a person understands, each with the path and the part of the node
// (value / key / map) it belongs to. Messages are built from the schema and the value itself,
// because the raw issues of a union (`p.enum` is "one of … or an expression") say little.
import type { z } from 'zod';
import { expression } from '../plugins/schema';
import type { Anchor, PathSeg } from './positions';
import { closest, listWords } from './suggest';

export interface Finding {
  path: PathSeg[];
  message: string;
  anchor: Anchor;
  /** For a missing property: its name. */
  missing?: string;
  /** For an unknown property: the known one it probably meant. */
  suggestion?: string;
}

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

const defOf = (s: Schema): any => (s as any)._zod.def;

/** Strips wrappers that do not change what a value must look like. */
export function unwrap(s: Schema): Schema {
  for (let i = 0; i < 50; i++) {
    const d = defOf(s);
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        s = d.innerType;
        break;
      case 'lazy':
        s = d.getter();
        break;
      case 'pipe':
        s = defOf(d.out).type === 'transform' ? d.in : d.out;
        break;
      default:
        return s;
    }
  }
  return s;
}

const isExpression = (s: Schema): boolean => unwrap(s) === (expression as unknown as Schema);

/** The schema a path leads to, when it can be followed. */
export function schemaAt(root: Schema, path: readonly PathSeg[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    s = step(unwrap(s), seg);
  }
  return s;
}

function step(s: Schema, seg: PathSeg): Schema | undefined {
  const d = defOf(s);
  switch (d.type) {
    case 'object':
      return d.shape[seg as string] ?? (d.catchall && defOf(d.catchall).type !== 'never' ? d.catchall : undefined);
    case 'record':
      return d.valueType;
    case 'array':
      return typeof seg === 'number' ? d.element : undefined;
    case 'tuple':
      return typeof seg === 'number' ? (d.items[seg] ?? d.rest ?? undefined) : undefined;
    case 'union':
      for (const o of d.options as Schema[]) {
        const r = step(unwrap(o), seg);
        if (r) return r;
      }
      return undefined;
    case 'intersection':
      return step(unwrap(d.left), seg) ?? step(unwrap(d.right), seg);
    default:
      return undefined;
  }
}

/** "a string", "an integer", "one of A, B", "a string or a list of strings" … */
export function describeSchema(s: Schema, inUnion = false): string {
  s = unwrap(s);
  if (isExpression(s)) return 'an expression';
  const d = defOf(s);
  switch (d.type) {
    case 'string':
      return 'a string';
    case 'number': {
      const format: string | undefined =
        d.format ?? (d.checks as any[] | undefined)?.map((c) => c._zod.def).find((c) => c.check === 'number_format')?.format;
      return format && /int/.test(format) ? 'an integer' : 'a number';
    }
    case 'int':
      return 'an integer';
    case 'boolean':
      return inUnion ? 'a boolean' : 'true or false';
    case 'null':
      return 'null';
    case 'enum':
      return `one of ${Object.values(d.entries as Record<string, string>).join(', ')}`;
    case 'literal':
      return (d.values as unknown[]).map((v) => JSON.stringify(v)).join(' or ');
    case 'array': {
      const el = unwrap(d.element);
      const t = defOf(el).type;
      if (t === 'string') return 'a list of strings';
      if (t === 'number') return 'a list of numbers';
      return 'a list';
    }
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'union': {
      const parts = [
        ...new Set((d.options as Schema[]).filter((o) => !isExpression(o)).map((o) => describeSchema(o, true))),
      ];
      return parts.length ? listWords(parts) : 'an expression';
    }
    case 'any':
    case 'unknown':
      return 'any value';
    default:
      return 'a valid value';
  }
}

/** How a value is named in a message: `XML`, `"two words"`, `5`, `a list`, `nothing`. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (typeof v === 'string') {
    if (v === '') return 'an empty string';
    if (/^[^\s"'`{}[\],:#]{1,40}$/.test(v)) return v;
    const t = v.length > 40 ? `${v.slice(0, 37)}...` : v;
    return JSON.stringify(t);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

export function valueAt(input: unknown, path: readonly PathSeg[]): unknown {
  let v: any = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[seg as any];
  }
  return v;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export interface ExplainOptions {
  /** Names the owner of unknown properties: "unknown property x for io.kestra…Log". */
  subject?: string;
}

/** Translates the issues of `schema.safeParse(input)`. */
export function explainIssues(issues: readonly Issue[], input: unknown, schema: Schema, options: ExplainOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const issue of issues) out.push(...explain(issue, [], input, schema, options));
  // "unknown property mesage: did you mean message?" already says message is missing.
  const guessed = new Set(out.filter((f) => f.suggestion).map((f) => `${pathKey(f.path.slice(0, -1))}/${f.suggestion}`));
  return out.filter((f) => !(f.missing && guessed.has(`${pathKey(f.path)}/${f.missing}`)));
}

const pathKey = (path: readonly PathSeg[]): string => JSON.stringify(path);

function explain(issue: Issue, base: PathSeg[], input: unknown, root: Schema, opts: ExplainOptions): Finding[] {
  const path = [...base, ...(issue.path as PathSeg[])];
  const value = valueAt(input, path);
  const at = schemaAt(root, path);

  if (issue.code === 'unrecognized_keys') {
    const objectSchema = at ? unwrap(at) : undefined;
    const known = objectSchema && defOf(objectSchema).type === 'object' ? Object.keys(defOf(objectSchema).shape) : [];
    return issue.keys.map((k) => {
      const suggestion = closest(k, known);
      const f: Finding = { path: [...path, k], anchor: 'key', message: unknownProperty(k, known, opts.subject) };
      if (suggestion) f.suggestion = suggestion;
      return f;
    });
  }

  // A key that is not there at all.
  const last = path[path.length - 1];
  const parent = valueAt(input, path.slice(0, -1));
  if (value === undefined && typeof last === 'string' && isPlainObject(parent) && !(last in parent)) {
    return [{ path: path.slice(0, -1), anchor: 'map', message: `missing required property ${last}`, missing: last }];
  }

  if (issue.code === 'invalid_union') {
    const union = at ? unwrap(at) : undefined;
    const options: Schema[] = union && defOf(union).type === 'union' ? defOf(union).options : [];
    let branches = issue.errors.map((issues, i) => ({ issues, option: options[i] as Schema | undefined }));
    branches = branches.filter((b) => !(b.option && isExpression(b.option)));
    const typeMatched = branches.filter(
      (b) => b.issues.length > 0 && b.issues.every((x) => x.path.length > 0 || !['invalid_type', 'invalid_union', 'invalid_value'].includes(x.code)),
    );
    const pick = typeMatched.length === 1 ? typeMatched[0] : branches.length === 1 ? branches[0] : undefined;
    if (pick) return pick.issues.flatMap((x) => explain(x, path, input, root, opts));
    return [{ path, anchor: 'value', message: `expected ${union ? describeSchema(union) : 'a valid value'} but got ${show(value)}` }];
  }

  const expected = (): string => {
    if (at) return describeSchema(at);
    if (issue.code === 'invalid_type') return describeExpected(issue.expected);
    return 'a valid value';
  };

  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_value':
      return [{ path, anchor: 'value', message: `expected ${expected()} but got ${show(value)}` }];
    case 'custom':
      if (issue.message === 'expected an expression' || !issue.message) {
        return [{ path, anchor: 'value', message: `expected ${expected()} but got ${show(value)}` }];
      }
      return [{ path, anchor: 'value', message: withValue(issue.message, value) }];
    case 'too_small':
    case 'too_big': {
      if (issue.message && !/^(Too (small|big)|Invalid)/.test(issue.message)) {
        return [{ path, anchor: 'value', message: lowerFirst(issue.message) }];
      }
      const small = issue.code === 'too_small';
      const bound = Number(small ? (issue as any).minimum : (issue as any).maximum);
      const inclusive = (issue as any).inclusive !== false;
      const origin = (issue as any).origin as string;
      if (origin === 'array' || origin === 'set') {
        return [{ path, anchor: 'value', message: small ? `needs at least ${plural(bound, 'item')}` : `takes at most ${plural(bound, 'item')}` }];
      }
      if (origin === 'string') {
        return [{ path, anchor: 'value', message: `${show(value)} is too ${small ? 'short' : 'long'}: ${small ? 'at least' : 'at most'} ${plural(bound, 'character')}` }];
      }
      const words = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      return [{ path, anchor: 'value', message: `must be ${words} ${bound} but got ${show(value)}` }];
    }
    case 'invalid_format': {
      const custom = issue.message && !/^Invalid/.test(issue.message);
      if (custom) return [{ path, anchor: 'value', message: `${show(value)} is not valid: ${issue.message}` }];
      const pattern = (issue as any).pattern ? ` ${String((issue as any).pattern)}` : '';
      return [{ path, anchor: 'value', message: `${show(value)} does not match the expected ${issue.format}${pattern}` }];
    }
    default:
      return [{ path, anchor: 'value', message: lowerFirst(issue.message) }];
  }
}

export function unknownProperty(key: string, known: readonly string[], subject?: string): string {
  const owner = subject ? ` for ${subject}` : '';
  const guess = closest(key, known);
  if (guess) return `unknown property "${key}"${owner}: did you mean "${guess}"?`;
  if (known.length && known.length <= 16) return `unknown property "${key}"${owner}; known properties: ${known.join(', ')}`;
  return `unknown property "${key}"${owner}`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping';
    default:
      return expected;
  }
}

const withValue = (message: string, value: unknown): string =>
  /^expected\b/i.test(message) ? `${lowerFirst(message)} but got ${show(value)}` : lowerFirst(message);
const lowerFirst = (s: string): string => (s && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
