// A small jq: enough of the language for Kestra's `jq` filter as flows use it (paths, iteration,
// pipes, select/map, object and array construction, arithmetic and comparisons, reduce, if, `//`,
// common builtins). Every program yields a list of results, like Kestra's filter returns.
// Compiled programs are cached by source.
import { fail } from './errors';
import { lex, P, type Node } from './jq-parse';
import { isMap, toJson } from './values';

// ---------------------------------------------------------------------------------------------
// evaluation

class JqError {
  constructor(readonly value: unknown) {}
}

type Env = { name: string; value: unknown; parent: Env } | null;

function lookup(env: Env, name: string): unknown {
  for (let e = env; e; e = e.parent) if (e.name === name) return e.value;
  return fail(`jq: $${name} is not defined`);
}

function jtype(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

const ORDER = ['null', 'boolean', 'number', 'string', 'array', 'object'];

function jcompare(a: unknown, b: unknown): number {
  const ta = jtype(a);
  const tb = jtype(b);
  if (ta !== tb) return ORDER.indexOf(ta) - ORDER.indexOf(tb);
  switch (ta) {
    case 'null': return 0;
    case 'boolean': return (a ? 1 : 0) - (b ? 1 : 0);
    case 'number': return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
    case 'string': return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = jcompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const ka = Object.keys(a as object).sort();
      const kb = Object.keys(b as object).sort();
      const c = jcompare(ka, kb);
      if (c !== 0) return c;
      for (const k of ka) {
        const d = jcompare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
        if (d !== 0) return d;
      }
      return 0;
    }
  }
}

function truthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false;
}

function jstr(v: unknown): string {
  return typeof v === 'string' ? v : toJson(v);
}

function cartesian(l: unknown[], r: unknown[], f: (a: unknown, b: unknown) => unknown): unknown[] {
  const out: unknown[] = [];
  for (const b of r) for (const a of l) out.push(f(a, b));
  return out;
}

function arith(op: string, a: unknown, b: unknown): unknown {
  const ta = jtype(a);
  const tb = jtype(b);
  switch (op) {
    case '+':
      if (a === null || a === undefined) return b;
      if (b === null || b === undefined) return a;
      if (ta === 'number' && tb === 'number') return Number(a) + Number(b);
      if (ta === 'string' && tb === 'string') return (a as string) + (b as string);
      if (ta === 'array' && tb === 'array') return [...(a as unknown[]), ...(b as unknown[])];
      if (ta === 'object' && tb === 'object') return { ...(a as object), ...(b as object) };
      break;
    case '-':
      if (ta === 'number' && tb === 'number') return Number(a) - Number(b);
      if (ta === 'array' && tb === 'array') return (a as unknown[]).filter((x) => !(b as unknown[]).some((y) => jcompare(x, y) === 0));
      break;
    case '*':
      if (ta === 'number' && tb === 'number') return Number(a) * Number(b);
      if (ta === 'string' && tb === 'number') return Number(b) > 0 ? (a as string).repeat(Math.ceil(Number(b))) : null;
      if (ta === 'object' && tb === 'object') return deepMerge(a as Record<string, unknown>, b as Record<string, unknown>);
      break;
    case '/':
      if (ta === 'number' && tb === 'number') {
        if (Number(b) === 0) fail(`jq: ${jstr(a)} and ${jstr(b)} cannot be divided because the divisor is zero`);
        return Number(a) / Number(b);
      }
      if (ta === 'string' && tb === 'string') return (a as string).split(b as string);
      break;
    case '%':
      if (ta === 'number' && tb === 'number') {
        const d = Math.trunc(Number(b));
        if (d === 0) fail(`jq: ${jstr(a)} and ${jstr(b)} cannot be divided because the divisor is zero`);
        return Math.trunc(Number(a)) % d;
      }
      break;
    default:
      break;
  }
  return fail(`jq: ${ta} (${jstr(a)}) and ${tb} (${jstr(b)}) cannot be ${{ '+': 'added', '-': 'subtracted', '*': 'multiplied', '/': 'divided', '%': 'divided' }[op]}`);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isMap(out[k]) && isMap(v) ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

function index(v: unknown, k: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof k === 'string') {
    if (isMap(v)) return Object.prototype.hasOwnProperty.call(v, k) ? (v as Record<string, unknown>)[k] : null;
    return fail(`jq: cannot index ${jtype(v)} with "${k}"`);
  }
  if (typeof k === 'number') {
    if (Array.isArray(v)) {
      const i = Math.floor(k < 0 ? v.length + k : k);
      return i >= 0 && i < v.length ? v[i] : null;
    }
    return fail(`jq: cannot index ${jtype(v)} with number`);
  }
  return fail(`jq: cannot index ${jtype(v)} with ${jtype(k)}`);
}

