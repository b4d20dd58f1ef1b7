// "Run": an inputs form generated from the flow's `inputs`, then the new execution, live.
import { useEffect, useRef } from 'react';
import { navigate } from '../../app/router';
import { Icon } from '../../ui/icons';
import { Button, IconButton, StateBadge } from '../../ui/controls';
import { currentBuffer, isDirty, useEditor } from '../editor/store';
import { fieldKind, isTemplate, type FieldValue, type InputSpec } from './inputs';
import { isTerminalState, useRun } from './store';

export function RunDialog() {
  const open = useRun((s) => s.open);
  const specs = useRun((s) => s.specs);
  const values = useRun((s) => s.values);
  const errors = useRun((s) => s.errors);
  const submitting = useRun((s) => s.submitting);
  const execution = useRun((s) => s.execution);
  const error = useRun((s) => s.error);
  const dirty = useEditor((s) => isDirty(currentBuffer(s)) || !currentBuffer(s)?.namespace);
  const first = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!open) return;
    setTimeout(() => first.current?.querySelector<HTMLElement>('input,select,textarea,button.btn-primary')?.focus(), 0);
    // Escape closes it wherever the focus went (the Run button is disabled while it runs).
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && useRun.getState().close();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  const { close, setValue, submit } = useRun.getState();
  const running = execution && !isTerminalState(execution.state.current);
  return (
    <div className="overlay" onMouseDown={close}>
      <div
        className="dialog run-dialog"
        role="dialog"
        aria-label="Run the flow"
        data-testid="run-dialog"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <header className="dialog-head">
          <Icon name="play" size={16} />
          <h3>Run the flow</h3>
          <IconButton icon="x" label="Close" onClick={close} />
        </header>
        <form
          ref={first}
          className="dialog-body"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {!specs.length && <p className="muted">This flow has no inputs.</p>}
          {specs.map((s) => (
            <InputField key={s.id} spec={s} value={values[s.id]} error={errors[s.id]} onChange={(v) => setValue(s.id, v)} />
          ))}
          {dirty && (
            <p className="note">
              <Icon name="save" size={13} /> The flow has unsaved changes: it is saved first.
            </p>
          )}
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          {execution && (
            <div className="run-result" data-testid="run-result" data-state={execution.state.current}>
              <StateBadge state={execution.state.current} />
              <span className="mono">{execution.id}</span>
              {execution.error && <span className="field-error">{execution.error}</span>}
              <Button
                variant="ghost"
                icon="external-link"
                onClick={() => {
                  close();
                  navigate(`/executions/${execution.id}`);
                }}
              >
                Open
              </Button>
            </div>
          )}
          <footer className="dialog-foot">
            <Button onClick={close}>Close</Button>
            <Button variant="primary" icon="play" type="submit" disabled={submitting || running} data-testid="run-submit">
              {submitting ? 'Starting…' : running ? 'Running…' : dirty ? 'Save and run' : execution ? 'Run again' : 'Run'}
            </Button>
          </footer>
        </form>
      </div>
    </div>
  );
}

function InputField({ spec, value, error, onChange }: { spec: InputSpec; value: FieldValue | undefined; error?: string; onChange(v: FieldValue): void }) {
  const kind = fieldKind(spec.type);
  const id = `input-${spec.id}`;
  const text = typeof value === 'string' ? value : '';
  const placeholder = spec.defaults !== undefined && isTemplate(spec.defaults) ? `default: ${String(spec.defaults)}` : '';
  let control;
  switch (kind) {
    case 'boolean':
      control = (
        <label className="check">
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> <span>{value === true ? 'true' : 'false'}</span>
        </label>
      );
      break;
    case 'select':
      control = (
        <select id={id} className="input" value={text} onChange={(e) => onChange(e.target.value)}>
          {!spec.required && <option value="">—</option>}
          {spec.required && !text && <option value="">choose…</option>}
          {(spec.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
      break;
    case 'multiselect': {
      const list = Array.isArray(value) ? value : [];
      control = (
        <div className="checks" id={id}>
          {(spec.values ?? []).map((v) => (
            <label key={v} className="check">
              <input type="checkbox" checked={list.includes(v)} onChange={(e) => onChange(e.target.checked ? [...list, v] : list.filter((x) => x !== v))} /> <span>{v}</span>
            </label>
          ))}
        </div>
      );
      break;
    }
    case 'textarea':
      control = <textarea id={id} className="input mono" rows={spec.type === 'JSON' || spec.type === 'YAML' ? 4 : 2} value={text} placeholder={spec.type === 'ARRAY' ? '[1, 2] or a, b' : placeholder} onChange={(e) => onChange(e.target.value)} spellCheck={false} />;
      break;
    case 'unsupported':
      control = <input id={id} className="input" disabled value="" placeholder="FILE inputs: upload through the REST API" />;
      break;
    default: {
      const type = { int: 'number', float: 'number', datetime: 'datetime-local', date: 'date', time: 'time', password: 'password', email: 'email', uri: 'url' }[kind as string] ?? 'text';
      control = (
        <input
          id={id}
          className={`input${kind === 'duration' ? ' mono' : ''}`}
          type={type}
          step={kind === 'float' ? 'any' : kind === 'datetime' ? 1 : undefined}
          value={text}
          placeholder={kind === 'duration' ? 'PT5M' : placeholder}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
        />
      );
    }
  }
  return (
    <div className={`field${error ? ' has-error' : ''}`} data-input={spec.id}>
      <div className="field-label">
        <label htmlFor={id}>
          {spec.displayName ?? spec.id}
          {spec.required && <span className="req">*</span>}
        </label>
        <span className="tag">{spec.type}</span>
      </div>
      {control}
      {spec.description && <div className="field-help">{spec.description}</div>}
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}
