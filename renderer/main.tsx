// The renderer's entry: theme, router, shortcuts, the bridge (Electron preload or WebSocket), then
// the first data; <body data-app-state> says loading → ready (or error) for people and tests.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/app.css';
import { useApp } from './app/app-store';
import { connect, setBridge } from './app/bridge';
import { startMenuCommands, startShortcuts } from './app/commands';
import { startRouter } from './app/router';
import { Shell } from './app/Shell';
import { startTheme } from './app/theme';
import { Icon } from './ui/icons';
import { Spinner } from './ui/controls';
import { registerFeatures } from './features';
import { usePlugins } from './features/plugins/store';
import { useWorkspace } from './features/workspace/store';

function Root() {
  const state = useApp((s) => s.state);
  const error = useApp((s) => s.error);
  if (state === 'ready') return <Shell />;
  return (
    <div className="boot">
      <div className="boot-card">
        <Icon name="feather" size={28} />
        <h1>Peregrine</h1>
        {state === 'loading' ? (
          <p>
            <Spinner /> Connecting to the engine…
          </p>
        ) : (
          <p className="boot-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

async function boot(): Promise<void> {
  startTheme();
  startRouter();
  startShortcuts();
  startMenuCommands();
  registerFeatures();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
  const app = useApp.getState();
  let conn;
  try {
    conn = connect();
  } catch (e) {
    app.setState('error', (e as Error).message);
    return;
  }
  setBridge(conn.bridge);
  useApp.setState({ transport: conn.transport });
  const timer = setTimeout(() => {
    if (useApp.getState().state === 'loading') app.setState('error', 'Cannot reach the engine. Is `peregrine server` running, and is the address (with its ?token=…) the one it printed?');
  }, 15_000);
  await conn.ready;
  await Promise.all([usePlugins.getState().load(), useWorkspace.getState().load()]);
  useWorkspace.getState().watch();
  clearTimeout(timer);
  app.setState('ready');
}

void boot();
