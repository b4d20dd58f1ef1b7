// The executor: an in-memory state machine over a flow's task tree. New work is pushed (an
// admitted execution starts at once), state transitions go through the group-commit writer,
// and an execution a crash left unfinished resumes: finished task runs are kept, the rest rerun.
import { setMaxListeners } from 'node:events';
import type { Execution, LogLevel, TaskRun } from '../model/execution';
import type { Flow, TaskSpec } from '../model/flow';
import { isFailure, isTerminal, newState, transition, type StateType } from '../model/state';
import type { PluginRegistry } from '../plugins/registry';
import { parseDuration } from '../plugins/schema';
import type { EngineServices, TaskDefinition } from '../plugins/types';
import type { Store } from '../store';
import type { EngineEvents } from './events';
import { newId } from './ids';
import { nextRetryDelay } from './retry';
import { TaskRenderer, type ExpressionScope } from './rendering';
import { makeLogger } from './logging';

export interface ExecutorDeps {
  store: Store;
  registry: PluginRegistry;
  events: EngineEvents;
  services: EngineServices;
  renderer: TaskRenderer;
  /** Called once an execution reaches a terminal state. */
  onEnd(execution: Execution, flow: Flow): void;
}

/** Where a task list runs: under which parent task run and ForEach values. */
interface Scope {
  parent?: TaskRun;
  /** Enclosing ForEach/Switch values, outermost first. */
  values: string[];
  iteration?: number;
}

const ABORTED_BY_KILL = 'execution killed';

class ExecutionRun {
  readonly outputs: Record<string, unknown> = {};
  private killController?: AbortController;
  private killReason?: Error;
  /** Who waits on a kill without an AbortSignal (a task's run, see raceKill). */
  private readonly killWaiters = new Set<(reason: Error) => void>();
  private readonly previous = new Map<string, TaskRun>();
  private resumeWaiters = new Set<(inputs: Record<string, unknown>) => void>();
  readonly base: ExpressionScope;

  constructor(readonly execution: Execution, readonly flow: Flow, private readonly deps: ExecutorDeps) {
    for (const t of execution.taskRunList) this.previous.set(runKey(t.taskId, t.parentTaskRunId, t.value, t.iteration), t);
    this.base = deps.renderer.baseScope(execution, flow, this.outputs);
  }

  get killed(): boolean {
    return this.killReason !== undefined;
  }

  /** The kill signal, made on first use: most executions are never killed and never wait. */
  get killSignal(): AbortSignal {
    if (!this.killController) {
      this.killController = new AbortController();
      // Every running task of a wide ForEach/Parallel may listen to it.
      setMaxListeners(0, this.killController.signal);
      if (this.killReason) this.killController.abort(this.killReason);
    }
    return this.killController.signal;
  }

  abort(reason: Error): void {
    if (this.killReason) return;
    this.killReason = reason;
    for (const w of this.killWaiters) w(reason);
    this.killWaiters.clear();
    this.killController?.abort(reason);
  }

  /** Settles with the work, or rejects as soon as the execution is killed (the work is abandoned). */
  private raceKill<T>(work: Promise<T>): Promise<T> {
    if (this.killReason) return Promise.reject(this.killReason);
    return new Promise<T>((resolve, reject) => {
      this.killWaiters.add(reject);
      work.then(
        (v) => { this.killWaiters.delete(reject); resolve(v); },
        (e) => { this.killWaiters.delete(reject); reject(e); },
      );
    });
  }

  resume(inputs: Record<string, unknown>): boolean {
    if (this.resumeWaiters.size === 0) return false;
    for (const w of this.resumeWaiters) w(inputs);
    this.resumeWaiters.clear();
    return true;
  }

  async run(): Promise<Execution> {
    const { execution, flow } = this;
    this.setExecutionState('RUNNING');
    let state = await this.runList(flow.tasks, { values: [] });
    if (isFailure(state) && flow.errors?.length && !this.killed) await this.runList(flow.errors, { values: [] });
    if (flow.finally?.length) {
      const f = await this.runList(flow.finally, { values: [] });
      if (isFailure(f) && !isFailure(state)) state = f;
    }
    if (!isFailure(state) && flow.outputs?.length) {
      try {
        execution.outputs = this.deps.services.maskValue(Object.fromEntries(
          flow.outputs.map((o) => [o.id, this.deps.renderer.renderValue(o.value, this.base)]),
        ));
      } catch (e) {
        this.log('ERROR', `Unable to render the flow outputs: ${message(e)}`);
        state = 'FAILED';
      }
    }
    this.setExecutionState(this.killed ? 'KILLED' : state === 'WARNING' ? 'WARNING' : isFailure(state) ? 'FAILED' : 'SUCCESS');
    return execution;
  }

