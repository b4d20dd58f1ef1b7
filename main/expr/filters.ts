// Filters: Pebble's core ones and Kestra's additions, with their argument names in Pebble's order
// (so `date("yyyy", timeZone="UTC")` and `date("yyyy", "UTC")` both work). `default` is compiled
// specially (it recovers from undefined input) and is not in this table.
import { createHash } from 'node:crypto';
import { stringify as yamlStringify } from 'yaml';
import * as D from './dates';
import { fail } from './errors';
import { jq } from './jq';
import { decimalFormat } from './numberformat';
import type { Ctx, FilterDef } from './runtime';
import {
  equals, isMap, javaString, lengthOf, mapEntries, mapKeys, sortCompare, toInt, toJson, toNumber, typeName,
  type Dict,
} from './values';

/** Java's Character.isWhitespace for the common cases. */
function isSpaceChar(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31) || c === 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : javaString(v);
}

function list(v: unknown, filter: string): unknown[] {
  if (Array.isArray(v)) return v;
  return fail(`the "${filter}" filter expects a list, got ${typeName(v)}`);
}

function optStr(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(`${what} must be a string, got ${typeName(v)}`);
  return v;
}

export function zoneOf(c: Ctx, timeZone: unknown): ReturnType<typeof D.resolveZone> {
  const tz = optStr(timeZone, 'timeZone') ?? c.env.timezone ?? D.systemZone();
  return D.resolveZone(tz);
}

/** Kestra's AbstractDate.format: convert input, move it to the zone, format it. */
export function formatDateArgs(input: unknown, format: unknown, timeZone: unknown, existingFormat: unknown, c: Ctx): string {
  const zi = zoneOf(c, timeZone);
  const z = D.toZdt(input, zi, optStr(existingFormat, 'existingFormat'));
  return D.formatDate(D.withZone(z, zi), optStr(format, 'format') ?? 'iso');
}

function hash(alg: string): FilterDef {
  return { nullIn: 'null', fn: (input) => createHash(alg).update(str(input), 'utf8').digest('hex') };
}

function javaUrlEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || c === '.' || c === '-' || c === '*' || c === '_') out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function javaUrlDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '+') bytes.push(0x20);
    else if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return fail(`URLDecoder: illegal hex characters in escape (%) pattern: "${h}"`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function slugify(s: string): string {
  let slug = s.replace(/\s/g, '-').normalize('NFD').replace(/[^\w-]/g, '').replace(/_/g, '-');
  while (slug.includes('--')) slug = slug.replace(/--/g, '-');
  if (slug.startsWith('-')) slug = slug.slice(1);
  if (slug.endsWith('-')) slug = slug.slice(0, -1);
  return slug.toLowerCase();
}

/** Java's String.split(regex, limit): trailing empty strings dropped when limit is 0. */
function javaSplit(s: string, regex: string, limit: number): string[] {
  if (s === '') return [''];
  const re = new RegExp(regex, 'gu');
  const out: string[] = [];
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const idx = m.index;
    const len = m[0].length;
    if (len === 0) {
      re.lastIndex++;
      // a zero-width match at the start never yields a leading empty string
      if (idx === 0) continue;
    }
    if (limit > 0 && out.length >= limit - 1) break;
    out.push(s.slice(last, idx));
    last = idx + len;
  }
  out.push(s.slice(last));
  if (limit === 0) while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function substring(kind: 'before' | 'after' | 'beforeLast' | 'afterLast'): FilterDef {
  return {
    args: ['separator'],
    nullIn: 'null',
    fn: (input, [sep]) => {
      const s = str(input);
      if (sep === undefined || sep === null) return fail('the separator argument is required');
      const p = str(sep);
      switch (kind) {
        case 'before': {
          if (p === '') return '';
          const i = s.indexOf(p);
          return i < 0 ? s : s.slice(0, i);
        }
        case 'after': {
          if (p === '') return s;
          const i = s.indexOf(p);
          return i < 0 ? '' : s.slice(i + p.length);
        }
        case 'beforeLast': {
          if (p === '') return s;
          const i = s.lastIndexOf(p);
          return i < 0 ? s : s.slice(0, i);
        }
        default: {
          if (p === '') return '';
          const i = s.lastIndexOf(p);
          return i < 0 || i === s.length - p.length ? '' : s.slice(i + p.length);
        }
      }
    },
  };
}

function indent(first: boolean): FilterDef {
  return {
    args: ['amount', 'prefix'],
    nullIn: 'null',
    fn: (input, [amount, prefix]) => {
      const s = str(input);
      if (s === '') return s;
      if (amount === undefined || amount === null) return fail(`the '${first ? 'nindent' : 'indent'}' filter expects an integer as argument 'amount'`);
      const n = toInt(amount, 'amount');
      if (n < 0) return fail('amount must be a positive integer');
      const pad = (prefix === undefined || prefix === null ? ' ' : str(prefix)).repeat(n);
      const nl = s.includes('\r\n') ? '\r\n' : s.includes('\n\r') ? '\n\r' : s.includes('\n') ? '\n' : s.includes('\r') ? '\r' : '\n';
      return (first ? nl + s : s).split(nl).join(nl + pad);
    },
  };
}

function escapeValue(v: unknown, type: string): unknown {
  if (Array.isArray(v)) return v.map((x) => escapeValue(x, type));
  if (isMap(v)) {
    const out: Dict = {};
    for (const [k, x] of mapEntries(v)) out[k] = escapeValue(x, type);
    return out;
  }
  const s = str(v);
  switch (type) {
    case 'single': return s.replaceAll("'", "\\'");
    case 'double': return s.replaceAll('"', '\\"');
    default: return s.replaceAll("'", "'\\''");
  }
}

function replaceValue(v: unknown, pairs: [string, string][], regexp: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => replaceValue(x, pairs, regexp));
  if (isMap(v)) {
    const out: Dict = {};
    for (const [k, x] of mapEntries(v)) out[k] = replaceValue(x, pairs, regexp);
    return out;
  }
  let s = str(v);
  for (const [from, to] of pairs) {
    s = regexp ? s.replace(new RegExp(from, 'g'), to.replace(/\$(\d)/g, '$$$1')) : s.split(from).join(to);
  }
  return s;
}

function className(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string': return 'java.lang.String';
    case 'boolean': return 'java.lang.Boolean';
    case 'bigint': return 'java.math.BigInteger';
    case 'number': return Number.isInteger(v) ? (Math.abs(v) <= 2147483647 ? 'java.lang.Integer' : 'java.lang.Long') : 'java.lang.Double';
    default: break;
  }
  if (Array.isArray(v)) return 'java.util.ArrayList';
  if (v instanceof Date) return 'java.time.Instant';
  return 'java.util.LinkedHashMap';
}

function parseNumber(s: string, type: string): unknown {
  const t = s.trim();
  const bad = (): never => fail(`"${s}" is not a valid number`);
  switch (type) {
    case 'INT': case 'LONG': {
      if (!/^[+-]?\d+$/.test(t)) bad();
      const n = Number(t);
      if (type === 'INT' && Math.abs(n) > 2147483647) bad();
      return Number.isSafeInteger(n) ? n : BigInt(t);
    }
    case 'BIGINTEGER': {
      if (!/^[+-]?\d+$/.test(t)) bad();
      const b = BigInt(t);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case 'FLOAT': case 'DOUBLE': case 'BIGDECIMAL': {
      const n = Number(t);
      if (t === '' || Number.isNaN(n)) bad();
      return n;
    }
    case '': {
      if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
      if (/^[+-]?\d+[lL]?$/.test(t)) {
        const n = Number(t.replace(/[lL]$/, ''));
        return Number.isSafeInteger(n) ? n : BigInt(t.replace(/[lL]$/, ''));
      }
      const n = Number(t.replace(/[fFdD]$/, ''));
      if (t === '' || Number.isNaN(n)) bad();
      return n;
    }
    default:
      return fail(`unknown number type "${type}": expected INT, FLOAT, LONG, DOUBLE, BIGDECIMAL or BIGINTEGER`);
  }
}

function distinct(l: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of l) if (!out.some((y) => equals(x, y))) out.push(x);
  return out;
}

