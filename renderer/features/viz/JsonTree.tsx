// A JSON tree: expandable objects and arrays, a search that opens what matches and marks it, and
// the expression of each value (`trigger.value.order.id`) one click away. Long lists show their
// first items and a "more" button, so a 10,000-element payload stays quick.
import { useMemo, useState, type ReactNode } from 'react';
import { Icon } from '../../ui/icons';

type Path = (string | number)[];

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PAGE = 100;

/** `trigger` + ['value', 'items', 0, 'a-b'] → `trigger.value.items[0]['a-b']` (Pebble's syntax). */
export function expressionOf(root: string, path: Path): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `['${seg.replace(/'/g, "\\'")}']`;
  }
  return out;
}

const keyOf = (path: Path) => JSON.stringify(path);
const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => v !== null && typeof v === 'object';

/** Paths (as keys) of every value or key containing `q`, and of their ancestors. */
export function searchTree(value: unknown, q: string, limit = 2000): { hits: Set<string>; open: Set<string> } {
  const hits = new Set<string>();
  const open = new Set<string>();
  const needle = q.toLowerCase();
  const walk = (v: unknown, path: Path) => {
    if (hits.size >= limit) return;
    if (isContainer(v)) {
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      for (const [k, child] of entries) {
        const p = [...path, k];
        const before = hits.size;
        if (typeof k === 'string' && k.toLowerCase().includes(needle)) hits.add(keyOf(p));
        walk(child, p);
        if (hits.size > before) open.add(keyOf(path));
      }
    } else if (v !== undefined && String(v).toLowerCase().includes(needle)) {
      hits.add(keyOf(path));
    }
  };
  if (needle) walk(value, []);
  return { hits, open };
}

function Highlight({ text, q }: { text: string; q: string }) {
  if (!q) return <>{text}</>;
  const i = text.toLowerCase().indexOf(q.toLowerCase());
  if (i < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, i)}
      <mark>{text.slice(i, i + q.length)}</mark>
      {text.slice(i + q.length)}
    </>
  );
}

function Scalar({ value, q }: { value: unknown; q: string }) {
  if (value === null) return <span className="jt-null">null</span>;
  if (typeof value === 'string') {
    const shown = value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
    return (
      <span className="jt-string">
        "<Highlight text={shown} q={q} />"
      </span>
    );
  }
  if (typeof value === 'number') return <span className="jt-number"><Highlight text={String(value)} q={q} /></span>;
  if (typeof value === 'boolean') return <span className="jt-bool"><Highlight text={String(value)} q={q} /></span>;
  return <span className="jt-null">{String(value)}</span>;
}

export interface JsonTreeProps {
  value: unknown;
  /** The expression root shown and copied for each value (`trigger`, `outputs.task`…); '' for none. */
  root?: string;
  /** Levels open at first. */
  depth?: number;
  /** A search box above the tree. */
  searchable?: boolean;
  /** Called when a value is clicked: its expression and value (e.g. to copy `{{ trigger.value.id }}`). */
  onPick?(expression: string, value: unknown): void;
  /** Renders a leaf differently (e.g. kestra:// file links). */
  renderLeaf?(value: unknown, path: Path): ReactNode | undefined;
  testId?: string;
}

export function JsonTree({ value, root = '', depth = 2, searchable, onPick, renderLeaf, testId = 'json-tree' }: JsonTreeProps) {
  const [q, setQ] = useState('');
  const [toggled, setToggled] = useState<Record<string, boolean>>({});
  const [more, setMore] = useState<Record<string, number>>({});
  const found = useMemo(() => searchTree(value, q), [value, q]);

  const isOpen = (path: Path): boolean => {
    const k = keyOf(path);
    if (k in toggled) return toggled[k];
    if (q && found.open.has(k)) return true;
    return path.length < depth;
  };

  const row = (label: ReactNode, path: Path, v: unknown, level: number): ReactNode => {
    const k = keyOf(path);
    const hit = found.hits.has(k);
    const pick = onPick ? () => onPick(expressionOf(root, path), v) : undefined;
    if (!isContainer(v)) {
      const custom = renderLeaf?.(v, path);
      return (
        <div key={k} className={`jt-row${hit ? ' hit' : ''}`} style={{ paddingLeft: level * 14 + 16 }} data-path={expressionOf(root, path)}>
          {label}
          {custom ?? (
            <span className={pick ? 'jt-pick' : undefined} onClick={pick} title={pick ? `${expressionOf(root, path)} — click to copy {{ … }}` : undefined}>
              <Scalar value={v} q={q} />
            </span>
          )}
        </div>
      );
    }
    const open = isOpen(path);
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    const limit = more[k] ?? PAGE;
    return (
      <div key={k} className="jt-node">
        <div className={`jt-row${hit ? ' hit' : ''}`} style={{ paddingLeft: level * 14 }} data-path={expressionOf(root, path)}>
          <button type="button" className="jt-toggle" onClick={() => setToggled({ ...toggled, [k]: !open })} aria-expanded={open} aria-label={open ? 'Collapse' : 'Expand'}>
            <Icon name={open ? 'chevron-down' : 'chevron-right'} size={12} />
          </button>
          {label}
          <span className="jt-summary" onClick={pick} title={pick ? `${expressionOf(root, path)} — click to copy {{ … }}` : undefined}>
            {Array.isArray(v) ? `[${v.length}]` : `{${entries.length}}`}
          </span>
        </div>
        {open && (
          <>
            {entries.slice(0, limit).map(([ck, cv]) =>
              row(
                <span className="jt-key">
                  <Highlight text={String(ck)} q={q} />
                  <span className="jt-colon">:</span>
                </span>,
                [...path, ck],
                cv,
                level + 1,
              ),
            )}
            {entries.length > limit && (
              <div className="jt-row" style={{ paddingLeft: (level + 1) * 14 + 16 }}>
                <button type="button" className="link-btn" onClick={() => setMore({ ...more, [k]: limit + PAGE * 5 })}>
                  {entries.length - limit} more…
                </button>
              </div>
            )}
          </>
        )}
      </div>
    );
  };

  return (
    <div className="json-tree" data-testid={testId}>
      {searchable && (
        <div className="search jt-search">
          <Icon name="search" size={13} />
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search keys and values" aria-label="Search the JSON" data-testid={`${testId}-search`} />
          {q && <span className="small muted">{found.hits.size} match{found.hits.size === 1 ? '' : 'es'}</span>}
        </div>
      )}
      <div className="jt-body mono">{row(root ? <span className="jt-key jt-root">{root}</span> : null, [], value, 0)}</div>
    </div>
  );
}
