// #/executions/:id — one execution, live: the Gantt of its task runs (attempts, outputs and logs of
// each), all its logs, its outputs (files from internal storage previewed and downloadable), the
// trigger payload, and the flow it ran coloured by state. Kill, replay, delete, export.
import { useEffect, useState } from 'react';
import type { Execution, LogEntry, TaskRun } from '../../../main/model/execution';
import { toast } from '../../app/app-store';
import { bridge } from '../../app/bridge';
import { flowPath, navigate } from '../../app/router';
import { Button, Empty, IconButton, Segmented, Spinner, StateBadge } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { copyExpression } from '../inspector/EventDetail';
import { inspectorPath } from '../inspector/InspectorViews';
import { metadataOf, payloadField, payloadOf, rawText } from '../inspector/events';
import { fmtDateTime, fmtDuration, shortId, stateDuration } from '../viz/format';
import { JsonTree } from '../viz/JsonTree';
import { renderStorageLeaf } from './files';
import { Gantt } from './Gantt';
import { LogsPanel } from './LogsPanel';
import { isTerminal } from './store';
import { Topology } from './Topology';

type Tab = 'gantt' | 'logs' | 'outputs' | 'trigger' | 'topology';

function useExecution(id: string) {
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let alive = true;
    setExecution(undefined);
    setError(undefined);
    const off = bridge().subscribe('executions', { executionId: id }, (b) => {
      const last = b.events.filter((e) => e.id === id).pop();
      if (last && alive) setExecution(last);
    });
    void bridge().call('executions.get', { id }).then((r) => {
      if (!alive) return;
      if (r.ok) setExecution((e) => e ?? r.value);
      else setError(r.error.message);
    });
    return () => {
      alive = false;
      off();
    };
  }, [id]);
  return { execution, error };
}

function useLogs(id: string) {
  const [logs, setLogs] = useState<LogEntry[]>([]);
  useEffect(() => {
    let alive = true;
    let early: LogEntry[] = [];
    let loaded = false;
    setLogs([]);
    const off = bridge().subscribe('logs', { executionId: id }, (b) => {
      if (!alive) return;
      if (!loaded) early.push(...b.events);
      else setLogs((l) => [...l, ...b.events].slice(-50_000));
    });
    void bridge().call('logs.query', { executionId: id, limit: 50_000 }).then((r) => {
      if (!alive) return;
      loaded = true;
      const stored = r.ok ? r.value : [];
      // Lines that came on the stream before the query answered and are not in its answer.
      const seen = new Set(stored.map((l) => `${l.timestamp}|${l.taskRunId ?? ''}|${l.message}`));
      setLogs([...stored, ...early.filter((l) => !seen.has(`${l.timestamp}|${l.taskRunId ?? ''}|${l.message}`))]);
      early = [];
    });
    return () => {
      alive = false;
      off();
    };
  }, [id]);
  return logs;
}

function useNow(on: boolean, ms = 250): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [on, ms]);
  return on ? now : Date.now();
}

