// Light and dark themes (CSS variables on <html data-theme>); follows the OS unless the user picks.
import { create } from 'zustand';

export type ThemeMode = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'peregrine.theme';
const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : undefined;
const systemTheme = (): Theme => (media?.matches ? 'dark' : 'light');
const stored = (): ThemeMode => {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
};

interface ThemeState {
  mode: ThemeMode;
  theme: Theme;
  setMode(mode: ThemeMode): void;
  /** system → the other one → system … as a header toggle. */
  toggle(): void;
}

export const useTheme = create<ThemeState>((set, get) => ({
  mode: stored(),
  theme: stored() === 'system' ? systemTheme() : (stored() as Theme),
  setMode(mode) {
    try {
      if (mode === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, mode);
    } catch {
      // storage may be unavailable
    }
    set({ mode, theme: mode === 'system' ? systemTheme() : mode });
  },
  toggle() {
    const { theme } = get();
    get().setMode(theme === 'dark' ? 'light' : 'dark');
  },
}));

export function startTheme(): () => void {
  const apply = () => {
    document.documentElement.dataset.theme = useTheme.getState().theme;
    document.documentElement.style.colorScheme = useTheme.getState().theme;
  };
  apply();
  const unsub = useTheme.subscribe(apply);
  const onOs = () => {
    if (useTheme.getState().mode === 'system') useTheme.setState({ theme: systemTheme() });
  };
  media?.addEventListener('change', onOs);
  return () => {
    unsub();
    media?.removeEventListener('change', onOs);
  };
}
