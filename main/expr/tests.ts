// Tests (`x is …`). `defined` is compiled specially: it is the one test that accepts an undefined input.
import { fail } from './errors';
import type { TestDef } from './runtime';
import { isEmptyValue, isMap, typeName } from './values';

function integer(v: unknown, test: string): bigint | number {
  if (v === null || v === undefined) return fail(`can not pass null value to "${test}" test`);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Math.trunc(v);
  return fail(`the "${test}" test expects a number, got ${typeName(v)}`);
}

export const TESTS: Record<string, TestDef> = {
  null: { fn: (v) => v === null || v === undefined },
  empty: { fn: (v) => isEmptyValue(v) },
  even: { fn: (v) => { const n = integer(v, 'even'); return typeof n === 'bigint' ? n % 2n === 0n : n % 2 === 0; } },
  odd: { fn: (v) => { const n = integer(v, 'odd'); return typeof n === 'bigint' ? n % 2n !== 0n : n % 2 !== 0; } },
  iterable: { fn: (v) => Array.isArray(v) },
  map: { fn: (v) => isMap(v) },
  json: {
    fn: (v) => {
      if (typeof v !== 'string') return false;
      try {
        JSON.parse(v);
        return true;
      } catch {
        return false;
      }
    },
  },
};

export function registerTest(name: string, def: TestDef): void {
  TESTS[name] = def;
}
