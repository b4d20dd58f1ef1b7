// Executions: the list (#/executions, in the navigation rail) and the execution page
// (#/executions/:id, replacing the minimal one of features/run by registering the same id).
import { registerCommand } from '../../app/commands';
import { navigate, registerView } from '../../app/router';
import '../viz/viz.css';
import './executions.css';
import { ExecutionPage } from './ExecutionPage';
import { ExecutionsView } from './ExecutionsView';

export function registerExecutions(): void {
  registerView({
    id: 'executions',
    pattern: '/executions',
    component: ExecutionsView,
    title: () => 'Executions',
    nav: { label: 'Executions', icon: 'history', order: 40, to: '/executions' },
  });
  registerView({ id: 'execution', pattern: '/executions/:id', component: ExecutionPage, title: (p) => `Execution ${p.id.slice(0, 8)}` });
  registerCommand(
    { id: 'executions.list', title: 'Show executions', group: 'Executions', run: () => navigate('/executions') },
    { id: 'executions.failed', title: 'Show failed executions', group: 'Executions', run: () => navigate('/executions?state=FAILED,KILLED') },
  );
}
