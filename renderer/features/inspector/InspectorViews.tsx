// The trigger inspector: per flow (#/flows/:namespace/:id/triggers) — each trigger's health, rate
// and latency, the flow's event tap, the selected event, and the test-event panel — and for all
// running triggers (#/triggers) — every trigger at a glance and the tap of every flow.
import { useEffect, useMemo } from 'react';
import type { TriggerHealth } from '../../../main/runtime/supervisor';
import { flowPath, navigate, useRouter } from '../../app/router';
import { Button, Empty, Segmented } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { shortType } from '../plugins/store';
import { TestEventPanel } from '../test-events/TestEventPanel';
import { Sparkline } from '../viz/charts';
import { fmtCount, fmtRate } from '../viz/format';
import { useWorkspace } from '../workspace/store';
import { EventDetail } from './EventDetail';
import { HealthStrip, TriggerState } from './Health';
import { healthKey, useHealth } from './health';
import { LiveCharts, padLeft } from './LiveCharts';
import { useInspector, type RightPanel } from './store';
import { ALL, flowKeyOf, tapHub, triggerKeyOf } from './tap';
import { TapTable } from './TapTable';

export const inspectorPath = (namespace: string, flowId: string, triggerId?: string): string =>
  `${flowPath(namespace, flowId)}/triggers${triggerId ? `?trigger=${encodeURIComponent(triggerId)}` : ''}`;

function useQuery(): URLSearchParams {
  const path = useRouter((s) => s.path);
  return useMemo(() => new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : ''), [path]);
}

/** Keeps the tap, the flow's executions and trigger health flowing while a view is open. */
function useLiveSources(filter?: { namespace: string; flowId: string }) {
  const ns = filter?.namespace;
  const id = filter?.flowId;
  useEffect(() => {
    tapHub.start();
    const stopHealth = useHealth.getState().watch();
    const stopExecs = tapHub.watchExecutions(ns && id ? { namespace: ns, flowId: id } : {});
    if (ns && id) void tapHub.preload(ns, id);
    return () => {
      stopExecs();
      stopHealth();
    };
  }, [ns, id]);
}

function RightColumn({ trigger }: { trigger?: { namespace: string; flowId: string; triggerId: string; type: string } }) {
  const panel = useInspector((s) => s.panel);
  const selected = useInspector((s) => s.selected);
  return (
    <aside className="insp-right card">
      <div className="insp-right-tabs">
        <Segmented<RightPanel>
          label="Right panel"
          value={trigger ? panel : 'event'}
          onChange={(p) => useInspector.getState().setPanel(p)}
          options={[
            { value: 'event', label: 'Event', icon: 'eye' },
            ...(trigger ? [{ value: 'test' as const, label: 'Send test event', icon: 'send' }] : []),
          ]}
        />
      </div>
      <div className="insp-right-body">
        {panel === 'test' && trigger ? <TestEventPanel {...trigger} /> : <EventDetail row={selected} />}
      </div>
    </aside>
  );
}

export function FlowInspectorView({ params }: { params: Record<string, string> }) {
  const { namespace, id } = params;
  const query = useQuery();
  const flows = useWorkspace((s) => s.flows);
  const loaded = useWorkspace((s) => s.loaded);
  const byKey = useHealth((s) => s.byKey);
  const rates = useHealth((s) => s.rates);
  useLiveSources({ namespace, flowId: id });
  const flowKey = flowKeyOf(namespace, id);

  useEffect(() => {
    const sel = useInspector.getState().selected;
    if (sel && sel.flowKey !== flowKey) useInspector.getState().select(undefined);
  }, [flowKey]);
  const wantPanel = query.get('panel');
  useEffect(() => {
    if (wantPanel === 'test') useInspector.getState().setPanel('test');
  }, [wantPanel]);

  const flow = flows.find((f) => f.namespace === namespace && f.id === id);
  const healths = Object.values(byKey).filter((h) => h.namespace === namespace && h.flowId === id);
  const triggers = [
    ...(flow?.triggers ?? []).map((t) => ({ id: t.id, type: t.type, disabled: t.disabled })),
    ...healths.filter((h) => !flow?.triggers.some((t) => t.id === h.triggerId)).map((h) => ({ id: h.triggerId, type: h.type, disabled: false })),
  ];
  const triggerId = query.get('trigger') ?? triggers[0]?.id;
  const trigger = triggers.find((t) => t.id === triggerId) ?? triggers[0];
  const tKey = trigger ? triggerKeyOf(namespace, id, trigger.id) : undefined;
  const health: TriggerHealth | undefined = tKey ? byKey[tKey] : undefined;

  if (loaded && !flow && !healths.length) {
    return (
      <Empty icon="alert-circle" title={`No flow ${namespace}.${id}`}>
        <a href="#/triggers">See all triggers</a>
      </Empty>
    );
  }
  return (
    <div className="page inspector" data-testid="inspector" data-flow={flowKey}>
      <header className="page-head">
        <div className="page-title">
          <Icon name="activity" size={16} />
          <span className="crumb">{namespace}</span>
          <span className="sep">/</span>
          <span>{id}</span>
          <span className="sep">›</span>
          <span className="crumb">Trigger inspector</span>
        </div>
        {triggers.length > 1 && (
          <div className="trigger-tabs" role="tablist" aria-label="Triggers">
            {triggers.map((t) => {
              const h = byKey[triggerKeyOf(namespace, id, t.id)];
              return (
                <button
                  key={t.id}
                  type="button"
                  role="tab"
                  aria-selected={t.id === trigger?.id}
                  className={`trigger-tab${t.id === trigger?.id ? ' on' : ''}`}
                  onClick={() => navigate(inspectorPath(namespace, id, t.id), { replace: true })}
                  data-trigger={t.id}
                >
                  <span className={`tdot tstate-${h?.state ?? 'STOPPED'}`} />
                  {t.id}
                </button>
              );
            })}
          </div>
        )}
        <div className="page-actions">
          <Button variant="ghost" icon="code" onClick={() => navigate(flowPath(namespace, id))} data-testid="insp-edit-flow">
            Edit flow
          </Button>
          <Button variant="ghost" icon="history" onClick={() => navigate(`/executions?namespace=${encodeURIComponent(namespace)}&flow=${encodeURIComponent(id)}`)}>
            Executions
          </Button>
          <Button variant="ghost" icon="activity" onClick={() => navigate('/triggers')}>
            All triggers
          </Button>
        </div>
      </header>
      <div className="insp-body">
        <div className="insp-left">
          {trigger ? (
            <>
              <HealthStrip h={health} type={trigger.type} />
              <LiveCharts latencyKey={tKey!} rates={rates[tKey!] ?? []} rateNow={health?.rate} />
            </>
          ) : (
            <div className="card pad muted">This flow has no trigger: it runs by hand, by API, or as a subflow. Its executions are in the Executions view.</div>
          )}
          <TapTable flowKey={flowKey} />
        </div>
        <RightColumn trigger={trigger ? { namespace, flowId: id, triggerId: trigger.id, type: trigger.type } : undefined} />
      </div>
    </div>
  );
}