function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.values(v);
  return fail(`jq: cannot iterate over ${jtype(v)}${v === null ? '' : ` (${jstr(v)})`}`);
}

function recurse(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) recurse(x, out);
  else if (isMap(v)) for (const x of Object.values(v)) recurse(x, out);
}

function ev(n: Node, input: unknown, env: Env): unknown[] {
  switch (n.t) {
    case 'id': return [input];
    case 'recurse': {
      const out: unknown[] = [];
      recurse(input, out);
      return out;
    }
    case 'lit': return [n.v];
    case 'var': return [lookup(env, n.name)];
    case 'field': {
      const out: unknown[] = [];
      for (const v of ev(n.of, input, env)) {
        try {
          out.push(index(v, n.name));
        } catch (e) {
          if (!n.opt) throw e;
        }
      }
      return out;
    }
    case 'index': {
      const out: unknown[] = [];
      for (const v of ev(n.of, input, env)) {
        for (const k of ev(n.index, input, env)) {
          try {
            out.push(index(v, k));
          } catch (e) {
            if (!n.opt) throw e;
          }
        }
      }
      return out;
    }
    case 'slice': {
      const out: unknown[] = [];
      for (const v of ev(n.of, input, env)) {
        if (v === null) {
          out.push(null);
          continue;
        }
        if (typeof v !== 'string' && !Array.isArray(v)) {
          if (n.opt) continue;
          fail(`jq: cannot slice ${jtype(v)}`);
        }
        const len = v.length;
        const norm = (x: unknown, d: number): number => {
          if (x === null || x === undefined) return d;
          const i = Math.floor(Number(x));
          return Math.max(0, Math.min(len, i < 0 ? len + i : i));
        };
        const froms = n.from ? ev(n.from, input, env) : [null];
        const tos = n.to ? ev(n.to, input, env) : [null];
        for (const t of tos) for (const f of froms) out.push(v.slice(norm(f, 0), Math.max(norm(f, 0), norm(t, len))));
      }
      return out;
    }
    case 'iter': {
      const out: unknown[] = [];
      for (const v of ev(n.of, input, env)) {
        try {
          out.push(...iterate(v));
        } catch (e) {
          if (!n.opt) throw e;
        }
      }
      return out;
    }
    case 'str': {
      let results: string[] = [''];
      for (const p of n.parts) {
        if (typeof p === 'string') results = results.map((r) => r + p);
        else {
          const vals = ev(p, input, env).map(jstr);
          results = results.flatMap((r) => vals.map((v) => r + v));
        }
      }
      return results;
    }
    case 'array': return [n.e ? ev(n.e, input, env) : []];
    case 'object': {
      let results: Record<string, unknown>[] = [{}];
      for (const e of n.entries) {
        const keys = typeof e.key === 'string' ? [e.key] : ev(e.key, input, env);
        const values = e.value ? ev(e.value, input, env) : null;
        const next: Record<string, unknown>[] = [];
        for (const r of results) {
          for (const k of keys) {
            if (typeof k !== 'string') fail(`jq: object keys must be strings, got ${jtype(k)}`);
            const vs = values ?? [index(input, k)];
            for (const v of vs) next.push({ ...r, [k as string]: v });
          }
        }
        results = next;
      }
      return results;
    }
    case 'pipe': {
      const out: unknown[] = [];
      for (const v of ev(n.l, input, env)) out.push(...ev(n.r, v, env));
      return out;
    }
    case 'comma': return [...ev(n.l, input, env), ...ev(n.r, input, env)];
    case 'neg': return ev(n.e, input, env).map((v) => (typeof v === 'number' ? -v : fail(`jq: ${jtype(v)} cannot be negated`)));
    case 'bin': {
      if (n.op === 'and' || n.op === 'or') {
        const out: unknown[] = [];
        for (const l of ev(n.l, input, env)) {
          if (n.op === 'and' && !truthy(l)) out.push(false);
          else if (n.op === 'or' && truthy(l)) out.push(true);
          else for (const r of ev(n.r, input, env)) out.push(truthy(r));
        }
        return out;
      }
      if (n.op === '//') {
        let left: unknown[] = [];
        try {
          left = ev(n.l, input, env).filter(truthy);
        } catch (e) {
          if (!(e instanceof JqError) && !(e && (e as { reason?: string }).reason)) throw e;
        }
        return left.length > 0 ? left : ev(n.r, input, env);
      }
      const l = ev(n.l, input, env);
      const r = ev(n.r, input, env);
      switch (n.op) {
        case '==': return cartesian(l, r, (a, b) => jcompare(a, b) === 0);
        case '!=': return cartesian(l, r, (a, b) => jcompare(a, b) !== 0);
        case '<': return cartesian(l, r, (a, b) => jcompare(a, b) < 0);
        case '<=': return cartesian(l, r, (a, b) => jcompare(a, b) <= 0);
        case '>': return cartesian(l, r, (a, b) => jcompare(a, b) > 0);
        case '>=': return cartesian(l, r, (a, b) => jcompare(a, b) >= 0);
        default: return cartesian(l, r, (a, b) => arith(n.op, a, b));
      }
    }
    case 'as': {
      const out: unknown[] = [];
      for (const v of ev(n.src, input, env)) out.push(...ev(n.body, input, { name: n.name, value: v, parent: env }));
      return out;
    }
    case 'reduce': {
      let accs = ev(n.init, input, env);
      for (const v of ev(n.src, input, env)) {
        const scope = { name: n.name, value: v, parent: env };
        accs = accs.flatMap((acc) => {
          const r = ev(n.update, acc, scope);
          return r.length > 0 ? [r[r.length - 1]] : [null];
        });
      }
      return accs;
    }
    case 'foreach': {
      const out: unknown[] = [];
      for (const init of ev(n.init, input, env)) {
        let acc = init;
        for (const v of ev(n.src, input, env)) {
          const scope = { name: n.name, value: v, parent: env };
          for (const nacc of ev(n.update, acc, scope)) {
            acc = nacc;
            out.push(...(n.extract ? ev(n.extract, acc, scope) : [acc]));
          }
        }
      }
      return out;
    }
    case 'if': {
      const out: unknown[] = [];
      for (const c of ev(n.cond, input, env)) {
        if (truthy(c)) out.push(...ev(n.then, input, env));
        else {
          let done = false;
          for (const [ec, et] of n.elifs) {
            const cv = ev(ec, input, env);
            if (cv.some(truthy)) {
              out.push(...ev(et, input, env));
              done = true;
              break;
            }
          }
          if (!done) out.push(...(n.else ? ev(n.else, input, env) : [input]));
        }
      }
      return out;
    }
    case 'try':
      try {
        return ev(n.body, input, env);
      } catch (e) {
        if (n.catch) {
          const msg = e instanceof JqError ? e.value : (e as { reason?: string }).reason ?? String(e);
          return ev(n.catch, msg, env);
        }
        return [];
      }
    case 'opt':
      try {
        return ev(n.e, input, env);
      } catch {
        return [];
      }
    case 'call': return call(n, input, env);
    default: return fail('jq: unsupported expression');
  }
}

