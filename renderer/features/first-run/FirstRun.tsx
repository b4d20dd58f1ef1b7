// First run: with an empty workspace, the home page offers the getting-started flows (a real-time
// MQTT trigger fed by a simulator, through the broker `peregrine server` runs inside itself) — one
// click and the inspector shows events arriving — and the gallery's sample flows, one per use case.
import { useEffect, useState, type ComponentType } from 'react';
import { create } from 'zustand';
import type { GallerySummary, GettingStarted } from '../../../main/api/contract';
import { toast } from '../../app/app-store';
import { bridge } from '../../app/bridge';
import { flowPath, navigate, type Params } from '../../app/router';
import { Button, Spinner } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { inspectorPath } from '../inspector/InspectorViews';
import { useWorkspace } from '../workspace/store';

interface FirstRunState {
  status?: GettingStarted;
  gallery: GallerySummary[];
  loaded: boolean;
  busy?: string;
  load(): Promise<void>;
  start(): Promise<void>;
  use(name: string): Promise<void>;
}

export const useFirstRun = create<FirstRunState>((set, get) => ({
  gallery: [],
  loaded: false,
  async load() {
    const [status, gallery] = await Promise.all([bridge().call('gettingStarted.status', {}), bridge().call('gallery.list', {})]);
    set({ status: status.ok ? status.value : undefined, gallery: gallery.ok ? gallery.value : [], loaded: true });
  },
  async start() {
    set({ busy: 'start' });
    const r = await bridge().call('gettingStarted.add', {});
    set({ busy: undefined });
    if (!r.ok) return toast('error', r.error.message);
    if (r.value.errors.length) toast('error', r.value.errors.map((e) => e.message).join('; '));
    await useWorkspace.getState().load();
    const alerts = get().status?.flows.find((f) => f.id === 'sensor-alerts') ?? get().status?.flows[0];
    if (alerts) navigate(inspectorPath(alerts.namespace, alerts.id));
  },
  async use(name) {
    set({ busy: name });
    const r = await bridge().call('gallery.use', { name });
    set({ busy: undefined });
    if (!r.ok) return toast('error', r.error.message);
    await useWorkspace.getState().load();
    if (!r.value.ok && r.value.kept) toast('info', 'Added, but it uses plugins that do not run here: it is kept for deploying to Kestra.');
    else if (!r.value.ok) return toast('error', r.value.errors.map((e) => e.message).join('; ') || 'The sample could not be added.');
    if (r.value.namespace && r.value.id) navigate(flowPath(r.value.namespace, r.value.id));
  },
}));

const BROKER_ICON: Record<string, string> = { kafka: 'kafka', rabbitmq: 'rabbitmq', redis: 'redis', sqs: 'sqs', pubsub: 'pubsub', postgres: 'postgres', mosquitto: 'mqtt', nats: 'nats' };

export function FirstRun() {
  const status = useFirstRun((s) => s.status);
  const gallery = useFirstRun((s) => s.gallery);
  const loaded = useFirstRun((s) => s.loaded);
  const busy = useFirstRun((s) => s.busy);
  const [open, setOpen] = useState<string>();
  useEffect(() => void useFirstRun.getState().load(), []);
  if (!loaded) {
    return (
      <div className="first-run center">
        <Spinner />
      </div>
    );
  }
  const mqtt = status?.mqttUrl;
  return (
    <section className="first-run" data-testid="first-run">
      <div className="fr-inner">
        <h1>
          <Icon name="rocket" size={24} /> Watch events flow in a minute
        </h1>
        <p className="muted">Your workspace is empty. Start with a real-time flow that needs nothing installed, or pick a sample for your use case.</p>
        <div className="fr-hero card">
          <div className="fr-hero-text">
            <div className="fr-kicker">Getting started · MQTT</div>
            <h2>A sensor simulator and a real-time alert flow</h2>
            <p>
              <code>sensor-simulator</code> publishes a temperature reading every two seconds; <code>sensor-alerts</code> starts one execution per reading, within milliseconds, and raises an alert when it is too hot. The trigger
              inspector opens on it: events, executions, latency — live.
            </p>
            <p className={`fr-broker ${mqtt ? 'ok' : 'warn'}`} data-testid="first-run-broker">
              <Icon name={mqtt ? 'check-circle' : 'alert-triangle'} size={14} />
              {mqtt ? (
                <span>
                  The embedded MQTT broker is running on <code>{mqtt.replace(/^tcp:/, 'mqtt:')}</code>.
                </span>
              ) : (
                <span>
                  No embedded MQTT broker here: run <code>peregrine server</code> (it starts one), or <code>npm run brokers -- up mosquitto --port 1883</code>.
                </span>
              )}
            </p>
            <Button variant="primary" icon="play" disabled={!!busy} onClick={() => void useFirstRun.getState().start()} data-testid="first-run-start">
              {busy === 'start' ? 'Adding…' : 'Add the getting-started flows and watch'}
            </Button>
          </div>
          <div className="fr-diagram" aria-hidden>
            <span className="fr-node">
              <Icon name="clock" size={16} /> simulator
            </span>
            <span className="fr-arrow" />
            <span className="fr-node accent">
              <Icon name="mqtt" size={16} /> MQTT
            </span>
            <span className="fr-arrow" />
            <span className="fr-node">
              <Icon name="zap" size={16} /> sensor-alerts
            </span>
          </div>
        </div>
        {gallery.length > 0 && (
          <>
            <h2 className="fr-h2">Sample flows by use case</h2>
            <div className="fr-gallery">
              {gallery.map((g) => (
                <div key={g.name} className="card fr-sample" data-testid="gallery-sample" data-name={g.name}>
                  <div className="fr-sample-head">
                    <strong>{g.title}</strong>
                  </div>
                  <p className="muted small">{g.useCase}</p>
                  <div className="fr-brokers">
                    {g.brokers.map((b) => (
                      <span className="tag" key={b}>
                        <Icon name={BROKER_ICON[b] ?? 'box'} size={11} /> {b}
                      </span>
                    ))}
                  </div>
                  {g.feed.length > 0 && (
                    <button type="button" className="link-btn small" onClick={() => setOpen(open === g.name ? undefined : g.name)}>
                      {open === g.name ? 'Hide' : 'How to feed it'}
                    </button>
                  )}
                  {open === g.name && <pre className="code fr-feed">{g.feed.join('\n')}</pre>}
                  <div className="fr-sample-foot">
                    <Button className="btn-sm" icon="file-plus" disabled={!!busy} onClick={() => void useFirstRun.getState().use(g.name)} data-testid="gallery-use">
                      {busy === g.name ? 'Adding…' : 'Use this'}
                    </Button>
                  </div>
                </div>
              ))}
            </div>
          </>
        )}
      </div>
    </section>
  );
}

/** The home page, with the first-run offer above it while the workspace is empty. */
export function withFirstRun(Inner: ComponentType<{ params: Params }>): ComponentType<{ params: Params }> {
  return function Home(props: { params: Params }) {
    const empty = useWorkspace((s) => s.loaded && !s.error && s.flows.length === 0 && s.problems.length === 0);
    if (!empty) return <Inner {...props} />;
    return (
      <div className="first-run-page">
        <FirstRun />
        <Inner {...props} />
      </div>
    );
  };
}
