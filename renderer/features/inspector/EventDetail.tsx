// One captured event: its payload (JSON tree with search), the raw text, the headers and metadata,
// and the `trigger.*` variables exactly as the flow sees them; the execution it started, live; and
// "replay" (the flow's current definition, run again with this event).
import { useEffect, useReducer, useState } from 'react';
import { toast } from '../../app/app-store';
import { bridge } from '../../app/bridge';
import { navigate } from '../../app/router';
import { Button, Empty, Segmented, Spinner, StateBadge } from '../../ui/controls';
import { fmtBytes, fmtClock, fmtDuration, shortId } from '../viz/format';
import { JsonTree } from '../viz/JsonTree';
import { metadataOf, payloadField, payloadOf, rawText } from './events';
import { useInspector } from './store';
import { tapHub, type TapRow } from './tap';

type Tab = 'payload' | 'raw' | 'meta' | 'vars';

/** Copies `{{ expression }}` to the clipboard. */
export function copyExpression(expr: string): void {
  const text = `{{ ${expr} }}`;
  void navigator.clipboard?.writeText(text).then(
    () => toast('success', `Copied ${text}`),
    () => toast('info', text),
  );
}

/** Re-renders while an execution is live (its state comes from the tap's execution map). */
function useExecState(id: string | undefined) {
  const [, tick] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    if (!id) return;
    let seen = -1;
    const t = setInterval(() => {
      if (tapHub.execVersion !== seen) {
        seen = tapHub.execVersion;
        tick();
      }
    }, 150);
    return () => clearInterval(t);
  }, [id]);
  return id ? tapHub.execs.get(id) : undefined;
}

