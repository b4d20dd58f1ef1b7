// A right-click menu for the workspace tree (a flow, a namespace, a file that does not load):
// opened at the pointer, closed by a choice, a click elsewhere, Escape or scrolling.
import { useEffect, useRef } from 'react';
import { Icon } from '../../ui/icons';

export interface MenuEntry {
  id: string;
  label: string;
  icon: string;
  run(): void;
}

export interface MenuAt {
  x: number;
  y: number;
  title: string;
  entries: MenuEntry[];
}

export function ContextMenu({ menu, onClose }: { menu: MenuAt; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const away = (e: Event) => !ref.current?.contains(e.target as Node) && onClose();
    const key = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('mousedown', away, true);
    window.addEventListener('scroll', away, true);
    window.addEventListener('keydown', key);
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => {
      window.removeEventListener('mousedown', away, true);
      window.removeEventListener('scroll', away, true);
      window.removeEventListener('keydown', key);
    };
  }, [onClose]);
  // Keep it inside the window.
  const left = Math.min(menu.x, window.innerWidth - 230);
  const top = Math.min(menu.y, window.innerHeight - 40 - menu.entries.length * 32);
  return (
    <div ref={ref} className="menu context-menu" role="menu" aria-label={menu.title} style={{ left, top }} data-testid="context-menu">
      <div className="menu-title">{menu.title}</div>
      {menu.entries.map((m) => (
        <button
          key={m.id}
          type="button"
          role="menuitem"
          className="menu-item"
          data-action={m.id}
          onClick={() => {
            onClose();
            m.run();
          }}
        >
          <Icon name={m.icon} size={15} />
          <span>{m.label}</span>
        </button>
      ))}
    </div>
  );
}
