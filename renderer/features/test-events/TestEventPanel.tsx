// The "send test event" panel of one trigger: payload, key, headers or attributes (what its broker
// carries), how many and how fast, templates saved per flow; the outcome of the last send.
import { useEffect, useState } from 'react';
import { toast } from '../../app/app-store';
import { Button, IconButton } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { usePlugins } from '../plugins/store';
import { fieldsFor, keyOf, useTestEvents, type Draft } from './store';

function Pairs({ label, value, onChange, testId }: { label: string; value: [string, string][]; onChange(v: [string, string][]): void; testId: string }) {
  return (
    <div className="field" data-testid={testId}>
      <div className="field-label">
        <label>{label}</label>
      </div>
      <div className="kv">
        {value.map(([k, v], i) => (
          <div className="kv-row" key={i}>
            <input className="input" value={k} placeholder="name" aria-label={`${label} name`} onChange={(e) => onChange(value.map((p, j) => (j === i ? [e.target.value, p[1]] : p)))} />
            <input className="input" value={v} placeholder="value" aria-label={`${label} value`} onChange={(e) => onChange(value.map((p, j) => (j === i ? [p[0], e.target.value] : p)))} />
            <IconButton icon="x" label="Remove" className="small" onClick={() => onChange(value.filter((_, j) => j !== i))} />
          </div>
        ))}
        <Button className="btn-sm" variant="ghost" icon="plus" onClick={() => onChange([...value, ['', '']])}>
          Add
        </Button>
      </div>
    </div>
  );
}

/** Whether the payload is JSON (a hint, not a rule: a text payload is fine). */
function jsonHint(text: string): string | undefined {
  const t = text.trim();
  if (!t || !/^[[{"]/.test(t)) return undefined;
  try {
    JSON.parse(t);
    return undefined;
  } catch (e) {
    return `Not valid JSON (${(e as Error).message}); it is sent as text.`;
  }
}

export function TestEventPanel({ namespace, flowId, triggerId, type }: { namespace: string; flowId: string; triggerId: string; type: string }) {
  const k = keyOf(namespace, flowId, triggerId);
  const draft = useTestEvents((s) => s.drafts[k]);
  const templates = useTestEvents((s) => s.templates[k]) ?? [];
  const sending = useTestEvents((s) => !!s.sending[k]);
  const outcome = useTestEvents((s) => s.outcomes[k]);
  const canPublish = usePlugins((s) => s.byType[type]?.canPublishTestEvents);
  const pluginsLoaded = usePlugins((s) => s.loaded);
  const [templateName, setTemplateName] = useState('');
  const f = fieldsFor(type);

  useEffect(() => useTestEvents.getState().open(namespace, flowId, triggerId, type), [namespace, flowId, triggerId, type]);
  if (!draft) return null;
  const set = (patch: Partial<Draft>) => useTestEvents.getState().setDraft(namespace, flowId, triggerId, patch);
  const send = async () => {
    const o = await useTestEvents.getState().send(namespace, flowId, triggerId);
    if (!o.ok) toast('error', o.text);
  };
  const hint = f.family !== 'postgres' ? jsonHint(draft.payload) : undefined;

  return (
    <div className="test-panel" data-testid="test-event-panel" data-trigger={triggerId}>
      <p className="muted small test-how">
        <Icon name="send" size={13} /> {f.how}
      </p>
      {pluginsLoaded && canPublish === false && (
        <p className="field-error">This trigger type cannot publish test events: send messages to its source with your usual tools.</p>
      )}
      <div className="field">
        <div className="field-label">
          <label htmlFor="te-template">Template</label>
        </div>
        <div className="te-templates">
          <select
            id="te-template"
            className="input"
            value=""
            onChange={(e) => e.target.value && useTestEvents.getState().applyTemplate(namespace, flowId, triggerId, e.target.value)}
            data-testid="te-template"
          >
            <option value="">{templates.length ? 'Load a saved template…' : 'No saved template yet'}</option>
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <div className="field-label">
          <label htmlFor="te-payload">{f.payload}</label>
          <span className="field-default">{draft.payload.length} chars</span>
        </div>
        <textarea id="te-payload" className="input mono te-payload" rows={7} spellCheck={false} value={draft.payload} onChange={(e) => set({ payload: e.target.value })} data-testid="te-payload" />
        {hint && <div className="field-help">{hint}</div>}
      </div>
      {f.key && (
        <div className="field">
          <div className="field-label">
            <label htmlFor="te-key">{f.key}</label>
          </div>
          <input id="te-key" className="input mono" value={draft.key} onChange={(e) => set({ key: e.target.value })} data-testid="te-key" />
        </div>
      )}
      {f.headers && <Pairs label={f.headers} value={draft.headers} onChange={(headers) => set({ headers })} testId="te-headers" />}
      {f.attributes && <Pairs label={f.attributes} value={draft.attributes} onChange={(attributes) => set({ attributes })} testId="te-attributes" />}
      <div className="te-row">
        <div className="field">
          <div className="field-label">
            <label htmlFor="te-count">Count</label>
          </div>
          <input id="te-count" className="input" type="number" min={1} max={100000} value={draft.count} onChange={(e) => set({ count: Math.floor(Number(e.target.value)) || 1 })} data-testid="te-count" />
        </div>
        <div className="field">
          <div className="field-label">
            <label htmlFor="te-rate">Rate (per second)</label>
          </div>
          <input id="te-rate" className="input" inputMode="decimal" placeholder="as fast as possible" value={draft.rate} onChange={(e) => set({ rate: e.target.value })} data-testid="te-rate" />
        </div>
      </div>
      <div className="te-actions">
        <Button variant="primary" icon="send" disabled={sending} onClick={() => void send()} data-testid="te-send">
          {sending ? 'Sending…' : draft.count > 1 ? `Send ${draft.count}` : 'Send'}
        </Button>
        <span className="te-save">
          <input className="input" placeholder="Template name" value={templateName} onChange={(e) => setTemplateName(e.target.value)} aria-label="Template name" data-testid="te-template-name" />
          <Button
            icon="save"
            disabled={!templateName.trim()}
            onClick={() => {
              useTestEvents.getState().saveTemplate(namespace, flowId, triggerId, templateName);
              toast('success', `Template "${templateName.trim()}" saved for ${flowId}`);
              setTemplateName('');
            }}
            data-testid="te-save-template"
          >
            Save
          </Button>
        </span>
      </div>
      {templates.length > 0 && (
        <div className="te-chips">
          {templates.map((t) => (
            <span className="tag te-chip" key={t.name}>
              <button type="button" className="link-btn" onClick={() => useTestEvents.getState().applyTemplate(namespace, flowId, triggerId, t.name)}>
                {t.name}
              </button>
              <button type="button" className="te-chip-x" aria-label={`Delete template ${t.name}`} onClick={() => useTestEvents.getState().deleteTemplate(namespace, flowId, triggerId, t.name)}>
                <Icon name="x" size={11} />
              </button>
            </span>
          ))}
        </div>
      )}
      {outcome && (
        <div className={`te-outcome ${outcome.ok ? 'ok' : 'bad'}`} data-testid="te-outcome" data-ok={outcome.ok} data-sent={outcome.sent ?? 0}>
          <Icon name={outcome.ok ? 'check-circle' : 'alert-circle'} size={14} />
          <span>{outcome.text}</span>
        </div>
      )}
    </div>
  );
}
