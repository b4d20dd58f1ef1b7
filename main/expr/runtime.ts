// Shared runtime types: the evaluation context, scopes, and the shape of filters, functions and tests.

export type Vars = Record<string, unknown>;

/** Engine hooks; every one is optional. A function whose hook is missing fails with a clear error. */
export interface ExprEnv {
  secret?(name: string): string;
  kv?(key: string, namespace?: string, errorOnMissing?: boolean): unknown;
  /** Reads an internal storage `kestra://` URI or a namespace file. */
  read?(path: string): string;
  /** Default zone for date filters (default: the system zone). */
  timezone?: string;
}

/** Variables introduced by `{% set %}` and `{% for %}`, chained to the enclosing scope. */
export class Scope {
  readonly vars = new Map<string, unknown>();
  constructor(readonly parent: Scope | null) {}
}

export interface Ctx {
  root: Vars;
  scope: Scope | null;
  env: ExprEnv;
  /** Nesting depth of `render()` calls, to stop runaway recursion. */
  depth: number;
}

export type Ev = (c: Ctx) => unknown;

export interface FilterDef {
  /** Argument names in positional order (Pebble's getArgumentNames). */
  args?: string[];
  /** Called with null input too unless `nullIn` is 'null' (then null in → null out without a call). */
  nullIn?: 'null' | 'call';
  fn(input: unknown, args: unknown[], c: Ctx): unknown;
}

export interface FunctionDef {
  args?: string[];
  /** Accepts any number of positional arguments (max, min). */
  variadic?: boolean;
  fn(args: unknown[], c: Ctx): unknown;
}

export interface TestDef {
  args?: string[];
  fn(input: unknown, args: unknown[], c: Ctx): boolean;
}

/** Late-bound entry points (set by compile.ts) so functions like render() can call the engine. */
export const hooks: {
  renderString: (source: string, c: Ctx) => string;
} = {
  renderString: () => {
    throw new Error('expression engine not initialised');
  },
};

export const EMPTY_ENV: ExprEnv = Object.freeze({});
