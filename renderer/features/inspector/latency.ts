// End-to-end latency of a trigger's executions: event time → execution start (admission and
// queueing) → execution end (the run). A bounded window of samples gives percentiles and a log-scale
// histogram; per-second means give the sparkline. Pure.
import type { HistogramBin } from '../viz/charts';

export interface LatencySample {
  /** When the execution ended (ms since epoch). */
  at: number;
  /** Event time (or admission) → end. */
  total: number;
  /** Event time → RUNNING. */
  queue: number;
  /** RUNNING → end. */
  run: number;
}

/** Upper bounds of the histogram's bins (ms); the last bin holds everything above. */
export const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

const boundLabel = (ms: number) => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);
export const BIN_LABELS = [...BOUNDS.map((b) => `≤${boundLabel(b)}`), `>${boundLabel(BOUNDS[BOUNDS.length - 1])}`];

export function binOf(ms: number): number {
  for (let i = 0; i < BOUNDS.length; i++) if (ms <= BOUNDS[i]) return i;
  return BOUNDS.length;
}

/** The p-th percentile (0..100) of sorted values (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (!sorted.length) return undefined;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface LatencySummary {
  n: number;
  p50?: number;
  p95?: number;
  p99?: number;
  queueP50?: number;
  runP50?: number;
}

export class LatencyStats {
  private readonly total: Float64Array;
  private readonly queue: Float64Array;
  private readonly run: Float64Array;
  private head = 0;
  size = 0;
  /** Samples ever added. */
  count = 0;
  /** Per-second sums for the sparkline: second → [sum, n]. */
  private readonly seconds = new Map<number, [number, number]>();

  constructor(readonly capacity = 5000) {
    this.total = new Float64Array(capacity);
    this.queue = new Float64Array(capacity);
    this.run = new Float64Array(capacity);
  }

  add(s: LatencySample): void {
    this.total[this.head] = s.total;
    this.queue[this.head] = s.queue;
    this.run[this.head] = s.run;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.count++;
    const sec = Math.floor(s.at / 1000);
    const b = this.seconds.get(sec);
    if (b) {
      b[0] += s.total;
      b[1]++;
    } else {
      this.seconds.set(sec, [s.total, 1]);
      if (this.seconds.size > 180) {
        const oldest = this.seconds.keys().next().value;
        if (oldest !== undefined) this.seconds.delete(oldest);
      }
    }
  }

  private sorted(which: Float64Array): Float64Array {
    return which.slice(0, this.size).sort();
  }

  summary(): LatencySummary {
    if (!this.size) return { n: 0 };
    const t = this.sorted(this.total);
    return {
      n: this.size,
      p50: percentile(t, 50),
      p95: percentile(t, 95),
      p99: percentile(t, 99),
      queueP50: percentile(this.sorted(this.queue), 50),
      runP50: percentile(this.sorted(this.run), 50),
    };
  }

  histogram(): HistogramBin[] {
    const counts = new Array<number>(BOUNDS.length + 1).fill(0);
    for (let i = 0; i < this.size; i++) counts[binOf(this.total[i])]++;
    const p95 = this.size ? percentile(this.sorted(this.total), 95) : undefined;
    const markBin = p95 === undefined ? -1 : binOf(p95);
    return counts.map((count, i) => ({ label: BIN_LABELS[i], count, ...(i === markBin ? { mark: 'p95' } : {}) }));
  }

  /** Mean total latency per second over the last `seconds` seconds up to `now` (null where nothing ended). */
  series(now: number, seconds = 60): (number | null)[] {
    const last = Math.floor(now / 1000);
    const out: (number | null)[] = [];
    for (let s = last - seconds + 1; s <= last; s++) {
      const b = this.seconds.get(s);
      out.push(b ? b[0] / b[1] : null);
    }
    return out;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.count = 0;
    this.seconds.clear();
  }
}

/** A sample from an execution's times, or undefined while it runs. */
export function sampleOf(t: { createdAt: number; startedAt?: number; endedAt?: number; eventAt?: number }): LatencySample | undefined {
  if (t.endedAt === undefined) return undefined;
  const from = t.eventAt ?? t.createdAt;
  const started = t.startedAt ?? t.createdAt;
  return { at: t.endedAt, total: Math.max(0, t.endedAt - from), queue: Math.max(0, started - from), run: Math.max(0, t.endedAt - started) };
}
