// The inspector's own UI state (the live data is in tap.ts and health.ts): paused or following,
// the filter, the selected event, the right-hand panel, and replays started from here.
import { create } from 'zustand';
import type { Execution } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';
import type { TapRow } from './tap';

export type RightPanel = 'event' | 'test';

interface InspectorState {
  paused: boolean;
  filter: string;
  selected?: TapRow;
  panel: RightPanel;
  /** The last replay per source execution: the new execution, or the error. */
  replays: Record<string, { id?: string; error?: string; at: number }>;
  setPaused(paused: boolean): void;
  setFilter(filter: string): void;
  select(row: TapRow | undefined): void;
  setPanel(panel: RightPanel): void;
  replay(executionId: string): Promise<Execution | undefined>;
}

export const useInspector = create<InspectorState>((set, get) => ({
  paused: false,
  filter: '',
  panel: 'event',
  replays: {},
  setPaused(paused) {
    set({ paused });
  },
  setFilter(filter) {
    set({ filter });
  },
  select(selected) {
    set(selected ? { selected, panel: 'event' } : { selected });
  },
  setPanel(panel) {
    set({ panel });
  },
  async replay(executionId) {
    const r = await bridge().call('executions.replay', { id: executionId });
    set({ replays: { ...get().replays, [executionId]: r.ok ? { id: r.value.id, at: Date.now() } : { error: r.error.message, at: Date.now() } } });
    return r.ok ? r.value : undefined;
  },
}));
