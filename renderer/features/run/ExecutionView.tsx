// A minimal execution page (#/executions/:id): state, task runs and logs, live. The executions
// feature (issue 8) replaces it by registering a view with the same id.
import { useEffect, useState } from 'react';
import type { Execution, LogEntry } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';
import { flowPath, navigate } from '../../app/router';
import { Icon } from '../../ui/icons';
import { Button, Empty, Spinner, StateBadge } from '../../ui/controls';

export function ExecutionView({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<string>();
  const [logs, setLogs] = useState<LogEntry[]>([]);

  useEffect(() => {
    let alive = true;
    setExecution(undefined);
    setLogs([]);
    void bridge().call('executions.get', { id }).then((r) => {
      if (!alive) return;
      if (r.ok) setExecution((e) => e ?? r.value);
      else setError(r.error.message);
    });
    void bridge().call('logs.query', { executionId: id, limit: 2000 }).then((r) => alive && r.ok && setLogs((l) => (l.length ? l : r.value)));
    const offE = bridge().subscribe('executions', { executionId: id }, (b) => {
      const last = b.events.filter((e) => e.id === id).pop();
      if (last) setExecution(last);
    });
    const offL = bridge().subscribe('logs', { executionId: id }, (b) => setLogs((l) => [...l, ...b.events].slice(-5000)));
    return () => {
      alive = false;
      offE();
      offL();
    };
  }, [id]);

  if (error) return <Empty icon="alert-circle" title="Execution not found">{error}</Empty>;
  if (!execution) return <div className="center"><Spinner /> Loading the execution…</div>;
  return (
    <div className="execution" data-testid="execution" data-state={execution.state.current}>
      <header className="execution-head">
        <StateBadge state={execution.state.current} />
        <h2 className="mono">{execution.id}</h2>
        <Button variant="ghost" icon="arrow-right" onClick={() => navigate(flowPath(execution.namespace, execution.flowId))}>
          {execution.namespace}.{execution.flowId}
        </Button>
      </header>
      <dl className="execution-meta">
        <div><dt>Started</dt><dd>{new Date(execution.state.startDate).toLocaleString()}</dd></div>
        {execution.state.duration && <div><dt>Duration</dt><dd>{execution.state.duration}</dd></div>}
        {execution.trigger && <div><dt>Trigger</dt><dd>{execution.trigger.id}</dd></div>}
        {Object.keys(execution.inputs ?? {}).length > 0 && <div><dt>Inputs</dt><dd className="mono">{JSON.stringify(execution.inputs)}</dd></div>}
        {execution.error && <div><dt>Error</dt><dd className="field-error">{execution.error}</dd></div>}
      </dl>
      <h3>Task runs</h3>
      <table className="table">
        <thead><tr><th>Task</th><th>State</th><th>Attempts</th><th>Outputs</th></tr></thead>
        <tbody>
          {execution.taskRunList.map((t) => (
            <tr key={t.id} data-task={t.taskId}>
              <td className="mono">{t.taskId}{t.value !== undefined ? ` [${t.value}]` : ''}</td>
              <td><StateBadge state={t.state.current} /></td>
              <td>{t.attempts.length}</td>
              <td className="mono small">{t.outputs ? JSON.stringify(t.outputs).slice(0, 200) : ''}</td>
            </tr>
          ))}
          {!execution.taskRunList.length && <tr><td colSpan={4} className="muted">No task run yet.</td></tr>}
        </tbody>
      </table>
      <h3>Logs</h3>
      <div className="logs mono">
        {logs.map((l, i) => (
          <div key={i} className={`log log-${l.level.toLowerCase()}`}>
            <span className="log-time">{l.timestamp.slice(11, 23)}</span>
            <span className="log-level">{l.level}</span>
            {l.taskId && <span className="log-task">{l.taskId}</span>}
            <span className="log-msg">{l.message}</span>
          </div>
        ))}
        {!logs.length && <div className="muted"><Icon name="info" size={13} /> No logs yet.</div>}
      </div>
    </div>
  );
}
