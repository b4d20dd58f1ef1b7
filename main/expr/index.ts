// Pebble-compatible expressions for Kestra flows: `{{ … }}` output, `{% … %}` tags, filters,
// functions, tests, `??`/`???`. Templates are compiled once (cached by source) into closures.
//
//   render('Hello {{ inputs.name | upper }}', { inputs: { name: 'kestra' } })  // "Hello KESTRA"
//   evaluate('trigger.value.amount > 100', vars)                             // true
import { compileExpression, compileTemplate as compile, evaluateExpression, type TemplateFn } from './compile';
import { ExpressionError } from './errors';
import type { ExprEnv, Vars } from './runtime';

export { ExpressionError } from './errors';
export type { ExprEnv, Vars, FilterDef, FunctionDef, TestDef, Ctx } from './runtime';
export { registerFilter } from './filters';
export { registerFunction } from './functions';
export { registerTest } from './tests';
export { clearTemplateCache, templateCacheSize, CACHE_SIZE } from './compile';
export { toJson, toOutput, javaNumber } from './values';

/** True when the string holds an expression or a tag (`{{` or `{%`) and needs rendering. */
export function hasExpression(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

/** Compiles (once; cached by source) a template into a render function. */
export function compileTemplate(source: string): TemplateFn {
  return compile(source);
}

/**
 * Renders a template against variables. A string without `{{` or `{%` comes back as it is (like
 * Kestra, which does not render those: a lone `{#` is then plain text, not a comment).
 */
export function render(source: string, vars: Vars, env?: ExprEnv): string {
  if (!hasExpression(source)) return source;
  return compile(source)(vars, env);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Renders every string inside maps and lists (keys included). Containers in which nothing changed
 * are returned as the same object.
 */
export function renderValue<T>(value: T, vars: Vars, env?: ExprEnv): T {
  if (typeof value === 'string') {
    return (hasExpression(value) ? compile(value)(vars, env) : value) as T;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = renderValue(v, vars, env);
      if (out === null && r !== v) out = value.slice(0, i);
      if (out !== null) out.push(r);
    }
    return (out ?? value) as T;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = value[k];
      const rk = hasExpression(k) ? compile(k)(vars, env) : k;
      const rv = renderValue(v, vars, env);
      if (out === null && (rk !== k || rv !== v)) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = value[keys[j]];
      }
      if (out !== null) {
        if (rk === '__proto__') Object.defineProperty(out, rk, { value: rv, enumerable: true, writable: true, configurable: true });
        else out[rk] = rv;
      }
    }
    return (out ?? value) as T;
  }
  return value;
}

/**
 * Evaluates one expression written without braces (`a > 1 and b`), returning its typed value.
 * A string that is exactly one `{{ … }}` is accepted too.
 */
export function evaluate(expression: string, vars: Vars, env?: ExprEnv): unknown {
  const t = expression.trim();
  if (t.startsWith('{{') && t.endsWith('}}') && t.indexOf('{{', 2) < 0 && t.indexOf('}}') === t.length - 2) {
    return evaluateExpression(t.slice(2, -2).replace(/^-/, '').replace(/-$/, ''), vars, env);
  }
  return evaluateExpression(expression, vars, env);
}

/** Syntax check only: the error (with line and column) or undefined when the template parses. */
export function validateTemplate(source: string): ExpressionError | undefined {
  try {
    compile(source);
    return undefined;
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
}

/** Syntax check of a lone expression (as `evaluate` takes it). */
export function validateExpression(expression: string): ExpressionError | undefined {
  try {
    compileExpression(expression);
    return undefined;
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
}

export type { TemplateFn };