  /** Runs tasks one after the other; stops at the first failure. */
  private async runList(tasks: TaskSpec[], scope: Scope): Promise<StateType> {
    let result: StateType = 'SUCCESS';
    for (const spec of tasks) {
      if (this.killed) return 'KILLED';
      const s = await this.runTask(spec, scope);
      if (isFailure(s)) return s;
      if (s === 'WARNING') result = 'WARNING';
    }
    return result;
  }

  private async runTask(spec: TaskSpec, scope: Scope): Promise<StateType> {
    if (spec.disabled) return 'SUCCESS';
    const value = scope.values.length ? scope.values[scope.values.length - 1] : undefined;
    const previous = this.previous.get(runKey(spec.id, scope.parent?.id, value, scope.iteration));
    if (previous && isTerminal(previous.state.current)) {
      if (previous.outputs) this.setOutputs(spec.id, scope, previous.outputs);
      return previous.state.current;
    }
    const taskRun = previous ?? this.newTaskRun(spec, scope, value);
    const def = this.deps.registry.task(spec.type);
    this.setTaskState(taskRun, 'RUNNING');
    let state: StateType;
    if (!def) {
      this.log('ERROR', `Unknown task type ${spec.type}`, taskRun);
      state = 'FAILED';
    } else if (spec.runIf !== undefined && !this.runIfHolds(spec, taskRun, scope)) {
      state = 'SKIPPED';
    } else if (def.plan) {
      state = await this.runFlowable(def, spec, taskRun, scope);
    } else {
      state = await this.runAttempts(def, spec, taskRun, scope);
    }
    if (state === 'FAILED' && spec.allowFailure) state = 'WARNING';
    if (state === 'WARNING' && spec.allowWarning) state = 'SUCCESS';
    this.setTaskState(taskRun, state);
    return state;
  }

  private runIfHolds(spec: TaskSpec, taskRun: TaskRun, scope: Scope): boolean {
    try {
      return truthy(this.deps.renderer.render(String(spec.runIf), this.taskScope(spec, taskRun, scope)));
    } catch (e) {
      this.log('ERROR', `runIf: ${message(e)}`, taskRun);
      return false;
    }
  }

  private async runAttempts(def: TaskDefinition, spec: TaskSpec, taskRun: TaskRun, scope: Scope): Promise<StateType> {
    const firstAttemptAt = Date.now();
    for (;;) {
      const attempt = { state: transition(newState(), 'RUNNING') };
      taskRun.attempts.push(attempt);
      const vars = this.taskScope(spec, taskRun, scope);
      const timeout = this.timeoutSignal(spec);
      const signal = timeout ? () => timeout.signal : () => this.killSignal;
      let failure: unknown;
      try {
        const props = this.deps.renderer.renderProps(def, spec, vars);
        const ctx = this.deps.renderer.taskContext({ run: this, def, spec, taskRun, vars, signal, logger: this.taskLogger(taskRun) });
        const work = def.run!(ctx, props);
        // Secrets a task used never leave it in its outputs.
        const outputs = this.deps.services.maskValue(await (timeout ? raceAbort(work, timeout.signal) : this.raceKill(work)));
        if (outputs && Object.keys(outputs).length) {
          taskRun.outputs = outputs;
          this.setOutputs(spec.id, scope, outputs);
        }
      } catch (e) {
        failure = timeout?.signal.aborted ? timeout.signal.reason ?? e : this.killReason ?? e;
      } finally {
        timeout?.dispose();
      }
      if (failure === undefined) {
        transition(attempt.state, 'SUCCESS');
        return taskRun.attempts.length > 1 && spec.retry?.warningOnRetry ? 'WARNING' : 'SUCCESS';
      }
      if (this.killed) {
        transition(attempt.state, 'KILLED');
        return 'KILLED';
      }
      transition(attempt.state, 'FAILED');
      this.log('ERROR', message(failure), taskRun);
      const delay = nextRetryDelay(spec.retry, taskRun.attempts.length, firstAttemptAt);
      if (delay === undefined) return 'FAILED';
      this.setTaskState(taskRun, 'RETRYING');
      await sleep(delay, this.killSignal);
      if (this.killed) return 'KILLED';
      this.setTaskState(taskRun, 'RUNNING');
    }
  }

