// Live streams for the UI: engine events are gathered per subscriber and delivered in batches at
// most once per frame (16 ms), never one message per event. Executions and trigger health are
// coalesced (the latest state wins); the tap and logs are bounded, and a client that falls
// behind gets a count of what was left out instead of an unbounded queue.
import { LOG_LEVELS, type Execution, type LogEntry } from '../model/execution';
import type { EngineEvents } from '../runtime/events';
import type { TriggerHealth } from '../runtime/supervisor';
import type { StreamBatch, StreamEvents, StreamFilter, StreamName, TapEvent } from './contract';

export interface HubOptions {
  /** Minimum time between two batches to one subscriber. */
  intervalMs?: number;
  /** Most events a subscriber may have waiting in an append-only stream. */
  maxBuffered?: number;
  /** Largest `trigger.*` payload sent whole in the tap (bytes of JSON). */
  maxTapPayload?: number;
  /** Current health of every trigger, re-sent periodically so counters stay live. */
  health?: () => TriggerHealth[];
  healthIntervalMs?: number;
}

type Deliver<S extends StreamName> = (batch: StreamBatch<S>) => void;

class Subscription<S extends StreamName> {
  private keyed = new Map<string, StreamEvents[S]>();
  private list: StreamEvents[S][] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  closed = false;

  constructor(
    readonly stream: S,
    readonly filter: StreamFilter,
    private readonly deliver: Deliver<S>,
    private readonly ready: () => boolean,
    private readonly opts: Required<HubOptions>,
  ) {}

  push(event: StreamEvents[S], key?: string): void {
    if (key !== undefined) this.keyed.set(key, event);
    else if (this.list.length < this.opts.maxBuffered) this.list.push(event);
    else this.dropped++;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastFlush + this.opts.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (!this.ready()) {
      // The client is behind: keep coalescing; try again next frame.
      this.lastFlush = Date.now();
      this.schedule();
      return;
    }
    const events = this.keyed.size ? [...this.keyed.values(), ...this.list] : this.list;
    const dropped = this.dropped;
    this.keyed = new Map();
    this.list = [];
    this.dropped = 0;
    this.lastFlush = Date.now();
    if (events.length || dropped) this.deliver({ stream: this.stream, events, dropped });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

export class StreamHub {
  private readonly subs = new Set<Subscription<StreamName>>();
  private readonly opts: Required<HubOptions>;
  private readonly unlisten: (() => void)[] = [];

  constructor(events: EngineEvents, opts: HubOptions = {}) {
    this.opts = { intervalMs: 16, maxBuffered: 5000, maxTapPayload: 64 * 1024, health: () => [], healthIntervalMs: 500, ...opts };
    const timer = setInterval(() => {
      if (![...this.subs].some((s) => s.stream === 'triggers')) return;
      for (const h of this.opts.health()) this.publish('triggers', h, `${h.namespace}/${h.flowId}/${h.triggerId}`);
    }, this.opts.healthIntervalMs);
    timer.unref();
    this.unlisten.push(() => clearInterval(timer));
    this.unlisten.push(
      events.on('execution', (e) => this.publish('executions', e, e.id)),
      events.on('log', (l) => this.publish('logs', l)),
      events.on('trigger', (h) => this.publish('triggers', h, `${h.namespace}/${h.flowId}/${h.triggerId}`)),
      events.on('flows', (f) => this.publish('flows', f)),
      events.on('triggerEvent', (t) => this.publishTap(t)),
    );
  }

  subscribe<S extends StreamName>(stream: S, filter: StreamFilter, deliver: Deliver<S>, ready: () => boolean = () => true): () => void {
    const sub = new Subscription<S>(stream, filter, deliver, ready, this.opts);
    this.subs.add(sub as unknown as Subscription<StreamName>);
    return () => {
      sub.close();
      this.subs.delete(sub as unknown as Subscription<StreamName>);
    };
  }

  get size(): number {
    return this.subs.size;
  }

  close(): void {
    this.unlisten.forEach((u) => u());
    for (const s of this.subs) s.close();
    this.subs.clear();
  }

  private publish<S extends StreamName>(stream: S, event: StreamEvents[S], key?: string): void {
    for (const sub of this.subs) {
      if (sub.stream === stream && matches(stream, sub.filter, event)) sub.push(event, key);
    }
  }

  private publishTap(t: Omit<TapEvent, 'size'>): void {
    let tap: TapEvent | undefined;
    for (const sub of this.subs) {
      if (sub.stream !== 'triggerEvents' || !matches('triggerEvents', sub.filter, t as TapEvent)) continue;
      tap ??= this.tapEvent(t);
      sub.push(tap);
    }
  }

  private tapEvent(t: Omit<TapEvent, 'size'>): TapEvent {
    const json = JSON.stringify(t.variables);
    const size = Buffer.byteLength(json);
    if (size <= this.opts.maxTapPayload) return { ...t, size };
    return { ...t, size, variables: { truncated: true, preview: json.slice(0, 4096) } };
  }
}

function matches(stream: StreamName, f: StreamFilter, event: unknown): boolean {
  switch (stream) {
    case 'executions': {
      const e = event as Execution;
      return (!f.executionId || e.id === f.executionId) && (!f.flowId || e.flowId === f.flowId) && (!f.namespace || e.namespace === f.namespace);
    }
    case 'logs': {
      const l = event as LogEntry;
      return (
        (!f.executionId || l.executionId === f.executionId) && (!f.flowId || l.flowId === f.flowId) && (!f.namespace || l.namespace === f.namespace) &&
        (!f.minLevel || LOG_LEVELS.indexOf(l.level) >= LOG_LEVELS.indexOf(f.minLevel))
      );
    }
    case 'triggers':
    case 'triggerEvents': {
      const t = event as TriggerHealth | TapEvent;
      return (!f.flowId || t.flowId === f.flowId) && (!f.namespace || t.namespace === f.namespace);
    }
    default:
      return true;
  }
}
