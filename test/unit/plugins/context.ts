// Builds a real TaskContext for plugin tests: internal storage in a temporary folder, an in-memory
// KV store with TTLs, a logger that records entries, and the expression engine of main/expr when it
// exists (a minimal stand-in until then). runTask/planTask do what the executor does before calling
// a plugin: render the properties (except rawProps and childTaskProps) and parse them with the schema.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Execution, LogLevel, TaskRun } from '../../../main/model/execution';
import type { Flow, TaskSpec } from '../../../main/model/flow';
import { newState } from '../../../main/model/state';
import type { ChildPlan, EngineServices, InternalStorage, Logger, TaskContext, TaskDefinition } from '../../../main/plugins/types';

export interface LogRecord { level: LogLevel; message: string }

// ---------------------------------------------------------------------------------------------
// Expressions: main/expr when present, otherwise the stand-in below.

interface ExprApi {
  render(template: string, vars: Record<string, unknown>, env?: unknown): string;
  renderValue<T>(value: T, vars: Record<string, unknown>, env?: unknown): T;
  evaluate(expression: string, vars: Record<string, unknown>, env?: unknown): unknown;
}

const EXPR_INDEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../main/expr/index.ts');
const realExpr: ExprApi | undefined = existsSync(EXPR_INDEX) ? await loadExpr() : undefined;

async function loadExpr(): Promise<ExprApi | undefined> {
  const specifier = '../../../main/expr/index';
  const m = (await import(/* @vite-ignore */ specifier)) as Partial<ExprApi>;
  return typeof m.render === 'function' && typeof m.renderValue === 'function' && typeof m.evaluate === 'function'
    ? (m as ExprApi)
    : undefined;
}

/** Which engine the test contexts render with. */
export const exprEngine: 'main/expr' | 'stand-in' = realExpr ? 'main/expr' : 'stand-in';

/**
 * Stand-in used only while main/expr/index.ts does not exist: replaces `{{ path }}` by the value
 * at that path (dots, [n] and ['key']), quoted strings and numbers. Remove once expr lands.
 */
