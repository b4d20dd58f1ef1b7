// "Deploy to Kestra" and "Pull from Kestra": the dialog (an overlay over any view) and the
// palette's commands. The sidebar and the editor's toolbar open the same dialog (actions.ts).
import { registerCommand } from '../../app/commands';
import { registerOverlay } from '../../app/overlays';
import { DeployDialog } from './DeployDialog';
import { deployOpenFlow, openFlowTarget } from './actions';
import { useDeploy } from './store';

export function registerDeploy(): void {
  registerOverlay('deploy', DeployDialog);
  registerCommand(
    {
      id: 'kestra.deploy', title: 'Deploy to Kestra… (the open flow, else all flows)', group: 'Kestra',
      run: () => (openFlowTarget() ? deployOpenFlow() : useDeploy.getState().openDeploy({ kind: 'all' })),
    },
    { id: 'kestra.deployAll', title: 'Deploy all flows to Kestra…', group: 'Kestra', run: () => useDeploy.getState().openDeploy({ kind: 'all' }) },
    { id: 'kestra.pull', title: 'Pull flows from Kestra…', group: 'Kestra', run: () => useDeploy.getState().openPull() },
  );
}
