// The overview dashboard (#/overview, in the navigation rail).
import { registerCommand } from '../../app/commands';
import { navigate, registerView } from '../../app/router';
import '../viz/viz.css';
import './overview.css';
import { OverviewView } from './OverviewView';

export function registerOverview(): void {
  registerView({ id: 'overview', pattern: '/overview', component: OverviewView, title: () => 'Overview', nav: { label: 'Overview', icon: 'gauge', order: 20, to: '/overview' } });
  registerCommand({ id: 'overview.open', title: 'Show the overview', group: 'Executions', run: () => navigate('/overview') });
}