export function renderStandInUntilExprExists(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluateStandIn(expr, vars);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

function evaluateStandIn(expression: string, vars: Record<string, unknown>): unknown {
  const e = expression.trim();
  if (/^'.*'$|^".*"$/.test(e)) return e.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (e === 'true' || e === 'false') return e === 'true';
  if (e === 'null') return null;
  let cur: unknown = vars;
  for (const part of e.match(/[A-Za-z_$][\w$]*|\[\s*\d+\s*\]|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\]/g) ?? []) {
    const key = part.startsWith('[') ? part.slice(1, -1).trim().replace(/^['"]|['"]$/g, '') : part;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

function renderValueWith(render: (t: string) => string, value: unknown): unknown {
  if (typeof value === 'string') return /\{\{|\{%/.test(value) ? render(value) : value;
  if (Array.isArray(value)) return value.map((v) => renderValueWith(render, v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValueWith(render, v)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Services.

export class TestStorage implements InternalStorage {
  constructor(readonly dir: string) {}
  put(name: string, data: Buffer | string): string {
    const rel = `${randomUUID()}/${name.replace(/^\/+/, '')}`;
    const file = path.join(this.dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    return `kestra:///peregrine-test/${rel}`;
  }
  get(uri: string): Buffer {
    const file = this.fileOf(uri);
    if (!file || !existsSync(file)) throw new Error(`No file in internal storage for ${uri}`);
    return readFileSync(file);
  }
  exists(uri: string): boolean {
    const file = this.fileOf(uri);
    return !!file && existsSync(file);
  }
  private fileOf(uri: string): string | undefined {
    const m = /^kestra:\/\/\/peregrine-test\/(.+)$/.exec(uri);
    if (!m || m[1].split('/').includes('..')) return undefined;
    return path.join(this.dir, m[1]);
  }
}

export class TestKv {
  readonly entries = new Map<string, { value: unknown; expiresAt?: number }>();
  private k = (ns: string, key: string) => `${ns}\u0000${key}`;
  get(namespace: string, key: string): unknown {
    const e = this.entries.get(this.k(namespace, key));
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.entries.delete(this.k(namespace, key));
      return undefined;
    }
    return e.value;
  }
  set(namespace: string, key: string, value: unknown, ttlMs?: number): void {
    this.entries.set(this.k(namespace, key), { value, expiresAt: ttlMs !== undefined ? Date.now() + ttlMs : undefined });
  }
  delete(namespace: string, key: string): boolean {
    const existed = this.get(namespace, key) !== undefined;
    this.entries.delete(this.k(namespace, key));
    return existed;
  }
  expiresAt(namespace: string, key: string): number | undefined {
    return this.entries.get(this.k(namespace, key))?.expiresAt;
  }
}

// ---------------------------------------------------------------------------------------------
// Context.

export interface TestContextOptions {
  flow?: { id?: string; namespace?: string };
  /** The task spec (id/type/timeout …); a default one is used otherwise. */
  task?: Partial<TaskSpec>;
  /** Merged over the default expression scope (inputs, outputs, trigger, taskrun …). */
  variables?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Share a KV store between contexts. */
  kv?: TestKv;
  /** Abort this to kill/time out the task. */
  controller?: AbortController;
}

export interface TestContext {
  ctx: TaskContext;
  logs: LogRecord[];
  kv: TestKv;
  storage: TestStorage;
  controller: AbortController;
  /** Log messages at a level (all levels when omitted). */
  messages(level?: LogLevel): string[];
}

const cleanups: (() => void)[] = [];

/** Removes every temporary folder created by createTestContext (call from afterAll/afterEach). */
export function cleanupTestContexts(): void {
  for (const c of cleanups.splice(0)) c();
}

export function createTestContext(opts: TestContextOptions = {}): TestContext {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-plugin-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const storage = new TestStorage(dir);
  const kv = opts.kv ?? new TestKv();
  const controller = opts.controller ?? new AbortController();
  const logs: LogRecord[] = [];
  const secrets = opts.secrets ?? {};

  const record = (level: LogLevel) => (message: string) => void logs.push({ level, message });
  const logger: Logger = {
    log: (level, message) => void logs.push({ level, message }),
    trace: record('TRACE'),
    debug: record('DEBUG'),
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
  };

  const flow: Flow = {
    id: opts.flow?.id ?? 'test_flow',
    namespace: opts.flow?.namespace ?? 'company.team',
    tasks: [],
  };
  const task: TaskSpec = { id: 'task', type: 'io.kestra.plugin.core.log.Log', ...(opts.task ?? {}) } as TaskSpec;
  const execution: Execution = {
    id: randomUUID(),
    namespace: flow.namespace,
    flowId: flow.id,
    flowRevision: 1,
    taskRunList: [],
    inputs: {},
    labels: [],
    state: newState(),
    originalId: '',
  };
  execution.originalId = execution.id;
  const taskRun: TaskRun = {
    id: randomUUID(),
    executionId: execution.id,
    namespace: flow.namespace,
    flowId: flow.id,
    taskId: task.id,
    attempts: [],
    state: newState(),
  };

  const services: EngineServices = {
    storage,
    kv,
    secret: (namespace, name) => {
      if (!(name in secrets)) throw new Error(`No secret '${name}' in namespace ${namespace}`);
      return secrets[name];
    },
    triggerState: { get: () => undefined, set: () => undefined },
    mask: (text) => Object.values(secrets).reduce((t, s) => (s ? t.split(s).join('******') : t), text),
    maskValue: (v) => v,
    dataDir: dir,
  };

  const extra = opts.variables ?? {};
  const variables: Record<string, unknown> = {
    flow: { id: flow.id, namespace: flow.namespace, revision: 1 },
    execution: { id: execution.id, startDate: execution.state.startDate, originalId: execution.id },
    task: { id: task.id, type: task.type },
    taskrun: { id: taskRun.id, startDate: taskRun.state.startDate, attemptsCount: 1 },
    inputs: {},
    outputs: {},
    vars: {},
    labels: {},
    envs: {},
    ...extra,
  };

  const env = {
    secret: (name: string) => services.secret(flow.namespace, name),
    kv: (key: string, ns?: string) => kv.get(ns ?? flow.namespace, key) ?? null,
    read: (uri: string) => storage.get(uri).toString('utf8'),
  };
  const scope = (more?: Record<string, unknown>) => (more ? { ...variables, ...more } : variables);
  const render = (t: string, more?: Record<string, unknown>) =>
    realExpr ? realExpr.render(t, scope(more), env) : renderStandInUntilExprExists(t, scope(more));

  const ctx: TaskContext = {
    flow,
    execution,
    taskRun,
    task,
    logger,
    render,
    renderValue: <T>(value: T, more?: Record<string, unknown>): T =>
      realExpr ? realExpr.renderValue(value, scope(more), env) : (renderValueWith((t) => render(t, more), value) as T),
    evaluate: (expression, more) =>
      realExpr ? realExpr.evaluate(expression, scope(more), env) : evaluateStandIn(expression, scope(more)),
    variables,
    signal: controller.signal,
    services,
    pause: () => Promise.reject(new Error('pause is not available in plugin unit tests')),
  };

  return {
    ctx,
    logs,
    kv,
    storage,
    controller,
    messages: (level) => logs.filter((l) => !level || l.level === level).map((l) => l.message),
  };
}

// ---------------------------------------------------------------------------------------------
// Doing what the executor does.

/** Renders the properties the executor renders and parses them with the plugin's schema. */
export function prepareProps<P>(def: TaskDefinition<P>, spec: Record<string, unknown>, ctx: TaskContext): P {
  const keep = new Set([...(def.childTaskProps ?? []), ...(def.rawProps ?? [])]);
  const raw: Record<string, unknown> = {};
  const toRender: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) (keep.has(k) ? raw : toRender)[k] = v;
  const parsed = def.props.safeParse({ ...ctx.renderValue(toRender), ...raw });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`Invalid property ${first.path.join('.')}: ${first.message}`);
  }
  return parsed.data as P;
}

/** Runs a plain task with these (unrendered) properties; returns its outputs and the test context. */
export async function runTask<P>(
  def: TaskDefinition<P>,
  spec: Record<string, unknown>,
  opts: TestContextOptions = {},
): Promise<{ outputs: Record<string, unknown> | undefined; t: TestContext }> {
  const t = createTestContext({ ...opts, task: { id: 'task', type: def.type, ...(opts.task ?? {}) } });
  if (!def.run) throw new Error(`${def.type} has no run()`);
  const outputs = (await def.run(t.ctx, prepareProps(def, spec, t.ctx))) ?? undefined;
  return { outputs, t };
}

/** Plans a flowable task with these (unrendered) properties. */
export async function planTask<P>(def: TaskDefinition<P>, spec: Record<string, unknown>, opts: TestContextOptions = {}): Promise<ChildPlan> {
  const t = createTestContext({ ...opts, task: { id: 'task', type: def.type, ...(opts.task ?? {}) } });
  if (!def.plan) throw new Error(`${def.type} has no plan()`);
  return def.plan(t.ctx, prepareProps(def, spec, t.ctx));
}
