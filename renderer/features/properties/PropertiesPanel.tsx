// The properties of the selected task or trigger (or of the flow itself): a form generated from the
// plugin's JSON Schema, with the plugin's description, outputs and examples beside it.
import { useEffect, useMemo, useState } from 'react';
import type { PluginSummary } from '../../../main/api/contract';
import { Icon } from '../../ui/icons';
import { Button, IconButton } from '../../ui/controls';
import { parsePath, formatPath } from '../editor/yaml-paths';
import { linesOf, valueAt, type InsertAt } from '../editor/edits';
import { useEditor } from '../editor/store';
import { shortType, usePlugins } from '../plugins/store';
import { SchemaField, SchemaForm, type SetValue } from './SchemaForm';
import type { JsonSchema } from './schema';

export function PropertiesPanel() {
  const selected = useEditor((s) => s.selected);
  const broken = useEditor((s) => s.graphBroken);
  const parses = useEditor((s) => !!s.current && valueAt(s.source, '') !== undefined);
  return (
    <aside className="props-panel" aria-label="Properties" data-testid="properties">
      {!parses && broken ? (
        <div className="props-paused" data-testid="properties-paused">
          <Icon name="alert-circle" size={16} />
          <p>
            The YAML does not parse (line {broken.line}:{broken.column}). The form comes back once it does.
          </p>
          <Button onClick={() => useEditor.getState().revealLine(broken.line, broken.column)}>Show the error</Button>
        </div>
      ) : selected ? (
        <TaskProperties path={selected} />
      ) : (
        <FlowProperties />
      )}
    </aside>
  );
}

const setter = (path: string): SetValue => (keys, value) => {
  const group = `form:${path}:${keys.join('.')}`;
  useEditor.getState().edit(value === undefined ? { kind: 'unsetProperty', path, key: keys } : { kind: 'setProperty', path, key: keys, value }, { group, select: false });
};

function TaskProperties({ path }: { path: string }) {
  const source = useEditor((s) => s.source);
  const errors = useEditor((s) => s.errors);
  const byType = usePlugins((s) => s.byType);
  const value = useMemo(() => valueAt(source, path), [source, path]) as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') {
    return (
      <div className="props-empty">
        <p className="muted">Nothing at {path} any more.</p>
        <Button onClick={() => useEditor.getState().select(undefined)}>Show the flow</Button>
      </div>
    );
  }
  const type = typeof value.type === 'string' ? value.type : undefined;
  const plugin = type ? byType[type] : undefined;
  const isTrigger = path.startsWith('triggers');
  const mine = errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`));
  // The engine suggests the type it thinks was meant ("did you mean …?").
  const suggestion = mine.map((e) => (e.path === `${path}.type` ? /did you mean ([\w.]+)\?/.exec(e.message)?.[1] : undefined)).find(Boolean);
  const onSet = setter(path);
  return (
    <div className="props" data-path={path}>
      <div className="props-head">
        <span className={`props-icon cat-${(plugin?.category ?? 'other').toLowerCase().replace(/[^a-z]+/g, '-')}`}>
          <Icon name={plugin?.icon ?? 'box'} size={18} />
        </span>
        <div className="props-title">
          <div className="props-name">{plugin?.title ?? shortType(type)}</div>
          <div className="props-type mono" title={type}>
            {type ?? 'no type'}
          </div>
        </div>
        <TaskActions path={path} />
      </div>
      {mine.length > 0 && (
        <ul className="props-problems">
          {mine.map((e, i) => (
            <li key={i} className={e.severity}>
              <button type="button" onClick={() => useEditor.getState().revealLine(e.line, e.column)}>
                <span className="loc">
                  {e.line}:{e.column}
                </span>{' '}
                {e.message}
              </button>
            </li>
          ))}
        </ul>
      )}
      <IdField path={path} id={typeof value.id === 'string' ? value.id : ''} isTrigger={isTrigger} />
      {plugin ? (
        <>
          <p className="props-desc">{renderInline(plugin.description)}</p>
          <SchemaForm schema={plugin.schema as JsonSchema} value={value} onSet={onSet} skip={['id', 'type']} />
          <PluginDocs plugin={plugin} />
        </>
      ) : (
        <div className="props-unknown">
          <p>
            <Icon name="alert-triangle" size={14} /> <span>Peregrine does not know the type <code>{type ?? '(none)'}</code>.</span>
          </p>
          {suggestion && (
            <Button icon="wand" onClick={() => useEditor.getState().edit({ kind: 'setProperty', path, key: 'type', value: suggestion }, { select: false })} data-testid="fix-type">
              Use {shortType(suggestion)} ({suggestion})
            </Button>
          )}
          <SchemaForm schema={{ properties: {} }} value={value} onSet={onSet} skip={['id', 'type']} />
        </div>
      )}
    </div>
  );
}

function TaskActions({ path }: { path: string }) {
  const source = useEditor((s) => s.source);
  const segs = parsePath(path);
  const index = segs[segs.length - 1] as number;
  const listPath = formatPath(segs.slice(0, -1));
  const list = valueAt(source, listPath);
  const n = Array.isArray(list) ? list.length : 0;
  const move = (to: InsertAt) => useEditor.getState().edit({ kind: 'moveTask', path, to });
  return (
    <div className="props-actions">
      <IconButton icon="code" label="Show in the YAML" onClick={() => useEditor.getState().select(path)} />
      <IconButton icon="arrow-up" label="Move up" disabled={index <= 0} onClick={() => move({ into: listPath, index: index - 1 })} />
      <IconButton icon="arrow-down" label="Move down" disabled={index >= n - 1} onClick={() => move({ into: listPath, index: index + 2 })} />
      <IconButton icon="trash" label="Delete" className="danger" onClick={() => useEditor.getState().edit({ kind: 'deleteTask', path })} data-testid="delete-task" />
    </div>
  );
}

function IdField({ path, id, isTrigger }: { path: string; id: string; isTrigger: boolean }) {
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id, path]);
  const commit = () => {
    if (text === id) return;
    if (!useEditor.getState().edit({ kind: 'renameId', path, newId: text })) setText(id);
  };
  return (
    <div className="field field-id" data-field="id">
      <div className="field-label">
        <label htmlFor={`id-${path}`}>id</label>
        <span className="field-default">{isTrigger ? 'trigger id' : 'renaming updates outputs.<id> references'}</span>
      </div>
      <input
        id={`id-${path}`}
        className="input mono"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(id);
        }}
        aria-label="id"
      />
    </div>
  );
}

function PluginDocs({ plugin }: { plugin: PluginSummary }) {
  const outputs = Object.entries(plugin.outputs);
  const [copied, setCopied] = useState<number>();
  return (
    <div className="docs">
      {outputs.length > 0 && (
        <section>
          <h4>Outputs</h4>
          <dl className="outputs">
            {outputs.map(([k, d]) => (
              <div key={k}>
                <dt className="mono">{k}</dt>
                <dd>{d}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
      {plugin.examples.length > 0 && (
        <section>
          <h4>Examples</h4>
          {plugin.examples.map((ex, i) => (
            <div key={i} className="example">
              <div className="example-head">
                <span>{ex.title}</span>
                <IconButton
                  icon={copied === i ? 'check' : 'copy'}
                  label="Copy"
                  size={13}
                  onClick={() => {
                    void navigator.clipboard?.writeText(ex.code).catch(() => undefined);
                    setCopied(i);
                  }}
                />
              </div>
              <pre className="code">{ex.code}</pre>
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

/** `code` spans of plugin descriptions. */
function renderInline(text: string) {
  return text.split(/(`[^`]+`)/g).map((part, i) => (part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : <span key={i}>{part}</span>));
}

