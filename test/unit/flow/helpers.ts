import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFlow, type ValidateOptions } from '../../../main/flow';
import type { PluginRegistry } from '../../../main/plugins/registry';
import { testRegistry } from './registry';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/flows/', import.meta.url));
export const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');

export interface Brief {
  at: string;
  path: string;
  message: string;
  severity?: 'warning';
}

/** Every error of a flow as `{ at: "line:col", path, message }` (severity only when a warning). */
export function check(source: string, options?: ValidateOptions, registry: PluginRegistry = testRegistry()): Brief[] {
  return loadFlow(source, 'flow.yaml', registry, options).errors.map((e) => ({
    at: `${e.line}:${e.column}`,
    path: e.path,
    message: e.message,
    ...(e.severity === 'warning' ? { severity: 'warning' as const } : {}),
  }));
}

/** A flow with the given task list (YAML, indented by 2) under a fixed header of 3 lines. */
export const withTasks = (tasks: string): string => `id: test\nnamespace: company.team\ntasks:\n${tasks}`;
