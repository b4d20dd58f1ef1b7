// The bottom line: connection, problems of the open flow, cursor, format-on-save.
import { useApp } from './app-store';
import { Icon } from '../ui/icons';
import { useEditor } from '../features/editor/store';
import { useProblems } from '../features/problems/store';
import { create } from 'zustand';

/** Where the YAML cursor is (set by the YAML editor). */
export const useCursor = create<{ line: number; column: number }>(() => ({ line: 1, column: 1 }));

export function StatusBar() {
  const transport = useApp((s) => s.transport);
  const state = useApp((s) => s.state);
  const errors = useEditor((s) => s.errors);
  const saveErrors = useEditor((s) => s.saveErrors);
  const hasFlow = useEditor((s) => !!s.current);
  const analyzing = useEditor((s) => s.analyzing);
  const toggle = useProblems((s) => s.toggle);
  const cursor = useCursor();
  const all = [...saveErrors, ...errors];
  const nErr = all.filter((e) => e.severity === 'error').length;
  const nWarn = all.length - nErr;
  return (
    <footer className="statusbar">
      <span className={`conn conn-${state}`} title={transport === 'electron' ? 'Desktop (IPC)' : 'Web mode (WebSocket)'}>
        <span className="dot" />
        {state === 'ready' ? (transport === 'electron' ? 'Engine' : 'Engine · web') : state === 'error' ? 'Disconnected' : 'Connecting…'}
      </span>
      {hasFlow && (
        <button type="button" className="status-problems" onClick={toggle} data-testid="status-problems" title="Problems (toggle panel)">
          <Icon name="alert-circle" size={13} /> {nErr}
          <Icon name="alert-triangle" size={13} /> {nWarn}
          {analyzing && <span className="muted"> · checking…</span>}
        </button>
      )}
      <span className="spacer" />
      {hasFlow && (
        <span className="muted">
          Ln {cursor.line}, Col {cursor.column}
        </span>
      )}
      <span className="muted">YAML</span>
    </footer>
  );
}
