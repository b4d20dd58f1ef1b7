// Dialogs a feature shows over whatever view is open (e.g. "Deploy to Kestra", reachable from the
// palette, the sidebar and the editor): registered like views, rendered by the shell; each one
// decides from its own store whether it is open.
import type { ComponentType } from 'react';
import { create } from 'zustand';

export const useOverlays = create<{ overlays: Record<string, ComponentType> }>(() => ({ overlays: {} }));

export function registerOverlay(id: string, component: ComponentType): void {
  useOverlays.setState((s) => ({ overlays: { ...s.overlays, [id]: component } }));
}
