import { registerCommand } from '../../app/commands';
import { navigate, registerView } from '../../app/router';
import { Welcome } from './Welcome';
import { WorkspaceSidebar } from './WorkspaceSidebar';
import { useWorkspace } from './store';

export function registerWorkspace(): void {
  registerView({ id: 'home', pattern: '/', component: Welcome, sidebar: WorkspaceSidebar, title: () => 'Workspace', nav: { label: 'Flows', icon: 'workflow', order: 10, to: '/' } });
  registerCommand(
    { id: 'workspace.newFlow', title: 'New flow from a sample', group: 'Workspace', run: () => navigate('/') },
    { id: 'workspace.reload', title: 'Reload the workspace', group: 'Workspace', run: () => useWorkspace.getState().load() },
  );
}
