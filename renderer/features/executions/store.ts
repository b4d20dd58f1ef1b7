// The executions list: filters (flow, state, time, label), the rows from `executions.search`, kept
// live from the `executions` stream (updates applied at most once per animation frame), the
// selection, and bulk kill / delete / replay.
import { create } from 'zustand';
import type { Execution } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';

export type RangeKey = '15m' | '1h' | '24h' | '7d' | 'all';
export const RANGES: Record<RangeKey, number | undefined> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, all: undefined };

export interface Filters {
  namespace?: string;
  flowId?: string;
  states: string[];
  range: RangeKey;
  /** `key=value` (several separated by commas). */
  label: string;
}

export const MAX_ROWS = 500;
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
export const isTerminal = (s: string): boolean => TERMINAL.has(s);

/** `team=orders, env=dev` → {team: 'orders', env: 'dev'} (malformed parts are ignored). */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf(part.includes('=') ? '=' : ':');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k) out[k] = v;
  }
  return out;
}

/** Filters from a list address's query (`?namespace=…&flow=…&state=FAILED,KILLED&range=1h&label=k=v`). */
export function filtersFromQuery(q: URLSearchParams): Filters {
  const range = q.get('range') as RangeKey | null;
  return {
    ...(q.get('namespace') ? { namespace: q.get('namespace')! } : {}),
    ...(q.get('flow') ? { flowId: q.get('flow')! } : {}),
    states: (q.get('state') ?? '').split(',').filter(Boolean),
    range: range && range in RANGES ? range : '24h',
    label: q.get('label') ?? '',
  };
}

