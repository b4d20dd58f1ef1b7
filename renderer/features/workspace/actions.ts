import { navigate } from '../../app/router';
import { useEditor } from '../editor/store';
import { sampleSource, type Sample } from './samples';
import { useWorkspace } from './store';

/** Opens an unsaved flow made from a sample (saved on the first Save). */
export function newFlowFromSample(sample: Sample): void {
  const flows = useWorkspace.getState().flows;
  const source = sampleSource(sample, (ns, id) => flows.some((f) => f.namespace === ns && f.id === id));
  useEditor.getState().openDraft(source);
  navigate('/new');
}
