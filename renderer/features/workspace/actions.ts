import type { FlowProblemSummary } from '../../../main/api/contract';
import { flowPath, navigate } from '../../app/router';
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

/**
 * Opens a file that does not load in the editor: by its flow's address when its YAML names one
 * (the editor falls back to the file's text), else as an unsaved flow that saves back to the file.
 */
export function openProblem(p: FlowProblemSummary): void {
  if (p.namespace && p.id) {
    navigate(flowPath(p.namespace, p.id));
    return;
  }
  useEditor.getState().openDraft(p.source, p.file);
  navigate('/new');
}