const FLOW_SCHEMA: JsonSchema = {
  properties: {
    description: { type: 'string', description: 'What the flow does (Markdown).' },
    labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Key/value labels given to every execution.' },
    disabled: { type: 'boolean', default: false, description: 'A disabled flow keeps its triggers stopped.' },
  },
};

function FlowProperties() {
  const source = useEditor((s) => s.source);
  const current = useEditor((s) => s.current);
  const byType = usePlugins((s) => s.byType);
  const flow = useMemo(() => valueAt(source, ''), [source]) as Record<string, unknown> | undefined;
  if (!current) return null;
  if (!flow || typeof flow !== 'object') return <div className="props-empty muted">The YAML does not parse yet.</div>;
  const onSet = setter('');
  const inputs = Array.isArray(flow.inputs) ? (flow.inputs as Record<string, unknown>[]) : [];
  const triggers = Array.isArray(flow.triggers) ? (flow.triggers as Record<string, unknown>[]) : [];
  return (
    <div className="props">
      <div className="props-head">
        <span className="props-icon flow">
          <Icon name="workflow" size={18} />
        </span>
        <div className="props-title">
          <div className="props-name">{String(flow.id ?? 'flow')}</div>
          <div className="props-type mono">{String(flow.namespace ?? '')}</div>
        </div>
      </div>
      <p className="props-desc muted">Select a task or trigger on the graph (or put the cursor in it in the YAML) to edit it.</p>
      <SchemaField name="id" schema={{ type: 'string', description: 'The flow id: letters, digits, ".", "-" and "_".' }} value={flow.id} required keys={['id']} onSet={onSet} secrets={false} />
      <SchemaField name="namespace" schema={{ type: 'string', description: 'Like company.team.' }} value={flow.namespace} required keys={['namespace']} onSet={onSet} secrets={false} />
      <SchemaForm schema={FLOW_SCHEMA} value={flow} onSet={onSet} secrets={false} skip={Object.keys(flow).filter((k) => !(k in FLOW_SCHEMA.properties!))} />
      <section className="flow-section">
        <h4>Inputs</h4>
        {!inputs.length && <p className="muted small">No inputs. Add them under <code>inputs:</code> in the YAML.</p>}
        {inputs.map((inp, i) => (
          <button
            key={i}
            type="button"
            className="flow-row"
            title="Show in the YAML"
            onClick={() => {
              const at = linesOf(source, `inputs[${i}]`);
              if (at) useEditor.getState().revealLine(at.start, 1, at.end);
            }}
          >
            <span className="mono">{String(inp.id ?? inp.name ?? '?')}</span>
            <span className="tag">{String(inp.type ?? '')}</span>
            {inp.defaults !== undefined && <span className="muted small">= {typeof inp.defaults === 'object' ? JSON.stringify(inp.defaults) : String(inp.defaults)}</span>}
          </button>
        ))}
      </section>
      <section className="flow-section">
        <h4>Triggers</h4>
        {!triggers.length && <p className="muted small">No trigger: the flow runs by hand (Run) or from the API. Drag a trigger from the palette to add one.</p>}
        {triggers.map((t, i) => (
          <button key={i} type="button" className="flow-row" onClick={() => useEditor.getState().select(`triggers[${i}]`)}>
            <Icon name={byType[String(t.type)]?.icon ?? 'zap'} size={14} />
            <span className="mono">{String(t.id ?? '?')}</span>
            <span className="muted small">{byType[String(t.type)]?.title ?? shortType(String(t.type))}</span>
          </button>
        ))}
      </section>
    </div>
  );
}
