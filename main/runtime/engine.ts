// The engine: store, executor, trigger supervisor and workspace wired together. Pure Node; the
// CLI, the web server and the Electron shell all host this one object.
import fs from 'node:fs';
import path from 'node:path';
import { formatError, onlyUnsupportedPlugins, resolveInputs, type FlowError } from '../flow';
import type { Execution } from '../model/execution';
import { flowKey, type Flow, type LoadedFlow, type TriggerSpec } from '../model/flow';
import { isTerminal, transition } from '../model/state';
import { createRegistry } from '../plugins';
import type { PluginRegistry } from '../plugins/registry';
import type { AdmitResult, EngineServices, TestMessage, TriggerEvent } from '../plugins/types';
import { Store, type Durability } from '../store';
import { secretFromEnv, type SecretKeyProvider } from '../store/secrets';
import { buildExecution } from './admission';
import { newId } from './ids';
import { EngineEvents } from './events';
import { Executor, message } from './executor';
import { makeLogger, SecretMask } from './logging';
import { envsFromProcess, TaskRenderer } from './rendering';
import { TriggerSupervisor } from './supervisor';
import { flowFileName, listFlowFiles, parseFlowSource, watchWorkspace } from './workspace';
import { flowTriggerEvents } from '../plugins/engine/flow-trigger';

export interface EngineOptions {
  dataDir: string;
  /** The workspace folder of YAML flows; watched unless `watch: false`. */
  flowsDir?: string;
  watch?: boolean;
  registry?: PluginRegistry;
  durability?: Durability;
  /** Executions a trigger may have admitted and unfinished before its consumer pauses. */
  maxInFlight?: number;
  /** Finished executions older than this many days are purged (0 keeps everything). */
  retentionDays?: number;
  secretKeys?: SecretKeyProvider;
  /** Trigger backoff bounds (tests shorten them). */
  backoff?: { minMs: number; maxMs: number };
  /** The watchdog restarts a consumer silent this long while its broker holds messages. */
  stallAfterMs?: number;
  /** Events larger than this become FAILED executions, their payload kept in internal storage (default 16 MiB). */
  maxPayloadBytes?: number;
}

export interface FlowProblem { file?: string; errors: FlowError[]; source: string }

export interface SaveFlowResult {
  ok: boolean;
  loaded?: LoadedFlow;
  errors: FlowError[];
  file?: string;
  /**
   * Not runnable here but kept: the flow's only errors are Kestra plugins Peregrine does not run
   * locally, so its file was written and it is listed under `problems` (never run; deployable).
   */
  kept?: boolean;
}

export class Engine {
  readonly store: Store;
  readonly registry: PluginRegistry;
  readonly events = new EngineEvents();
  readonly services: EngineServices;
  readonly executor: Executor;
  readonly supervisor: TriggerSupervisor;
  private readonly renderer: TaskRenderer;
  private readonly mask = new SecretMask();
  private readonly flowsByKey = new Map<string, LoadedFlow>();
  /** Files that failed to load, with their errors (shown in the UI, never run). */
  readonly problems = new Map<string, FlowProblem>();
  private readonly fileOfFlow = new Map<string, string>();
  private readonly waiters = new Map<string, ((e: Execution) => void)[]>();
  private readonly running = new Map<string, number>();
  private readonly queued = new Map<string, { execution: Execution; loaded: LoadedFlow }[]>();
  private stopWatching?: () => void;
  private retentionTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(readonly options: EngineOptions) {
    this.registry = options.registry ?? createRegistry();
    this.store = new Store({
      dataDir: options.dataDir,
      durability: options.durability,
      secretKeys: options.secretKeys,
      onWriteError: (e) => console.error(`peregrine: a write to the store failed: ${message(e)}`),
    });
    this.services = {
      storage: this.store.storage,
      kv: this.store.kv,
      triggerState: {
        get: (ns, flowId, triggerId) => this.store.triggerState(ns, flowId, triggerId),
        set: (ns, flowId, triggerId, state) => this.store.setTriggerState(ns, flowId, triggerId, state),
      },
      dataDir: options.dataDir,
      namespaceFilesDir: (namespace) => {
        const dir = options.flowsDir && path.join(options.flowsDir, namespace, '_files');
        return dir && fs.existsSync(dir) ? dir : undefined;
      },
      mask: (t) => this.mask.mask(t),
      maskValue: (v) => this.mask.maskValue(v),
      secret: (namespace, name) => this.secret(namespace, name),
      startSubflow: (req) => this.startSubflow(req),
    };
    this.renderer = new TaskRenderer(this.registry, this.services, envsFromProcess());
    this.executor = new Executor({
      store: this.store,
      registry: this.registry,
      events: this.events,
      services: this.services,
      renderer: this.renderer,
      onEnd: (e, f) => this.ended(e, f, true),
    });
    this.supervisor = new TriggerSupervisor({
      registry: this.registry,
      services: this.services,
      events: this.events,
      renderer: this.renderer,
      admit: (loaded, spec, events) => this.admit(loaded, spec, events),
      logger: (where) => makeLogger(this, { namespace: where.namespace, flowId: where.flowId, triggerId: where.triggerId }),
      maxInFlight: options.maxInFlight ?? 1000,
      backoff: options.backoff,
      stallAfterMs: options.stallAfterMs,
    });
  }

