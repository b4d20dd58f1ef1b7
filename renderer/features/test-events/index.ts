// Test events: the panel lives in the trigger inspector; this adds its command to the palette.
import { registerCommand } from '../../app/commands';
import { navigate, useRouter } from '../../app/router';
import { currentBuffer, useEditor } from '../editor/store';
import './test-events.css';

export { TestEventPanel } from './TestEventPanel';

export function registerTestEvents(): void {
  registerCommand({
    id: 'triggers.sendTestEvent',
    title: "Send a test event to the open flow's trigger",
    group: 'Triggers',
    enabled: () => !!currentBuffer(useEditor.getState())?.namespace || /^\/flows\/[^/]+\/[^/]+\/triggers/.test(useRouter.getState().path),
    run: () => {
      const path = useRouter.getState().path.split('?')[0];
      const m = /^\/flows\/([^/]+)\/([^/]+)(\/triggers)?$/.exec(path);
      const b = currentBuffer(useEditor.getState());
      const [ns, id] = m ? [m[1], m[2]] : [b?.namespace && encodeURIComponent(b.namespace), b?.id && encodeURIComponent(b.id)];
      if (ns && id) navigate(`/flows/${ns}/${id}/triggers?panel=test`);
    },
  });
}