function TriggerTable({ healths, rates }: { healths: TriggerHealth[]; rates: Record<string, number[]> }) {
  return (
    <div className="card trig-table" data-testid="trigger-table">
      <div className="grid-head trig-grid">
        <span>State</span>
        <span>Flow · trigger</span>
        <span>Type</span>
        <span className="cell-right">Received</span>
        <span className="cell-right">Admitted</span>
        <span className="cell-right">Failed</span>
        <span>Events / s</span>
        <span>Last error</span>
      </div>
      <div className="trig-rows">
        {healths.map((h) => {
          const key = healthKey(h);
          const series = rates[key] ?? [];
          return (
            <div key={key} className="grid-row trig-grid" onClick={() => navigate(inspectorPath(h.namespace, h.flowId, h.triggerId))} data-testid="trigger-row" data-trigger={key} data-state={h.state}>
              <span>
                <TriggerState state={h.state} />
              </span>
              <span title={`${h.namespace}.${h.flowId}`}>
                <span className="muted">{h.namespace}.</span>
                <strong>{h.flowId}</strong> <span className="muted">· {h.triggerId}</span>
              </span>
              <span className="muted" title={h.type}>
                {shortType(h.type)}
              </span>
              <span className="num cell-right">{fmtCount(h.received)}</span>
              <span className="num cell-right">{fmtCount(h.admitted)}</span>
              <span className={`num cell-right${h.failed ? ' bad-text' : ''}`}>{fmtCount(h.failed)}</span>
              <span className="trig-spark">
                <Sparkline values={padLeft(series, 60)} height={20} width={120} tone="running" label="Events per second" format={fmtRate} />
                <span className="num small">{fmtRate(series[series.length - 1] ?? h.rate)}</span>
              </span>
              <span className={h.lastError ? 'bad-text small' : 'muted small'} title={h.lastError}>
                {h.lastError ?? '—'}
              </span>
            </div>
          );
        })}
        {!healths.length && <div className="pad muted">No trigger is running. Flows with a trigger start it when they load.</div>}
      </div>
    </div>
  );
}

export function GlobalInspectorView() {
  const byKey = useHealth((s) => s.byKey);
  const rates = useHealth((s) => s.rates);
  const total = useHealth((s) => s.totalRate);
  useLiveSources();
  const healths = Object.values(byKey).sort((a, b) => healthKey(a).localeCompare(healthKey(b)));
  const by = (s: string) => healths.filter((h) => h.state === s).length;
  return (
    <div className="page inspector" data-testid="inspector-global">
      <header className="page-head">
        <div className="page-title">
          <Icon name="activity" size={16} />
          <span>Triggers</span>
        </div>
        <span className="small muted" data-testid="trigger-summary">
          {healths.length} trigger{healths.length === 1 ? '' : 's'} · <span className="ok-text">{by('RUNNING')} running</span>
          {by('BACKOFF') > 0 && <span className="warn-text"> · {by('BACKOFF')} retrying</span>}
          {by('ERROR') > 0 && <span className="bad-text"> · {by('ERROR')} in error</span>}
          {by('STOPPED') > 0 && <span> · {by('STOPPED')} stopped</span>}
        </span>
      </header>
      <div className="insp-body">
        <div className="insp-left">
          <TriggerTable healths={healths} rates={rates} />
          <LiveCharts latencyKey={ALL} rates={total} rateNow={healths.reduce((a, h) => a + h.rate, 0)} />
          <TapTable showFlow />
        </div>
        <RightColumn />
      </div>
    </div>
  );
}
