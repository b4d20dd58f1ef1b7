// The problems of the open flow: the engine's validation (and save refusals), at line:col; a click
// shows the place in the YAML.
import { Icon } from '../../ui/icons';
import { IconButton } from '../../ui/controls';
import { useEditor } from '../editor/store';
import { useProblems } from './store';

export function ProblemsPanel() {
  const open = useProblems((s) => s.open);
  const toggle = useProblems((s) => s.toggle);
  const errors = useEditor((s) => s.errors);
  const saveErrors = useEditor((s) => s.saveErrors);
  const view = useEditor((s) => s.view);
  const all = [...saveErrors.map((e) => ({ ...e, fromSave: true })), ...errors.filter((e) => !saveErrors.some((s) => s.line === e.line && s.column === e.column && s.message === e.message))];
  const nErr = all.filter((e) => e.severity === 'error').length;
  const show = (line: number, column: number) => {
    if (view === 'graph') useEditor.getState().setView('split');
    useEditor.getState().revealLine(line, column);
    void import('../editor/monaco/editor-host').then((m) => setTimeout(() => m.focusAt(line, column), 30));
  };
  return (
    <section className={`problems${open ? ' open' : ''}`} aria-label="Problems" data-testid="problems">
      <header className="problems-head">
        <button type="button" className="problems-toggle" onClick={toggle} aria-expanded={open}>
          <Icon name={open ? 'chevron-down' : 'chevron-up'} size={13} />
          <span>Problems</span>
          <span className={`count${nErr ? ' bad' : ''}`} data-testid="problem-count">
            {all.length}
          </span>
        </button>
        {open && <IconButton icon="x" label="Close problems" size={13} onClick={toggle} />}
      </header>
      {open && (
        <ul className="problems-list">
          {!all.length && (
            <li className="problems-none">
              <Icon name="check-circle" size={14} /> No problems: the engine accepts this flow.
            </li>
          )}
          {all.map((e, i) => (
            <li key={i} className={`problem ${e.severity}`} data-testid="problem">
              <button type="button" onClick={() => show(e.line, e.column)}>
                <Icon name={e.severity === 'error' ? 'alert-circle' : 'alert-triangle'} size={14} />
                <span className="loc">
                  {e.line}:{e.column}
                </span>
                {e.path && <span className="path mono">{e.path}</span>}
                <span className="msg">{e.message}</span>
                {'fromSave' in e && <span className="tag">save</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