  private async runFlowable(def: TaskDefinition, spec: TaskSpec, taskRun: TaskRun, scope: Scope): Promise<StateType> {
    const vars = this.taskScope(spec, taskRun, scope);
    let plan;
    try {
      const props = this.deps.renderer.renderProps(def, spec, vars);
      const ctx = this.deps.renderer.taskContext({ run: this, def, spec, taskRun, vars, signal: () => this.killSignal, logger: this.taskLogger(taskRun) });
      plan = await def.plan!(ctx, props);
    } catch (e) {
      this.log('ERROR', message(e), taskRun);
      return 'FAILED';
    }
    if (plan.outputs) {
      taskRun.outputs = plan.outputs;
      this.setOutputs(spec.id, scope, plan.outputs);
    }
    const childScope = (b: (typeof plan.branches)[number]): Scope => ({
      parent: taskRun,
      values: b.value !== undefined ? [...scope.values, b.value] : scope.values,
      iteration: b.iteration,
    });
    const limit = plan.concurrency <= 0 ? plan.branches.length : plan.concurrency;
    const states: StateType[] = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < plan.branches.length && !failed && !this.killed) {
        const b = plan.branches[next++];
        const s = await this.runList(b.tasks, childScope(b));
        states.push(s);
        if (isFailure(s)) failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, plan.branches.length) }, worker));
    let state = aggregate(states);
    if (this.killed) return 'KILLED';
    const own: Scope = { parent: taskRun, values: scope.values };
    if (isFailure(state) && plan.errors?.length) await this.runList(plan.errors, own);
    if (plan.finally?.length) {
      const f = await this.runList(plan.finally, own);
      if (isFailure(f)) state = f;
    }
    return state;
  }

  /** Kestra keys outputs of tasks inside ForEach by the iteration value: outputs.t[value]. */
  private setOutputs(taskId: string, scope: Scope, outputs: Record<string, unknown>): void {
    if (scope.values.length === 0) {
      this.outputs[taskId] = outputs;
      return;
    }
    let node = (this.outputs[taskId] ??= {}) as Record<string, unknown>;
    for (let i = 0; i < scope.values.length - 1; i++) node = (node[scope.values[i]] ??= {}) as Record<string, unknown>;
    node[scope.values[scope.values.length - 1]] = outputs;
  }

  private taskScope(spec: TaskSpec, taskRun: TaskRun, scope: Scope): ExpressionScope {
    const parents = [...scope.values].reverse().slice(1).map((v) => ({ taskrun: { value: v } }));
    return {
      ...this.base,
      task: { id: spec.id, type: spec.type },
      taskrun: {
        id: taskRun.id,
        startDate: taskRun.state.startDate,
        attemptsCount: Math.max(0, taskRun.attempts.length - 1),
        parentId: taskRun.parentTaskRunId,
        value: taskRun.value,
        iteration: taskRun.iteration,
      },
      ...(parents.length ? { parent: parents[0], parents } : {}),
    };
  }

  private newTaskRun(spec: TaskSpec, scope: Scope, value: string | undefined): TaskRun {
    const e = this.execution;
    const taskRun: TaskRun = {
      id: newId(),
      executionId: e.id,
      namespace: e.namespace,
      flowId: e.flowId,
      taskId: spec.id,
      ...(scope.parent ? { parentTaskRunId: scope.parent.id } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(scope.iteration !== undefined ? { iteration: scope.iteration } : {}),
      attempts: [],
      state: newState(),
    };
    e.taskRunList.push(taskRun);
    return taskRun;
  }

  /** For a task with a timeout, one signal per attempt: aborted by a kill or by the timeout. */
  private timeoutSignal(spec: TaskSpec): { signal: AbortSignal; dispose(): void } | undefined {
    const timeoutMs = spec.timeout ? parseDuration(String(spec.timeout)) : undefined;
    if (!timeoutMs) return undefined;
    const controller = new AbortController();
    const onKill = (reason: Error) => controller.abort(reason);
    if (this.killReason) onKill(this.killReason);
    else this.killWaiters.add(onKill);
    const timer = setTimeout(() => controller.abort(new Error(`Timeout: the task ran longer than ${spec.timeout}`)), timeoutMs);
    return {
      signal: controller.signal,
      dispose: () => {
        clearTimeout(timer);
        this.killWaiters.delete(onKill);
      },
    };
  }

  pause(taskRun: TaskRun, timeoutMs?: number): Promise<Record<string, unknown>> {
    this.setTaskState(taskRun, 'PAUSED');
    this.setExecutionState('PAUSED');
    return new Promise<Record<string, unknown>>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (inputs: Record<string, unknown>) => {
        if (timer) clearTimeout(timer);
        this.killWaiters.delete(onKill);
        this.resumeWaiters.delete(done);
        this.setTaskState(taskRun, 'RUNNING');
        this.setExecutionState('RUNNING');
        resolve(inputs);
      };
      const onKill = () => done({});
      this.killWaiters.add(onKill);
      if (timeoutMs !== undefined) timer = setTimeout(() => done({}), timeoutMs);
      this.resumeWaiters.add(done);
    });
  }

  private setExecutionState(next: StateType): void {
    transition(this.execution.state, next);
    this.deps.store.writer.saveExecution(this.execution);
    if (this.deps.events.has('execution')) this.deps.events.emit('execution', this.execution);
  }

  private setTaskState(taskRun: TaskRun, next: StateType): void {
    transition(taskRun.state, next);
    this.deps.store.writer.saveTaskRun(taskRun);
    if (this.deps.events.has('execution')) this.deps.events.emit('execution', this.execution);
  }

  taskLogger(taskRun: TaskRun) {
    return makeLogger(this.deps, {
      namespace: this.execution.namespace,
      flowId: this.execution.flowId,
      executionId: this.execution.id,
      taskId: taskRun.taskId,
      taskRunId: taskRun.id,
      attemptNumber: Math.max(0, taskRun.attempts.length - 1),
    });
  }

  log(level: LogLevel, text: string, taskRun?: TaskRun): void {
    if (taskRun) this.taskLogger(taskRun).log(level, text);
    else makeLogger(this.deps, { namespace: this.execution.namespace, flowId: this.execution.flowId, executionId: this.execution.id }).log(level, text);
  }
}

