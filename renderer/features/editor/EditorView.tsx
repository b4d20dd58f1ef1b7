// The flow editor page: toolbar, palette, YAML and graph (either or both, split), properties,
// problems, and the run dialog.
import { useEffect, useRef, useState } from 'react';
import { bridge } from '../../app/bridge';
import { runCommand, keyLabel, useCommands } from '../../app/commands';
import { Button, Empty, IconButton, Segmented, Spinner, Switch } from '../../ui/controls';
import { GraphPane } from '../graph/GraphPane';
import { useLive } from '../live/store';
import { Palette } from '../palette/Palette';
import { ProblemsPanel } from '../problems/ProblemsPanel';
import { PropertiesPanel } from '../properties/PropertiesPanel';
import { RunDialog } from '../run/RunDialog';
import { Welcome } from '../workspace/Welcome';
import { valueAt } from './edits';
import { currentBuffer, isDirty, useEditor, type ViewMode } from './store';
import { YamlPane } from './YamlPane';
import { deployOpenFlow } from '../deploy/actions';

export function EditorView({ params }: { params: Record<string, string> }) {
  const isNew = !params.namespace;
  const current = useEditor((s) => s.current);
  const loading = useEditor((s) => s.loading);
  const loadError = useEditor((s) => s.loadError);
  const ns = useEditor((s) => currentBuffer(s)?.namespace);
  const id = useEditor((s) => currentBuffer(s)?.id);

  useEffect(() => {
    if (!isNew) void useEditor.getState().open(params.namespace, params.id);
  }, [isNew, params.namespace, params.id]);

  useEffect(() => {
    if (ns && id) return useLive.getState().follow(ns, id);
  }, [ns, id]);

  useEffect(() => bridge().subscribe('flows', {}, () => void useEditor.getState().refreshFromEngine()), []);

  if (isNew && !current?.startsWith('draft:')) return <Welcome />;
  if (loadError) {
    return (
      <Empty icon="alert-circle" title="This flow could not be opened">
        {loadError}
      </Empty>
    );
  }
  if (loading || !current) {
    return (
      <div className="center">
        <Spinner /> Opening…
      </div>
    );
  }
  return (
    <div className="editor-view" data-testid="editor">
      <EditorToolbar />
      <EditorBody />
      <ProblemsPanel />
      <RunDialog />
    </div>
  );
}

function EditorBody() {
  const view = useEditor((s) => s.view);
  const [ratio, setRatio] = useState(() => {
    const v = Number(localStorage.getItem('peregrine.editor.split'));
    return v > 0.15 && v < 0.85 ? v : 0.45;
  });
  const panes = useRef<HTMLDivElement>(null);
  const startDrag = (e: React.PointerEvent) => {
    e.preventDefault();
    const rect = panes.current!.getBoundingClientRect();
    const move = (ev: PointerEvent) => setRatio(Math.min(0.8, Math.max(0.2, (ev.clientX - rect.left) / rect.width)));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      setRatio((r) => {
        localStorage.setItem('peregrine.editor.split', String(r));
        return r;
      });
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const columns = view === 'split' ? `${ratio}fr 6px ${1 - ratio}fr` : '1fr';
  return (
    <div className={`editor-body view-${view}`}>
      {view !== 'yaml' && <Palette view={view} />}
      <div className="panes" ref={panes} style={{ gridTemplateColumns: columns }}>
        <div className={`pane pane-yaml${view === 'graph' ? ' hidden' : ''}`}>
          <YamlPane />
        </div>
        {view === 'split' && <div className="splitter" role="separator" aria-orientation="vertical" onPointerDown={startDrag} />}
        <div className={`pane pane-graph${view === 'yaml' ? ' hidden' : ''}`}>
          <GraphPane />
        </div>
      </div>
      <PropertiesPanel />
    </div>
  );
}

function EditorToolbar() {
  const b = useEditor(currentBuffer);
  const source = useEditor((s) => s.source);
  const view = useEditor((s) => s.view);
  const saving = useEditor((s) => s.saving);
  const setView = useEditor((s) => s.setView);
  const canUndo = useEditor((s) => (currentBuffer(s)?.index ?? 0) > 0);
  const canRedo = useEditor((s) => {
    const x = currentBuffer(s);
    return !!x && x.index < x.history.length - 1;
  });
  const commands = useCommands((s) => s.commands);
  const dirty = isDirty(b);
  const draft = !b?.namespace;
  // From the text while it is a draft (a plain look at the lines, so a broken YAML still shows them).
  const flowNs = b?.namespace ?? /^namespace:\s*([\w.-]+)/m.exec(source)?.[1];
  const flowId = b?.id ?? /^id:\s*([\w.-]+)/m.exec(source)?.[1];
  const disabled = valueAt(source, 'disabled') === true;
  const k = (id: string) => (commands[id]?.keys ? ` (${keyLabel(commands[id].keys!)})` : '');
  return (
    <div className="toolbar" data-testid="toolbar">
      <div className="tb-title" title={b?.file ?? 'Not saved yet'}>
        <span className="tb-ns">{typeof flowNs === 'string' ? flowNs : '…'}</span>
        <span className="tb-sep">/</span>
        <span className="tb-id" data-testid="flow-id">
          {typeof flowId === 'string' ? flowId : 'new flow'}
        </span>
        {draft && !b?.problem && <span className="tag accent">new</span>}
        {b?.problem === 'kept' && (
          <span className="tag accent" title="Uses Kestra plugins Peregrine does not run: saved and deployable, never run here" data-testid="not-supported-locally">
            not supported locally
          </span>
        )}
        {b?.problem === 'broken' && (
          <span className="tag" title="The engine does not load this file: fix it and save" data-testid="does-not-load">
            does not load
          </span>
        )}
        {dirty && <span className="dirty-dot" title="Unsaved changes" data-testid="dirty" />}
        {!draft && b?.revision !== undefined && <span className="tag">rev {b.revision}</span>}
      </div>
      <Segmented<ViewMode>
        label="Editor view"
        value={view}
        onChange={setView}
        options={[
          { value: 'yaml', label: 'YAML', icon: 'code', title: `YAML only${k('editor.toggleView')}` },
          { value: 'split', label: 'Split', icon: 'columns', title: 'YAML and graph side by side' },
          { value: 'graph', label: 'Graph', icon: 'graph', title: 'Graph only' },
        ]}
      />
      <div className="tb-actions">
        <IconButton icon="undo" label={`Undo${k('edit.undo')}`} disabled={!canUndo} onClick={() => useEditor.getState().undo()} data-testid="undo" />
        <IconButton icon="redo" label={`Redo${k('edit.redo')}`} disabled={!canRedo} onClick={() => useEditor.getState().redo()} data-testid="redo" />
        <span className="tb-divider" />
        <Switch checked={!disabled} onChange={(on) => void useEditor.getState().setEnabled(on)} label={disabled ? 'Disabled' : 'Enabled'} />
        <Button variant={dirty || draft ? 'primary' : 'default'} icon="save" disabled={saving} onClick={() => runCommand('flow.save')} title={`Save${k('flow.save')}`} data-testid="save">
          {saving ? 'Saving…' : dirty || draft ? 'Save' : 'Saved'}
        </Button>
        <Button icon="play" onClick={() => runCommand('flow.run')} title={`Run${k('flow.run')}`} data-testid="run">
          Run
        </Button>
        <Button icon="rocket" onClick={deployOpenFlow} title={dirty || draft ? 'Deploy the editor’s text to a Kestra server' : 'Deploy this flow to a Kestra server'} data-testid="deploy">
          Deploy
        </Button>
      </div>
    </div>
  );
}
