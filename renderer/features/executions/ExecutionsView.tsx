// #/executions: every execution, filtered by flow, state, time and label (the filters are in the
// address, so a link can carry them), live, with bulk kill / delete / replay.
import { useEffect, useMemo, useState } from 'react';
import type { Execution } from '../../../main/model/execution';
import { toast } from '../../app/app-store';
import { navigate, useRouter } from '../../app/router';
import { Button, Segmented, Spinner, StateBadge, Switch } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { fmtDateTime, fmtDuration, fmtCount, shortId, stateDuration } from '../viz/format';
import { VirtualList } from '../viz/virtual';
import { useWorkspace } from '../workspace/store';
import { filtersFromQuery, isTerminal, queryOf, useExecutions, type Filters, type RangeKey } from './store';

const STATE_CHOICES = ['RUNNING', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CREATED', 'QUEUED', 'PAUSED'];
const ROW = 34;

function useTicker(on: boolean, ms = 1000) {
  const [, set] = useState(0);
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => set((x) => x + 1), ms);
    return () => clearInterval(t);
  }, [on, ms]);
}

function setFilter(patch: Partial<Filters>) {
  const f = { ...useExecutions.getState().filters, ...patch };
  navigate(`/executions${queryOf(f)}`, { replace: true });
}

function FilterBar() {
  const f = useExecutions((s) => s.filters);
  const flows = useWorkspace((s) => s.flows);
  const live = useExecutions((s) => s.live);
  const [label, setLabel] = useState(f.label);
  useEffect(() => setLabel(f.label), [f.label]);
  const flowValue = f.flowId ? `${f.namespace ?? ''}|${f.flowId}` : f.namespace ? `${f.namespace}|` : '';
  const namespaces = [...new Set(flows.map((x) => x.namespace))].sort();
  return (
    <div className="ex-filters">
      <select
        className="input ex-flow"
        value={flowValue}
        onChange={(e) => {
          const [ns, id] = e.target.value.split('|');
          setFilter({ namespace: ns || undefined, flowId: id || undefined });
        }}
        aria-label="Flow"
        data-testid="ex-filter-flow"
      >
        <option value="">All flows</option>
        {namespaces.map((ns) => (
          <optgroup key={ns} label={ns}>
            <option value={`${ns}|`}>{ns} (whole namespace)</option>
            {flows
              .filter((x) => x.namespace === ns)
              .map((x) => (
                <option key={x.id} value={`${ns}|${x.id}`}>
                  {x.id}
                </option>
              ))}
          </optgroup>
        ))}
        {f.flowId && !flows.some((x) => x.id === f.flowId && x.namespace === f.namespace) && <option value={flowValue}>{f.namespace}.{f.flowId}</option>}
      </select>
      <div className="ex-states" role="group" aria-label="States">
        {STATE_CHOICES.map((s) => {
          const on = f.states.includes(s);
          return (
            <button
              key={s}
              type="button"
              className={`ex-state-chip${on ? ' on' : ''}`}
              aria-pressed={on}
              onClick={() => setFilter({ states: on ? f.states.filter((x) => x !== s) : [...f.states, s] })}
              data-state={s}
            >
              <StateBadge state={s} compact />
              {s.toLowerCase()}
            </button>
          );
        })}
      </div>
      <Segmented<RangeKey>
        label="Time"
        value={f.range}
        onChange={(range) => setFilter({ range })}
        options={[
          { value: '15m', label: '15 min' },
          { value: '1h', label: '1 h' },
          { value: '24h', label: '24 h' },
          { value: '7d', label: '7 d' },
          { value: 'all', label: 'All' },
        ]}
      />
      <form
        className="search ex-label"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ label });
        }}
      >
        <Icon name="filter" size={13} />
        <input value={label} onChange={(e) => setLabel(e.target.value)} onBlur={() => label !== f.label && setFilter({ label })} placeholder="label: key=value" aria-label="Label" data-testid="ex-filter-label" />
      </form>
      <Switch
        checked={live}
        onChange={(on) => {
          useExecutions.getState().setLive(on);
          if (on) void useExecutions.getState().load();
        }}
        label="Live"
      />
    </div>
  );
}

