// Value model: the engine works on plain JSON-like data (objects, arrays, strings, numbers, booleans,
// null) plus bigint and Date. These helpers give them Java/Pebble semantics: how Java prints numbers,
// how Jackson writes JSON, Objects.equals, Pebble's comparisons and boolean casts.
import { fail } from './errors';

export type Dict = Record<string, unknown>;

const hasOwnProp = Object.prototype.hasOwnProperty;
export function hasOwn(o: object, k: string): boolean {
  return hasOwnProp.call(o, k);
}

/** A map in the Pebble sense: a plain object (not array, Date, …) or a JS Map. */
export function isMap(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v) || v instanceof Date) return false;
  return true;
}

export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

export function mapKeys(m: Dict): string[] {
  if (m instanceof Map) return [...(m as Map<unknown, unknown>).keys()].map(String);
  return Object.keys(m);
}

export function mapGet(m: Dict, k: string): unknown {
  if (m instanceof Map) return (m as Map<unknown, unknown>).get(k);
  return hasOwn(m, k) ? m[k] : undefined;
}

export function mapHas(m: Dict, k: string): boolean {
  if (m instanceof Map) return (m as Map<unknown, unknown>).has(k);
  return hasOwn(m, k);
}

export function mapEntries(m: Dict): [string, unknown][] {
  if (m instanceof Map) return [...(m as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v]);
  return Object.entries(m);
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Date) return 'date';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// Printing

/** Java's Long/Double toString: integers without `.0`, doubles as Double.toString (1.5, 1.0E-4). */
export function javaNumber(n: number): string {
  if (Number.isInteger(n)) {
    if (Math.abs(n) < 1e21) return n === 0 ? '0' : String(n);
    return BigInt(n).toString();
  }
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(n);
  if (a >= 1e-3 && a < 1e7) return String(n);
  const exp = n.toExponential(); // shortest digits, e.g. "1.5e-7" or "1e+21"
  const e = exp.indexOf('e');
  let mant = exp.slice(0, e);
  const pow = Number(exp.slice(e + 1));
  if (mant.indexOf('.') < 0) mant += '.0';
  return `${mant}E${pow}`;
}

/** Java's `Instant.toString()`: ISO-8601 UTC, fraction only when non-zero, in groups of 3 digits. */
export function instantString(d: Date): string {
  const iso = d.toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

/** Java's `String.valueOf(x)`: what `~`, `join` and string coercions produce. */
export function javaString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return v;
    case 'number': return javaNumber(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    default: break;
  }
  if (Array.isArray(v)) return '[' + v.map(javaString).join(', ') + ']';
  if (v instanceof Date) return instantString(v);
  if (isMap(v)) return '{' + mapEntries(v).map(([k, x]) => `${k}=${javaString(x)}`).join(', ') + '}';
  return String(v);
}

/** What `{{ x }}` writes: strings as is, null as nothing, maps and lists as JSON (Kestra's JsonWriter). */
export function toOutput(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'number': return javaNumber(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    default: break;
  }
  if (v instanceof Date) return instantString(v);
  if (typeof v === 'object') return toJson(v);
  return String(v);
}

/** JSON as Kestra's Jackson mapper writes it: compact, Java number formatting, insertion order. */
export function toJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Number.isFinite(v) ? javaNumber(v) : `"${javaNumber(v)}"`;
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'function': return 'null';
    default: break;
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      s += toJson(v[i]);
    }
    return s + ']';
  }
  if (v instanceof Date) return JSON.stringify(instantString(v));
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Map)) {
    return toJson((v as { toJSON(): unknown }).toJSON());
  }
  let s = '{';
  let first = true;
  for (const [k, x] of mapEntries(v as Dict)) {
    if (x === undefined) continue;
    if (!first) s += ',';
    first = false;
    s += JSON.stringify(k) + ':' + toJson(x);
  }
  return s + '}';
}

// ---------------------------------------------------------------------------------------------
// Equality, ordering, booleans

/** `==`: numbers by value, everything else like Java's Objects.equals (deep for lists and maps). */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return (a as number) == (b as number);
  }
  if (ta !== tb) return false;
  if (ta !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  const ka = mapKeys(a as Dict);
  const kb = mapKeys(b as Dict);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!mapHas(b as Dict, k)) return false;
    if (!equals(mapGet(a as Dict, k), mapGet(b as Dict, k))) return false;
  }
  return true;
}

/** Pebble's `<`/`>` (with Kestra's string support): returns -1/0/1, or null when an operand is null. */
export function compare(a: unknown, b: unknown, op: string): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const na = typeof a === 'number' || typeof a === 'bigint';
  const nb = typeof b === 'number' || typeof b === 'bigint';
  if (na && nb) {
    return (a as number) < (b as number) ? -1 : (a as number) == (b as number) ? 0 : 1;
  }
  return fail(`invalid operands for comparison ${op}: ${typeName(a)} and ${typeName(b)}`);
}

/** Pebble's cast to Boolean for `if`, `and`, `or`, `not`, `?:` (Boolean, Number or String accepted). */
export function toBool(v: unknown, what: string): boolean {
  if (v === true) return true;
  if (v === false) return false;
  if (v === null || v === undefined) return fail(`null value given to ${what}`);
  // Pebble's TypeUtils.compatibleCast: a number is true unless 0 or NaN, a string unless empty.
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  return fail(`unsupported value type ${typeName(v)} in ${what}: expected a boolean, string or number`);
}

/** Sort order of Pebble's `sort` (Comparable): numbers, strings; mixed types are an error. */
export function sortCompare(a: unknown, b: unknown): number {
  const c = compare(a, b, 'sort');
  if (c === null) return a === b || (a == null && b == null) ? 0 : a == null ? -1 : 1;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Numbers

export function isNumber(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Converts to a JS number, failing with a clear message when the value is not a number. */
export function toNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fail(`${what} expects a number, got ${typeName(v)}`);
}

export function toInt(v: unknown, what: string): number {
  const n = toNumber(v, what);
  return Math.trunc(n);
}

export function toStr(v: unknown): string {
  return typeof v === 'string' ? v : javaString(v);
}

/** Length in Pebble's `length` sense. */
export function lengthOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return mapKeys(v).length;
  return javaString(v).length;
}

/** Empty in Pebble's `is empty` sense: null, blank string, empty list or map. */
export function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v) && !(v instanceof Date)) return mapKeys(v).length === 0;
  return false;
}
