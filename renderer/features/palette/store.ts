// The palette: search, folded categories, and where a click on a plugin inserts it (after the
// selected task, or at an edge's "+" the user picked).
import { create } from 'zustand';
import type { InsertAt } from '../editor/edits';

interface PaletteState {
  search: string;
  folded: Record<string, boolean>;
  /** Full list (true) or a column of icons (false), as the user chose it per view; otherwise the
   * full list in graph view and icons in split view (to leave the YAML room). */
  chosen: Partial<Record<'split' | 'graph', boolean>>;
  /** Set by an edge's "+": the next plugin picked goes there. */
  target?: { at: InsertAt; label: string };
  setSearch(s: string): void;
  toggleFolded(category: string): void;
  /** Full or compact for a view (remembered). */
  setOpenFor(view: 'split' | 'graph', open: boolean): void;
  setTarget(target: PaletteState['target']): void;
}

export const usePalette = create<PaletteState>((set, get) => ({
  search: '',
  folded: {},
  chosen: {},
  setSearch: (search) => set({ search }),
  toggleFolded: (c) => set({ folded: { ...get().folded, [c]: !get().folded[c] } }),
  setOpenFor: (view, open) => set({ chosen: { ...get().chosen, [view]: open } }),
  setTarget: (target) => set({ target }),
}));

/** The drag payload of a plugin dragged from the palette. */
export const PLUGIN_MIME = 'application/x-peregrine-plugin';
/** The drag payload of a task node dragged to a new place (graph reordering). */
export const TASK_MIME = 'application/x-peregrine-task';
