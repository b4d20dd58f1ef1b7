// The live event tap, outside React: batches from the `triggerEvents` stream go into bounded ring
// buffers (all flows, and one per flow for the last few flows looked at), and execution updates
// into a bounded map of live states and into latency statistics per trigger. Nothing here renders:
// views poll `version` once per animation frame and draw only what is in sight, so 10,000 events/s
// cost a few array writes per event, never a React update per event.
import type { StreamBatch, TapEvent } from '../../../main/api/contract';
import type { Execution } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';
import { eventLabel, eventTimeOf } from './events';
import { LatencyStats, sampleOf } from './latency';
import { Ring } from './ring';

export interface TapRow {
  /** Arrival order across all flows. */
  seq: number;
  ev: TapEvent;
  label: string;
  flowKey: string;
  triggerKey: string;
  /** Lower-cased text a filter looks in (built on first use). */
  text?: string;
}

export interface ExecInfo {
  state: string;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Counted in the latency statistics. */
  done?: boolean;
}

export const GLOBAL_CAPACITY = 20_000;
export const FLOW_CAPACITY = 10_000;
const MAX_FLOWS = 16;
const MAX_EXECUTIONS = 60_000;
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
export const isTerminal = (s: string | undefined): boolean => !!s && TERMINAL.has(s);

export const flowKeyOf = (namespace: string, flowId: string): string => `${namespace}/${flowId}`;
export const triggerKeyOf = (namespace: string, flowId: string, triggerId: string): string => `${namespace}/${flowId}/${triggerId}`;
/** The statistics of every trigger together. */
export const ALL = '*';

/** A row's text for the filter: label, flow, trigger, execution id and the variables as JSON. */
export function rowText(r: TapRow): string {
  if (r.text === undefined) {
    let vars = '';
    try {
      vars = JSON.stringify(r.ev.variables);
    } catch {
      vars = '';
    }
    r.text = `${r.label} ${r.triggerKey} ${r.ev.executionId} ${vars}`.toLowerCase();
  }
  return r.text;
}

export class TapHub {
  readonly all = new Ring<TapRow>(GLOBAL_CAPACITY);
  private readonly flows = new Map<string, Ring<TapRow>>();
  readonly execs = new Map<string, ExecInfo>();
  private readonly latency = new Map<string, LatencyStats>();
  private readonly execSubs = new Map<string, { n: number; off: () => void }>();
  private readonly preloaded = new Set<string>();
  private unsubscribe?: () => void;
  /** Bumped by every batch of events (views redraw when it moved). */
  version = 0;
  /** Bumped by every batch of execution updates. */
  execVersion = 0;
  /** Events the engine left out because this client fell behind. */
  dropped = 0;
  private seq = 0;

  /** Starts listening to the tap (once; it stays on so captured events survive leaving the view). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = bridge().subscribe('triggerEvents', {}, (b: StreamBatch<'triggerEvents'>) => this.ingest(b.events, b.dropped));
  }

  get listening(): boolean {
    return !!this.unsubscribe;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const s of this.execSubs.values()) s.off();
    this.execSubs.clear();
  }

  ingest(events: TapEvent[], dropped = 0): void {
    for (const ev of events) {
      const flowKey = flowKeyOf(ev.namespace, ev.flowId);
      const row: TapRow = { seq: this.seq++, ev, label: eventLabel(ev.variables), flowKey, triggerKey: `${flowKey}/${ev.triggerId}` };
      this.all.push(row);
      this.flowRing(flowKey).push(row);
    }
    this.dropped += dropped;
    this.version++;
  }

  /** The ring of one flow's events (created on first use; the least recently used flows are let go). */
  flowRing(flowKey: string): Ring<TapRow> {
    let ring = this.flows.get(flowKey);
    if (ring) {
      // most recently used last
      this.flows.delete(flowKey);
      this.flows.set(flowKey, ring);
      return ring;
    }
    ring = new Ring<TapRow>(FLOW_CAPACITY);
    this.flows.set(flowKey, ring);
    if (this.flows.size > MAX_FLOWS) {
      const oldest = this.flows.keys().next().value;
      if (oldest !== undefined) this.flows.delete(oldest);
    }
    return ring;
  }

  clear(flowKey?: string): void {
    if (flowKey) this.flows.get(flowKey)?.clear();
    else {
      this.all.clear();
      for (const r of this.flows.values()) r.clear();
    }
    this.version++;
  }

  latencyOf(key: string): LatencyStats {
    let s = this.latency.get(key);
    if (!s) {
      s = new LatencyStats(key === ALL ? 10_000 : 5000);
      this.latency.set(key, s);
    }
    return s;
  }