function normalizeJqInput(input: unknown): unknown {
  if (typeof input === 'string') {
    try {
      return JSON.parse(input);
    } catch {
      return fail(`Unable to parse jq value '${input}' with type 'java.lang.String': not valid JSON`);
    }
  }
  return JSON.parse(toJson(input));
}

export const FILTERS: Record<string, FilterDef> = {
  // --- strings
  upper: { nullIn: 'null', fn: (i) => str(i).toUpperCase() },
  lower: { nullIn: 'null', fn: (i) => str(i).toLowerCase() },
  capitalize: {
    nullIn: 'null',
    fn: (i) => {
      const s = str(i);
      let k = 0;
      while (k < s.length && isSpaceChar(s.charCodeAt(k))) k++;
      return k >= s.length ? s : s.slice(0, k) + s[k].toUpperCase() + s.slice(k + 1);
    },
  },
  title: {
    nullIn: 'null',
    fn: (i) => {
      const s = str(i);
      let out = '';
      let next = true;
      for (const ch of s) {
        if (isSpaceChar(ch.charCodeAt(0))) {
          next = true;
          out += ch;
        } else if (next) {
          out += ch.toUpperCase();
          next = false;
        } else out += ch;
      }
      return out;
    },
  },
  trim: {
    nullIn: 'null',
    fn: (i) => {
      // Java's String.trim: strips code points <= U+0020
      const s = str(i);
      let a = 0;
      let b = s.length;
      while (a < b && s.charCodeAt(a) <= 32) a++;
      while (b > a && s.charCodeAt(b - 1) <= 32) b--;
      return s.slice(a, b);
    },
  },
  abbreviate: {
    args: ['length'],
    nullIn: 'null',
    fn: (i, [length]) => {
      const s = str(i);
      const max = toInt(length, 'abbreviate length');
      if (max < 0) return fail('invalid argument to abbreviate filter; must be greater than zero');
      if (s.length < max || s.length <= 3) return s;
      if (max <= 3) return s.slice(0, max);
      return s.slice(0, max - 3) + '...';
    },
  },
  replace: {
    args: ['replace_pairs', 'regexp'],
    nullIn: 'null',
    fn: (i, [pairs, regexp]) => {
      if (pairs === undefined || pairs === null) return fail("The argument 'replace_pairs' is required.");
      if (typeof pairs === 'string') {
        // replace(search, replacement): a convenience Pebble does not have.
        return replaceValue(i, [[pairs, regexp === undefined || regexp === null ? '' : str(regexp)]], false);
      }
      if (!isMap(pairs)) return fail(`replace_pairs must be a map, got ${typeName(pairs)}`);
      return replaceValue(i, mapEntries(pairs).map(([k, v]) => [k, str(v)]), regexp === true);
    },
  },
  split: {
    args: ['delimiter', 'limit'],
    nullIn: 'null',
    fn: (i, [delimiter, limit]) => javaSplit(str(i), str(delimiter), limit === undefined || limit === null ? 0 : toInt(limit, 'limit')),
  },
  substringBefore: substring('before'),
  substringAfter: substring('after'),
  substringBeforeLast: substring('beforeLast'),
  substringAfterLast: substring('afterLast'),
  startsWith: { args: ['value'], nullIn: 'null', fn: (i, [v]) => str(i).startsWith(str(v)) },
  endsWith: { args: ['value'], nullIn: 'null', fn: (i, [v]) => str(i).endsWith(str(v)) },
  slugify: { nullIn: 'null', fn: (i) => slugify(str(i)) },
  escapeChar: {
    args: ['type'],
    nullIn: 'null',
    fn: (i, [type]) => {
      if (type === undefined || type === null) return fail("The 'escapeChar' filter expects an argument 'type'.");
      const t = str(type).toLowerCase();
      if (t !== 'single' && t !== 'double' && t !== 'shell') return fail("The 'escapeChar' filter expects the value of 'type' to be either 'single', 'double', or 'shell'.");
      return escapeValue(i, t);
    },
  },
  indent: indent(false),
  nindent: indent(true),
  urlencode: { nullIn: 'null', fn: (i) => javaUrlEncode(str(i)) },
  urldecode: { nullIn: 'null', fn: (i) => javaUrlDecode(str(i)) },
  base64encode: { nullIn: 'null', fn: (i) => Buffer.from(str(i), 'utf8').toString('base64') },
  base64decode: {
    nullIn: 'null',
    fn: (i) => {
      const s = str(i).trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return fail(`"${s}" is not valid base64`);
      return Buffer.from(s, 'base64').toString('utf8');
    },
  },
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  sha512: hash('sha512'),
  md5: hash('md5'),
  string: { nullIn: 'null', fn: (i) => str(i) },
  regexMatch: { args: ['regex'], nullIn: 'null', fn: (i, [re]) => new RegExp(`^(?:${str(re)})$`).test(str(i)) },
  regexReplace: { args: ['regex', 'replacement'], nullIn: 'null', fn: (i, [re, rep]) => str(i).replace(new RegExp(str(re), 'g'), str(rep ?? '').replace(/\$(\d)/g, '$$$1')) },
  regexExtract: {
    args: ['regex', 'group'],
    nullIn: 'null',
    fn: (i, [re, group]) => {
      const m = new RegExp(str(re)).exec(str(i));
      return m ? m[group === undefined || group === null ? 0 : toInt(group, 'group')] ?? null : null;
    },
  },

  // --- numbers
  abs: { nullIn: 'null', fn: (i) => (typeof i === 'bigint' ? (i < 0n ? -i : i) : Math.abs(toNumber(i, 'abs'))) },
  number: {
    args: ['type'],
    nullIn: 'null',
    fn: (i, [type]) => {
      if (typeof i !== 'string') return fail(`'number' filter can only be applied to String. Actual type was: ${className(i)}`);
      return parseNumber(i, type === undefined || type === null ? '' : str(type).toUpperCase());
    },
  },
  numberFormat: {
    args: ['decimalFormat'],
    nullIn: 'null',
    fn: (i, [fmt]) => decimalFormat(toNumber(i, 'numberFormat'), fmt === undefined || fmt === null ? undefined : str(fmt)),
  },
  className: { fn: (i) => className(i) },

  // --- collections
  length: { fn: (i) => lengthOf(i) },
  first: {
    nullIn: 'null',
    fn: (i) => {
      if (typeof i === 'string') return i.length > 0 ? i[0] : null;
      if (Array.isArray(i)) return i.length > 0 ? i[0] : null;
      if (isMap(i)) {
        const k = mapKeys(i);
        return k.length > 0 ? { key: k[0], value: (i as Dict)[k[0]] } : null;
      }
      return i;
    },
  },
  last: {
    nullIn: 'null',
    fn: (i) => {
      if (typeof i === 'string') return i.length > 0 ? i[i.length - 1] : null;
      if (Array.isArray(i)) return i.length > 0 ? i[i.length - 1] : null;
      if (isMap(i)) {
        const k = mapKeys(i);
        return k.length > 0 ? { key: k[k.length - 1], value: (i as Dict)[k[k.length - 1]] } : null;
      }
      return i;
    },
  },
  join: {
    args: ['separator'],
    nullIn: 'null',
    fn: (i, [sep]) => {
      const s = sep === undefined || sep === null ? '' : str(sep);
      if (Array.isArray(i)) return i.map(javaString).join(s);
      if (isMap(i)) return mapEntries(i).map(([, v]) => javaString(v)).join(s);
      return i;
    },
  },
  keys: {
    nullIn: 'null',
    fn: (i) => {
      if (isMap(i)) return mapKeys(i);
      if (Array.isArray(i)) return i.map((_, k) => k);
      return fail(`'keys' filter can only be applied to List, Map, Array. Actual type was: ${className(i)}`);
    },
  },
  values: {
    nullIn: 'null',
    fn: (i) => {
      if (isMap(i)) return mapEntries(i).map(([, v]) => v);
      if (Array.isArray(i)) return i;
      return fail(`'values' filter can only be applied to Map. Actual type was: ${className(i)}`);
    },
  },
  sort: { nullIn: 'null', fn: (i) => [...list(i, 'sort')].sort(sortCompare) },
  rsort: { nullIn: 'null', fn: (i) => [...list(i, 'rsort')].sort((a, b) => sortCompare(b, a)) },
  reverse: {
    nullIn: 'null',
    fn: (i) => {
      if (typeof i === 'string') return [...i].reverse().join('');
      return [...list(i, 'reverse')].reverse();
    },
  },
  slice: {
    args: ['fromIndex', 'toIndex'],
    nullIn: 'null',
    fn: (i, [fromArg, toArg]) => {
      if (typeof i !== 'string' && !Array.isArray(i)) return fail(`slice filter can only be applied to String, List and array inputs. Actual type was: ${className(i)}`);
      const from = fromArg === undefined || fromArg === null ? 0 : toInt(fromArg, 'fromIndex');
      if (from < 0) return fail('fromIndex must be greater than 0');
      let to = i.length;
      if (toArg !== undefined && toArg !== null) {
        to = toInt(toArg, 'toIndex');
        if (to > i.length) return fail(`toIndex must be smaller than input size: ${i.length}`);
        if (from >= to) return fail('toIndex must be greater than fromIndex');
      }
      return i.slice(from, to);
    },
  },
  merge: {
    args: ['items'],
    fn: (i, [items]) => {
      if (i === null || i === undefined) {
        if (items === null || items === undefined) return fail('the two arguments to be merged are null');
        return items;
      }
      if (items === null || items === undefined) return i;
      if (isMap(i)) {
        const out: Dict = { ...(i as Dict) };
        if (isMap(items)) Object.assign(out, items);
        else if (Array.isArray(items)) for (const x of items) out[str(x)] = x;
        else return fail(`only maps and lists can be merged with a map, got ${typeName(items)}`);
        return out;
      }
      if (Array.isArray(i)) {
        if (Array.isArray(items)) return [...i, ...items];
        if (isMap(items)) return [...i, ...mapEntries(items).map(([key, value]) => ({ key, value }))];
        return fail(`only maps and lists can be merged with a list, got ${typeName(items)}`);
      }
      return fail('the object being filtered is not a map or a list');
    },
  },
  chunk: {
    args: ['size'],
    nullIn: 'null',
    fn: (i, [size]) => {
      if (size === undefined || size === null) return fail("'chunk' filter expects an argument 'size'.");
      const l = list(i, 'chunk');
      const n = toInt(size, 'size');
      if (n <= 0) return fail('size must be greater than 0');
      const out: unknown[][] = [];
      for (let k = 0; k < l.length; k += n) out.push(l.slice(k, k + n));
      return out;
    },
  },
  flatten: {
    nullIn: 'null',
    fn: (i) => {
      if (!Array.isArray(i)) return fail("The 'flatten' filter can only be applied to lists.");
      return i.flatMap((x) => (Array.isArray(x) ? x : [x]));
    },
  },
  distinct: { nullIn: 'null', fn: (i) => distinct(list(i, 'distinct')) },

  // --- serialisation
  json: { fn: (i) => toJson(i) },
  toJson: { fn: (i) => toJson(i) },
  jsonEncode: { fn: (i) => toJson(i) },
  toIon: { fn: (i) => toJson(i) },
  yaml: { fn: (i) => (i === null || i === undefined ? 'null' : yamlStringify(JSON.parse(toJson(i)), { lineWidth: 0 })) },
  toYaml: { fn: (i) => (i === null || i === undefined ? 'null' : yamlStringify(JSON.parse(toJson(i)), { lineWidth: 0 })) },
  jq: {
    args: ['expression'],
    nullIn: 'null',
    fn: (i, [expression]) => {
      if (expression === undefined || expression === null) return fail("The 'jq' filter expects an argument 'expression'.");
      return jq(str(expression), normalizeJqInput(i));
    },
  },

  // --- dates
  date: {
    args: ['format', 'timeZone', 'existingFormat', 'locale'],
    nullIn: 'null',
    fn: (i, [format, timeZone, existingFormat], c) => formatDateArgs(i, format, timeZone, existingFormat, c),
  },
  dateAdd: {
    args: ['amount', 'unit', 'format', 'timeZone', 'existingFormat', 'locale'],
    nullIn: 'null',
    fn: (i, [amount, unit, format, timeZone, existingFormat], c) => {
      if (amount === undefined || amount === null) return fail('the amount argument is required');
      if (unit === undefined || unit === null) return fail('the unit argument is required');
      const zi = zoneOf(c, timeZone);
      const z = D.toZdt(i, zi, optStr(existingFormat, 'existingFormat'));
      const moved = D.plus(z, toInt(amount, 'amount'), str(unit));
      return D.formatDate(D.withZone(moved, zi), optStr(format, 'format') ?? 'iso');
    },
  },
  timestamp: {
    args: ['timeZone', 'existingFormat'],
    nullIn: 'null',
    fn: (i, [timeZone, existingFormat], c) => D.epochSecond(D.toZdt(i, zoneOf(c, timeZone), optStr(existingFormat, 'existingFormat'))),
  },
  timestampMilli: {
    args: ['timeZone', 'existingFormat'],
    nullIn: 'null',
    fn: (i, [timeZone, existingFormat], c) => D.toZdt(i, zoneOf(c, timeZone), optStr(existingFormat, 'existingFormat')).dt.toMillis(),
  },
  timestampMicro: {
    args: ['timeZone', 'existingFormat'],
    nullIn: 'null',
    fn: (i, [timeZone, existingFormat], c) => {
      const z = D.toZdt(i, zoneOf(c, timeZone), optStr(existingFormat, 'existingFormat'));
      return String(BigInt(D.epochSecond(z)) * 1000000n + BigInt(Math.floor(D.nanoOfSecond(z) / 1000)));
    },
  },
  timestampNano: {
    args: ['timeZone', 'existingFormat'],
    nullIn: 'null',
    fn: (i, [timeZone, existingFormat], c) => {
      const z = D.toZdt(i, zoneOf(c, timeZone), optStr(existingFormat, 'existingFormat'));
      return String(BigInt(D.epochSecond(z)) * 1000000000n + BigInt(D.nanoOfSecond(z)));
    },
  },
};

// Aliases.
FILTERS.numberformat = FILTERS.numberFormat;
FILTERS.unique = FILTERS.distinct;
FILTERS.uniq = FILTERS.distinct;
FILTERS.toYAML = FILTERS.toYaml;
FILTERS.toJSON = FILTERS.toJson;

/** Adds or replaces a filter (for engine-specific ones). Compiled templates keep what they resolved. */
export function registerFilter(name: string, def: FilterDef): void {
  FILTERS[name] = def;
}

