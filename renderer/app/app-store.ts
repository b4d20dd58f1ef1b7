// The app's own state: connecting, ready or broken (mirrored on <body data-app-state> for e2e
// tests), the connection, toasts and the command palette.
import { create } from 'zustand';

export type AppState = 'loading' | 'ready' | 'error';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
}

interface AppStore {
  state: AppState;
  error?: string;
  transport?: 'electron' | 'websocket';
  paletteOpen: boolean;
  sidebarOpen: boolean;
  toasts: Toast[];
  setState(state: AppState, error?: string): void;
  toast(kind: Toast['kind'], text: string): void;
  dismiss(id: number): void;
  setPaletteOpen(open: boolean): void;
  toggleSidebar(): void;
}

let nextToast = 0;

export const useApp = create<AppStore>((set, get) => ({
  state: 'loading',
  paletteOpen: false,
  sidebarOpen: true,
  toasts: [],
  setState(state, error) {
    set({ state, error });
    if (typeof document !== 'undefined') document.body.dataset.appState = state;
  },
  toast(kind, text) {
    const id = ++nextToast;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text }] });
    setTimeout(() => get().dismiss(id), kind === 'error' ? 8000 : 4000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  setPaletteOpen(paletteOpen) {
    set({ paletteOpen });
  },
  toggleSidebar() {
    set({ sidebarOpen: !get().sidebarOpen });
  },
}));

export const toast = (kind: Toast['kind'], text: string): void => useApp.getState().toast(kind, text);
