// Ctrl/Cmd+Shift+P: every registered command, and every flow of the workspace to open.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from './app-store';
import { keyLabel, useCommands } from './commands';
import { flowPath, navigate } from './router';
import { Icon } from '../ui/icons';
import { Kbd } from '../ui/controls';
import { useWorkspace } from '../features/workspace/store';

interface Item {
  id: string;
  title: string;
  hint?: string;
  keys?: string;
  icon: string;
  run(): void;
}

/** Fuzzy-ish: every word of the query appears, in order of best position. */
export function score(text: string, query: string): number {
  const t = text.toLowerCase();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let s = 0;
  for (const w of words) {
    const i = t.indexOf(w);
    if (i < 0) return -1;
    s += i === 0 ? 3 : t[i - 1] === ' ' || t[i - 1] === '.' ? 2 : 1;
  }
  return s;
}

export function CommandPalette() {
  const open = useApp((s) => s.paletteOpen);
  const setOpen = useApp((s) => s.setPaletteOpen);
  const commands = useCommands((s) => s.commands);
  const flows = useWorkspace((s) => s.flows);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (open) {
      setQuery('');
      setActive(0);
      setTimeout(() => input.current?.focus(), 0);
    }
  }, [open]);

  const items = useMemo<Item[]>(() => {
    const cmds: Item[] = Object.values(commands)
      .filter((c) => !c.enabled || c.enabled())
      .filter((c) => c.id !== 'app.commandPalette' && !c.hidden)
      .map((c) => ({ id: c.id, title: c.title, hint: c.group, keys: c.keys, icon: 'command', run: () => void c.run() }));
    const fl: Item[] = flows.map((f) => ({ id: `flow:${f.namespace}/${f.id}`, title: `${f.namespace}.${f.id}`, hint: 'Open flow', icon: 'file', run: () => navigate(flowPath(f.namespace, f.id)) }));
    const all = [...cmds, ...fl];
    if (!query.trim()) return all;
    return all
      .map((i) => ({ i, s: score(`${i.title} ${i.hint ?? ''}`, query) }))
      .filter((x) => x.s >= 0)
      .sort((a, b) => b.s - a.s)
      .map((x) => x.i);
  }, [commands, flows, query]);

  if (!open) return null;
  const choose = (i: Item | undefined) => {
    if (!i) return;
    setOpen(false);
    i.run();
  };
  return (
    <div className="overlay" onMouseDown={() => setOpen(false)}>
      <div className="command-palette" role="dialog" aria-label="Command palette" onMouseDown={(e) => e.stopPropagation()}>
        <div className="cp-input">
          <Icon name="search" size={16} />
          <input
            ref={input}
            value={query}
            placeholder="Type a command or a flow name"
            aria-label="Command"
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setOpen(false);
              else if (e.key === 'ArrowDown') {
                e.preventDefault();
                setActive((a) => Math.min(items.length - 1, a + 1));
              } else if (e.key === 'ArrowUp') {
                e.preventDefault();
                setActive((a) => Math.max(0, a - 1));
              } else if (e.key === 'Enter') choose(items[active]);
            }}
          />
        </div>
        <ul className="cp-list" role="listbox">
          {items.slice(0, 50).map((i, n) => (
            <li key={i.id} role="option" aria-selected={n === active} className={n === active ? 'active' : ''} onMouseEnter={() => setActive(n)} onClick={() => choose(i)}>
              <Icon name={i.icon} size={14} />
              <span className="cp-title">{i.title}</span>
              {i.hint && <span className="cp-hint">{i.hint}</span>}
              {i.keys && <Kbd>{keyLabel(i.keys)}</Kbd>}
            </li>
          ))}
          {!items.length && <li className="cp-empty">No match</li>}
        </ul>
      </div>
    </div>
  );
}
