// The window: header, navigation rail, the current view's sidebar, the view, the status bar, and
// the overlays (command palette, toasts). Views come from the registry (app/router.ts).
import { useEffect } from 'react';
import { Icon } from '../ui/icons';
import { IconButton, Kbd } from '../ui/controls';
import { useApp } from './app-store';
import { keyLabel, runCommand, useCommands } from './commands';
import { CommandPalette } from './CommandPalette';
import { navigate, resolveView, useRouter } from './router';
import { useTheme } from './theme';
import { Toasts } from './Toasts';
import { StatusBar } from './StatusBar';
import { useOverlays } from './overlays';

export function Shell() {
  const path = useRouter((s) => s.path);
  const views = useRouter((s) => s.views);
  const resolved = resolveView(views, path);
  const View = resolved?.view.component;
  const sidebarOpen = useApp((s) => s.sidebarOpen);
  const Sidebar = sidebarOpen ? resolved?.view.sidebar : undefined;
  const title = resolved?.view.title?.(resolved.params);
  const overlays = useOverlays((s) => s.overlays);

  useEffect(() => {
    document.title = title ? `${title} — Peregrine` : 'Peregrine';
  }, [title]);

  return (
    <div className={`shell${Sidebar ? ' with-sidebar' : ''}`}>
      <Header />
      <NavRail current={resolved?.view.id} />
      {Sidebar && (
        <aside className="sidebar" aria-label="Sidebar">
          <Sidebar />
        </aside>
      )}
      <main className="main" data-view={resolved?.view.id ?? 'none'}>
        {View && resolved ? <View params={resolved.params} /> : <NotFound path={path} />}
      </main>
      <StatusBar />
      {Object.entries(overlays).map(([id, Overlay]) => <Overlay key={id} />)}
      <CommandPalette />
      <Toasts />
    </div>
  );
}

function Header() {
  const theme = useTheme((s) => s.theme);
  const toggle = useTheme((s) => s.toggle);
  const paletteKeys = useCommands((s) => s.commands['app.commandPalette']?.keys);
  return (
    <header className="header">
      <a className="brand" href="#/" aria-label="Peregrine home">
        <Icon name="feather" size={18} />
        <span>Peregrine</span>
      </a>
      <button type="button" className="palette-trigger" onClick={() => runCommand('app.commandPalette')} data-testid="open-command-palette">
        <Icon name="search" size={14} />
        <span>Search flows and commands…</span>
        {paletteKeys && <Kbd>{keyLabel(paletteKeys)}</Kbd>}
      </button>
      <div className="header-actions">
        <IconButton
          icon={theme === 'dark' ? 'sun' : 'moon'}
          label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          onClick={toggle}
          data-testid="theme-toggle"
        />
      </div>
    </header>
  );
}

function NavRail({ current }: { current?: string }) {
  const views = useRouter((s) => s.views);
  const items = views.filter((v) => v.nav).sort((a, b) => a.nav!.order - b.nav!.order);
  // The flows entry stays lit on flow pages (editor, new flow, the minimal execution page).
  const active = (id: string) => current === id || (id === 'home' && (current === 'editor' || current === 'new-flow'));
  return (
    <nav className="rail" aria-label="Views">
      {items.map((v) => (
        <button
          key={v.id}
          type="button"
          className={`rail-item${active(v.id) ? ' active' : ''}`}
          title={active(v.id) ? `${v.nav!.label} (click again to hide the sidebar)` : v.nav!.label}
          aria-label={v.nav!.label}
          onClick={() => (active(v.id) ? useApp.getState().toggleSidebar() : navigate(v.nav!.to))}
        >
          <Icon name={v.nav!.icon} size={19} />
        </button>
      ))}
    </nav>
  );
}

function NotFound({ path }: { path: string }) {
  const state = useApp((s) => s.state);
  if (state !== 'ready') return null;
  return (
    <div className="not-found">
      <p>
        Nothing at <code>{path}</code>.
      </p>
      <a href="#/">Back to the workspace</a>
    </div>
  );
}
