// Compiles JSONata expressions once and reuses them (the transform sits on the hot path of event flows).
import jsonata from 'jsonata';
import { compileFastPath, Fallback } from './fast-path';

export interface CompileOptions {
  /** Maximum nesting of evaluation (JSONata's `stack` guard). */
  maxDepth: number;
  /** Evaluation time budget in ms; the evaluation runs on the event loop, so it must be bounded. */
  timeoutMs: number;
}

const MAX_ENTRIES = 1000;
const cache = new Map<string, jsonata.Expression>();
/** The synchronous evaluator of an expression, when it is one of the plain mappings fast-path.ts takes. */
const fastPaths = new WeakMap<jsonata.Expression, (input: unknown) => unknown>();
let compiled = 0;

/** The compiled expression for this source and these bounds, compiled on first use only. */
export function compileJsonata(source: string, options: CompileOptions): jsonata.Expression {
  const key = `${options.maxDepth}\u0000${options.timeoutMs}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) {
    // Refresh recency so hot expressions stay when the cache is full.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, { stack: options.maxDepth, timeout: options.timeoutMs });
  } catch (e) {
    throw new Error(`Invalid JSONata expression: ${describeJsonataError(e)}`);
  }
  compiled++;
  const fast = compileFastPath(expression.ast());
  if (fast) fastPaths.set(expression, fast);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, expression);
  return expression;
}

/** Evaluates on the fast path when the expression and the input allow it, else with jsonata. */
export async function evaluateJsonata(expression: jsonata.Expression, input: unknown): Promise<unknown> {
  const fast = fastPaths.get(expression);
  if (fast) {
    try {
      return fast(input);
    } catch (e) {
      if (!(e instanceof Fallback)) throw e;
    }
  }
  return expression.evaluate(input);
}

/** Whether an expression has a fast path (for tests and diagnostics). */
export const hasFastPath = (expression: jsonata.Expression): boolean => fastPaths.has(expression);

/** How many expressions were compiled since start (the cache is working when this stays flat). */
export const jsonataCompileCount = (): number => compiled;

export function describeJsonataError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { message?: string; code?: string; position?: number; token?: string; value?: unknown };
    let text = err.message ?? String(e);
    if (err.code === 'D1011') text = `expression nested deeper than maxDepth (${String(err.value)})`;
    else if (err.code === 'D1012') text = `expression ran longer than ${String(err.value)} ms`;
    const where = typeof err.position === 'number' ? ` at position ${err.position}` : '';
    return `${text}${err.code ? ` (${err.code}${where})` : ''}`;
  }
  return String(e);
}

/**
 * JSONata results carry sequence markers and may hold undefined or functions; outputs must be
 * plain JSON. Arrays are rebuilt, undefined becomes null (top level) or is dropped (in objects).
 */
export function toPlainJson(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return null;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toPlainJson(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function') continue;
    out[k] = toPlainJson(v);
  }
  return out;
}
