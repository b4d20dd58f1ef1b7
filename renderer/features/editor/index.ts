import { toast, useApp } from '../../app/app-store';
import { registerCommand } from '../../app/commands';
import { registerView } from '../../app/router';
import { useTheme } from '../../app/theme';
import { WorkspaceSidebar } from '../workspace/WorkspaceSidebar';
import { useGraph } from '../graph/store';
import { useProblems } from '../problems/store';
import { useRun } from '../run/store';
import { EditorView } from './EditorView';
import { formatSource } from './format';
import { currentBuffer, isDirty, useEditor } from './store';

const hasFlow = () => !!useEditor.getState().current;

/** Undo/redo keys belong to the flow unless the focus is in an unrelated text box (search, palette). */
const flowKeys = (e: KeyboardEvent): boolean => {
  const t = e.target as HTMLElement | null;
  if (!t || !(t instanceof HTMLElement)) return true;
  if (t.closest('.monaco-editor') || t.closest('.props-panel')) return true;
  return !t.closest('input, textarea, select, [contenteditable="true"]');
};

export function registerEditor(): void {
  registerView({
    id: 'editor',
    pattern: '/flows/:namespace/:id',
    component: EditorView,
    sidebar: WorkspaceSidebar,
    title: (p) => `${p.namespace}.${p.id}`,
  });
  registerView({ id: 'new-flow', pattern: '/new', component: EditorView, sidebar: WorkspaceSidebar, title: () => 'New flow' });

  registerCommand(
    { id: 'app.commandPalette', title: 'Command palette', group: 'App', keys: 'Mod+Shift+P', run: () => useApp.getState().setPaletteOpen(!useApp.getState().paletteOpen) },
    { id: 'flow.save', title: 'Save the flow', group: 'Flow', keys: 'Mod+S', enabled: hasFlow, run: () => void useEditor.getState().save().then((ok) => !ok && useProblems.getState().setOpen(true)) },
    {
      id: 'flow.run', title: 'Run the flow…', group: 'Flow', keys: 'Mod+Enter', enabled: hasFlow,
      run: () => (useRun.getState().open ? useRun.getState().submit() : useRun.getState().openDialog()),
    },
    { id: 'editor.toggleView', title: 'Toggle view (YAML → split → graph)', group: 'View', keys: 'Mod+E', enabled: hasFlow, run: () => useEditor.getState().toggleView() },
    { id: 'edit.undo', title: 'Undo', group: 'Edit', keys: 'Mod+Z', enabled: hasFlow, when: flowKeys, run: () => useEditor.getState().undo() },
    { id: 'edit.redo', title: 'Redo', group: 'Edit', keys: 'Mod+Shift+Z', altKeys: ['Mod+Y'], enabled: hasFlow, when: flowKeys, run: () => useEditor.getState().redo() },
    { id: 'view.yaml', title: 'Show YAML only', group: 'View', enabled: hasFlow, run: () => useEditor.getState().setView('yaml') },
    { id: 'view.graph', title: 'Show graph only', group: 'View', enabled: hasFlow, run: () => useEditor.getState().setView('graph') },
    { id: 'view.split', title: 'Show YAML and graph side by side', group: 'View', enabled: hasFlow, run: () => useEditor.getState().setView('split') },
    { id: 'graph.direction', title: 'Graph: switch left-to-right / top-down', group: 'View', enabled: hasFlow, run: () => useGraph.getState().setDirection(useGraph.getState().direction === 'LR' ? 'TB' : 'LR') },
    { id: 'graph.fit', title: 'Graph: zoom to fit', group: 'View', enabled: hasFlow, run: () => useGraph.getState().fit() },
    { id: 'problems.toggle', title: 'Show or hide problems', group: 'View', enabled: hasFlow, run: () => useProblems.getState().toggle() },
    { id: 'editor.format', title: 'Format the YAML (keeps comments)', group: 'Flow', enabled: hasFlow, run: () => useEditor.getState().setSource(formatSource(useEditor.getState().source)) },
    {
      id: 'editor.formatOnSave', title: 'Format on save: on/off', group: 'Flow',
      run: () => {
        const on = !useEditor.getState().formatOnSave;
        useEditor.getState().setFormatOnSave(on);
        toast('info', `Format on save ${on ? 'on' : 'off'}`);
      },
    },
    {
      id: 'flow.revert', title: 'Discard unsaved changes', group: 'Flow', enabled: () => isDirty(currentBuffer(useEditor.getState())),
      run: () => {
        const b = currentBuffer(useEditor.getState());
        if (b?.saved) useEditor.getState().setSource(b.saved);
      },
    },
    { id: 'theme.toggle', title: 'Switch light / dark theme', group: 'App', run: () => useTheme.getState().toggle() },
    { id: 'theme.system', title: 'Theme: follow the system', group: 'App', run: () => useTheme.getState().setMode('system') },
  );
}