export type { ExecutionRun };

export class Executor {
  private readonly runs = new Map<string, ExecutionRun>();

  constructor(private readonly deps: ExecutorDeps) {}

  /** Runs an admitted (committed) execution to its end. */
  async run(execution: Execution, flow: Flow): Promise<Execution> {
    const run = new ExecutionRun(execution, flow, this.deps);
    this.runs.set(execution.id, run);
    try {
      await run.run();
    } catch (e) {
      // A bug in the engine must not leave the execution RUNNING forever.
      run.log('ERROR', `Internal error: ${message(e)}`);
      transition(execution.state, 'FAILED');
      this.deps.store.writer.saveExecution(execution);
    } finally {
      this.runs.delete(execution.id);
    }
    this.deps.onEnd(execution, flow);
    return execution;
  }

  get running(): number {
    return this.runs.size;
  }

  isRunning(id: string): boolean {
    return this.runs.has(id);
  }

  /** The live document of a running execution. */
  live(id: string): Execution | undefined {
    return this.runs.get(id)?.execution;
  }

  kill(id: string): boolean {
    const run = this.runs.get(id);
    if (!run || run.killed) return false;
    transition(run.execution.state, 'KILLING');
    this.deps.store.writer.saveExecution(run.execution);
    run.abort(new Error(ABORTED_BY_KILL));
    return true;
  }

  resume(id: string, inputs: Record<string, unknown> = {}): boolean {
    return this.runs.get(id)?.resume(inputs) ?? false;
  }

  /** Kills every running execution (engine shutdown does not do this: it lets them resume). */
  killAll(): void {
    for (const id of [...this.runs.keys()]) this.kill(id);
  }
}

function runKey(taskId: string, parentId: string | undefined, value: string | undefined, iteration: number | undefined): string {
  return `${taskId}\u0000${parentId ?? ''}\u0000${value ?? ''}\u0000${iteration ?? ''}`;
}

function aggregate(states: StateType[]): StateType {
  if (states.some((s) => s === 'KILLED')) return 'KILLED';
  if (states.some((s) => s === 'FAILED')) return 'FAILED';
  if (states.some((s) => s === 'WARNING')) return 'WARNING';
  return 'SUCCESS';
}

/** Kestra's truthiness for rendered conditions. */
export function truthy(rendered: unknown): boolean {
  if (typeof rendered === 'boolean') return rendered;
  const s = String(rendered ?? '').trim().toLowerCase();
  return !(s === '' || s === 'false' || s === '0' || s === 'null');
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Settles with the task, or rejects as soon as the signal aborts (a task that ignores it is abandoned). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