export function EventDetail({ row }: { row: TapRow | undefined }) {
  const [tab, setTab] = useState<Tab>('payload');
  const [pretty, setPretty] = useState(true);
  const [full, setFull] = useState<Record<string, unknown>>();
  const [loadingFull, setLoadingFull] = useState(false);
  const [replaying, setReplaying] = useState(false);
  const replay = useInspector((s) => (row ? s.replays[row.ev.executionId] : undefined));
  const exec = useExecState(row?.ev.executionId);
  const replayExec = useExecState(replay?.id);

  const truncated = row?.ev.variables.truncated === true;
  useEffect(() => {
    setFull(undefined);
    if (!row || !truncated) return;
    // Large payloads are cut in the tap: the execution holds them whole.
    setLoadingFull(true);
    void bridge().call('executions.get', { id: row.ev.executionId }).then((r) => {
      setLoadingFull(false);
      if (r.ok && r.value.trigger) setFull(r.value.trigger.variables);
    });
  }, [row, truncated]);

  if (!row) {
    return (
      <Empty icon="eye" title="No event selected">
        Click an event in the tap to see its payload, its headers and the <code>trigger.*</code> variables the flow sees.
      </Empty>
    );
  }
  const vars = full ?? row.ev.variables;
  const field = payloadField(vars);
  const payload = payloadOf(vars);
  let parsed: unknown;
  if (typeof payload === 'string') {
    try {
      parsed = /^\s*[[{]/.test(payload) ? JSON.parse(payload) : undefined;
    } catch {
      parsed = undefined;
    }
  }
  const doReplay = async () => {
    setReplaying(true);
    const e = await useInspector.getState().replay(row.ev.executionId);
    setReplaying(false);
    if (e) toast('success', `Replayed as ${shortId(e.id)} with revision ${e.flowRevision}`);
    else toast('error', useInspector.getState().replays[row.ev.executionId]?.error ?? 'Replay failed');
  };

  return (
    <div className="event-detail" data-testid="event-detail" data-execution={row.ev.executionId}>
      <div className="ed-head">
        <div className="ed-title">
          <strong>{row.label || 'Event'}</strong>
          <span className="muted small">
            {fmtClock(row.ev.receivedAt)} · {fmtBytes(row.ev.size)} · {row.ev.flowId} · {row.ev.triggerId}
          </span>
        </div>
      </div>
      <div className="ed-exec">
        <span className="muted small">Execution</span>
        <button type="button" className="link-btn mono" onClick={() => navigate(`/executions/${encodeURIComponent(row.ev.executionId)}`)} data-testid="ed-open-execution">
          {shortId(row.ev.executionId)}
        </button>
        {exec ? <StateBadge state={exec.state} /> : <span className="muted small">state not seen yet</span>}
        {exec?.endedAt !== undefined && <span className="muted small">{fmtDuration(exec.endedAt - exec.createdAt)}</span>}
        <span className="spacer" />
        <Button className="btn-sm" icon="rotate-ccw" disabled={replaying} onClick={() => void doReplay()} title="Run the flow's current definition again with this event's trigger.* variables" data-testid="replay-event">
          {replaying ? 'Replaying…' : 'Replay'}
        </Button>
      </div>
      {replay && (
        <div className={`ed-replay${replay.error ? ' bad' : ''}`} data-testid="replay-result" data-execution={replay.id ?? ''} data-state={replayExec?.state ?? ''}>
          {replay.error ? (
            <span>Replay failed: {replay.error}</span>
          ) : (
            <>
              <span className="muted small">Replayed as</span>
              <button type="button" className="link-btn mono" onClick={() => navigate(`/executions/${encodeURIComponent(replay.id!)}`)} data-testid="replay-open">
                {shortId(replay.id!)}
              </button>
              {replayExec ? <StateBadge state={replayExec.state} /> : <Spinner />}
            </>
          )}
        </div>
      )}
      <div className="ed-tabs">
        <Segmented<Tab>
          label="Event view"
          value={tab}
          onChange={setTab}
          options={[
            { value: 'payload', label: 'Payload' },
            { value: 'raw', label: 'Raw' },
            { value: 'meta', label: 'Metadata' },
            { value: 'vars', label: 'trigger.*' },
          ]}
        />
        {loadingFull && <Spinner label="Loading the whole payload" />}
      </div>
      <div className="ed-body" data-testid={`ed-${tab}`}>
        {truncated && !full && !loadingFull && <p className="muted small">This payload is large: the tap keeps a preview.</p>}
        {tab === 'payload' &&
          (payload !== null && typeof payload === 'object' ? (
            <JsonTree value={payload} root={field ? `trigger.${field}` : 'trigger'} searchable depth={3} onPick={copyExpression} testId="payload-tree" />
          ) : parsed !== undefined ? (
            <>
              <p className="muted small">A text payload holding JSON (use <code>{`trigger.${field} | json`}</code> in the flow):</p>
              <JsonTree value={parsed} root="" searchable depth={3} testId="payload-tree" />
            </>
          ) : (
            <pre className="code ed-raw" data-testid="payload-text">{rawText(payload)}</pre>
          ))}
        {tab === 'raw' && (
          <>
            <label className="check small">
              <input type="checkbox" checked={pretty} onChange={(e) => setPretty(e.target.checked)} /> Indent JSON
            </label>
            <pre className="code ed-raw" data-testid="payload-raw">{rawText(payload, pretty)}</pre>
          </>
        )}
        {tab === 'meta' && (
          <>
            <JsonTree value={metadataOf(vars)} root="trigger" depth={3} onPick={copyExpression} testId="meta-tree" />
            <dl className="ed-facts small">
              <div><dt>Received</dt><dd>{new Date(row.ev.receivedAt).toISOString()}</dd></div>
              <div><dt>Size of trigger.*</dt><dd>{fmtBytes(row.ev.size)}</dd></div>
              <div><dt>Flow</dt><dd>{row.ev.namespace}.{row.ev.flowId}</dd></div>
              <div><dt>Trigger</dt><dd>{row.ev.triggerId}</dd></div>
            </dl>
          </>
        )}
        {tab === 'vars' && (
          <>
            <p className="muted small">Exactly what the flow sees. Click a value to copy its expression.</p>
            <JsonTree value={vars} root="trigger" searchable depth={3} onPick={copyExpression} testId="vars-tree" />
          </>
        )}
      </div>
    </div>
  );
}
