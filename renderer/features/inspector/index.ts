// The live trigger inspector: one view per flow (#/flows/:namespace/:id/triggers) and one for every
// running trigger (#/triggers, in the navigation rail).
import { registerCommand } from '../../app/commands';
import { navigate, registerView, useRouter } from '../../app/router';
import { currentBuffer, useEditor } from '../editor/store';
import { WorkspaceSidebar } from '../workspace/WorkspaceSidebar';
import '../viz/viz.css';
import './inspector.css';
import { FlowInspectorView, GlobalInspectorView, inspectorPath } from './InspectorViews';

/** The flow on screen: the editor's, or the one of a flow page's address. */
function currentFlow(): { namespace: string; id: string } | undefined {
  const m = /^\/flows\/([^/?]+)\/([^/?]+)/.exec(useRouter.getState().path);
  if (m) return { namespace: decodeURIComponent(m[1]), id: decodeURIComponent(m[2]) };
  const b = currentBuffer(useEditor.getState());
  return b?.namespace && b.id ? { namespace: b.namespace, id: b.id } : undefined;
}

export function registerInspector(): void {
  registerView({
    id: 'flow-triggers',
    pattern: '/flows/:namespace/:id/triggers',
    component: FlowInspectorView,
    sidebar: WorkspaceSidebar,
    title: (p) => `${p.namespace}.${p.id} · triggers`,
  });
  registerView({
    id: 'triggers',
    pattern: '/triggers',
    component: GlobalInspectorView,
    title: () => 'Triggers',
    nav: { label: 'Triggers', icon: 'activity', order: 30, to: '/triggers' },
  });
  registerCommand(
    {
      id: 'inspector.open',
      title: "Inspect the open flow's triggers (live events)",
      group: 'Triggers',
      enabled: () => !!currentFlow(),
      run: () => {
        const f = currentFlow();
        if (f) navigate(inspectorPath(f.namespace, f.id));
      },
    },
    { id: 'inspector.all', title: 'Show all triggers', group: 'Triggers', run: () => navigate('/triggers') },
  );
}
