// The palette: every plugin of the catalogue by category, with its icon. Drag one onto the graph,
// or click to insert it (after the selected task, or where an edge's "+" asked).
import { useMemo } from 'react';
import type { PluginSummary } from '../../../main/api/contract';
import { Icon } from '../../ui/icons';
import { IconButton } from '../../ui/controls';
import { groupByCategory, typeFamily, usePlugins } from '../plugins/store';
import { insertPlugin } from './insert';
import { PLUGIN_MIME, usePalette } from './store';

export function Palette({ view }: { view: 'split' | 'graph' }) {
  const plugins = usePlugins((s) => s.plugins);
  const search = usePalette((s) => s.search);
  const setSearch = usePalette((s) => s.setSearch);
  const folded = usePalette((s) => s.folded);
  const toggleFolded = usePalette((s) => s.toggleFolded);
  const chosen = usePalette((s) => s.chosen[view]);
  const target = usePalette((s) => s.target);
  const setTarget = usePalette((s) => s.setTarget);
  // An edge's "+" wants a pick: show the whole list.
  const open = (chosen ?? view === 'graph') || !!target;
  const setOpen = (o: boolean) => usePalette.getState().setOpenFor(view, o);

  const groups = useMemo(() => {
    const q = search.trim().toLowerCase();
    const hit = (p: PluginSummary) => !q || `${p.title} ${p.type} ${p.category} ${p.description}`.toLowerCase().includes(q);
    return groupByCategory(plugins.filter(hit));
  }, [plugins, search]);

  if (!open) {
    // A column of icons: drag them like the full list; the name is in the tooltip.
    return (
      <aside className="palette compact" aria-label="Palette" data-testid="palette">
        <IconButton icon="panel-left" label="Show the full palette" onClick={() => setOpen(true)} />
        <div className="palette-icons">
          {groups.map((g) => (
            <div key={g.category} className="pc-group" title={g.category}>
              {g.plugins.map((p) => (
                <div
                  key={p.type}
                  className={`pc-item cat-${p.category.toLowerCase().replace(/[^a-z]+/g, '-')}`}
                  role="button"
                  tabIndex={0}
                  draggable
                  data-plugin={p.type}
                  data-testid="palette-item"
                  title={`${p.title} (${p.kind === 'trigger' ? 'trigger' : typeFamily(p.type)})\nDrag onto the graph, or click to insert.`}
                  aria-label={p.title}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(PLUGIN_MIME, p.type);
                    e.dataTransfer.setData('text/plain', p.type);
                    e.dataTransfer.effectAllowed = 'copy';
                  }}
                  onClick={() => insertPlugin(p)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      insertPlugin(p);
                    }
                  }}
                >
                  <Icon name={p.icon} size={16} />
                </div>
              ))}
            </div>
          ))}
        </div>
      </aside>
    );
  }

  const pick = (p: PluginSummary) => {
    const ok = target && p.kind === 'task' ? insertPlugin(p, target.at) : insertPlugin(p);
    if (ok) setTarget(undefined);
  };

  return (
    <aside className="palette" aria-label="Palette" data-testid="palette">
      <div className="palette-head">
        <span className="panel-title">Palette</span>
        <IconButton icon="panel-left" label="Icons only" onClick={() => setOpen(false)} />
      </div>
      {target && (
        <div className="palette-target">
          <span>
            Insert {target.label}: pick a task
          </span>
          <IconButton icon="x" label="Cancel" size={12} onClick={() => setTarget(undefined)} />
        </div>
      )}
      <label className="search">
        <Icon name="search" size={14} />
        <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search tasks and triggers" aria-label="Search plugins" />
      </label>
      <div className="palette-list">
        {groups.map((g) => (
          <section key={g.category} className="palette-group">
            <button type="button" className="palette-cat" onClick={() => toggleFolded(g.category)} aria-expanded={!folded[g.category] || !!search}>
              <Icon name={folded[g.category] && !search ? 'chevron-right' : 'chevron-down'} size={12} />
              <span>{g.category}</span>
              <span className="count">{g.plugins.length}</span>
            </button>
            {(!folded[g.category] || !!search) &&
              g.plugins.map((p) => (
                <div
                  key={p.type}
                  className={`palette-item kind-${p.kind}`}
                  role="button"
                  tabIndex={0}
                  draggable
                  data-plugin={p.type}
                  data-testid="palette-item"
                  title={`${p.type}\n\n${p.description}\n\nDrag onto the graph, or click to insert.`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(PLUGIN_MIME, p.type);
                    e.dataTransfer.setData('text/plain', p.type);
                    e.dataTransfer.effectAllowed = 'copy';
                  }}
                  onClick={() => pick(p)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      pick(p);
                    }
                  }}
                >
                  <span className={`pi-icon cat-${p.category.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
                    <Icon name={p.icon} size={15} />
                  </span>
                  <span className="pi-text">
                    <span className="pi-title">{p.title}</span>
                    <span className="pi-type">{p.kind === 'trigger' ? (p.mode === 'realtime' ? 'realtime trigger' : p.mode === 'webhook' ? 'webhook trigger' : 'trigger') : typeFamily(p.type)}</span>
                  </span>
                </div>
              ))}
          </section>
        ))}
        {!groups.length && <div className="muted pad">No plugin matches “{search}”.</div>}
      </div>
    </aside>
  );
}
