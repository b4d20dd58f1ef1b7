// A small hash router (`#/flows/company.team/orders`) and the view registry. A feature adds a page
// with `registerView({ id, pattern, component })`; registering the same id again replaces it (so a
// later feature can take over a route, e.g. the real execution page replacing the minimal one).
import type { ComponentType } from 'react';
import { create } from 'zustand';
import type { IconName } from '../ui/icons';

export type Params = Record<string, string>;

export interface ViewDef {
  id: string;
  /** `/flows/:namespace/:id`; segments starting with `:` are parameters. */
  pattern: string;
  component: ComponentType<{ params: Params }>;
  /** Shown in the window title. */
  title?: (params: Params) => string;
  /** The left sidebar shown beside this view (the workspace for flow pages). */
  sidebar?: ComponentType;
  /** An entry in the navigation rail. */
  nav?: { label: string; icon: IconName; order: number; to: string };
}

interface RouterState {
  path: string;
  views: ViewDef[];
}

const pathOf = (hash: string): string => {
  const p = hash.replace(/^#/, '');
  return p.startsWith('/') ? p : `/${p}`;
};

export const useRouter = create<RouterState>(() => ({
  path: typeof window === 'undefined' ? '/' : pathOf(window.location.hash),
  views: [],
}));

export function registerView(view: ViewDef): void {
  useRouter.setState((s) => ({ views: [...s.views.filter((v) => v.id !== view.id), view] }));
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const hash = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (typeof window === 'undefined') {
    useRouter.setState({ path: pathOf(hash) }); // stores under test, outside a browser
    return;
  }
  if (opts.replace) window.history.replaceState(window.history.state, '', hash);
  else if (window.location.hash !== hash) window.history.pushState(window.history.state, '', hash);
  useRouter.setState({ path: pathOf(hash) });
}

export function startRouter(): () => void {
  const onChange = () => useRouter.setState({ path: pathOf(window.location.hash) });
  window.addEventListener('hashchange', onChange);
  window.addEventListener('popstate', onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener('popstate', onChange);
  };
}

/** Matches a path against a pattern; returns the decoded parameters, or undefined. */
export function matchPattern(pattern: string, path: string): Params | undefined {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('?')[0].split('/').filter(Boolean);
  if (ps.length !== xs.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
    else if (ps[i] !== xs[i]) return undefined;
  }
  return params;
}

/** The view for a path: literal patterns win over ones with parameters. */
export function resolveView(views: ViewDef[], path: string): { view: ViewDef; params: Params } | undefined {
  const ranked = [...views].sort((a, b) => (a.pattern.match(/:/g)?.length ?? 0) - (b.pattern.match(/:/g)?.length ?? 0));
  for (const view of ranked) {
    const params = matchPattern(view.pattern, path);
    if (params) return { view, params };
  }
  return undefined;
}

export const flowPath = (namespace: string, id: string): string => `/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