  /** Opens the store, loads the workspace, resumes what a crash left running, starts triggers. */
  static async start(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    if (options.flowsDir) {
      fs.mkdirSync(options.flowsDir, { recursive: true });
      for (const file of listFlowFiles(options.flowsDir)) engine.loadFile(file);
    }
    engine.resumeUnfinished();
    await Promise.all([...engine.flowsByKey].map(([key, loaded]) => engine.supervisor.sync(key, loaded)));
    if (options.flowsDir && options.watch !== false) {
      engine.stopWatching = watchWorkspace(options.flowsDir, (file, removed) => void engine.fileChanged(file, removed));
    }
    const days = options.retentionDays ?? 0;
    if (days > 0) {
      const purge = () => engine.store.purgeExecutions(Date.now() - days * 86_400_000);
      purge();
      engine.retentionTimer = setInterval(purge, 3_600_000).unref();
    }
    return engine;
  }

  // ── flows ─────────────────────────────────────────────────────────────────

  flows(): LoadedFlow[] {
    return [...this.flowsByKey.values()];
  }

  flow(namespace: string, id: string): LoadedFlow | undefined {
    return this.flowsByKey.get(flowKey(namespace, id));
  }

  validate(source: string, file?: string): FlowError[] {
    return parseFlowSource(source, this.registry, file).errors;
  }

