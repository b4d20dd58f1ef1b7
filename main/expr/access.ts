// Attribute access (`a.b`, `a[0]`, `a['k']`) with Pebble's resolution rules, and the few Java
// methods templates call on strings, lists and maps (`name.length()`, `list.size()`).
import { annotate, fail, Fail, soft } from './errors';
import { equals, hasOwn, isMap, javaString, mapEntries, mapGet, mapHas, mapKeys, typeName, type Dict } from './values';

const LIST_PROPS: Record<string, (l: unknown[]) => unknown> = {
  size: (l) => l.length,
  empty: (l) => l.length === 0,
  first: (l) => (l.length > 0 ? l[0] : null),
  last: (l) => (l.length > 0 ? l[l.length - 1] : null),
};

const STRING_PROPS: Record<string, (s: string) => unknown> = {
  length: (s) => s.length,
  empty: (s) => s.length === 0,
  blank: (s) => s.trim().length === 0,
};

/** Soft-failure marker; also the result of a lookup that found nothing. */
export const UNDEF: unique symbol = Symbol('undefined');

function listIndex(key: unknown): number | undefined {
  if (typeof key === 'number') return key;
  if (typeof key === 'bigint') return Number(key);
  if (typeof key !== 'string' || key.length === 0 || key.length > 15) return undefined;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    if (ch < 48 || ch > 57) return undefined;
  }
  return Number(key);
}

/** Pebble attribute resolution: map key, list index, a few bean-like properties; UNDEF if none. */
export function attrLookup(o: unknown, key: unknown): unknown {
  if (o === null || o === undefined) return UNDEF;
  if (Array.isArray(o)) {
    const idx = listIndex(key);
    if (idx !== undefined) {
      if (!Number.isInteger(idx) || idx < 0 || idx >= o.length) return UNDEF;
      const v = o[idx];
      return v === undefined ? null : v;
    }
    if (typeof key === 'string' && hasOwn(LIST_PROPS, key)) return LIST_PROPS[key](o);
    return UNDEF;
  }
  if (typeof o === 'object' && !(o instanceof Date)) {
    const k = typeof key === 'string' ? key : javaString(key);
    if (!mapHas(o as Dict, k)) return UNDEF;
    const v = mapGet(o as Dict, k);
    return v === undefined ? UNDEF : v;
  }
  if (typeof o === 'string' && typeof key === 'string' && hasOwn(STRING_PROPS, key)) return STRING_PROPS[key](o);
  return UNDEF;
}

function missingReason(o: unknown, key: unknown, objSrc: string): string {
  const k = javaString(key);
  if (o === null || o === undefined) return `"${k}" cannot be read: ${objSrc} is null`;
  if (Array.isArray(o)) {
    return listIndex(key) !== undefined
      ? `index ${k} is out of bounds on ${objSrc} (size ${o.length})`
      : `"${k}" is not defined on ${objSrc} (a list)`;
  }
  if (typeof o === 'object' && !(o instanceof Date)) return `"${k}" is not defined on ${objSrc}`;
  return `"${k}" is not defined on ${objSrc} (a ${typeName(o)})`;
}

export function attrSlow(o: unknown, key: unknown, pos: number, objSrc: string): unknown {
  const v = attrLookup(o, key);
  if (v === UNDEF) return soft(missingReason(o, key, objSrc), pos);
  return v;
}

type Method = (self: never, args: unknown[]) => unknown;

