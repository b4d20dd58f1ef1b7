// The overview's numbers: `executions.stats` over a window (executions per bucket by state, the
// slowest flows, recent failures), refreshed every few seconds.
import { create } from 'zustand';
import type { ExecutionStats } from '../../../main/api/contract';
import { bridge } from '../../app/bridge';

export type WindowKey = '15m' | '1h' | '6h' | '24h';
export const WINDOWS: Record<WindowKey, { span: number; bucket: number; per: string }> = {
  '15m': { span: 15 * 60_000, bucket: 15_000, per: 'per 15 s' },
  '1h': { span: 3_600_000, bucket: 60_000, per: 'per minute' },
  '6h': { span: 6 * 3_600_000, bucket: 5 * 60_000, per: 'per 5 minutes' },
  '24h': { span: 86_400_000, bucket: 15 * 60_000, per: 'per 15 minutes' },
};

const REFRESH_MS = 3000;

interface OverviewState {
  window: WindowKey;
  stats?: ExecutionStats;
  error?: string;
  loading: boolean;
  setWindow(w: WindowKey): void;
  load(): Promise<void>;
  /** Keeps the numbers fresh while the view is open; returns the stop. */
  start(): () => void;
}

export const useOverview = create<OverviewState>((set, get) => ({
  window: '1h',
  loading: false,
  setWindow(window) {
    set({ window, stats: undefined });
    void get().load();
  },
  async load() {
    const w = WINDOWS[get().window];
    set({ loading: true });
    const to = Date.now();
    const r = await bridge().call('executions.stats', { from: to - w.span, to, bucketMs: w.bucket, slowest: 6, failures: 8 });
    if (WINDOWS[get().window] !== w) return;
    if (r.ok) set({ stats: r.value, error: undefined, loading: false });
    else set({ error: r.error.message, loading: false });
  },
  start() {
    void get().load();
    // Polled: a few numbers every few seconds, whatever the execution rate (no per-execution stream).
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void get().load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  },
}));
