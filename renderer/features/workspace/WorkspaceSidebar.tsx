// The workspace: namespaces → flows (search), files that fail to load (open them to fix or deploy
// them), "New flow", and "Deploy to Kestra" / "Pull" for everything, a namespace (its row, or a
// right click) or one flow (a right click).
import { useCallback, useState } from 'react';
import { flowPath, navigate } from '../../app/router';
import { Icon } from '../../ui/icons';
import { IconButton } from '../../ui/controls';
import { currentBuffer, flowKey, isDirty, useEditor } from '../editor/store';
import { groupFlows, useWorkspace } from './store';
import { newFlowFromSample, openProblem } from './actions';
import { ContextMenu, type MenuAt } from './ContextMenu';
import { useDeploy } from '../deploy/store';
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
  const [contextMenu, setContextMenu] = useState<MenuAt>();
  const closeContextMenu = useCallback(() => setContextMenu(undefined), []);
  const groups = groupFlows(flows, search);
  const { openDeploy, openPull } = useDeploy.getState();
  const menuAt = (e: React.MouseEvent, title: string, entries: MenuAt['entries']) => {
    e.preventDefault();
    setContextMenu({ x: e.clientX, y: e.clientY, title, entries });
  };

  return (
    <div className="workspace" data-testid="workspace">
      <div className="sidebar-head">
        <span className="sidebar-title">Workspace</span>
        <IconButton
          icon="rocket"
          label="Kestra: deploy all flows, or pull…"
          size={14}
          className="small sidebar-kestra"
          onClick={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            setContextMenu({
              x: r.left, y: r.bottom + 4, title: 'Kestra',
              entries: [
                { id: 'deploy-all', label: 'Deploy all flows to Kestra…', icon: 'rocket', run: () => openDeploy({ kind: 'all' }) },
                { id: 'pull', label: 'Pull flows from Kestra…', icon: 'download', run: () => openPull() },
              ],
            });
          }}
          data-testid="kestra-menu"
        />
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
            <div
              className="ns-row"
              onContextMenu={(e) =>
                menuAt(e, g.namespace, [
                  { id: 'deploy', label: 'Deploy this namespace to Kestra…', icon: 'rocket', run: () => openDeploy({ kind: 'namespace', namespace: g.namespace }) },
                  { id: 'pull', label: 'Pull this namespace from Kestra…', icon: 'download', run: () => openPull(g.namespace) },
                ])
              }
            >
              <button type="button" className="ns-head" onClick={() => toggle(g.namespace)} aria-expanded={!collapsed[g.namespace]} data-namespace={g.namespace}>
                <Icon name={collapsed[g.namespace] ? 'chevron-right' : 'chevron-down'} size={13} />
                <Icon name="folder" size={14} />
                <span className="ns-name">{g.namespace}</span>
                <span className="ns-count">{g.flows.length}</span>
              </button>
              <IconButton
                icon="rocket"
                label={`Deploy ${g.namespace} to Kestra…`}
                size={13}
                className="ns-action"
                onClick={() => openDeploy({ kind: 'namespace', namespace: g.namespace })}
                data-testid="deploy-namespace"
              />
            </div>
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
                    onContextMenu={(e) =>
                      menuAt(e, `${f.namespace}.${f.id}`, [
                        { id: 'open', label: 'Open', icon: 'file', run: () => navigate(flowPath(f.namespace, f.id)) },
                        { id: 'deploy', label: 'Deploy to Kestra…', icon: 'rocket', run: () => openDeploy({ kind: 'flow', namespace: f.namespace, id: f.id }) },
                      ])
                    }
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
            const named = p.namespace && p.id ? { namespace: p.namespace, id: p.id } : undefined;
            return (
              <button
                type="button"
                key={p.file}
                className={`ws-problem ws-problem-open${p.notSupportedLocally ? ' kept' : ''}${named && current === flowKey(named.namespace, named.id) ? ' active' : ''}`}
                title={`Open to ${p.notSupportedLocally ? 'edit or deploy' : 'fix'}:\n${p.errors.map((e) => `${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n')}`}
                data-file={p.file}
                data-problem-flow={named ? `${named.namespace}/${named.id}` : undefined}
                onClick={() => openProblem(p)}
                onContextMenu={(e) =>
                  menuAt(e, named ? `${named.namespace}.${named.id}` : p.file.split(/[\\/]/).pop() ?? p.file, [
                    { id: 'open', label: p.notSupportedLocally ? 'Open' : 'Open to fix', icon: 'file', run: () => openProblem(p) },
                    ...(named ? [{ id: 'deploy', label: 'Deploy to Kestra…', icon: 'rocket', run: () => openDeploy({ kind: 'flow', ...named }) }] : []),
                  ])
                }
              >
                <span className="ws-problem-file">
                  <Icon name="file" size={13} /> {p.file.split(/[\\/]/).pop()}
                  {p.notSupportedLocally && <span className="tag accent">not supported locally</span>}
                </span>
                {first && (
                  <span className="ws-problem-msg">
                    <span className="loc">
                      {first.line}:{first.column}
                    </span>{' '}
                    {first.message}
                  </span>
                )}
              </button>
            );
          })}
        </div>
      )}
      {contextMenu && <ContextMenu menu={contextMenu} onClose={closeContextMenu} />}
    </div>
  );
}
