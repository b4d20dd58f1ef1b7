// The trigger supervisor owns every trigger's life: start, stop, restart on change, backoff with
// jitter on failure, the in-flight cap, and the health and counters the UI shows.
import type { LoadedFlow, TriggerSpec } from '../model/flow';
import type { PluginRegistry } from '../plugins/registry';
import type { AdmitResult, EngineServices, Logger, TestMessage, TriggerContext, TriggerDefinition, TriggerEvent, TriggerHandle, TriggerHealthState } from '../plugins/types';
import type { EngineEvents } from './events';
import { message } from './executor';
import type { TaskRenderer } from './rendering';

export interface TriggerHealth {
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  mode: string;
  state: TriggerHealthState;
  lastError?: string;
  since: string;
  received: number;
  admitted: number;
  duplicates: number;
  failed: number;
  inFlight: number;
  /** Events per second over the last 10 s. */
  rate: number;
  lastEventAt?: string;
  lag?: number;
  restarts: number;
  nextRetryAt?: string;
}

export interface SupervisorDeps {
  registry: PluginRegistry;
  services: EngineServices;
  events: EngineEvents;
  renderer: TaskRenderer;
  /** Commits executions for these events; resolves after the commit. */
  admit(loaded: LoadedFlow, spec: TriggerSpec, events: TriggerEvent[]): Promise<AdmitResult[]>;
  logger(where: { namespace: string; flowId: string; triggerId: string }): Logger;
  maxInFlight: number;
  backoff?: { minMs: number; maxMs: number };
  /** How long a consumer may receive nothing while its broker holds messages (default 30 s). */
  stallAfterMs?: number;
}

const RATE_WINDOW_S = 10;

export class TriggerInstance {
  state: TriggerHealthState = 'STOPPED';
  lastError?: string;
  since = new Date().toISOString();
  received = 0;
  admitted = 0;
  duplicates = 0;
  failed = 0;
  restarts = 0;
  lastEventAt?: number;
  nextRetryAt?: number;
  private handle?: TriggerHandle;
  private abort?: AbortController;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private generation = 0;
  private readonly buckets = new Array<number>(RATE_WINDOW_S).fill(0);
  private bucketSecond = 0;

  constructor(
    /** Updated in place when the flow changes but this trigger does not: the consumer keeps running. */
    public loaded: LoadedFlow,
    readonly spec: TriggerSpec,
    readonly def: TriggerDefinition,
    private readonly deps: SupervisorDeps,
    private readonly inFlight: InFlight,
  ) {}

  get key(): string {
    return `${this.loaded.flow.namespace}/${this.loaded.flow.id}/${this.spec.id}`;
  }

  health(): TriggerHealth {
    const { flow } = this.loaded;
    return {
      namespace: flow.namespace,
      flowId: flow.id,
      triggerId: this.spec.id,
      type: this.spec.type,
      mode: this.def.mode,
      state: this.state,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      since: this.since,
      received: this.received,
      admitted: this.admitted,
      duplicates: this.duplicates,
      failed: this.failed,
      inFlight: this.inFlight.n,
      rate: this.rate(),
      ...(this.lastEventAt ? { lastEventAt: new Date(this.lastEventAt).toISOString() } : {}),
      ...(this.handle?.lag ? { lag: this.handle.lag() } : {}),
      restarts: this.restarts,
      ...(this.nextRetryAt ? { nextRetryAt: new Date(this.nextRetryAt).toISOString() } : {}),
    };
  }

  /** Starts a consumer (realtime, polling, schedule); passive triggers (webhook, flow) just run. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.nextRetryAt = undefined;
    if (!this.def.start) return this.setState('RUNNING');
    this.setState('STARTING');
    this.abort = new AbortController();
    const ctx = this.context(this.abort.signal);
    try {
      const props = this.props(ctx);
      const handle = await this.def.start(ctx, props);
      if (generation !== this.generation) {
        await handle.stop(); // stopped or restarted while starting
        return;
      }
      this.handle = handle;
      if (this.state === 'STARTING') this.setState('RUNNING');
    } catch (e) {
      if (generation === this.generation) this.fail(e);
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.nextRetryAt = undefined;
    this.abort?.abort();
    const handle = this.handle;
    this.handle = undefined;
    try {
      await handle?.stop();
    } catch {
      // stopping a broken consumer may fail: it is being dropped anyway
    }
    this.setState('STOPPED');
  }

  async restart(): Promise<void> {
    this.restarts++;
    this.failures = 0;
    await this.stop();
    await this.start();
  }

  /** A consumer failure: drop the consumer, back off, try again. */
  fail(error: unknown): void {
    const generation = ++this.generation;
    this.lastError = plainError(error);
    this.deps.logger(this.where()).error(`Trigger ${this.spec.id} failed: ${this.lastError}`);
    this.abort?.abort();
    const handle = this.handle;
    this.handle = undefined;
    Promise.resolve()
      .then(() => handle?.stop())
      .catch(() => {});
    const { minMs, maxMs } = this.deps.backoff ?? { minMs: 1000, maxMs: 60_000 };
    const delay = Math.min(maxMs, minMs * 2 ** this.failures) * (0.5 + Math.random() * 0.5);
    this.failures++;
    this.nextRetryAt = Date.now() + delay;
    this.setState('BACKOFF', this.lastError);
    this.retryTimer = setTimeout(() => {
      if (generation !== this.generation) return;
      this.restarts++;
      void this.start();
    }, delay);
  }

