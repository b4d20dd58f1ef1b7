// The graph view's own state: layout direction, collapsed groups, and requests to fit the view.
import { create } from 'zustand';
import type { Direction } from './layout';

interface GraphState {
  direction: Direction;
  collapsed: Record<string, boolean>;
  fitRequest: number;
  minimap: boolean;
  setDirection(d: Direction): void;
  toggleCollapsed(id: string): void;
  setAllCollapsed(ids: string[], collapsed: boolean): void;
  fit(): void;
  toggleMinimap(): void;
}

const KEY = 'peregrine.graph.direction';

export const useGraph = create<GraphState>((set, get) => ({
  direction: (() => {
    try {
      return localStorage.getItem(KEY) === 'LR' ? 'LR' : 'TB';
    } catch {
      return 'TB';
    }
  })(),
  collapsed: {},
  fitRequest: 0,
  minimap: true,
  setDirection(direction) {
    try {
      localStorage.setItem(KEY, direction);
    } catch {
      // ignore
    }
    set({ direction, fitRequest: get().fitRequest + 1 });
  },
  toggleCollapsed(id) {
    set({ collapsed: { ...get().collapsed, [id]: !get().collapsed[id] } });
  },
  setAllCollapsed(ids, collapsed) {
    set({ collapsed: Object.fromEntries(ids.map((id) => [id, collapsed])), fitRequest: get().fitRequest + 1 });
  },
  fit() {
    set({ fitRequest: get().fitRequest + 1 });
  },
  toggleMinimap() {
    set({ minimap: !get().minimap });
  },
}));
