// #/overview: executions per minute by state, trigger health at a glance, the slowest flows and the
// latest failures with their error.
import { useEffect } from 'react';
import { navigate } from '../../app/router';
import { Button, Empty, Segmented, Spinner, StateBadge } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { TriggerState } from '../inspector/Health';
import { healthKey, SERIES_POINTS, useHealth } from '../inspector/health';
import { padLeft } from '../inspector/LiveCharts';
import { inspectorPath } from '../inspector/InspectorViews';
import { Sparkline, StackedBars } from '../viz/charts';
import { fmtAgo, fmtCount, fmtDuration, fmtMinute, fmtRate, shortId } from '../viz/format';
import { useOverview, WINDOWS, type WindowKey } from './store';

function Tile({ label, value, sub, tone, testId }: { label: string; value: string; sub?: string; tone?: string; testId?: string }) {
  return (
    <div className={`card ov-tile${tone ? ` ${tone}` : ''}`} data-testid={testId}>
      <span className="card-title">{label}</span>
      <span className="card-value num">{value}</span>
      {sub && <span className="card-sub">{sub}</span>}
    </div>
  );
}

export function OverviewView() {
  const stats = useOverview((s) => s.stats);
  const win = useOverview((s) => s.window);
  const error = useOverview((s) => s.error);
  const loading = useOverview((s) => s.loading);
  const byKey = useHealth((s) => s.byKey);
  const total = useHealth((s) => s.totalRate);
  useEffect(() => useOverview.getState().start(), []);
  useEffect(() => useHealth.getState().watch(), []);

  const healths = Object.values(byKey).sort((a, b) => {
    const rank = (s: string) => ['ERROR', 'BACKOFF', 'STARTING', 'STOPPED', 'RUNNING'].indexOf(s);
    return rank(a.state) - rank(b.state) || healthKey(a).localeCompare(healthKey(b));
  });
  const totals = stats?.totals ?? {};
  const all = Object.values(totals).reduce((a, b) => a + (b ?? 0), 0);
  const ok = (totals.SUCCESS ?? 0) + (totals.WARNING ?? 0);
  const failed = (totals.FAILED ?? 0) + (totals.KILLED ?? 0);
  const finished = ok + failed + (totals.CANCELLED ?? 0);
  const running = (totals.RUNNING ?? 0) + (totals.CREATED ?? 0) + (totals.QUEUED ?? 0);
  const bad = healths.filter((h) => h.state === 'ERROR' || h.state === 'BACKOFF').length;
  const per = WINDOWS[win].per;

  return (
    <div className="page overview" data-testid="overview">
      <header className="page-head">
        <div className="page-title">
          <Icon name="gauge" size={16} />
          <span>Overview</span>
        </div>
        {loading && !stats && <Spinner />}
        <div className="page-actions">
          <Segmented<WindowKey>
            label="Window"
            value={win}
            onChange={(w) => useOverview.getState().setWindow(w)}
            options={[
              { value: '15m', label: '15 min' },
              { value: '1h', label: '1 h' },
              { value: '6h', label: '6 h' },
              { value: '24h', label: '24 h' },
            ]}
          />
          <Button variant="ghost" icon="refresh" onClick={() => void useOverview.getState().load()}>
            Refresh
          </Button>
        </div>
      </header>
      <div className="page-body ov-body">
        {error && <div className="err-box">{error}</div>}
        <div className="ov-tiles">
          <Tile label={`Executions · ${win}`} value={fmtCount(all)} sub={`${fmtCount(running)} not finished`} testId="ov-total" />
          <Tile label="Success rate" value={finished ? `${((ok / finished) * 100).toFixed(finished > 1000 ? 1 : 0)}%` : '—'} sub={`${fmtCount(ok)} succeeded`} tone={failed ? undefined : 'good'} />
          <Tile label="Failed" value={fmtCount(failed)} sub={failed ? 'see below' : 'none'} tone={failed ? 'bad' : undefined} testId="ov-failed" />
          <Tile label="Triggers" value={`${healths.length - bad} / ${healths.length}`} sub={bad ? `${bad} failing` : 'all healthy'} tone={bad ? 'bad' : healths.length ? 'good' : undefined} testId="ov-triggers" />
          <div className="card ov-tile ov-rate">
            <span className="card-title">Events / s</span>
            <span className="card-value num" title="average over the last 10 s">{fmtRate(healths.reduce((a, h) => a + h.rate, 0))}</span>
            <Sparkline values={padLeft(total, SERIES_POINTS)} height={26} tone="running" label="Events per second, all triggers" format={fmtRate} />
          </div>
        </div>
        <div className="ov-row">
          <section className="card ov-chart" data-testid="ov-per-minute">
            <div className="card-head">
              <span className="card-title">Executions {per}, by state</span>
            </div>
            <div className="card-body">
              {stats ? <StackedBars buckets={stats.buckets as never} label={fmtMinute} height={180} testId="ov-bars" /> : <div className="center ov-placeholder"><Spinner /></div>}
              <div className="ov-legend small">
                {['SUCCESS', 'WARNING', 'RUNNING', 'FAILED', 'KILLED'].map((s) => (
                  <span key={s}>
                    <StateBadge state={s} count={(totals as Record<string, number>)[s] ?? 0} />
                  </span>
                ))}
              </div>
            </div>
          </section>
          <section className="card ov-health" data-testid="ov-health">
            <div className="card-head">
              <span className="card-title">Trigger health</span>
              <button type="button" className="link-btn small ov-more" onClick={() => navigate('/triggers')}>
                all triggers →
              </button>
            </div>
            <div className="ov-health-list">
              {healths.map((h) => (
                <button type="button" key={healthKey(h)} className={`ov-trigger ov-trigger-${h.state}`} onClick={() => navigate(inspectorPath(h.namespace, h.flowId, h.triggerId))} data-testid="ov-trigger" data-state={h.state}>
                  <TriggerState state={h.state} />
                  <span className="ov-trigger-name">
                    <strong>{h.flowId}</strong>
                    <span className="muted"> · {h.triggerId}</span>
                  </span>
                  <span className="num small muted">{fmtRate(h.rate)}</span>
                  {h.lastError && h.state !== 'RUNNING' && <span className="ov-trigger-err bad-text small">{h.lastError}</span>}
                </button>
              ))}
              {!healths.length && <div className="muted small pad">No trigger running.</div>}
            </div>
          </section>
        </div>
        <div className="ov-row ov-row-2">
          <section className="card" data-testid="ov-slowest">
            <div className="card-head">
              <span className="card-title">Slowest flows · mean duration</span>
            </div>
            <table className="table ov-table">
              <thead>
                <tr>
                  <th>Flow</th>
                  <th className="r">Runs</th>
                  <th className="r">Mean</th>
                  <th className="r">p95</th>
                  <th className="r">Max</th>
                </tr>
              </thead>
              <tbody>
                {(stats?.slowest ?? []).map((f) => {
                  const max = stats!.slowest[0]?.avgMs || 1;
                  return (
                    <tr key={`${f.namespace}.${f.flowId}`} className="clickable" onClick={() => navigate(`/executions?namespace=${encodeURIComponent(f.namespace)}&flow=${encodeURIComponent(f.flowId)}`)}>
                      <td>
                        <span className="muted">{f.namespace}.</span>
                        <strong>{f.flowId}</strong>
                        <div className="ov-bar">
                          <span style={{ width: `${Math.max(2, (f.avgMs / max) * 100)}%` }} />
                        </div>
                      </td>
                      <td className="r num">{fmtCount(f.count)}</td>
                      <td className="r num">{fmtDuration(f.avgMs)}</td>
                      <td className="r num">{fmtDuration(f.p95Ms)}</td>
                      <td className="r num">{fmtDuration(f.maxMs)}</td>
                    </tr>
                  );
                })}
                {stats && !stats.slowest.length && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No finished execution in this window.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          <section className="card" data-testid="ov-failures">
            <div className="card-head">
              <span className="card-title">Recent failures</span>
              <button type="button" className="link-btn small ov-more" onClick={() => navigate('/executions?state=FAILED,KILLED&range=7d')}>
                all failures →
              </button>
            </div>
            <div className="ov-failures">
              {(stats?.failures ?? []).map((f) => (
                <button type="button" key={f.id} className="ov-failure" onClick={() => navigate(`/executions/${encodeURIComponent(f.id)}`)} data-testid="ov-failure">
                  <div className="ov-failure-head">
                    <StateBadge state={f.state} />
                    <strong>{f.flowId}</strong>
                    <span className="muted small">{f.namespace}</span>
                    {f.taskId && <code className="small">{f.taskId}</code>}
                    <span className="spacer" />
                    <span className="mono small muted">{shortId(f.id)}</span>
                    <span className="small muted">{fmtAgo(Date.parse(f.startDate))}</span>
                  </div>
                  <div className="ov-failure-error">{f.error}</div>
                </button>
              ))}
              {stats && !stats.failures.length && (
                <Empty icon="check-circle" title="No failure">
                  Nothing failed recently.
                </Empty>
              )}
            </div>
          </section>
        </div>
      </div>
    </div>
  );
}
