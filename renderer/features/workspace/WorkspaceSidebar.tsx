// The workspace: namespaces → flows (search), files that fail to load, and "New flow".
import { useState } from 'react';
import { flowPath, navigate } from '../../app/router';
import { Icon } from '../../ui/icons';
import { IconButton } from '../../ui/controls';
import { currentBuffer, flowKey, isDirty, useEditor } from '../editor/store';
import { groupFlows, useWorkspace } from './store';
import { newFlowFromSample } from './actions';
import { SAMPLES } from './samples';

export function WorkspaceSidebar() {
  const flows = useWorkspace((s) => s.flows);
  const problems = useWorkspace((s) => s.problems);
  const loaded = useWorkspace((s) => s.loaded);
  const search = useWorkspace((s) => s.search);
  const setSearch = useWorkspace((s) => s.setSearch);
  const collapsed = useWorkspace((s) => s.collapsed);
  const toggle = useWorkspace((s) => s.toggleNamespace);
  const current = useEditor((s) => s.current);
  const buffers = useEditor((s) => s.buffers);
  const draft = useEditor((s) => (s.current?.startsWith('draft:') ? currentBuffer(s) : undefined));
  const [menu, setMenu] = useState(false);
  const groups = groupFlows(flows, search);

  return (
    <div className="workspace" data-testid="workspace">
      <div className="sidebar-head">
        <span className="sidebar-title">Workspace</span>
        <div className="new-flow">
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setMenu((m) => !m)} aria-expanded={menu} data-testid="new-flow">
            <Icon name="plus" size={14} />
            <span>New flow</span>
          </button>
          {menu && (
            <div className="menu" role="menu" onMouseLeave={() => setMenu(false)}>
              <div className="menu-title">Start from a sample</div>
              {SAMPLES.map((s) => (
                <button
                  key={s.id}
                  type="button"
                  role="menuitem"
                  className="menu-item"
                  data-sample={s.id}
                  onClick={() => {
                    setMenu(false);
                    newFlowFromSample(s);
                  }}
                >
                  <Icon name={s.icon} size={16} />
                  <span>
                    <strong>{s.title}</strong>
                    <small>{s.description}</small>
                  </span>
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
      <label className="search">
        <Icon name="search" size={14} />
        <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search flows" aria-label="Search flows" />
        {search && <IconButton icon="x" label="Clear search" size={12} onClick={() => setSearch('')} />}
      </label>
      <div className="tree" role="tree" aria-label="Flows">
        {draft && (
          <div className="tree-draft">
            <div className="flow-item active" role="treeitem" aria-selected>
              <Icon name="file-plus" size={14} />
              <span className="flow-id">New flow</span>
              <span className="dirty-dot" title="Not saved yet" />
            </div>
          </div>
        )}
        {!loaded && <div className="muted pad">Loading…</div>}
        {loaded && !flows.length && !draft && (
          <div className="muted pad">No flows yet. Create one from a sample, or drop YAML files in the flows folder.</div>
        )}
        {loaded && flows.length > 0 && !groups.length && <div className="muted pad">No flow matches “{search}”.</div>}
        {groups.map((g) => (
          <div key={g.namespace} className="ns" role="group">
            <button type="button" className="ns-head" onClick={() => toggle(g.namespace)} aria-expanded={!collapsed[g.namespace]} data-namespace={g.namespace}>
              <Icon name={collapsed[g.namespace] ? 'chevron-right' : 'chevron-down'} size={13} />
              <Icon name="folder" size={14} />
              <span className="ns-name">{g.namespace}</span>
              <span className="ns-count">{g.flows.length}</span>
            </button>
            {!collapsed[g.namespace] &&
              g.flows.map((f) => {
                const key = flowKey(f.namespace, f.id);
                return (
                  <a
                    key={key}
                    href={`#${flowPath(f.namespace, f.id)}`}
                    className={`flow-item${current === key ? ' active' : ''}${f.disabled ? ' disabled' : ''}`}
                    role="treeitem"
                    aria-selected={current === key}
                    data-flow={key}
                    title={f.description ?? `${f.namespace}.${f.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(flowPath(f.namespace, f.id));
                    }}
                  >
                    <Icon name={f.triggers.length ? 'zap' : 'file'} size={14} />
                    <span className="flow-id">{f.id}</span>
                    {f.disabled && <span className="tag">off</span>}
                    {isDirty(buffers[key]) && <span className="dirty-dot" title="Unsaved changes" />}
                  </a>
                );
              })}
          </div>
        ))}
      </div>
      {problems.length > 0 && (
        <div className="ws-problems" data-testid="workspace-problems">
          <div className="sidebar-subtitle">
            <Icon name="alert-triangle" size={13} /> Files that do not load ({problems.length})
          </div>
          {problems.map((p) => {
            const first = p.errors.find((e) => e.severity === 'error') ?? p.errors[0];
            return (
              <div key={p.file} className="ws-problem" title={p.errors.map((e) => `${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n')}>
                <div className="ws-problem-file">
                  <Icon name="file" size={13} /> {p.file.split(/[\\/]/).pop()}
                </div>
                {first && (
                  <div className="ws-problem-msg">
                    <span className="loc">
                      {first.line}:{first.column}
                    </span>{' '}
                    {first.message}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
