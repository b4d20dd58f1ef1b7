// Opening the deploy dialog for the flow in the editor: its saved file by reference, or the
// editor's text when it has unsaved changes (or was never saved).
import { useRouter } from '../../app/router';
import { currentBuffer, isDirty, useEditor } from '../editor/store';
import { useDeploy, type DeployTarget } from './store';

/** The flow open in the editor (only while an editor page is shown). */
export function openFlowTarget(): DeployTarget | undefined {
  const path = useRouter.getState().path;
  if (!path.startsWith('/flows/') && path !== '/new') return undefined;
  const s = useEditor.getState();
  const b = currentBuffer(s);
  if (!b) return undefined;
  const ids = b.namespace && b.id ? { namespace: b.namespace, id: b.id } : {};
  return isDirty(b) || !b.namespace ? { kind: 'flow', ...ids, source: s.source } : { kind: 'flow', ...ids };
}

export function deployOpenFlow(): void {
  const target = openFlowTarget();
  if (target) useDeploy.getState().openDeploy(target);
}