const STRING_METHODS: Record<string, Method> = {
  length: (s: string) => s.length,
  isEmpty: (s: string) => s.length === 0,
  isBlank: (s: string) => s.trim().length === 0,
  toUpperCase: (s: string) => s.toUpperCase(),
  toLowerCase: (s: string) => s.toLowerCase(),
  trim: (s: string) => s.trim(),
  strip: (s: string) => s.trim(),
  contains: (s: string, [x]) => s.includes(javaString(x)),
  startsWith: (s: string, [x]) => s.startsWith(javaString(x)),
  endsWith: (s: string, [x]) => s.endsWith(javaString(x)),
  equals: (s: string, [x]) => s === x,
  equalsIgnoreCase: (s: string, [x]) => typeof x === 'string' && s.toLowerCase() === x.toLowerCase(),
  indexOf: (s: string, [x]) => s.indexOf(javaString(x)),
  lastIndexOf: (s: string, [x]) => s.lastIndexOf(javaString(x)),
  charAt: (s: string, [i]) => s.charAt(Number(i)),
  substring: (s: string, [a, b]) => (b === undefined ? s.substring(Number(a)) : s.substring(Number(a), Number(b))),
  replace: (s: string, [a, b]) => s.split(javaString(a)).join(javaString(b)),
  replaceAll: (s: string, [a, b]) => s.replace(new RegExp(javaString(a), 'g'), javaString(b)),
  split: (s: string, [re]) => s.split(new RegExp(javaString(re))),
  matches: (s: string, [re]) => new RegExp(`^(?:${javaString(re)})$`).test(s),
  concat: (s: string, [x]) => s + javaString(x),
  toString: (s: string) => s,
};

const LIST_METHODS: Record<string, Method> = {
  size: (l: unknown[]) => l.length,
  isEmpty: (l: unknown[]) => l.length === 0,
  get: (l: unknown[], [i]) => {
    const n = Number(i);
    return n >= 0 && n < l.length ? l[n] : fail(`index ${n} is out of bounds (size ${l.length})`);
  },
  contains: (l: unknown[], [x]) => l.some((y) => equals(x, y)),
  indexOf: (l: unknown[], [x]) => l.findIndex((y) => equals(x, y)),
  getFirst: (l: unknown[]) => l[0] ?? null,
  getLast: (l: unknown[]) => l[l.length - 1] ?? null,
  toString: (l: unknown[]) => javaString(l),
};

const MAP_METHODS: Record<string, Method> = {
  size: (m: Dict) => mapKeys(m).length,
  isEmpty: (m: Dict) => mapKeys(m).length === 0,
  get: (m: Dict, [k]) => mapGet(m, javaString(k)) ?? null,
  getOrDefault: (m: Dict, [k, d]) => (mapHas(m, javaString(k)) ? mapGet(m, javaString(k)) : d),
  containsKey: (m: Dict, [k]) => mapHas(m, javaString(k)),
  containsValue: (m: Dict, [v]) => mapEntries(m).some(([, x]) => equals(x, v)),
  keySet: (m: Dict) => mapKeys(m),
  values: (m: Dict) => mapEntries(m).map(([, v]) => v),
  toString: (m: Dict) => javaString(m),
};


export function callMethod(o: unknown, name: string, args: unknown[], pos: number, objSrc: string): unknown {
  let table: Record<string, Method> | undefined;
  if (typeof o === 'string') table = STRING_METHODS;
  else if (Array.isArray(o)) table = LIST_METHODS;
  else if (isMap(o)) {
    // a map entry holding a value is read as an attribute, e.g. `outputs.task.value()` never, but keep it simple
    table = MAP_METHODS;
  } else if (typeof o === 'number' || typeof o === 'boolean' || typeof o === 'bigint') {
    if (name === 'toString') return javaString(o);
    if (name === 'intValue' || name === 'longValue') return Math.trunc(Number(o));
    if (name === 'doubleValue' || name === 'floatValue') return Number(o);
  } else if (o === null || o === undefined) {
    return soft(`cannot call ${name}(): ${objSrc} is null`, pos);
  }
  const m = table?.[name];
  if (!m) throw new Fail(`method ${name}() is not supported on ${objSrc} (a ${typeName(o)})`, pos);
  try {
    return (m as (s: unknown, a: unknown[]) => unknown)(o, args);
  } catch (e) {
    throw annotate(e, pos, `${name}()`);
  }
}