  private watch = { received: 0, since: Date.now() };

  /**
   * The watchdog: a RUNNING consumer that received nothing for `stallAfterMs` while its broker
   * reports waiting messages (and it is not held back by the in-flight cap) is restarted.
   */
  async checkStalled(stallAfterMs: number): Promise<boolean> {
    const handle = this.handle;
    if (this.state !== 'RUNNING' || !handle?.backlog) return false;
    if (this.received !== this.watch.received || this.inFlight.n >= this.deps.maxInFlight) {
      this.watch = { received: this.received, since: Date.now() };
      return false;
    }
    if (Date.now() - this.watch.since < stallAfterMs) return false;
    let waiting = 0;
    try {
      waiting = await handle.backlog();
    } catch {
      return false; // the consumer's own error path reports broken connections
    }
    if (waiting <= 0) {
      this.watch.since = Date.now();
      return false;
    }
    const seconds = Math.round((Date.now() - this.watch.since) / 1000);
    this.watch = { received: this.received, since: Date.now() };
    const count = handle.backlogIsLowerBound ? `at least ${waiting}` : `${waiting}`;
    this.fail(new Error(`stalled: ${count} message(s) waiting at the broker but none received for ${seconds} s — restarting the consumer`));
    return true;
  }

  /** Test only: the running consumer's handle (the watchdog tests call its stallForTest hook). */
  handleForTest(): TriggerHandle | undefined {
    return this.handle;
  }

  /** Publishes a test message to this trigger's real source (the inspector's "send test event"). */
  async publish(message: TestMessage): Promise<void> {
    if (!this.def.publish) throw new Error(`${this.spec.type} cannot publish test events`);
    const ctx = this.context(new AbortController().signal);
    await this.def.publish(ctx, this.props(ctx), message);
  }

  /** The admission path shared by consumers and webhooks. */
  async admit(events: TriggerEvent[]): Promise<AdmitResult[]> {
    this.received += events.length;
    this.count(events.length);
    this.lastEventAt = Date.now();
    const results = await this.deps.admit(this.loaded, this.spec, events);
    for (const r of results) {
      if (r.duplicate) this.duplicates++;
      else this.admitted++;
    }
    this.failed += events.filter((e) => e.failure).length;
    if (this.failures && this.state === 'RUNNING') this.failures = 0; // healthy again: reset the backoff
    return results;
  }

  private context(signal: AbortSignal): TriggerContext {
    const { flow } = this.loaded;
    const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: this.loaded.revision }, trigger: { id: this.spec.id, type: this.spec.type }, envs: this.deps.renderer.envVars };
    const renderer = this.deps.renderer;
    const inFlight = this.inFlight;
    return {
      flow,
      trigger: this.spec,
      logger: this.deps.logger(this.where()),
      services: this.deps.services,
      admit: async (event) => (await this.admit([event]))[0],
      admitMany: (events) => this.admit(events),
      render: (t) => renderer.render(t, vars),
      renderValue: (v) => renderer.renderValue(v, vars),
      setState: (s, detail) => this.setState(s, detail),
      fail: (e) => {
        if (!signal.aborted) this.fail(e);
      },
      inFlight: () => inFlight.n,
      waitForCapacity: () =>
        inFlight.n < this.deps.maxInFlight || signal.aborted
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const done = () => {
                signal.removeEventListener('abort', done);
                resolve();
              };
              inFlight.waiters.push(done);
              signal.addEventListener('abort', done, { once: true });
            }),
      maxInFlight: this.deps.maxInFlight,
      signal,
    };
  }

  /** Renders and validates the trigger's properties: a bad one is an error the user sees at once. */
  private props(ctx: TriggerContext): Record<string, unknown> {
    const keep = new Set(this.def.rawProps ?? []);
    const own: Record<string, unknown> = {};
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.spec)) {
      if (k in COMMON) continue;
      (keep.has(k) ? raw : own)[k] = v;
    }
    const rendered = ctx.renderValue(own);
    const parsed = this.def.props.safeParse({ ...rendered, ...raw });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new Error(`invalid property ${i.path.join('.')}: ${i.message}`);
    }
    return parsed.data as Record<string, unknown>;
  }

  private setState(state: TriggerHealthState, detail?: string): void {
    if (state === 'RUNNING' && this.state !== 'RUNNING') this.lastError = undefined;
    if (detail) this.lastError = detail;
    if (this.state === state) return;
    this.state = state;
    this.since = new Date().toISOString();
    this.deps.events.emit('trigger', this.health());
  }

  private count(n: number): void {
    const second = Math.floor(Date.now() / 1000);
    this.advance(second);
    this.buckets[second % RATE_WINDOW_S] += n;
  }

  private advance(second: number): void {
    if (second - this.bucketSecond >= RATE_WINDOW_S) this.buckets.fill(0);
    else for (let s = this.bucketSecond + 1; s <= second; s++) this.buckets[s % RATE_WINDOW_S] = 0;
    this.bucketSecond = second;
  }

  private rate(): number {
    this.advance(Math.floor(Date.now() / 1000));
    return this.buckets.reduce((a, b) => a + b, 0) / RATE_WINDOW_S;
  }

  private where() {
    return { namespace: this.loaded.flow.namespace, flowId: this.loaded.flow.id, triggerId: this.spec.id };
  }
}

