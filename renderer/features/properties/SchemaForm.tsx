// A form generated from a plugin's JSON Schema. Every change is a graph edit (setProperty /
// unsetProperty) on the YAML text, grouped so that typing in one field is one undo step.
import { useEffect, useId, useRef, useState } from 'react';
import { parse as parseYaml, stringify } from 'yaml';
import { Icon } from '../../ui/icons';
import { ExpressionInput, type ExpressionInputHandle } from './ExpressionInput';
import { DURATION_RE, fieldFor, orderedProperties, parseNumberish, type Field, type JsonSchema } from './schema';
import { SecretPicker } from './SecretPicker';

export type SetValue = (keys: string[], value: unknown) => void;

interface FieldProps {
  /** Offer the secret picker on text fields (plugin properties; not the flow's id). */
  secrets?: boolean;
  name: string;
  schema: JsonSchema;
  value: unknown;
  required?: boolean;
  keys: string[];
  onSet: SetValue;
}

const DURATIONS = ['PT1S', 'PT10S', 'PT30S', 'PT1M', 'PT5M', 'PT15M', 'PT1H', 'P1D'];
const isExpr = (v: unknown) => typeof v === 'string' && /\{\{|\{%/.test(v);

export function SchemaField({ name, schema, value, required, keys, onSet, secrets = true }: FieldProps) {
  const field = fieldFor(schema, name, value);
  const id = useId();
  if (field.kind === 'tasks') return null;
  if (field.kind === 'object') return <ObjectField name={name} schema={field.schema} value={value} keys={keys} onSet={onSet} required={required} secrets={secrets} />;
  const def = schema.default;
  return (
    <div className={`field field-${field.kind}`} data-field={keys.join('.')}>
      <div className="field-label">
        <label htmlFor={id}>
          {name}
          {required && <span className="req" title="required">*</span>}
        </label>
        {def !== undefined && <span className="field-default" title="default">default {typeof def === 'object' ? JSON.stringify(def) : String(def)}</span>}
        {value !== undefined && !required && (
          <button type="button" className="field-clear" title={`Remove ${name}`} aria-label={`Remove ${name}`} onClick={() => onSet(keys, undefined)}>
            <Icon name="x" size={12} />
          </button>
        )}
      </div>
      <Control id={id} field={field} name={name} value={value} keys={keys} onSet={onSet} required={required} def={def} secrets={secrets} />
      {schema.description && <div className="field-help">{schema.description}</div>}
    </div>
  );
}

function Control({ id, field, name, value, keys, onSet, required, def, secrets }: { id: string; field: Field; name: string; value: unknown; keys: string[]; onSet: SetValue; required?: boolean; def: unknown; secrets?: boolean }) {
  const ref = useRef<ExpressionInputHandle>(null);
  switch (field.kind) {
    case 'string': {
      const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
      return (
        <div className="with-addon">
          <ExpressionInput
            ref={ref}
            id={id}
            ariaLabel={name}
            value={text}
            multiline={field.multiline}
            placeholder={def !== undefined ? String(def) : required ? 'required' : ''}
            onChange={(v) => onSet(keys, v)}
            onBlur={() => {
              if (text === '' && !required) onSet(keys, undefined);
            }}
          />
          {secrets && <SecretPicker onPick={(expr) => ref.current?.insert(expr)} />}
        </div>
      );
    }
    case 'duration': {
      const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
      const bad = text !== '' && !DURATION_RE.test(text) && !isExpr(text);
      return (
        <>
          <input
            id={id}
            className={`input mono${bad ? ' invalid' : ''}`}
            list={`${id}-durations`}
            value={text}
            placeholder={def !== undefined ? String(def) : 'PT30S'}
            onChange={(e) => onSet(keys, e.target.value === '' && !required ? undefined : e.target.value)}
            aria-invalid={bad}
          />
          <datalist id={`${id}-durations`}>
            {DURATIONS.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
          {bad && <div className="field-error">An ISO-8601 duration: PT30S, PT5M, PT1H, P1D…</div>}
        </>
      );
    }
    case 'number':
      return <NumberInput id={id} value={value} integer={field.integer} onSet={(v) => onSet(keys, v)} placeholder={def !== undefined ? String(def) : ''} />;
    case 'boolean': {
      const v = value === true ? 'true' : value === false ? 'false' : value === undefined ? '' : 'expr';
      return (
        <select id={id} className="input" value={v} onChange={(e) => onSet(keys, e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">{def !== undefined ? `— default (${String(def)})` : '— not set'}</option>
          <option value="true">true</option>
          <option value="false">false</option>
          {v === 'expr' && <option value="expr">{String(value)}</option>}
        </select>
      );
    }
    case 'enum': {
      const text = value === undefined ? '' : String(value);
      if (field.free) {
        return (
          <>
            <input id={id} className="input" list={`${id}-options`} value={text} placeholder={def !== undefined ? String(def) : ''} onChange={(e) => onSet(keys, e.target.value === '' ? undefined : e.target.value)} />
            <datalist id={`${id}-options`}>
              {field.options.map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          </>
        );
      }
      return (
        <select id={id} className="input" value={text} onChange={(e) => onSet(keys, e.target.value === '' ? undefined : e.target.value)}>
          <option value="">{def !== undefined ? `— default (${String(def)})` : '— not set'}</option>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
          {text && !field.options.includes(text) && <option value={text}>{text}</option>}
        </select>
      );
    }
    case 'map':
      return <MapEditor value={value as Record<string, unknown> | undefined} onSet={(v) => onSet(keys, v)} />;
    case 'list':
      return <ListEditor value={value as unknown[] | undefined} onSet={(v) => onSet(keys, v)} />;
    default:
      return <YamlValue id={id} value={value} onSet={(v) => onSet(keys, v)} />;
  }
}

function NumberInput({ id, value, integer, onSet, placeholder }: { id: string; value: unknown; integer: boolean; onSet(v: unknown): void; placeholder: string }) {
  const shown = value === undefined || value === null ? '' : String(value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const parsed = parseNumberish(text, integer);
  const bad = typeof parsed === 'string' && !isExpr(parsed);
  return (
    <input
      id={id}
      className={`input mono${bad ? ' invalid' : ''}`}
      inputMode={integer ? 'numeric' : 'decimal'}
      value={text}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        const v = parseNumberish(e.target.value, integer);
        if (typeof v === 'number' || isExpr(v) || v === undefined) onSet(v);
      }}
      aria-invalid={bad}
    />
  );
}

function MapEditor({ value, onSet }: { value: Record<string, unknown> | undefined; onSet(v: Record<string, unknown> | undefined): void }) {
  const fromValue = () => Object.entries(value ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)] as [string, string]);
  const [rows, setRows] = useState<[string, string][]>(fromValue);
  const pushed = useRef(JSON.stringify(value ?? {}));
  useEffect(() => {
    const now = JSON.stringify(value ?? {});
    if (now !== pushed.current) {
      pushed.current = now;
      setRows(fromValue());
    }
  }, [value]);
  const commit = (next: [string, string][]) => {
    setRows(next);
    const obj: Record<string, unknown> = {};
    for (const [k, v] of next) if (k.trim()) obj[k] = v;
    pushed.current = JSON.stringify(obj);
    onSet(Object.keys(obj).length ? obj : undefined);
  };
  return (
    <div className="kv">
      {rows.map(([k, v], i) => (
        <div key={i} className="kv-row">
          <input className="input mono" value={k} placeholder="key" aria-label="key" onChange={(e) => commit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input className="input" value={v} placeholder="value" aria-label="value" onChange={(e) => commit(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button type="button" className="icon-btn small" aria-label="Remove entry" onClick={() => commit(rows.filter((_, j) => j !== i))}>
            <Icon name="x" size={12} />
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRows([...rows, ['', '']])}>
        <Icon name="plus" size={12} /> <span>Add entry</span>
      </button>
    </div>
  );
}

function ListEditor({ value, onSet }: { value: unknown[] | undefined; onSet(v: unknown[] | undefined): void }) {
  const items = (value ?? []).map((v) => (v === null || v === undefined ? '' : String(v)));
  const [extra, setExtra] = useState(false);
  const commit = (next: string[]) => onSet(next.length ? next.map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s)) : undefined);
  return (
    <div className="kv">
      {items.map((v, i) => (
        <div key={i} className="kv-row list">
          <input className="input" value={v} aria-label={`item ${i + 1}`} onChange={(e) => commit(items.map((x, j) => (j === i ? e.target.value : x)))} />
          <button type="button" className="icon-btn small" aria-label="Remove item" onClick={() => commit(items.filter((_, j) => j !== i))}>
            <Icon name="x" size={12} />
          </button>
        </div>
      ))}
      {extra && (
        <div className="kv-row list">
          <input
            className="input"
            autoFocus
            placeholder="new item"
            aria-label="new item"
            onBlur={(e) => {
              setExtra(false);
              if (e.target.value) commit([...items, e.target.value]);
            }}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
        </div>
      )}
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setExtra(true)}>
        <Icon name="plus" size={12} /> <span>Add item</span>
      </button>
    </div>
  );
}

function YamlValue({ id, value, onSet }: { id: string; value: unknown; onSet(v: unknown): void }) {
  const shown = value === undefined ? '' : stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string>();
  useEffect(() => setText(shown), [shown]);
  return (
    <>
      <textarea
        id={id}
        className={`input mono yaml-value${error ? ' invalid' : ''}`}
        value={text}
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text === shown) return;
          try {
            const v = text.trim() === '' ? undefined : parseYaml(text);
            setError(undefined);
            onSet(v);
          } catch (e) {
            setError((e as Error).message.split('\n')[0]);
          }
        }}
      />
      {error ? <div className="field-error">{error}</div> : <div className="field-hint">YAML</div>}
    </>
  );
}

function ObjectField({ name, schema, value, keys, onSet, required, secrets }: FieldProps) {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const [open, setOpen] = useState(value !== undefined);
  return (
    <fieldset className="field-object" data-field={keys.join('.')}>
      <legend>
        <button type="button" className="fo-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          <Icon name={open ? 'chevron-down' : 'chevron-right'} size={12} />
          {name}
          {required && <span className="req">*</span>}
        </button>
      </legend>
      {schema.description && <div className="field-help">{schema.description}</div>}
      {open && orderedProperties(schema).map((p) => <SchemaField key={p.name} name={p.name} schema={p.schema} value={v[p.name]} required={p.required} keys={[...keys, p.name]} onSet={onSet} secrets={secrets} />)}
    </fieldset>
  );
}

/** The whole form of a task or trigger: required and filled-in properties, then the others folded. */
export function SchemaForm({ schema, value, onSet, skip = [], secrets = true }: { schema: JsonSchema; value: Record<string, unknown>; onSet: SetValue; skip?: string[]; secrets?: boolean }) {
  const [more, setMore] = useState(false);
  const props = orderedProperties(schema).filter((p) => !skip.includes(p.name));
  const main = props.filter((p) => p.required || value[p.name] !== undefined);
  const rest = props.filter((p) => !p.required && value[p.name] === undefined);
  const known = new Set([...Object.keys(schema.properties ?? {}), ...skip]);
  const unknown = Object.keys(value).filter((k) => !known.has(k));
  return (
    <div className="schema-form">
      {main.map((p) => (
        <SchemaField key={p.name} name={p.name} schema={p.schema} value={value[p.name]} required={p.required} keys={[p.name]} onSet={onSet} secrets={secrets} />
      ))}
      {unknown.map((k) => (
        <SchemaField key={k} name={k} schema={{ description: 'Not a property of this plugin.' }} value={value[k]} keys={[k]} onSet={onSet} secrets={secrets} />
      ))}
      {rest.length > 0 && (
        <div className="more-props">
          <button type="button" className="more-toggle" onClick={() => setMore(!more)} aria-expanded={more}>
            <Icon name={more ? 'chevron-down' : 'chevron-right'} size={12} />
            {more ? 'Fewer properties' : `More properties (${rest.length})`}
          </button>
          {more && rest.map((p) => <SchemaField key={p.name} name={p.name} schema={p.schema} value={undefined} required={false} keys={[p.name]} onSet={onSet} secrets={secrets} />)}
        </div>
      )}
    </div>
  );
}
