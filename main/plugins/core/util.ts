// Small helpers shared by the core tasks (and reused by other families).
import type { ChildPlan } from '../types';
import type { TaskSpec } from '../../model/flow';

/**
 * Kestra's TruthUtils: after rendering, the strings "false", "0", "-0" and "" (and null) are false,
 * every other value is true. Kestra trims the text first; the comparison is case-sensitive.
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  const text = String(value).trim();
  return text !== 'false' && text !== '0' && text !== '-0' && text !== '';
}

/** A child task list as the flow holds it (validated loosely by taskList()). */
export const tasksOf = (list: unknown): TaskSpec[] => (Array.isArray(list) ? (list as TaskSpec[]) : []);

/** Optional errors/finally lists, omitted when empty so plans stay small. */
export function handlers(props: { errors?: unknown; finally?: unknown }): Pick<ChildPlan, 'errors' | 'finally'> {
  const out: Pick<ChildPlan, 'errors' | 'finally'> = {};
  const errors = tasksOf(props.errors);
  const fin = tasksOf(props.finally);
  if (errors.length) out.errors = errors;
  if (fin.length) out.finally = fin;
  return out;
}

/** A p.int() value after rendering: a number, or a clear error when the template produced text. */
export function asInt(value: unknown, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new Error(`\`${name}\` must be a whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A p.bool() value after rendering. */
export function asBool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`\`${name}\` must be true or false, got ${JSON.stringify(value)}`);
}

/** Scalars Kestra reads as text (Property<String>): numbers and booleans written in YAML become strings. */
export const scalarText = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** Resolves after `ms`, or rejects as soon as `signal` aborts (the timer is cleared). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  return new Error(reason ? `Task stopped: ${String(reason)}` : 'Task stopped');
}