interface InFlight { n: number; waiters: (() => void)[] }

const COMMON = { id: 1, type: 1, description: 1, disabled: 1, labels: 1, logLevel: 1, stopAfter: 1, failOnTriggerError: 1, allowConcurrent: 1, conditions: 1 };

export class TriggerSupervisor {
  private readonly instances = new Map<string, TriggerInstance>();
  /** In-flight executions per trigger key; survives restarts of the trigger itself. */
  private readonly inFlight = new Map<string, InFlight>();

  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly deps: SupervisorDeps) {
    const stallAfter = deps.stallAfterMs ?? 30_000;
    this.watchdog = setInterval(() => {
      for (const inst of this.instances.values()) void inst.checkStalled(stallAfter);
    }, Math.max(50, Math.min(5000, stallAfter / 3)));
    this.watchdog.unref();
  }

  /** Brings a flow's triggers in line with its definition (undefined: the flow is gone). */
  async sync(flowKey: string, loaded: LoadedFlow | undefined): Promise<void> {
    const wanted = new Map<string, { spec: TriggerSpec; def: TriggerDefinition }>();
    if (loaded && !loaded.flow.disabled) {
      for (const spec of loaded.flow.triggers ?? []) {
        const def = this.deps.registry.trigger(spec.type);
        if (def && !spec.disabled) wanted.set(`${flowKey}/${spec.id}`, { spec, def });
      }
    }
    const work: Promise<void>[] = [];
    for (const [key, inst] of this.instances) {
      if (!key.startsWith(`${flowKey}/`)) continue;
      const w = wanted.get(key);
      if (w && sameDefinition(inst.spec, w.spec)) {
        // Same trigger in a new flow revision: keep the consumer, admit into the new revision.
        inst.loaded = loaded!;
        continue;
      }
      this.instances.delete(key);
      work.push(inst.stop());
    }
    await Promise.all(work);
    for (const [key, { spec, def }] of wanted) {
      if (this.instances.has(key)) continue;
      const inst = new TriggerInstance(loaded!, spec, def, this.deps, this.counter(key));
      this.instances.set(key, inst);
      work.push(inst.start());
    }
    await Promise.all(work);
  }

  get(namespace: string, flowId: string, triggerId: string): TriggerInstance | undefined {
    return this.instances.get(`${namespace}/${flowId}/${triggerId}`);
  }

  all(): TriggerInstance[] {
    return [...this.instances.values()];
  }

  health(): TriggerHealth[] {
    return this.all().map((i) => i.health());
  }

  /** An execution admitted by this trigger started. */
  acquired(key: string): void {
    this.counter(key).n++;
  }

  /** An execution admitted by this trigger ended: room for one more. */
  released(key: string): void {
    const c = this.inFlight.get(key);
    if (!c) return;
    c.n = Math.max(0, c.n - 1);
    if (c.n < this.deps.maxInFlight) c.waiters.splice(0).forEach((w) => w());
  }

  async stopAll(): Promise<void> {
    clearInterval(this.watchdog);
    await Promise.all(this.all().map((i) => i.stop()));
    this.instances.clear();
  }

  private counter(key: string): InFlight {
    let c = this.inFlight.get(key);
    if (!c) this.inFlight.set(key, (c = { n: 0, waiters: [] }));
    return c;
  }
}

function sameDefinition(a: TriggerSpec, b: TriggerSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Turns driver errors into words a person understands. */
export function plainError(e: unknown): string {
  const err = e as { code?: string; message?: string; address?: string; port?: number };
  const base = message(e);
  switch (err?.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${err.address ?? 'the server'}${err.port ? `:${err.port}` : ''} — is the broker running? (${base})`;
    case 'ENOTFOUND':
      return `host not found — check the host name (${base})`;
    case 'ETIMEDOUT':
      return `connection timed out — the host did not answer (${base})`;
    default:
      return base;
  }
}