  /** Follows executions (all, or one flow's) for their live state; reference-counted; returns the stop. */
  watchExecutions(filter: { namespace?: string; flowId?: string } = {}): () => void {
    const key = `${filter.namespace ?? ''}/${filter.flowId ?? ''}`;
    const existing = this.execSubs.get(key);
    if (existing) existing.n++;
    else this.execSubs.set(key, { n: 1, off: bridge().subscribe('executions', filter, (b) => this.applyExecutions(b.events)) });
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const s = this.execSubs.get(key);
      if (!s) return;
      if (--s.n <= 0) {
        s.off();
        this.execSubs.delete(key);
      }
    };
  }

  applyExecutions(list: Execution[]): void {
    for (const e of list) {
      let info = this.execs.get(e.id);
      if (!info) {
        info = { state: e.state.current, createdAt: Date.parse(e.state.startDate) };
        this.execs.set(e.id, info);
        if (this.execs.size > MAX_EXECUTIONS) {
          // Maps iterate in insertion order: drop the oldest tenth at once.
          let n = MAX_EXECUTIONS / 10;
          for (const id of this.execs.keys()) {
            if (n-- <= 0) break;
            this.execs.delete(id);
          }
        }
      }
      info.state = e.state.current;
      if (info.startedAt === undefined) {
        const running = e.state.histories?.find((h) => h.state === 'RUNNING');
        if (running) info.startedAt = Date.parse(running.date);
      }
      if (isTerminal(info.state)) {
        if (info.endedAt === undefined && e.state.endDate) info.endedAt = Date.parse(e.state.endDate);
        if (!info.done && e.trigger?.id && !e.labels?.some((l) => l.key === 'replayOf')) {
          info.done = true;
          const sample = sampleOf({ ...info, eventAt: eventTimeOf(e.trigger.variables, info.createdAt) });
          if (sample) {
            this.latencyOf(triggerKeyOf(e.namespace, e.flowId, e.trigger.id)).add(sample);
            this.latencyOf(ALL).add(sample);
          }
        }
      }
    }
    this.execVersion++;
  }

  private readonly asked = new Set<string>();

  /**
   * Fetches the state of executions on screen that no stream told us about (events captured while
   * their flow's executions were not followed). At most 20 at a time, each id once.
   */
  fill(ids: string[]): void {
    const want = [...new Set(ids)].filter((id) => !this.execs.has(id) && !this.asked.has(id)).slice(0, 20);
    if (!want.length) return;
    for (const id of want) this.asked.add(id);
    if (this.asked.size > 10_000) this.asked.clear();
    void Promise.all(want.map((id) => bridge().call('executions.get', { id }))).then((results) => {
      const found = results.flatMap((r) => (r.ok ? [r.value] : []));
      if (found.length) this.applyExecutions(found);
    });
  }

  /** Seeds one flow's latency statistics from its latest executions (once per flow). */
  async preload(namespace: string, flowId: string): Promise<void> {
    const key = flowKeyOf(namespace, flowId);
    if (this.preloaded.has(key)) return;
    this.preloaded.add(key);
    const r = await bridge().call('executions.timings', { namespace, flowId, limit: 2000 });
    if (!r.ok) return;
    // Oldest first, so that the per-second series fills in order.
    for (const t of [...r.value].reverse()) {
      if (!t.triggerId || t.replayOf || this.execs.get(t.id)?.done) continue;
      const sample = sampleOf(t);
      if (!sample) continue;
      const info = this.execs.get(t.id) ?? { state: t.state, createdAt: t.createdAt };
      info.done = true;
      this.execs.set(t.id, info);
      this.latencyOf(triggerKeyOf(namespace, flowId, t.triggerId)).add(sample);
      this.latencyOf(ALL).add(sample);
    }
    this.execVersion++;
  }
}

export const tapHub = new TapHub();

/** Counts of execution states among a ring's rows (for "100 events · 100 executions"). */
export function stateCounts(ring: Ring<TapRow>, execs: Map<string, ExecInfo>): { events: number; known: number; terminal: number; byState: Record<string, number> } {
  const byState: Record<string, number> = {};
  let known = 0;
  let terminal = 0;
  for (let i = 0; i < ring.size; i++) {
    const info = execs.get(ring.newest(i)!.ev.executionId);
    if (!info) continue;
    known++;
    if (TERMINAL.has(info.state)) terminal++;
    byState[info.state] = (byState[info.state] ?? 0) + 1;
  }
  return { events: ring.size, known, terminal, byState };
}
