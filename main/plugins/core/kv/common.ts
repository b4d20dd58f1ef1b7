// Shared bits of the KV tasks.
import type { TaskContext } from '../../types';

export const KV_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'] as const;

export const namespaceOf = (ctx: TaskContext, namespace: string | undefined): string =>
  namespace && namespace.trim() !== '' ? namespace : ctx.flow.namespace;

export function requireKey(key: string): string {
  if (!key || key.trim() === '') throw new Error('`key` must not be empty');
  return key;
}

const SINGLE_EXPRESSION = /^\s*\{\{([\s\S]*)\}\}\s*$/;

/**
 * Kestra's renderTyped: a value that is exactly one `{{ expression }}` keeps the expression's type
 * (a number stays a number, a map a map); any other text is rendered to a string.
 */
export function renderTyped(ctx: TaskContext, raw: unknown): unknown {
  if (typeof raw === 'string') {
    const m = SINGLE_EXPRESSION.exec(raw);
    if (m && !m[1].includes('{{') && !m[1].includes('}}')) return ctx.evaluate(m[1].trim());
    return ctx.render(raw);
  }
  return ctx.renderValue(raw);
}
