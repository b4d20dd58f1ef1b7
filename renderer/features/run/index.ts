import { registerView } from '../../app/router';
import { WorkspaceSidebar } from '../workspace/WorkspaceSidebar';
import { ExecutionView } from './ExecutionView';

export function registerRun(): void {
  // A minimal page; the executions feature replaces it by registering the same id.
  registerView({ id: 'execution', pattern: '/executions/:id', component: ExecutionView, sidebar: WorkspaceSidebar, title: (p) => `Execution ${p.id.slice(0, 8)}` });
}
