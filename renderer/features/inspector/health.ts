// Trigger health, live: the `triggers` stream (coalesced per trigger, re-sent every 500 ms) into a
// map by trigger, with an events-per-second series per trigger taken from the `received` counter.
// Reference-counted: the stream is open while a view needs it.
import { create } from 'zustand';
import type { TriggerHealth } from '../../../main/runtime/supervisor';
import { bridge } from '../../app/bridge';

export const SERIES_POINTS = 120;
/** A trigger the engine stopped reporting (flow deleted, trigger removed) is dropped after this. */
const FORGET_MS = 3000;

export const healthKey = (h: { namespace: string; flowId: string; triggerId: string }): string => `${h.namespace}/${h.flowId}/${h.triggerId}`;

interface Sample {
  at: number;
  received: number;
}

export interface HealthState {
  byKey: Record<string, TriggerHealth>;
  /** Events per second, one point per health update (~2/s), oldest first. */
  rates: Record<string, number[]>;
  /** All triggers together. */
  totalRate: number[];
  loaded: boolean;
  error?: string;
  /** Opens the stream (once per caller); returns the release. */
  watch(): () => void;
  restart(h: { namespace: string; flowId: string; triggerId: string }): Promise<string | undefined>;
}

const last = new Map<string, Sample>();
const seenAt = new Map<string, number>();
let users = 0;
let off: (() => void) | undefined;
let sweep: ReturnType<typeof setInterval> | undefined;

/** Folds a batch of health reports into the state (exported for tests). */
export function applyHealth(state: Pick<HealthState, 'byKey' | 'rates' | 'totalRate'>, batch: TriggerHealth[], now = Date.now()): Pick<HealthState, 'byKey' | 'rates' | 'totalRate'> {
  const byKey = { ...state.byKey };
  const rates = { ...state.rates };
  let sum = 0;
  let moved = false;
  for (const h of batch) {
    const key = healthKey(h);
    byKey[key] = h;
    seenAt.set(key, now);
    const prev = last.get(key);
    last.set(key, { at: now, received: h.received });
    if (prev && now - prev.at >= 200) {
      const r = Math.max(0, ((h.received - prev.received) * 1000) / (now - prev.at));
      rates[key] = [...(rates[key] ?? []), r].slice(-SERIES_POINTS);
      sum += r;
      moved = true;
    } else if (prev) {
      // Too close to the previous report to measure: keep the last rate.
      last.set(key, prev);
      sum += rates[key]?.[rates[key].length - 1] ?? 0;
    }
  }
  return { byKey, rates, totalRate: moved ? [...state.totalRate, sum].slice(-SERIES_POINTS) : state.totalRate };
}

export const useHealth = create<HealthState>((set, get) => ({
  byKey: {},
  rates: {},
  totalRate: [],
  loaded: false,
  watch() {
    users++;
    if (users === 1) {
      void bridge().call('triggers.health', {}).then((r) => {
        if (r.ok) set({ ...applyHealth(get(), r.value), loaded: true, error: undefined });
        else set({ loaded: true, error: r.error.message });
      });
      off = bridge().subscribe('triggers', {}, (b) => set({ ...applyHealth(get(), b.events), loaded: true }));
      sweep = setInterval(() => {
        const now = Date.now();
        const gone = Object.keys(get().byKey).filter((k) => now - (seenAt.get(k) ?? 0) > FORGET_MS);
        if (!gone.length) return;
        const byKey = { ...get().byKey };
        const rates = { ...get().rates };
        for (const k of gone) {
          delete byKey[k];
          delete rates[k];
          last.delete(k);
          seenAt.delete(k);
        }
        set({ byKey, rates });
      }, 1000);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--users === 0) {
        off?.();
        off = undefined;
        clearInterval(sweep);
      }
    };
  },
  async restart(h) {
    const r = await bridge().call('triggers.restart', { namespace: h.namespace, flowId: h.flowId, triggerId: h.triggerId });
    if (!r.ok) return r.error.message;
    set({ byKey: { ...get().byKey, [healthKey(r.value)]: r.value } });
    return undefined;
  },
}));

/** "connect ECONNREFUSED 127.0.0.1:6379" → a sentence a person reads (the engine's words are kept). */
export function healthSentence(h: TriggerHealth, now = Date.now()): string {
  switch (h.state) {
    case 'RUNNING':
      return h.mode === 'webhook' ? 'Listening for webhook calls.' : h.mode === 'schedule' ? 'Scheduled.' : 'Connected and consuming.';
    case 'STARTING':
      return 'Connecting…';
    case 'BACKOFF': {
      const wait = h.nextRetryAt ? Math.max(0, Math.round((Date.parse(h.nextRetryAt) - now) / 1000)) : undefined;
      return `Failing and retrying${wait !== undefined ? ` in ${wait} s` : ''} (attempt ${h.restarts + 1}).`;
    }
    case 'ERROR':
      return 'Stopped on an error: fix the flow (it retries when the flow changes) or restart it.';
    case 'STOPPED':
      return 'Stopped (the flow or trigger is disabled, or the flow is being reloaded).';
    default:
      return h.state;
  }
}
