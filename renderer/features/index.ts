// Every feature registers its views and commands here. A new feature: a folder under features/
// with its store, its components and a `register…()` called below.
import { registerEditor } from './editor';
import { registerRun } from './run';
import { registerWorkspace } from './workspace';
import { registerInspector } from './inspector';
import { registerExecutions } from './executions';
import { registerOverview } from './overview';
import { registerTestEvents } from './test-events';
import { registerFirstRun } from './first-run';
import { registerDeploy } from './deploy';

export function registerFeatures(): void {
  registerWorkspace();
  registerEditor();
  registerRun();
  registerInspector();
  registerExecutions();
  registerOverview();
  registerTestEvents();
  registerFirstRun();
  registerDeploy();
}
