// Functions (`name(args)`): Pebble's range/max/min and Kestra's context functions. Those that need
// engine state (secret, kv, read) call the ExprEnv hooks and fail clearly when a hook is missing.
import { randomInt, randomUUID } from 'node:crypto';
import { parse as yamlParse } from 'yaml';
import * as D from './dates';
import { fail } from './errors';
import { zoneOf } from './filters';
import { hooks, type Ctx, type FunctionDef } from './runtime';
import { compare, javaString, toInt, toJson, type Dict } from './values';

const MAX_RENDER_DEPTH = 20;

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return fail(`${what} is required`);
  return javaString(v);
}

function parseJson(v: unknown, fn: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (e) {
    return fail(`${fn}(): invalid JSON: ${(e as Error).message}`);
  }
}

function range(start: unknown, end: unknown, step: unknown): unknown[] {
  const inc = step === undefined || step === null ? 1 : typeof step === 'number' ? Math.trunc(step) : fail(`The increment of the range function must be a number ${javaString(step)}`);
  if (inc === 0) return fail('The increment of the range function must be different than 0');
  const out: unknown[] = [];
  if (typeof start === 'number' && typeof end === 'number') {
    const a = Math.trunc(start);
    const b = Math.trunc(end);
    if (Math.abs((b - a) / inc) > 1e6) return fail('range() would produce more than 1,000,000 elements');
    if (inc > 0) for (let i = a; i <= b; i += inc) out.push(i);
    else for (let i = a; i >= b; i += inc) out.push(i);
    return out;
  }
  if (typeof start === 'string' && typeof end === 'string' && start.length === 1 && end.length === 1) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    if (inc > 0) for (let i = a; i <= b; i += inc) out.push(String.fromCharCode(i));
    else for (let i = a; i >= b; i += inc) out.push(String.fromCharCode(i));
    return out;
  }
  return fail('Arguments of range function must be of type Number or String with a length of 1');
}

function extreme(args: unknown[], sign: 1 | -1, name: string): unknown {
  const values = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (values.length === 0) return fail(`${name}() needs at least one argument`);
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = compare(values[i], best, name);
    if (c !== null && c * sign > 0) best = values[i];
  }
  return best;
}

function renderNested(template: unknown, recursive: boolean, c: Ctx): string {
  if (typeof template !== 'string') {
    if (template === null || template === undefined) return fail("The 'render' function expects an argument 'template'.");
    return fail("The 'render' function expects an argument 'template' with type string.");
  }
  if (c.depth >= MAX_RENDER_DEPTH) return fail(`render() nested more than ${MAX_RENDER_DEPTH} levels deep`);
  const inner: Ctx = { root: c.root, scope: c.scope, env: c.env, depth: c.depth + 1 };
  let current = template;
  for (let i = 0; i < MAX_RENDER_DEPTH; i++) {
    const out = hooks.renderString(current, inner);
    if (!recursive || out === current || !(out.includes('{{') || out.includes('{%'))) return out;
    current = out;
  }
  return current;
}

function context(c: Ctx): Dict {
  const out: Dict = { ...c.root };
  const scopes: Map<string, unknown>[] = [];
  for (let s = c.scope; s; s = s.parent) scopes.unshift(s.vars);
  for (const m of scopes) for (const [k, v] of m) out[k] = v;
  return out;
}

export const FUNCTIONS: Record<string, FunctionDef> = {
  range: { args: ['start', 'end', 'increment'], fn: ([a, b, s]) => range(a, b, s) },
  max: { variadic: true, fn: (args) => extreme(args, 1, 'max') },
  min: { variadic: true, fn: (args) => extreme(args, -1, 'min') },
  now: {
    args: ['format', 'timeZone', 'existingFormat', 'locale'],
    fn: ([format, timeZone], c) => {
      const zi = zoneOf(c, timeZone);
      return D.formatDate(D.now(zi), format === undefined || format === null ? 'iso' : str(format, 'format'));
    },
  },
  fromJson: { args: ['json'], fn: ([j]) => parseJson(j, 'fromJson') },
  json: { args: ['json'], fn: ([j]) => parseJson(j, 'json') },
  jsonDecode: { args: ['json'], fn: ([j]) => parseJson(j, 'jsonDecode') },
  fromIon: { args: ['ion'], fn: ([j]) => parseJson(j, 'fromIon') },
  ionDecode: { args: ['ion'], fn: ([j]) => parseJson(j, 'ionDecode') },
  yaml: {
    args: ['yaml'],
    fn: ([y]) => {
      if (y === null || y === undefined) return null;
      try {
        return yamlParse(str(y, 'yaml'));
      } catch (e) {
        return fail(`yaml(): invalid YAML: ${(e as Error).message}`);
      }
    },
  },
  uuid: { fn: () => randomUUID() },
  randomInt: {
    args: ['lower', 'upper'],
    fn: ([lo, hi]) => {
      const a = toInt(lo, 'randomInt lower');
      const b = toInt(hi, 'randomInt upper');
      if (b <= a) return fail('randomInt(): upper must be greater than lower');
      return randomInt(a, b);
    },
  },
  secret: {
    args: ['key'],
    fn: ([key], c) => {
      const name = str(key, "secret()'s key");
      if (!c.env.secret) return fail(`secret('${name}') cannot be resolved: no secret provider is configured`);
      return c.env.secret(name);
    },
  },
  kv: {
    args: ['key', 'namespace', 'errorOnMissing'],
    fn: ([key, namespace, errorOnMissing], c) => {
      const k = str(key, "kv()'s key");
      if (!c.env.kv) return fail(`kv('${k}') cannot be resolved: no KV store is configured`);
      const ns = namespace === undefined || namespace === null ? undefined : str(namespace, 'namespace');
      return c.env.kv(k, ns, errorOnMissing === undefined || errorOnMissing === null ? true : errorOnMissing === true);
    },
  },
  read: {
    args: ['path'],
    fn: ([path], c) => {
      const p = str(path, "read()'s path");
      if (!c.env.read) return fail(`read('${p}') cannot be resolved: no file reader is configured`);
      return c.env.read(p);
    },
  },
  render: {
    args: ['template', 'recursive'],
    fn: ([template, recursive], c) => {
      if (recursive !== undefined && recursive !== null && typeof recursive !== 'boolean') {
        return fail("The 'render' function expects an optional argument 'recursive' with type boolean.");
      }
      return renderNested(template, recursive !== false, c);
    },
  },
  renderOnce: { args: ['template'], fn: ([template], c) => renderNested(template, false, c) },
  printContext: { fn: (_args, c) => toJson(context(c)) },
};

export function registerFunction(name: string, def: FunctionDef): void {
  FUNCTIONS[name] = def;
}

