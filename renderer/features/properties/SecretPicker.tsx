// Pick a secret by name (values never leave the engine): inserts `{{ secret('NAME') }}`.
import { useEffect, useState } from 'react';
import { Icon } from '../../ui/icons';
import { secretExpression, useSecrets } from '../secrets/store';

export function SecretPicker({ onPick }: { onPick(expression: string): void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const secrets = useSecrets((s) => s.secrets);
  const loaded = useSecrets((s) => s.loaded);
  const error = useSecrets((s) => s.error);
  useEffect(() => {
    if (open) void useSecrets.getState().load();
  }, [open]);
  const names = [...new Set(secrets.map((s) => s.name))].sort();
  return (
    <span className="secret-picker">
      <button type="button" className="icon-btn small" title="Insert a secret" aria-label="Insert a secret" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="secret-picker">
        <Icon name="key" size={13} />
      </button>
      {open && (
        <div className="menu secret-menu" role="menu">
          <div className="menu-title">Secrets</div>
          {!loaded && <div className="muted pad-sm">Loading…</div>}
          {loaded && !names.length && <div className="muted pad-sm">No secret yet.</div>}
          {names.map((n) => (
            <button
              key={n}
              type="button"
              className="menu-item"
              role="menuitem"
              onClick={() => {
                onPick(secretExpression(n));
                setOpen(false);
              }}
            >
              <Icon name="key" size={13} />
              <code>{n}</code>
            </button>
          ))}
          <form
            className="secret-new"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !value) return;
              if (await useSecrets.getState().set(name, value)) {
                onPick(secretExpression(name));
                setOpen(false);
                setName('');
                setValue('');
              }
            }}
          >
            <div className="menu-title">New secret</div>
            <input placeholder="NAME" value={name} onChange={(e) => setName(e.target.value.toUpperCase())} aria-label="Secret name" pattern="[A-Za-z_][A-Za-z0-9_]*" />
            <input placeholder="value" type="password" value={value} onChange={(e) => setValue(e.target.value)} aria-label="Secret value" autoComplete="off" />
            <button type="submit" className="btn btn-sm" disabled={!name || !value}>
              Save and insert
            </button>
            {error && <div className="field-error">{error}</div>}
          </form>
        </div>
      )}
    </span>
  );
}
