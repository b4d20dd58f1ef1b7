// First run: while the workspace is empty, the home page (the workspace feature's view, kept as is)
// gets the getting-started offer above it. It wraps whatever component `home` has, so it must be
// registered after the workspace feature.
import { useRouter, registerView } from '../../app/router';
import './first-run.css';
import { withFirstRun } from './FirstRun';

export function registerFirstRun(): void {
  const home = useRouter.getState().views.find((v) => v.id === 'home');
  if (!home || (home.component as { firstRun?: boolean }).firstRun) return;
  const component = Object.assign(withFirstRun(home.component), { firstRun: true });
  registerView({ ...home, component });
}