export function queryOf(f: Filters): string {
  const q = new URLSearchParams();
  if (f.namespace) q.set('namespace', f.namespace);
  if (f.flowId) q.set('flow', f.flowId);
  if (f.states.length) q.set('state', f.states.join(','));
  if (f.range !== '24h') q.set('range', f.range);
  if (f.label) q.set('label', f.label);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Whether a (new) execution belongs in the list under these filters. */
export function matches(e: Execution, f: Filters, now = Date.now()): boolean {
  if (f.namespace && e.namespace !== f.namespace && !e.namespace.startsWith(`${f.namespace}.`)) return false;
  if (f.flowId && e.flowId !== f.flowId) return false;
  if (f.states.length && !f.states.includes(e.state.current)) return false;
  const span = RANGES[f.range];
  if (span !== undefined && Date.parse(e.state.startDate) < now - span) return false;
  for (const [k, v] of Object.entries(parseLabels(f.label))) if (!e.labels?.some((l) => l.key === k && l.value === v)) return false;
  return true;
}

/** Applies a batch of updates: known rows are replaced, new matching ones go on top (newest first). */
export function mergeExecutions(rows: Execution[], updates: Execution[], f: Filters, now = Date.now()): { rows: Execution[]; added: number } {
  const index = new Map(rows.map((r, i) => [r.id, i]));
  const next = rows.slice();
  const fresh: Execution[] = [];
  for (const e of updates) {
    const i = index.get(e.id);
    if (i !== undefined) next[i] = e;
    else if (matches(e, f, now) && !fresh.some((x) => x.id === e.id)) fresh.push(e);
    else {
      const j = fresh.findIndex((x) => x.id === e.id);
      if (j >= 0) fresh[j] = e;
    }
  }
  fresh.sort((a, b) => Date.parse(b.state.startDate) - Date.parse(a.state.startDate));
  return { rows: [...fresh, ...next].slice(0, MAX_ROWS), added: fresh.length };
}

interface ExecutionsState {
  filters: Filters;
  rows: Execution[];
  total: number;
  loading: boolean;
  error?: string;
  live: boolean;
  selected: Record<string, true>;
  busy?: string;
  setFilters(f: Partial<Filters>): void;
  load(): Promise<void>;
  setLive(live: boolean): void;
  /** Follows the stream; returns the stop. */
  follow(): () => void;
  toggle(id: string): void;
  selectAll(on: boolean): void;
  kill(ids: string[]): Promise<string>;
  remove(ids: string[]): Promise<string>;
  replay(ids: string[]): Promise<string>;
}

export const useExecutions = create<ExecutionsState>((set, get) => ({
  filters: { states: [], range: '24h', label: '' },
  rows: [],
  total: 0,
  loading: false,
  live: true,
  selected: {},
  setFilters(patch) {
    set({ filters: { ...get().filters, ...patch }, selected: {} });
  },
  async load() {
    const f = get().filters;
    set({ loading: true });
    const span = RANGES[f.range];
    const labels = parseLabels(f.label);
    const r = await bridge().call('executions.search', {
      ...(f.namespace ? { namespace: f.namespace } : {}),
      ...(f.flowId ? { flowId: f.flowId } : {}),
      ...(f.states.length ? { state: f.states as never } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(span !== undefined ? { from: Date.now() - span } : {}),
      size: 200,
    });
    if (get().filters !== f) return; // filters changed meanwhile: that load wins
    if (r.ok) set({ rows: r.value.results, total: r.value.total, loading: false, error: undefined });
    else set({ loading: false, error: r.error.message });
  },
  setLive(live) {
    set({ live });
  },
  follow() {
    const f = get().filters;
    let pending: Execution[] = [];
    let raf = 0;
    const flush = () => {
      raf = 0;
      if (!get().live || get().filters !== f) {
        pending = [];
        return;
      }
      const { rows, added } = mergeExecutions(get().rows, pending, f);
      pending = [];
      set({ rows, total: get().total + added });
    };
    const off = bridge().subscribe('executions', { ...(f.namespace ? { namespace: f.namespace } : {}), ...(f.flowId ? { flowId: f.flowId } : {}) }, (b) => {
      pending.push(...b.events);
      if (!raf) raf = requestAnimationFrame(flush);
    });
    return () => {
      off();
      if (raf) cancelAnimationFrame(raf);
    };
  },
  toggle(id) {
    const selected = { ...get().selected };
    if (selected[id]) delete selected[id];
    else selected[id] = true;
    set({ selected });
  },
  selectAll(on) {
    set({ selected: on ? Object.fromEntries(get().rows.map((r) => [r.id, true as const])) : {} });
  },
  async kill(ids) {
    const running = ids.filter((id) => !isTerminal(get().rows.find((r) => r.id === id)?.state.current ?? 'SUCCESS'));
    if (!running.length) return 'None of them is running.';
    set({ busy: 'kill' });
    const r = await bridge().call('executions.kill', { ids: running });
    set({ busy: undefined });
    return r.ok ? `Killing ${r.value.killed.length} execution${r.value.killed.length === 1 ? '' : 's'}.` : r.error.message;
  },
  async remove(ids) {
    if (!ids.length) return 'Nothing selected.';
    set({ busy: 'delete' });
    const r = await bridge().call('executions.delete', { ids });
    set({ busy: undefined });
    if (!r.ok) return r.error.message;
    const gone = new Set(r.value.deleted);
    const selected = { ...get().selected };
    for (const id of gone) delete selected[id];
    set({ rows: get().rows.filter((e) => !gone.has(e.id)), total: Math.max(0, get().total - gone.size), selected });
    const kept = ids.length - gone.size;
    return `Deleted ${gone.size}${kept ? ` (${kept} still running: kill them first)` : ''}.`;
  },
  async replay(ids) {
    set({ busy: 'replay' });
    let ok = 0;
    let last = '';
    for (const id of ids) {
      const r = await bridge().call('executions.replay', { id });
      if (r.ok) ok++;
      else last = r.error.message;
    }
    set({ busy: undefined, selected: {} });
    return `Replayed ${ok} of ${ids.length}${last ? ` (${last})` : ''}.`;
  },
}));
