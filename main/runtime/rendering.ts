// Builds the expression scope of executions and task runs, and renders task properties.
import { evaluate, render, renderValue, type ExprEnv } from '../expr';
import type { Execution, TaskRun } from '../model/execution';
import type { Flow, TaskSpec } from '../model/flow';
import type { PluginRegistry } from '../plugins/registry';
import { isTemplate } from '../plugins/schema';
import type { EngineServices, Logger, TaskContext, TaskDefinition } from '../plugins/types';

export type ExpressionScope = Record<string, unknown> & { flow: { id: string; namespace: string; revision?: number } };

/** Properties the engine handles itself: never rendered as plugin properties. */
const ENGINE_PROPS = new Set(['id', 'type', 'description', 'retry', 'timeout', 'allowFailure', 'allowWarning', 'disabled', 'runIf', 'logLevel', 'logToFile', 'workerGroup']);

export interface ContextRequest {
  run: { execution: Execution; flow: Flow; pause(taskRun: TaskRun, timeoutMs?: number): Promise<Record<string, unknown>> };
  def: TaskDefinition;
  spec: TaskSpec;
  taskRun: TaskRun;
  vars: ExpressionScope;
  /** The task's abort signal, made only when a task asks for it. */
  signal(): AbortSignal;
  logger: Logger;
}

export class TaskRenderer {
  private readonly envs = new Map<string, ExprEnv>();
  /** Properties of template-free task specs, parsed once. */
  private readonly staticProps = new WeakMap<TaskSpec, unknown>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly services: EngineServices,
    /** `envs.*` in expressions. */
    readonly envVars: Record<string, string>,
  ) {}

  envFor(namespace: string): ExprEnv {
    let env = this.envs.get(namespace);
    if (!env) {
      const services = this.services;
      env = {
        secret: (name) => services.secret(namespace, name),
        kv: (key, ns, errorOnMissing) => {
          const v = services.kv.get(ns ?? namespace, key);
          if (v === undefined && errorOnMissing) throw new Error(`no KV pair "${key}" in namespace ${ns ?? namespace}`);
          return v ?? null;
        },
        read: (path) => services.storage.get(path).toString('utf8'),
      };
      this.envs.set(namespace, env);
    }
    return env;
  }

  baseScope(execution: Execution, flow: Flow, outputs: Record<string, unknown>): ExpressionScope {
    const scope: ExpressionScope = {
      flow: { id: flow.id, namespace: flow.namespace, revision: execution.flowRevision },
      execution: { id: execution.id, startDate: execution.state.startDate, originalId: execution.originalId, state: execution.state.current },
      inputs: execution.inputs,
      outputs,
      labels: Object.fromEntries(execution.labels.map((l) => [l.key, l.value])),
      envs: this.envVars,
      globals: {},
      ...(execution.trigger ? { trigger: execution.trigger.variables } : {}),
    };
    if (flow.variables) {
      // Kestra renders variables when they are used; rendering them once per execution is equivalent for our scope.
      try {
        scope.vars = renderValue(flow.variables, scope, this.envFor(flow.namespace));
      } catch {
        scope.vars = flow.variables;
      }
    } else scope.vars = {};
    return scope;
  }

  render(template: string, vars: ExpressionScope): string {
    return render(template, vars, this.envFor(vars.flow.namespace));
  }

  renderValue<T>(value: T, vars: ExpressionScope): T {
    return renderValue(value, vars, this.envFor(vars.flow.namespace));
  }

  /** The map or list a template made of one `{{ expression }}` yields; undefined for anything else. */
  private loneValue(v: unknown, vars: ExpressionScope): unknown {
    if (typeof v !== 'string' || !LONE_EXPRESSION.test(v)) return undefined;
    const value = evaluate(v, vars, this.envFor(vars.flow.namespace));
    return value !== null && typeof value === 'object' ? value : undefined;
  }

  /** Renders a task's own properties and parses them with its schema (defaults, coercion). */
  renderProps(def: TaskDefinition, spec: TaskSpec, vars: ExpressionScope): Record<string, unknown> {
    const cached = this.staticProps.get(spec);
    if (cached) return cached as Record<string, unknown>;
    const keep = new Set([...(def.childTaskProps ?? []), ...(def.rawProps ?? [])]);
    const raw: Record<string, unknown> = {};
    const rendered: Record<string, unknown> = {};
    let templated = false;
    for (const [k, v] of Object.entries(spec)) {
      if (ENGINE_PROPS.has(k)) continue;
      if (keep.has(k)) {
        raw[k] = v;
        continue;
      }
      if (!templated && containsTemplate(v)) templated = true;
      const value = def.valueProps?.includes(k) ? this.loneValue(v, vars) : undefined;
      if (value !== undefined) raw[k] = value;
      else rendered[k] = v;
    }
    const values = templated ? this.renderValue(rendered, vars) : rendered;
    const parsed = def.props.safeParse({ ...values, ...raw });
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`Invalid property ${first.path.join('.') || spec.id}: ${first.message}`);
    }
    if (!templated) this.staticProps.set(spec, parsed.data);
    return parsed.data as Record<string, unknown>;
  }

  taskContext(req: ContextRequest): TaskContext {
    const { run, spec, taskRun, vars, signal, logger } = req;
    return {
      flow: run.flow,
      execution: run.execution,
      taskRun,
      task: spec,
      logger,
      variables: vars,
      get signal() {
        return signal();
      },
      services: this.services,
      render: (t, extra) => this.render(t, extra ? { ...vars, ...extra } : vars),
      renderValue: (v, extra) => this.renderValue(v, extra ? { ...vars, ...extra } : vars),
      evaluate: (expression, extra) => evaluate(expression, extra ? { ...vars, ...extra } : vars, this.envFor(vars.flow.namespace)),
      pause: (timeoutMs) => run.pause(taskRun, timeoutMs),
    };
  }
}

/** `{{ … }}` and nothing else: no text around it, no second expression, no tag. */
const LONE_EXPRESSION = /^\s*\{\{(?:(?!\{\{|\}\}|\{%)[^])*\}\}\s*$/;

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return isTemplate(v);
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}

/** Kestra exposes environment variables prefixed ENV_ as `envs.<name in lower case>`. */
export function envsFromProcess(env: NodeJS.ProcessEnv = process.env, prefix = 'ENV_'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith(prefix) && v !== undefined) out[k.slice(prefix.length).toLowerCase()] = v;
  return out;
}
