// The workspace: flows and namespaces from `flows.list`, the files that fail to load, search, and
// what is expanded. Refreshed when the engine says flows changed (the `flows` stream).
import { create } from 'zustand';
import type { FlowProblemSummary, FlowSummary } from '../../../main/api/contract';
import { bridge, call } from '../../app/bridge';

export interface WorkspaceState {
  flows: FlowSummary[];
  problems: FlowProblemSummary[];
  loaded: boolean;
  error?: string;
  search: string;
  collapsed: Record<string, boolean>;
  load(): Promise<void>;
  setSearch(search: string): void;
  toggleNamespace(ns: string): void;
  /** Keeps the list live; returns the unsubscribe. */
  watch(): () => void;
}

export const useWorkspace = create<WorkspaceState>((set, get) => ({
  flows: [],
  problems: [],
  loaded: false,
  search: '',
  collapsed: {},
  async load() {
    try {
      const { flows, problems } = await call('flows.list', {});
      set({ flows, problems, loaded: true, error: undefined });
    } catch (e) {
      set({ error: (e as Error).message, loaded: true });
    }
  },
  setSearch(search) {
    set({ search });
  },
  toggleNamespace(ns) {
    set({ collapsed: { ...get().collapsed, [ns]: !get().collapsed[ns] } });
  },
  watch() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return bridge().subscribe('flows', {}, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void get().load(), 100);
    });
  },
}));

export interface NamespaceGroup {
  namespace: string;
  flows: FlowSummary[];
}

/** Flows by namespace (sorted), filtered by a search over id, namespace and description. */
export function groupFlows(flows: FlowSummary[], search: string): NamespaceGroup[] {
  const q = search.trim().toLowerCase();
  const hit = (f: FlowSummary) => !q || `${f.namespace}.${f.id} ${f.description ?? ''}`.toLowerCase().includes(q);
  const map = new Map<string, FlowSummary[]>();
  for (const f of flows) if (hit(f)) map.set(f.namespace, [...(map.get(f.namespace) ?? []), f]);
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, fs]) => ({ namespace, flows: fs.sort((a, b) => a.id.localeCompare(b.id)) }));
}
