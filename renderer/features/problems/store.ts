// The problems panel: open or folded.
import { create } from 'zustand';

interface ProblemsState {
  open: boolean;
  setOpen(open: boolean): void;
  toggle(): void;
}

export const useProblems = create<ProblemsState>((set, get) => ({
  open: false,
  setOpen: (open) => set({ open }),
  toggle: () => set({ open: !get().open }),
}));