  /**
   * Saves a flow: validates it, writes its file in the workspace (when there is one), records a
   * revision and (re)starts its triggers. Invalid sources are refused with their errors — except
   * a flow whose only errors are Kestra plugins Peregrine does not run locally: valid Kestra YAML,
   * so its file is written all the same (unless `keepUnsupported: false`) and it is listed under
   * `problems`, exactly as such a file found in the workspace is: editable, deployable, never run.
   * The result is then `{ ok: false, kept: true }`.
   */
  async saveFlow(
    source: string,
    opts: { file?: string; /** write the file (default true) */ write?: boolean; /** keep "not supported locally" flows as files (default true) */ keepUnsupported?: boolean } = {},
  ): Promise<SaveFlowResult> {
    const outcome = parseFlowSource(source, this.registry, opts.file);
    if (!outcome.flow || outcome.errors.some((e) => e.severity === 'error')) {
      if (outcome.flow && opts.write !== false && opts.keepUnsupported !== false && onlyUnsupportedPlugins(outcome.errors)) {
        return this.keepUnsupported(outcome.flow, source, outcome.errors, opts.file);
      }
      return { ok: false, errors: outcome.errors };
    }
    const { flow } = outcome;
    const key = flowKey(flow.namespace, flow.id);
    let file = opts.file ?? this.fileOfFlow.get(key);
    if (!file && this.options.flowsDir) file = flowFileName(this.options.flowsDir, flow.namespace, flow.id);
    if (file && opts.write !== false) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
    }
    if (file) this.problems.delete(file); // it may have been kept as "not supported locally" before
    const loaded = this.install(flow, source, file);
    await this.supervisor.sync(key, loaded);
    return { ok: true, loaded, errors: outcome.errors, file };
  }

  /** Writes a "not supported locally" flow's file and lists it as a problem; stops any older runnable version of it. */
  private async keepUnsupported(flow: Flow, source: string, errors: FlowError[], fileOpt?: string): Promise<SaveFlowResult> {
    const key = flowKey(flow.namespace, flow.id);
    const file = fileOpt ?? this.fileOfFlow.get(key) ?? (this.options.flowsDir ? flowFileName(this.options.flowsDir, flow.namespace, flow.id) : undefined);
    if (!file || typeof flow.id !== 'string' || typeof flow.namespace !== 'string') return { ok: false, errors };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
    this.problems.set(file, { file, errors: errors.map((e) => ({ ...e, file })), source });
    if (this.flowsByKey.has(key)) {
      // The file holds the new source now: keep no stale definition running (as when a file turns invalid).
      this.flowsByKey.delete(key);
      await this.supervisor.sync(key, undefined);
    }
    this.events.emit('flows', { reason: `kept ${key} (not supported locally)` });
    return { ok: false, kept: true, errors, file };
  }

  async deleteFlow(namespace: string, id: string): Promise<boolean> {
    const key = flowKey(namespace, id);
    const loaded = this.flowsByKey.get(key);
    if (!loaded) return false;
    this.flowsByKey.delete(key);
    const file = this.fileOfFlow.get(key);
    this.fileOfFlow.delete(key);
    if (file && fs.existsSync(file)) fs.rmSync(file);
    this.store.markFlowDeleted(namespace, id);
    await this.supervisor.sync(key, undefined);
    this.events.emit('flows', { reason: `deleted ${key}` });
    return true;
  }

  private loadFile(file: string): LoadedFlow | undefined {
    const source = fs.readFileSync(file, 'utf8');
    const outcome = parseFlowSource(source, this.registry, file);
    if (!outcome.flow || outcome.errors.some((e) => e.severity === 'error')) {
      this.problems.set(file, { file, errors: outcome.errors, source });
      for (const e of outcome.errors) if (e.severity === 'error') console.error(formatError(e));
      return undefined;
    }
    this.problems.delete(file);
    return this.install(outcome.flow, source, file);
  }

  private install(flow: Flow, source: string, file?: string): LoadedFlow {
    const key = flowKey(flow.namespace, flow.id);
    const revision = this.store.saveFlowRevision(flow.namespace, flow.id, source);
    const loaded: LoadedFlow = { flow, source, file, revision };
    this.flowsByKey.set(key, loaded);
    if (file) this.fileOfFlow.set(key, file);
    this.events.emit('flows', { reason: `saved ${key}` });
    return loaded;
  }

  private async fileChanged(file: string, removed: boolean): Promise<void> {
    if (this.closed) return;
    const key = [...this.fileOfFlow].find(([, f]) => f === file)?.[0];
    if (removed) {
      this.problems.delete(file);
      if (key) {
        const [ns, id] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
        await this.deleteFlow(ns, id);
      }
      return;
    }
    const loaded = this.loadFile(file);
    if (loaded) {
      const newKey = flowKey(loaded.flow.namespace, loaded.flow.id);
      if (key && key !== newKey) {
        this.flowsByKey.delete(key);
        await this.supervisor.sync(key, undefined);
      }
      await this.supervisor.sync(newKey, loaded);
    } else if (key) {
      // The file is broken now: keep no stale definition running.
      this.flowsByKey.delete(key);
      await this.supervisor.sync(key, undefined);
      this.events.emit('flows', { reason: `invalid ${file}` });
    }
  }

  // ── executions ────────────────────────────────────────────────────────────

  /**
   * Admits events as executions in one commit; resolves after the commit. Only new, readable
   * events start running. This is the path every trigger uses.
   */
  async admit(loaded: LoadedFlow, spec: TriggerSpec, events: TriggerEvent[]): Promise<AdmitResult[]> {
    const executions = events.map((event) =>
      buildExecution({ loaded, inputs: this.inputsFor(loaded, event.inputs ?? {}), trigger: { spec, event: this.withinSizeLimit(loaded, spec, event) } }),
    );
    const outcomes = await Promise.all(
      executions.map((execution, i) => this.store.writer.admit({ execution, dedupKey: events[i].dedupKey })),
    );
    const triggerKey = `${loaded.flow.namespace}/${loaded.flow.id}/${spec.id}`;
    const admitted = executions.filter((_, i) => !outcomes[i].duplicate);
    outcomes.forEach((o, i) => {
      if (!o.duplicate) Object.defineProperty(o, 'execution', { value: executions[i], enumerable: false });
    });
    // Count them in flight now, so that the consumer sees the cap before it takes more…
    for (const e of admitted) if (!isTerminal(e.state.current)) this.supervisor.acquired(triggerKey);
    // …but start them on the next turn of the event loop: the trigger's continuation (acknowledging
    // the source) runs first, so the window in which a crash makes the broker redeliver admitted
    // messages is as short as the acknowledgement itself.
    setImmediate(() => this.startAdmitted(admitted, loaded, spec));
    return outcomes;
  }

  /**
   * An event over the size limit is not run: it becomes a FAILED execution that says why, and its
   * payload is kept whole in internal storage (nothing is lost, the database stays small).
   */
  private withinSizeLimit(loaded: LoadedFlow, spec: TriggerSpec, event: TriggerEvent): TriggerEvent {
    const limit = this.options.maxPayloadBytes ?? 16 * 1024 * 1024;
    const size = approximateSize(event.variables, limit);
    if (size <= limit) return event;
    const uri = this.store.storage.put(
      `triggers/${loaded.flow.namespace}/${loaded.flow.id}/${spec.id}/oversized-${newId()}.json`,
      JSON.stringify(event.variables),
    );
    return {
      ...event,
      variables: { uri, size },
      failure: { reason: `the event is about ${size} bytes, over the limit of ${limit} bytes (maxPayloadBytes): its payload is kept at ${uri}`, raw: uri },
    };
  }

  private startAdmitted(executions: Execution[], loaded: LoadedFlow, spec: TriggerSpec): void {
    for (const execution of executions) {
      if (this.events.has('triggerEvent')) {
        this.events.emit('triggerEvent', {
          namespace: execution.namespace, flowId: execution.flowId, triggerId: spec.id,
          executionId: execution.id, variables: execution.trigger!.variables, receivedAt: Date.now(),
        });
      }
      if (isTerminal(execution.state.current)) this.ended(execution, loaded.flow);
      else this.launch(execution, loaded);
    }
  }

  /** A manual or API execution. Throws with the input errors when inputs are invalid. */
  async createExecution(namespace: string, flowId: string, inputs: Record<string, unknown> = {}, labels?: Record<string, string>): Promise<Execution> {
    const loaded = this.flow(namespace, flowId);
    if (!loaded) throw new NotFound(`flow ${namespace}.${flowId} not found`);
    if (loaded.flow.disabled) throw new BadRequest(`flow ${namespace}.${flowId} is disabled`);
    const resolved = resolveInputs(loaded.flow, inputs);
    if (resolved.errors.length) throw new BadRequest(resolved.errors.map((e) => `inputs.${e.id}: ${e.message}`).join('; '));
    const execution = buildExecution({ loaded, inputs: resolved.values, labels });
    await this.store.writer.admit({ execution });
    this.launch(execution, loaded);
    return execution;
  }

  /** Runs the flow's current revision again with a past execution's trigger variables (or inputs). */
  async replay(id: string): Promise<Execution> {
    const past = this.getExecution(id);
    if (!past) throw new NotFound(`execution ${id} not found`);
    const loaded = this.flow(past.namespace, past.flowId);
    if (!loaded) throw new NotFound(`flow ${past.namespace}.${past.flowId} not found`);
    const spec = past.trigger ? loaded.flow.triggers?.find((t) => t.id === past.trigger!.id) ?? { id: past.trigger.id, type: past.trigger.type } : undefined;
    const execution = buildExecution({
      loaded,
      inputs: this.inputsFor(loaded, past.inputs),
      labels: [...past.labels.filter((l) => l.key !== 'replayOf'), { key: 'replayOf', value: past.id }],
      ...(spec && past.trigger ? { trigger: { spec, event: { variables: past.trigger.variables } } } : {}),
    });
    await this.store.writer.admit({ execution });
    this.launch(execution, loaded);
    return execution;
  }

  /** Sends test messages to a trigger's real source (webhooks: straight to admission). */
  async sendTestEvents(ref: { namespace: string; flowId: string; triggerId: string }, message: TestMessage, count = 1, ratePerSecond?: number): Promise<number> {
    const loaded = this.flow(ref.namespace, ref.flowId);
    const spec = loaded?.flow.triggers?.find((t) => t.id === ref.triggerId);
    if (!loaded || !spec) throw new NotFound(`trigger ${ref.namespace}.${ref.flowId}.${ref.triggerId} not found`);
    const def = this.registry.trigger(spec.type);
    const inst = this.supervisor.get(ref.namespace, ref.flowId, ref.triggerId);
    const gap = ratePerSecond ? 1000 / ratePerSecond : 0;
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      if (def?.mode === 'webhook') {
        let body: unknown = message.payload;
        try {
          body = JSON.parse(message.payload);
        } catch {
          // a plain-text body stays text
        }
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k.toLowerCase(), [v]]));
        const event = { variables: { body, headers, parameters: {} } };
        if (inst) await inst.admit([event]);
        else await this.admit(loaded, spec, [event]);
      } else if (inst) {
        await inst.publish(message);
      } else {
        throw new BadRequest(`trigger ${ref.triggerId} is not running, so it cannot publish`);
      }
      const due = started + (i + 1) * gap;
      if (gap && due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    return count;
  }

  /** The execution as last written, once every pending write is committed (read-your-writes). */
  async readExecution(id: string): Promise<Execution | undefined> {
    await this.store.writer.flush();
    return this.store.getExecution(id);
  }

  getExecution(id: string): Execution | undefined {
    return this.store.getExecution(id);
  }

  /** Resolves when the execution reaches a terminal state. */
  async waitFor(id: string): Promise<Execution> {
    if (!this.executor.isRunning(id) && !this.isQueued(id)) {
      // It may have just ended: its end state is committed at the latest by the next flush.
      await this.store.writer.flush();
      const stored = this.store.getExecution(id);
      if (stored && isTerminal(stored.state.current)) return stored;
    }
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  private isQueued(id: string): boolean {
    for (const q of this.queued.values()) if (q.some((x) => x.execution.id === id)) return true;
    return false;
  }

  kill(id: string): boolean {
    if (this.executor.kill(id)) return true;
    for (const queue of this.queued.values()) {
      const i = queue.findIndex((q) => q.execution.id === id);
      if (i >= 0) {
        const [{ execution, loaded }] = queue.splice(i, 1);
        transition(execution.state, 'KILLED');
        this.store.writer.saveExecution(execution);
        this.ended(execution, loaded.flow);
        return true;
      }
    }
    return false;
  }

  resume(id: string, inputs?: Record<string, unknown>): boolean {
    return this.executor.resume(id, inputs);
  }

  private inputsFor(loaded: LoadedFlow, provided: Record<string, unknown>): Record<string, unknown> {
    if (!loaded.flow.inputs?.length) return provided;
    return resolveInputs(loaded.flow, provided).values;
  }

  /** Starts an execution now, or queues / cancels / fails it when the flow's concurrency limit is reached. */
  private launch(execution: Execution, loaded: LoadedFlow): void {
    const key = flowKey(execution.namespace, execution.flowId);
    const limit = loaded.flow.concurrency?.limit;
    if (limit && (this.running.get(key) ?? 0) >= limit) {
      const behavior = loaded.flow.concurrency?.behavior ?? 'QUEUE';
      if (behavior === 'QUEUE') {
        transition(execution.state, 'QUEUED');
        this.store.writer.saveExecution(execution);
        const q = this.queued.get(key) ?? [];
        q.push({ execution, loaded });
        this.queued.set(key, q);
        return;
      }
      transition(execution.state, behavior === 'CANCEL' ? 'CANCELLED' : 'FAILED');
      this.store.writer.saveExecution(execution);
      this.ended(execution, loaded.flow);
      return;
    }
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    void this.executor.run(execution, loaded.flow);
  }

  /** An execution reached a terminal state; `ran` when the executor ran it (it held a concurrency slot). */
  private ended(execution: Execution, flow: Flow, ran = false): void {
    const key = flowKey(execution.namespace, execution.flowId);
    if (ran) this.running.set(key, Math.max(0, (this.running.get(key) ?? 1) - 1));
    if (execution.trigger) this.supervisor.released(`${key}/${execution.trigger.id}`);
    if (this.events.has('execution')) this.events.emit('execution', execution);
    const waiters = this.waiters.get(execution.id);
    if (waiters) {
      this.waiters.delete(execution.id);
      // Answer only once the end state is committed: a reader who asks next sees it.
      void this.store.writer.flush().finally(() => waiters.forEach((w) => w(execution)));
    }
    const next = this.queued.get(key)?.shift();
    if (next && !this.closed) this.launch(next.execution, next.loaded);
    if (!this.closed) void this.fireFlowTriggers(execution, flow);
  }

  /** Flow triggers: other flows that start when this execution ends. */
  private async fireFlowTriggers(execution: Execution, _flow: Flow): Promise<void> {
    for (const loaded of this.flowsByKey.values()) {
      if (loaded.flow.disabled) continue;
      for (const { spec, event } of flowTriggerEvents(loaded, execution)) {
        const inst = this.supervisor.get(loaded.flow.namespace, loaded.flow.id, spec.id);
        try {
          if (inst) await inst.admit([event]);
          else await this.admit(loaded, spec, [event]);
        } catch (e) {
          console.error(`peregrine: flow trigger ${spec.id} of ${loaded.flow.id}: ${message(e)}`);
        }
      }
    }
  }

  /** Executions a crash left CREATED/RUNNING/QUEUED/PAUSED run again from their last finished task. */
  private resumeUnfinished(): void {
    for (const execution of this.store.unfinishedExecutions()) {
      const loaded = this.flow(execution.namespace, execution.flowId);
      const revision = loaded && loaded.revision === execution.flowRevision ? loaded : this.revisionOf(execution);
      if (!revision) {
        transition(execution.state, 'FAILED');
        execution.error = `flow ${execution.namespace}.${execution.flowId} revision ${execution.flowRevision} is no longer available`;
        this.store.writer.saveExecution(execution);
        continue;
      }
      if (execution.trigger) this.supervisor.acquired(`${execution.namespace}/${execution.flowId}/${execution.trigger.id}`);
      this.launch(execution, revision);
    }
  }

  private revisionOf(execution: Execution): LoadedFlow | undefined {
    const rev = this.store.flowRevision(execution.namespace, execution.flowId, execution.flowRevision);
    if (!rev) return undefined;
    const outcome = parseFlowSource(rev.source, this.registry);
    return outcome.flow ? { flow: outcome.flow, source: rev.source, revision: rev.revision } : undefined;
  }

  private async startSubflow(req: Parameters<NonNullable<EngineServices['startSubflow']>>[0]) {
    const loaded = this.flow(req.namespace, req.flowId);
    if (!loaded) throw new Error(`subflow ${req.namespace}.${req.flowId} not found`);
    const resolved = resolveInputs(loaded.flow, req.inputs);
    if (resolved.errors.length) throw new Error(resolved.errors.map((e) => `inputs.${e.id}: ${e.message}`).join('; '));
    const execution = buildExecution({ loaded, inputs: resolved.values, labels: req.labels, parentId: req.parent.id });
    execution.trigger = {
      id: 'subflow',
      type: 'io.kestra.plugin.core.flow.Subflow',
      variables: { executionId: req.parent.id, namespace: req.parent.namespace, flowId: req.parent.flowId, flowRevision: req.parent.flowRevision },
    };
    await this.store.writer.admit({ execution });
    const done = this.waitFor(execution.id);
    this.launch(execution, loaded);
    return { execution, done };
  }

  private secret(namespace: string, name: string): string {
    const value = secretFromEnv(name) ?? this.store.secrets.get(namespace, name);
    if (value === undefined) {
      throw new Error(`secret "${name}" not found: add it to the secret store, or export SECRET_${name} (base64-encoded, as in Kestra)`);
    }
    this.mask.add(value);
    return value;
  }

  /** Stops triggers, lets the writer commit, closes the store. Running executions resume at next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching?.();
    clearInterval(this.retentionTimer);
    await this.supervisor.stopAll();
    await this.store.writer.flush().catch(() => {});
    await this.store.close();
  }
}

/** Roughly how many bytes a value takes as JSON; stops counting once past `cap` (cheap per event). */
export function approximateSize(value: unknown, cap = Number.POSITIVE_INFINITY): number {
  let total = 0;
  const walk = (v: unknown): void => {
    if (total > cap) return;
    if (typeof v === 'string') total += v.length + 2;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (Buffer.isBuffer(v)) total += v.length;
      else for (const k in v) {
        total += k.length + 4;
        walk((v as Record<string, unknown>)[k]);
      }
    } else total += 8;
  };
  walk(value);
  return total;
}

export class NotFound extends Error {
  readonly status = 404;
}
export class BadRequest extends Error {
  readonly status = 400;
}