function Row({ e, checked, now }: { e: Execution; checked: boolean; now: number }) {
  const running = !isTerminal(e.state.current);
  return (
    <div className={`grid-row ex-grid${checked ? ' checked' : ''}`} style={{ height: ROW }} onClick={() => navigate(`/executions/${encodeURIComponent(e.id)}`)} data-testid="ex-row" data-id={e.id} data-state={e.state.current}>
      <span onClick={(ev) => ev.stopPropagation()}>
        <input type="checkbox" checked={checked} onChange={() => useExecutions.getState().toggle(e.id)} aria-label={`Select ${e.id}`} />
      </span>
      <span className="mono small muted">{fmtDateTime(Date.parse(e.state.startDate))}</span>
      <span className="mono ex-id">{shortId(e.id)}</span>
      <span title={`${e.namespace}.${e.flowId}`}>
        <span className="muted">{e.namespace}.</span>
        <strong>{e.flowId}</strong>
        <span className="muted small"> rev {e.flowRevision}</span>
      </span>
      <span>
        <StateBadge state={e.state.current} />
      </span>
      <span className="num cell-right">{fmtDuration(stateDuration(e.state, now))}{running ? '…' : ''}</span>
      <span className="muted small">{e.trigger ? e.trigger.id : 'manual'}</span>
      <span className="ex-labels">
        {e.labels
          ?.filter((l) => !l.key.startsWith('system.'))
          .slice(0, 3)
          .map((l) => (
            <span className="tag" key={l.key}>
              {l.key}:{l.value}
            </span>
          ))}
      </span>
    </div>
  );
}

export function ExecutionsView() {
  const path = useRouter((s) => s.path);
  const query = useMemo(() => new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : ''), [path]);
  const filters = useExecutions((s) => s.filters);
  const rows = useExecutions((s) => s.rows);
  const total = useExecutions((s) => s.total);
  const loading = useExecutions((s) => s.loading);
  const error = useExecutions((s) => s.error);
  const selected = useExecutions((s) => s.selected);
  const busy = useExecutions((s) => s.busy);
  const live = useExecutions((s) => s.live);
  const queryKey = query.toString();

  useEffect(() => {
    const f = filtersFromQuery(new URLSearchParams(queryKey));
    useExecutions.getState().setFilters(f);
    void useExecutions.getState().load();
  }, [queryKey]);
  useEffect(() => (live ? useExecutions.getState().follow() : undefined), [filters, live]);
  const anyRunning = rows.some((r) => !isTerminal(r.state.current));
  useTicker(anyRunning);
  const now = Date.now();
  const ids = Object.keys(selected);
  const run = async (what: 'kill' | 'remove' | 'replay') => {
    const text = await useExecutions.getState()[what](ids);
    toast('info', text);
  };

  return (
    <div className="page executions" data-testid="executions">
      <header className="page-head">
        <div className="page-title">
          <Icon name="history" size={16} />
          <span>Executions</span>
        </div>
        <span className="small muted" data-testid="ex-total" data-total={total} data-shown={rows.length}>
          {fmtCount(rows.length)} shown of {fmtCount(total)}
        </span>
        {loading && <Spinner />}
        <div className="page-actions">
          <Button variant="ghost" icon="refresh" onClick={() => void useExecutions.getState().load()}>
            Refresh
          </Button>
        </div>
      </header>
      <FilterBar />
      {ids.length > 0 && (
        <div className="ex-bulk" data-testid="ex-bulk">
          <strong>{ids.length} selected</strong>
          <Button className="btn-sm" icon="circle-stop" disabled={!!busy} onClick={() => void run('kill')} data-testid="ex-bulk-kill">
            Kill
          </Button>
          <Button className="btn-sm" icon="rotate-ccw" disabled={!!busy} onClick={() => void run('replay')} data-testid="ex-bulk-replay">
            Replay
          </Button>
          <Button className="btn-sm" variant="danger" icon="trash" disabled={!!busy} onClick={() => void run('remove')} data-testid="ex-bulk-delete">
            Delete
          </Button>
          <Button className="btn-sm" variant="ghost" onClick={() => useExecutions.getState().selectAll(false)}>
            Clear selection
          </Button>
        </div>
      )}
      {error && <div className="err-box ex-error">{error}</div>}
      <div className="ex-table card">
        <VirtualList
          count={rows.length}
          rowHeight={ROW}
          testId="ex-list"
          header={
            <div className="grid-head ex-grid">
              <span>
                <input type="checkbox" aria-label="Select all" checked={rows.length > 0 && ids.length === rows.length} onChange={(e) => useExecutions.getState().selectAll(e.target.checked)} />
              </span>
              <span>Started</span>
              <span>Id</span>
              <span>Flow</span>
              <span>State</span>
              <span className="cell-right">Duration</span>
              <span>Trigger</span>
              <span>Labels</span>
            </div>
          }
          empty={<div className="pad muted">{loading ? 'Loading…' : 'No execution matches these filters.'}</div>}
          renderRow={(i) => <Row key={rows[i].id} e={rows[i]} checked={!!selected[rows[i].id]} now={now} />}
        />
      </div>
    </div>
  );
}