function one(n: Node, input: unknown, env: Env): unknown {
  const r = ev(n, input, env);
  return r.length > 0 ? r[0] : null;
}

function len(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return fail('jq: boolean has no length');
  if (typeof v === 'number') return Math.abs(v);
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  return Object.keys(v as object).length;
}

function sortedKeys(v: unknown, sorted: boolean): unknown[] {
  if (Array.isArray(v)) return v.map((_, i) => i);
  if (isMap(v)) return sorted ? Object.keys(v).sort() : Object.keys(v);
  return fail(`jq: ${jtype(v)} has no keys`);
}

function contains(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) return b.every((y) => a.some((x) => contains(x, y)));
  if (isMap(a) && isMap(b)) return Object.entries(b).every(([k, v]) => k in a && contains((a as Record<string, unknown>)[k], v));
  if (jtype(a) === jtype(b)) return jcompare(a, b) === 0;
  return fail(`jq: ${jtype(a)} and ${jtype(b)} cannot have their containment checked`);
}

function call(n: Extract<Node, { t: 'call' }>, input: unknown, env: Env): unknown[] {
  const a = n.args;
  const arr = (): unknown[] => (Array.isArray(input) ? input : fail(`jq: ${n.name} expects an array, got ${jtype(input)}`));
  const by = (f: Node): { v: unknown; k: unknown }[] => arr().map((v) => ({ v, k: ev(f, v, env) }));
  switch (`${n.name}/${a.length}`) {
    case 'empty/0': return [];
    case 'not/0': return [!truthy(input)];
    case 'length/0': return [len(input)];
    case 'utf8bytelength/0': return [Buffer.byteLength(String(input))];
    case 'keys/0': return [sortedKeys(input, true)];
    case 'keys_unsorted/0': return [sortedKeys(input, false)];
    case 'values/0': return input === null ? [] : [input];
    case 'has/1': return ev(a[0], input, env).map((k) => (Array.isArray(input) ? typeof k === 'number' && k >= 0 && k < input.length : isMap(input) ? Object.prototype.hasOwnProperty.call(input, String(k)) : fail(`jq: cannot check whether ${jtype(input)} has a key`)));
    case 'in/1': return ev(a[0], input, env).map((o) => (Array.isArray(o) ? typeof input === 'number' && input >= 0 && input < o.length : isMap(o) ? Object.prototype.hasOwnProperty.call(o, String(input)) : false));
    case 'contains/1': return ev(a[0], input, env).map((b) => contains(input, b));
    case 'inside/1': return ev(a[0], input, env).map((b) => contains(b, input));
    case 'map/1': return [iterate(input).flatMap((v) => ev(a[0], v, env))];
    case 'map_values/1': {
      if (Array.isArray(input)) return [input.flatMap((v) => ev(a[0], v, env).slice(0, 1))];
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input as object)) {
        const r = ev(a[0], v, env);
        if (r.length > 0) out[k] = r[0];
      }
      return [out];
    }
    case 'select/1': return ev(a[0], input, env).filter(truthy).map(() => input);
    case 'recurse/0': {
      const out: unknown[] = [];
      recurse(input, out);
      return out;
    }
    case 'add/0': return [iterate(input).reduce((acc: unknown, v) => (acc === undefined ? v : arith('+', acc, v)), undefined) ?? null];
    case 'any/0': return [iterate(input).some(truthy)];
    case 'all/0': return [iterate(input).every(truthy)];
    case 'any/1': return [iterate(input).some((v) => ev(a[0], v, env).some(truthy))];
    case 'all/1': return [iterate(input).every((v) => ev(a[0], v, env).every(truthy))];
    case 'first/0': return [index(input, 0)];
    case 'last/0': return [index(input, -1)];
    case 'first/1': {
      const r = ev(a[0], input, env);
      return r.length > 0 ? [r[0]] : [];
    }
    case 'last/1': {
      const r = ev(a[0], input, env);
      return r.length > 0 ? [r[r.length - 1]] : [];
    }
    case 'nth/1': return ev(a[0], input, env).map((i) => index(input, i));
    case 'limit/2': {
      const max = Number(one(a[0], input, env));
      return max <= 0 ? [] : ev(a[1], input, env).slice(0, max);
    }
    case 'range/1': {
      const out: number[] = [];
      for (let i = 0; i < Number(one(a[0], input, env)); i++) out.push(i);
      return out;
    }
    case 'range/2': {
      const out: number[] = [];
      for (let i = Number(one(a[0], input, env)); i < Number(one(a[1], input, env)); i++) out.push(i);
      return out;
    }
    case 'type/0': return [jtype(input)];
    case 'tostring/0': return [jstr(input)];
    case 'tonumber/0': {
      if (typeof input === 'number') return [input];
      const v = Number(input);
      return [typeof input === 'string' && input.trim() !== '' && !Number.isNaN(v) ? v : fail(`jq: cannot parse '${jstr(input)}' as a number`)];
    }
    case 'tojson/0': return [toJson(input)];
    case 'fromjson/0': {
      try {
        return [JSON.parse(String(input))];
      } catch {
        return fail(`jq: ${jstr(input)} cannot be parsed as JSON`);
      }
    }
    case 'ascii_downcase/0': return [String(input).toLowerCase()];
    case 'ascii_upcase/0': return [String(input).toUpperCase()];
    case 'ltrimstr/1': return ev(a[0], input, env).map((p) => (typeof input === 'string' && typeof p === 'string' && input.startsWith(p) ? input.slice(p.length) : input));
    case 'rtrimstr/1': return ev(a[0], input, env).map((p) => (typeof input === 'string' && typeof p === 'string' && p.length > 0 && input.endsWith(p) ? input.slice(0, -p.length) : input));
    case 'startswith/1': return ev(a[0], input, env).map((p) => String(input).startsWith(String(p)));
    case 'endswith/1': return ev(a[0], input, env).map((p) => String(input).endsWith(String(p)));
    case 'trim/0': return [String(input).trim()];
    case 'ltrim/0': return [String(input).trimStart()];
    case 'rtrim/0': return [String(input).trimEnd()];
    case 'split/1': return ev(a[0], input, env).map((s) => String(input).split(String(s)));
    case 'join/1': return ev(a[0], input, env).map((s) => arr().map((x) => (x === null ? '' : typeof x === 'string' ? x : jstr(x))).join(String(s)));
    case 'test/1': return ev(a[0], input, env).map((re) => new RegExp(String(re)).test(String(input)));
    case 'test/2': return ev(a[0], input, env).map((re) => new RegExp(String(re), String(one(a[1], input, env)).replace(/[^gimsuy]/g, '')).test(String(input)));
    case 'sub/2': return [String(input).replace(new RegExp(String(one(a[0], input, env))), String(one(a[1], input, env)))];
    case 'gsub/2': return [String(input).replace(new RegExp(String(one(a[0], input, env)), 'g'), String(one(a[1], input, env)))];
    case 'sort/0': return [[...arr()].sort(jcompare)];
    case 'sort_by/1': return [by(a[0]).sort((x, y) => jcompare(x.k, y.k)).map((x) => x.v)];
    case 'group_by/1': {
      const sorted = by(a[0]).sort((x, y) => jcompare(x.k, y.k));
      const groups: unknown[][] = [];
      let lastKey: unknown = Symbol('none');
      for (const x of sorted) {
        if (groups.length === 0 || jcompare(lastKey, x.k) !== 0) groups.push([]);
        groups[groups.length - 1].push(x.v);
        lastKey = x.k;
      }
      return [groups];
    }
    case 'unique/0': return [[...arr()].sort(jcompare).filter((v, i, s) => i === 0 || jcompare(s[i - 1], v) !== 0)];
    case 'unique_by/1': {
      const sorted = by(a[0]).sort((x, y) => jcompare(x.k, y.k));
      return [sorted.filter((x, i) => i === 0 || jcompare(sorted[i - 1].k, x.k) !== 0).map((x) => x.v)];
    }
    case 'min/0': return [arr().length === 0 ? null : [...arr()].sort(jcompare)[0]];
    case 'max/0': return [arr().length === 0 ? null : [...arr()].sort(jcompare)[arr().length - 1]];
    case 'min_by/1': { const s = by(a[0]).sort((x, y) => jcompare(x.k, y.k)); return [s.length ? s[0].v : null]; }
    case 'max_by/1': { const s = by(a[0]).sort((x, y) => jcompare(x.k, y.k)); return [s.length ? s[s.length - 1].v : null]; }
    case 'reverse/0': return [typeof input === 'string' ? [...input].reverse().join('') : input === null ? [] : [...arr()].reverse()];
    case 'flatten/0': return [arr().flat(Infinity)];
    case 'flatten/1': return [arr().flat(Number(one(a[0], input, env)))];
    case 'to_entries/0': return [Object.entries(input as object).map(([key, value]) => ({ key, value }))];
    case 'from_entries/0': {
      const out: Record<string, unknown> = {};
      for (const e of arr() as Record<string, unknown>[]) {
        const k = e.key ?? e.k ?? e.name ?? e.Name ?? e.Key ?? e.K;
        out[typeof k === 'string' ? k : jstr(k)] = e.value ?? e.v ?? e.Value ?? e.V ?? null;
      }
      return [out];
    }
    case 'with_entries/1': {
      const entries = Object.entries(input as object).map(([key, value]) => ({ key, value }));
      const mapped = entries.flatMap((e) => ev(a[0], e, env)) as Record<string, unknown>[];
      const out: Record<string, unknown> = {};
      for (const e of mapped) out[typeof e.key === 'string' ? e.key : jstr(e.key)] = e.value ?? null;
      return [out];
    }
    case 'floor/0': return [Math.floor(Number(input))];
    case 'ceil/0': return [Math.ceil(Number(input))];
    case 'round/0': return [Math.round(Number(input))];
    case 'sqrt/0': return [Math.sqrt(Number(input))];
    case 'fabs/0': case 'abs/0': return [Math.abs(Number(input))];
    case 'tostream/0': return fail('jq: tostream is not supported');
    case 'error/0': throw new JqError(input);
    case 'error/1': throw new JqError(one(a[0], input, env));
    case 'null/0': return [null];
    case 'env/0': return [{}];
    case 'input/0': return fail('jq: input is not supported');
    case 'paths/0': {
      const out: unknown[] = [];
      const walk = (v: unknown, path: unknown[]): void => {
        if (Array.isArray(v)) v.forEach((x, i) => { out.push([...path, i]); walk(x, [...path, i]); });
        else if (isMap(v)) for (const [k, x] of Object.entries(v)) { out.push([...path, k]); walk(x, [...path, k]); }
      };
      walk(input, []);
      return out;
    }
    case 'getpath/1': return ev(a[0], input, env).map((p) => (p as unknown[]).reduce((v: unknown, k) => (v === null ? null : index(v, k)), input));
    case 'splits/1': return String(input).split(new RegExp(String(one(a[0], input, env))));
    case 'ascii/0': return [String.fromCharCode(Number(input))];
    case 'implode/0': return [String.fromCodePoint(...(arr() as number[]))];
    case 'explode/0': return [[...String(input)].map((c) => c.codePointAt(0))];
    case 'indices/1': case 'index/1': case 'rindex/1': {
      const needle = one(a[0], input, env);
      const idx: number[] = [];
      if (typeof input === 'string' && typeof needle === 'string' && needle.length > 0) {
        for (let i = input.indexOf(needle); i >= 0; i = input.indexOf(needle, i + 1)) idx.push(i);
      } else if (Array.isArray(input)) {
        const nd = Array.isArray(needle) ? needle : [needle];
        for (let i = 0; i + nd.length <= input.length; i++) if (nd.every((x, j) => jcompare(input[i + j], x) === 0)) idx.push(i);
      }
      if (n.name === 'indices') return [idx];
      if (idx.length === 0) return [null];
      return [n.name === 'index' ? idx[0] : idx[idx.length - 1]];
    }
    case 'isnan/0': return [Number.isNaN(input)];
    case 'infinite/0': return [Infinity];
    case 'nan/0': return [NaN];
    case 'arrays/0': return Array.isArray(input) ? [input] : [];
    case 'objects/0': return isMap(input) ? [input] : [];
    case 'strings/0': return typeof input === 'string' ? [input] : [];
    case 'numbers/0': return typeof input === 'number' ? [input] : [];
    case 'booleans/0': return typeof input === 'boolean' ? [input] : [];
    case 'nulls/0': return input === null ? [input] : [];
    case 'iterables/0': return Array.isArray(input) || isMap(input) ? [input] : [];
    case 'scalars/0': return !Array.isArray(input) && !isMap(input) ? [input] : [];
    case 'tojson/1': return [toJson(one(a[0], input, env))];
    case 'min_by/0': case 'max_by/0': return fail(`jq: ${n.name} needs an argument`);
    default: return fail(`jq: ${n.name}/${a.length} is not defined (or not supported by Peregrine's jq)`);
  }
}

// ---------------------------------------------------------------------------------------------
// entry point

const cache = new Map<string, Node>();

export function compileJq(program: string): Node {
  let n = cache.get(program);
  if (!n) {
    n = new P(lex(program)).program();
    if (cache.size > 1000) cache.clear();
    cache.set(program, n);
  }
  return n;
}

/** Runs a jq program on `input`; returns every result. Errors are thrown as engine failures. */
export function jq(program: string, input: unknown): unknown[] {
  const n = compileJq(program);
  try {
    return ev(n, input, null);
  } catch (e) {
    if (e instanceof JqError) return fail(`jq error: ${typeof e.value === 'string' ? e.value : toJson(e.value)}`);
    throw e;
  }
}

