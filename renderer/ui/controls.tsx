// Small shared controls. Styling lives in styles/app.css (CSS variables for both themes).
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Icon } from './icons';

type Variant = 'primary' | 'default' | 'ghost' | 'danger';

export function Button({ variant = 'default', icon, children, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; icon?: string }) {
  return (
    <button type="button" className={`btn btn-${variant}${className ? ` ${className}` : ''}`} {...rest}>
      {icon && <Icon name={icon} size={15} />}
      {children && <span>{children}</span>}
    </button>
  );
}

export function IconButton({ icon, label, active, className, size = 16, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { icon: string; label: string; active?: boolean; size?: number }) {
  return (
    <button type="button" className={`icon-btn${active ? ' active' : ''}${className ? ` ${className}` : ''}`} aria-label={label} title={label} aria-pressed={active} {...rest}>
      <Icon name={icon} size={size} />
    </button>
  );
}

export function Segmented<T extends string>({ value, options, onChange, label }: { value: T; options: { value: T; label: string; icon?: string; title?: string }[]; onChange(v: T): void; label: string }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          className={value === o.value ? 'on' : ''}
          title={o.title ?? o.label}
          data-value={o.value}
          onClick={() => onChange(o.value)}
        >
          {o.icon && <Icon name={o.icon} size={14} />}
          <span>{o.label}</span>
        </button>
      ))}
    </div>
  );
}

export function Switch({ checked, onChange, label, disabled }: { checked: boolean; onChange(v: boolean): void; label: string; disabled?: boolean }) {
  return (
    <label className={`switch${disabled ? ' disabled' : ''}`} title={label}>
      <input type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-label={label} />
      <span className="track">
        <span className="thumb" />
      </span>
      <span className="switch-label">{label}</span>
    </label>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}

const STATE_TONE: Record<string, string> = {
  SUCCESS: 'success', WARNING: 'warning', FAILED: 'danger', KILLED: 'muted', KILLING: 'warning', CANCELLED: 'muted',
  RUNNING: 'running', CREATED: 'muted', QUEUED: 'muted', PAUSED: 'paused', RESTARTED: 'running', RETRYING: 'warning', RETRIED: 'muted', SKIPPED: 'muted',
};

export const stateTone = (state: string | undefined): string => (state ? STATE_TONE[state] ?? 'muted' : 'muted');

export function StateBadge({ state, count, compact }: { state: string; count?: number; compact?: boolean }) {
  return (
    <span className={`state-badge tone-${stateTone(state)}${compact ? ' compact' : ''}`} title={count !== undefined ? `${state} · ${count} run(s)` : state} data-state={state}>
      <span className="dot" />
      {!compact && <span className="state-name">{state}</span>}
      {count !== undefined && <span className="count">{count}</span>}
    </span>
  );
}

export function Empty({ icon, title, children }: { icon?: string; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      {icon && <Icon name={icon} size={28} />}
      <div className="empty-title">{title}</div>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'Loading'} />;
}