function TaskRunDetail({ run, logs, onClose }: { run: TaskRun; logs: LogEntry[]; onClose(): void }) {
  return (
    <aside className="tr-detail card" data-testid="taskrun-detail" data-task={run.taskId}>
      <div className="tr-head">
        <StateBadge state={run.state.current} />
        <strong className="mono">{run.taskId}</strong>
        {run.value !== undefined && <span className="muted">[{run.value}]</span>}
        <span className="spacer" />
        <IconButton icon="x" label="Close" onClick={onClose} />
      </div>
      <h4>Attempts</h4>
      <table className="table tr-attempts" data-testid="attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>State</th>
            <th>Started</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {run.attempts.map((a, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>
                <StateBadge state={a.state.current} />
              </td>
              <td className="mono small">{a.state.startDate.slice(11, 23)}</td>
              <td className="num">{fmtDuration(stateDuration(a.state))}</td>
            </tr>
          ))}
          {!run.attempts.length && (
            <tr>
              <td colSpan={4} className="muted">
                No attempt (a flowable task runs its children).
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h4>Outputs</h4>
      {run.outputs && Object.keys(run.outputs).length ? (
        <JsonTree value={run.outputs} root={`outputs.${run.taskId}`} depth={2} onPick={copyExpression} renderLeaf={renderStorageLeaf} testId="taskrun-outputs" />
      ) : (
        <p className="muted small">No outputs.</p>
      )}
      <h4>Logs</h4>
      <LogsPanel logs={logs} taskRunId={run.id} compact />
    </aside>
  );
}

function Outputs({ e }: { e: Execution }) {
  const withOutputs = e.taskRunList.filter((r) => r.outputs && Object.keys(r.outputs).length);
  return (
    <div className="ex-outputs" data-testid="outputs">
      {e.outputs && Object.keys(e.outputs).length > 0 && (
        <section className="card pad">
          <h4>Flow outputs</h4>
          <JsonTree value={e.outputs} root="outputs" depth={3} searchable renderLeaf={renderStorageLeaf} testId="flow-outputs" />
        </section>
      )}
      {withOutputs.map((r) => (
        <section className="card pad" key={r.id} data-task={r.taskId}>
          <h4>
            <span className="mono">{r.taskId}</span>
            {r.value !== undefined && <span className="muted"> [{r.value}]</span>} <StateBadge state={r.state.current} compact />
          </h4>
          <JsonTree value={r.outputs} root={`outputs.${r.taskId}`} depth={2} onPick={copyExpression} renderLeaf={renderStorageLeaf} testId="task-outputs" />
        </section>
      ))}
      {!withOutputs.length && !(e.outputs && Object.keys(e.outputs).length) && <Empty icon="braces" title="No outputs">The tasks of this execution returned nothing.</Empty>}
    </div>
  );
}

function TriggerTab({ e }: { e: Execution }) {
  const [pretty, setPretty] = useState(true);
  if (!e.trigger) return <Empty icon="play" title="Started by hand or by the API">No trigger payload: the inputs are in the header.</Empty>;
  const vars = e.trigger.variables ?? {};
  const payload = payloadOf(vars);
  return (
    <div className="ex-trigger" data-testid="trigger-payload">
      <section className="card pad">
        <h4>
          Payload <span className="muted small">({payloadField(vars) ? `trigger.${payloadField(vars)}` : 'trigger'})</span>
        </h4>
        {payload !== null && typeof payload === 'object' ? (
          <JsonTree value={payload} root={payloadField(vars) ? `trigger.${payloadField(vars)}` : 'trigger'} depth={3} searchable onPick={copyExpression} renderLeaf={renderStorageLeaf} testId="trigger-payload-tree" />
        ) : (
          <pre className="code ed-raw">{rawText(payload)}</pre>
        )}
        <label className="check small raw-toggle">
          <input type="checkbox" checked={pretty} onChange={(x) => setPretty(x.target.checked)} /> Indent JSON
        </label>
        <pre className="code ed-raw" data-testid="trigger-raw">{rawText(payload, pretty)}</pre>
      </section>
      <section className="card pad">
        <h4>Metadata and headers</h4>
        <JsonTree value={metadataOf(vars)} root="trigger" depth={3} onPick={copyExpression} renderLeaf={renderStorageLeaf} testId="trigger-meta" />
        <p className="muted small">
          Trigger <code>{e.trigger.id}</code> · <code>{e.trigger.type}</code>
        </p>
      </section>
    </div>
  );
}

export function ExecutionPage({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const { execution: e, error } = useExecution(id);
  const logs = useLogs(id);
  const [tab, setTab] = useState<Tab>('gantt');
  const [selected, setSelected] = useState<string>();
  const [busy, setBusy] = useState(false);
  const live = !!e && !isTerminal(e.state.current);
  const now = useNow(live);
  useEffect(() => setSelected(undefined), [id]);

  if (error) return <Empty icon="alert-circle" title="Execution not found">{error}</Empty>;
  if (!e) return <div className="center"><Spinner /> Loading the execution…</div>;
  const run = e.taskRunList.find((r) => r.id === selected);

  const act = async (what: 'kill' | 'replay' | 'delete' | 'export') => {
    setBusy(true);
    try {
      if (what === 'kill') {
        const r = await bridge().call('executions.kill', { ids: [e.id] });
        toast(r.ok ? 'info' : 'error', r.ok ? 'Killing the execution' : r.error.message);
      } else if (what === 'replay') {
        const r = await bridge().call('executions.replay', { id: e.id });
        if (r.ok) {
          toast('success', `Replayed as ${shortId(r.value.id)} (revision ${r.value.flowRevision})`);
          navigate(`/executions/${encodeURIComponent(r.value.id)}`);
        } else toast('error', r.error.message);
      } else if (what === 'delete') {
        const r = await bridge().call('executions.delete', { ids: [e.id] });
        if (r.ok && r.value.deleted.length) {
          toast('info', 'Execution deleted');
          navigate(`/executions?namespace=${encodeURIComponent(e.namespace)}&flow=${encodeURIComponent(e.flowId)}`);
        } else toast('error', r.ok ? 'A running execution cannot be deleted: kill it first.' : r.error.message);
      } else {
        const r = await bridge().call('executions.export', { id: e.id });
        if (!r.ok) return toast('error', r.error.message);
        const a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob([JSON.stringify(r.value, null, 2)], { type: 'application/json' }));
        a.download = `execution-${e.id}.json`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      }
    } finally {
      setBusy(false);
    }
  };
  const replayOf = e.labels?.find((l) => l.key === 'replayOf')?.value;
  const inputs = Object.keys(e.inputs ?? {}).length ? e.inputs : undefined;

  return (
    <div className="page execution-page" data-testid="execution" data-state={e.state.current} data-revision={e.flowRevision}>
      <header className="page-head">
        <div className="page-title">
          <StateBadge state={e.state.current} />
          <span className="mono" data-testid="execution-id">
            {e.id}
          </span>
        </div>
        <button type="button" className="link-btn" onClick={() => navigate(flowPath(e.namespace, e.flowId))}>
          {e.namespace}.{e.flowId}
        </button>
        <span className="tag" data-testid="execution-revision">
          rev {e.flowRevision}
        </span>
        <div className="page-actions">
          {e.trigger && (
            <Button variant="ghost" icon="activity" onClick={() => navigate(inspectorPath(e.namespace, e.flowId, e.trigger!.id))}>
              Inspector
            </Button>
          )}
          <Button variant="ghost" icon="download" disabled={busy} onClick={() => void act('export')} title="Download the execution, its logs and the flow revision as JSON">
            Export
          </Button>
          {live && (
            <Button icon="circle-stop" variant="danger" disabled={busy} onClick={() => void act('kill')} data-testid="execution-kill">
              Kill
            </Button>
          )}
          <Button icon="rotate-ccw" disabled={busy} onClick={() => void act('replay')} title="Run the flow's current revision again with the same trigger variables (or inputs)" data-testid="execution-replay">
            Replay
          </Button>
          {!live && (
            <IconButton icon="trash" label="Delete this execution" className="danger" disabled={busy} onClick={() => void act('delete')} data-testid="execution-delete" />
          )}
        </div>
      </header>
      <div className="ex-meta">
        <div>
          <span className="meta-k">Started</span>
          <span>{fmtDateTime(Date.parse(e.state.startDate))}</span>
        </div>
        <div>
          <span className="meta-k">Duration</span>
          <span className="num" data-testid="execution-duration">
            {fmtDuration(stateDuration(e.state, now))}
            {live ? '…' : ''}
          </span>
        </div>
        <div>
          <span className="meta-k">Trigger</span>
          <span>{e.trigger ? `${e.trigger.id}` : 'manual'}</span>
        </div>
        <div>
          <span className="meta-k">Task runs</span>
          <span className="num">{e.taskRunList.length}</span>
        </div>
        {replayOf && (
          <div>
            <span className="meta-k">Replay of</span>
            <button type="button" className="link-btn mono" onClick={() => navigate(`/executions/${encodeURIComponent(replayOf)}`)}>
              {shortId(replayOf)}
            </button>
          </div>
        )}
        {inputs && (
          <div className="meta-wide">
            <span className="meta-k">Inputs</span>
            <span className="mono small">{JSON.stringify(inputs)}</span>
          </div>
        )}
        {e.labels?.filter((l) => l.key !== 'replayOf').length > 0 && (
          <div className="meta-wide">
            <span className="meta-k">Labels</span>
            <span>
              {e.labels
                .filter((l) => l.key !== 'replayOf')
                .map((l) => (
                  <span className="tag" key={l.key}>
                    {l.key}:{l.value}
                  </span>
                ))}
            </span>
          </div>
        )}
      </div>
      {e.error && (
        <div className="err-box ex-err" data-testid="execution-error">
          <Icon name="alert-circle" size={14} />
          <span className="err-text">{e.error}</span>
        </div>
      )}
      <div className="tabs-line">
        <Segmented<Tab>
          label="Execution view"
          value={tab}
          onChange={setTab}
          options={[
            { value: 'gantt', label: 'Gantt', icon: 'gantt-chart' },
            { value: 'logs', label: `Logs (${logs.length})`, icon: 'scroll-text' },
            { value: 'outputs', label: 'Outputs', icon: 'braces' },
            { value: 'trigger', label: 'Trigger', icon: 'zap' },
            { value: 'topology', label: 'Topology', icon: 'graph' },
          ]}
        />
      </div>
      <div className={`ex-body ex-body-${tab}`}>
        {tab === 'gantt' && (
          <div className={`gantt-wrap${run ? ' with-detail' : ''}`}>
            <div className="card gantt-card">
              <Gantt execution={e} now={now} selected={selected} onSelect={(rid) => setSelected(rid === selected ? undefined : rid)} />
            </div>
            {run && <TaskRunDetail run={run} logs={logs} onClose={() => setSelected(undefined)} />}
          </div>
        )}
        {tab === 'logs' && (
          <div className="card logs-card">
            <LogsPanel logs={logs} />
          </div>
        )}
        {tab === 'outputs' && <Outputs e={e} />}
        {tab === 'trigger' && <TriggerTab e={e} />}
        {tab === 'topology' && (
          <div className="card topo-card">
            <Topology execution={e} />
          </div>
        )}
      </div>
    </div>
  );
}
