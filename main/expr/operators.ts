// Binary operators with Pebble semantics (OperatorUtils) and Kestra's `in`/`isIn`.
import { fail } from './errors';
import { FUNCTIONS } from './functions';
import type { Ctx } from './runtime';
import { equals, isMap, javaString, mapEntries, mapHas, typeName } from './values';

export function arith(op: string, a: unknown, b: unknown, intDiv: boolean): unknown {
  if (op === '+') {
    if (typeof a === 'string' || typeof b === 'string') return javaString(a) + javaString(b);
    if (Array.isArray(a)) return Array.isArray(b) ? [...a, ...b] : [...a, b];
  }
  if (op === '-' && Array.isArray(a)) {
    return Array.isArray(b) ? a.filter((x) => !b.some((y) => equals(x, y))) : a.filter((x) => !equals(x, b));
  }
  const na = typeof a === 'number' || typeof a === 'bigint';
  const nb = typeof b === 'number' || typeof b === 'bigint';
  if (!na || !nb) {
    const name = { '+': 'ADD', '-': 'SUBTRACT', '*': 'MULTIPLICATION', '/': 'DIVISION', '%': 'MODULUS' }[op];
    return fail(`invalid operands for mathematical operation [${name}]: ${typeName(a)} and ${typeName(b)}`);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const intA = typeof a === 'bigint' || Number.isInteger(a);
    const intB = typeof b === 'bigint' || Number.isInteger(b);
    if (intA && intB) {
      const x = BigInt(a as number);
      const y = BigInt(b as number);
      switch (op) {
        case '+': return x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': if (y === 0n) return fail('/ by zero'); return x / y;
        default: if (y === 0n) return fail('/ by zero'); return x % y;
      }
    }
    return arith(op, Number(a), Number(b), intDiv);
  }
  const x = a as number;
  const y = b as number;
  let v: number;
  switch (op) {
    case '+': v = x + y; break;
    case '-': v = x - y; break;
    case '*': v = x * y; break;
    case '/':
      if (intDiv && Number.isInteger(x) && Number.isInteger(y)) {
        if (y === 0) return fail('/ by zero');
        v = Math.trunc(x / y);
      } else v = x / y;
      break;
    default:
      if (intDiv && Number.isInteger(x) && Number.isInteger(y) && y === 0) return fail('/ by zero');
      v = x % y;
  }
  return v === 0 ? 0 : v;
}

/** Pebble's `contains`: list element, map key, substring; a list on the right means "all of". */
export function containsOp(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return false;
  const has = (x: unknown): boolean => {
    if (typeof a === 'string') return a.includes(javaString(x));
    if (Array.isArray(a)) return a.some((y) => equals(y, x));
    if (isMap(a)) return mapHas(a, javaString(x));
    return false;
  };
  if (Array.isArray(b) && !(Array.isArray(a) && a.some((y) => equals(y, b)))) return b.every(has);
  return has(b);
}

/** Kestra's `isIn` (also `in`): compares string forms; a map matches on keys or values. */
export function inOp(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const s = javaString(a);
  if (Array.isArray(b)) return b.some((x) => x !== null && x !== undefined && javaString(x) === s);
  if (isMap(b)) return mapEntries(b).some(([k, v]) => k === s || (v !== null && v !== undefined && javaString(v) === s));
  if (typeof b === 'string') return b.includes(s);
  return false;
}

export function rangeOp(a: unknown, b: unknown): unknown[] {
  const fn = FUNCTIONS.range;
  return fn.fn([a, b, undefined], undefined as unknown as Ctx) as unknown[];
}

export function concat(a: unknown, b: unknown): string {
  return (a === null || a === undefined ? '' : javaString(a)) + (b === null || b === undefined ? '' : javaString(b));
}

