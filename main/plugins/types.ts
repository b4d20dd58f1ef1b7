// The one shape every task and trigger plugin takes. Validation, the editor's JSON Schema, the
// palette, the property forms and the docs all read these definitions (DESIGN.md).
import type { z } from 'zod';
import type { Execution, TaskRun, LogLevel } from '../model/execution';
import type { Flow, TaskSpec, TriggerSpec } from '../model/flow';

export interface PluginExample { title: string; code: string }

export interface PluginDoc {
  /** Kestra's full type name, e.g. io.kestra.plugin.core.log.Log. */
  type: string;
  /** Older names still found in flows (io.kestra.core.tasks.log.Log …). */
  aliases?: string[];
  title: string;
  description: string;
  /** Palette group, e.g. "Core", "Flow", "Kafka". */
  category: string;
  /** An icon name the renderer knows (lucide-style), or a data: URI. */
  icon?: string;
  examples?: PluginExample[];
  /** What the plugin's outputs mean, by output name. */
  outputs?: Record<string, string>;
}

export interface Logger {
  log(level: LogLevel, message: string): void;
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface InternalStorage {
  /** Stores bytes and returns a kestra:// URI for them. */
  put(name: string, data: Buffer | string): string;
  get(uri: string): Buffer;
  exists(uri: string): boolean;
}

/** Engine services a plugin may call; kept narrow so plugins stay testable. */
export interface EngineServices {
  storage: InternalStorage;
  kv: {
    get(namespace: string, key: string): unknown;
    set(namespace: string, key: string, value: unknown, ttlMs?: number): void;
    delete(namespace: string, key: string): boolean;
  };
  secret(namespace: string, name: string): string;
  /** Small durable state of a trigger (schedule dates, cursors), kept across restarts. */
  triggerState: {
    get<T>(namespace: string, flowId: string, triggerId: string): T | undefined;
    set(namespace: string, flowId: string, triggerId: string, state: unknown): void;
  };
  /** Starts another flow's execution (Subflow); `done` resolves when it ends. */
  startSubflow?(req: {
    namespace: string; flowId: string; inputs: Record<string, unknown>; labels?: Record<string, string>;
    parent: Execution; parentTaskRun: TaskRun; revision?: number;
  }): Promise<{ execution: Execution; done: Promise<Execution> }>;
  /** Masks secret values in a string before it is logged or stored. */
  mask(text: string): string;
  /** Masks secret values in every string of a value (outputs). */
  maskValue<T>(value: T): T;
  dataDir: string;
  /** The folder holding a namespace's files (workspace `<namespace>/_files/`), when it exists. */
  namespaceFilesDir?(namespace: string): string | undefined;
}

export interface TaskContext {
  flow: Flow;
  execution: Execution;
  taskRun: TaskRun;
  task: TaskSpec;
  logger: Logger;
  /** Renders a template against this task run's variables. */
  render(template: string, extra?: Record<string, unknown>): string;
  /** Renders every string inside a value (maps, lists) against this task run's variables. */
  renderValue<T>(value: T, extra?: Record<string, unknown>): T;
  /** Evaluates one expression (no braces) to a typed value. */
  evaluate(expression: string, extra?: Record<string, unknown>): unknown;
  /** The expression context (flow, execution, inputs, outputs, vars, trigger, taskrun …). */
  variables: Record<string, unknown>;
  /** Aborted on timeout or kill. */
  signal: AbortSignal;
  services: EngineServices;
  /**
   * Pauses the execution until it is resumed from the API (or `timeoutMs` passes). Resolves with
   * the inputs given on resume. Used by core.flow.Pause.
   */
  pause(timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** What a flowable task asks the executor to run next. */
export interface ChildPlan {
  branches: { tasks: TaskSpec[]; value?: string; iteration?: number }[];
  /** How many branches run at once; 0 = all. Sequential semantics = 1. */
  concurrency: number;
  /** Per-flowable errors/finally lists, as Kestra flowables have. */
  errors?: TaskSpec[];
  finally?: TaskSpec[];
  /** Outputs of the flowable task run itself (Switch's `value`). */
  outputs?: Record<string, unknown>;
}

export interface TaskDefinition<P = any> extends PluginDoc {
  kind: 'task';
  /** Properties specific to this task; the registry adds the common ones (id, type, retry …). */
  props: z.ZodObject<any>;
  /** Properties holding child task lists (validated as tasks, never rendered). */
  childTaskProps?: string[];
  /** Properties passed to run() unrendered (rendered lazily by the plugin). */
  rawProps?: string[];
  /**
   * Properties the task parses as JSON when given text: there, a template that is one
   * `{{ expression }}` yielding a map or a list passes that value itself, skipping the JSON text
   * (a 160 KB payload was serialised by the template, then parsed back by the task).
   */
  valueProps?: string[];
  /** A plain task. */
  run?(ctx: TaskContext, props: P): Promise<Record<string, unknown> | void>;
  /** A flowable task: which child lists to run. */
  plan?(ctx: TaskContext, props: P): Promise<ChildPlan> | ChildPlan;
}

export type TriggerHealthState = 'STARTING' | 'RUNNING' | 'BACKOFF' | 'STOPPED' | 'ERROR';

/** One event turned into one execution (realtime) or one batch (polling). */
export interface TriggerEvent {
  /** Becomes `trigger.*` in the flow's expressions. */
  variables: Record<string, unknown>;
  /** The broker's message identity; a second event with the same key is not admitted twice. */
  dedupKey?: string;
  /** Flow inputs (Schedule / Flow triggers). */
  inputs?: Record<string, unknown>;
  labels?: Record<string, string>;
  /** A payload the serde could not read: the execution is created FAILED with this reason. */
  failure?: { reason: string; raw: string };
  /** Event time (ms since epoch) when the source tells it, for latency. */
  eventTime?: number;
}

export interface AdmitResult {
  executionId: string;
  duplicate: boolean;
  /** The admitted execution's document (absent for duplicates). */
  execution?: Execution;
}

export interface TriggerContext {
  flow: Flow;
  trigger: TriggerSpec;
  logger: Logger;
  services: EngineServices;
  /** Resolves once the execution row is committed; only then may the source be acknowledged. */
  admit(event: TriggerEvent): Promise<AdmitResult>;
  /** Admits many events in one commit (polling twins, batched consumers). */
  admitMany(events: TriggerEvent[]): Promise<AdmitResult[]>;
  /** Renders a template against { flow, trigger spec, envs, secret() }. */
  render(template: string): string;
  renderValue<T>(value: T): T;
  /** Reports health to the supervisor: RUNNING once connected; errors go through the thrown/`fail` path. */
  setState(state: TriggerHealthState, detail?: string): void;
  /** A fatal consumer error after start: the supervisor stops it and backs off. */
  fail(error: unknown): void;
  /** Executions admitted by this trigger and not finished yet. */
  inFlight(): number;
  /** Resolves when in-flight drops below the cap (consumers await it before taking more). */
  waitForCapacity(): Promise<void>;
  maxInFlight: number;
  signal: AbortSignal;
}

export interface TriggerHandle {
  stop(): Promise<void> | void;
  /** Lag reported by the broker, when it tells it. */
  lag?(): number | undefined;
  /**
   * Messages waiting at the broker for this consumer (queue length, consumer lag …). The
   * supervisor's watchdog restarts a consumer that receives nothing while this stays above zero.
   */
  backlog?(): Promise<number>;
  /** backlog() only knows "at least this many" (PostgreSQL CDC: 1 or 0): said so in the stall error. */
  backlogIsLowerBound?: boolean;
  /** A test-only hook that wedges the consumer while it stays connected (the watchdog tests). */
  stallForTest?(): Promise<void> | void;
}

export type TriggerMode = 'realtime' | 'polling' | 'schedule' | 'webhook' | 'flow';

export interface TriggerDefinition<P = any> extends PluginDoc {
  kind: 'trigger';
  mode: TriggerMode;
  props: z.ZodObject<any>;
  rawProps?: string[];
  /** Long-lived consumers (realtime, polling loop, schedule): the supervisor owns their life. */
  start?(ctx: TriggerContext, props: P): Promise<TriggerHandle>;
  /** Publishes a test event to the trigger's real source (the inspector's "send test event"). */
  publish?(ctx: TriggerContext, props: P, message: TestMessage): Promise<void>;
}

export interface TestMessage {
  payload: string;
  key?: string;
  headers?: Record<string, string>;
  attributes?: Record<string, string>;
}

export type PluginDefinition = TaskDefinition | TriggerDefinition;
