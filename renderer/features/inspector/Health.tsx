// A trigger's health: its state, what that means in words, the last error, the counters, and the
// restart button.
import { useState } from 'react';
import type { TriggerHealth } from '../../../main/runtime/supervisor';
import { toast } from '../../app/app-store';
import { Button } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { shortType } from '../plugins/store';
import { fmtAgo, fmtCount, fmtRate } from '../viz/format';
import { healthSentence, useHealth } from './health';

export function TriggerState({ state }: { state: string | undefined }) {
  const s = state ?? 'STOPPED';
  return (
    <span className={`tstate tstate-${s}`} data-testid="trigger-state" data-state={s}>
      <span className="dot" />
      {s}
    </span>
  );
}

function Counter({ label, value, tone, testId, title }: { label: string; value: string; tone?: string; testId?: string; title?: string }) {
  return (
    <div className={`counter${tone ? ` ${tone}` : ''}`} data-testid={testId} title={title}>
      <span className="counter-value num">{value}</span>
      <span className="counter-label">{label}</span>
    </div>
  );
}

export function HealthStrip({ h, type }: { h: TriggerHealth | undefined; type?: string }) {
  const [restarting, setRestarting] = useState(false);
  if (!h) {
    return (
      <div className="health card" data-testid="health">
        <div className="health-main">
          <TriggerState state="STOPPED" />
          <span className="muted">Not running: the flow is disabled, has problems, or this trigger is not started by the engine.</span>
        </div>
      </div>
    );
  }
  const restart = async () => {
    setRestarting(true);
    const err = await useHealth.getState().restart(h);
    setRestarting(false);
    if (err) toast('error', err);
    else toast('info', `Restarting ${h.triggerId}`);
  };
  return (
    <div className={`health card health-${h.state}`} data-testid="health" data-state={h.state}>
      <div className="health-main">
        <TriggerState state={h.state} />
        <span className="health-words" title={healthSentence(h)}>
          {healthSentence(h)}
        </span>
        <span className="muted small nowrap" title={h.since}>
          since {fmtAgo(Date.parse(h.since))}
          {h.lastEventAt ? ` · last event ${fmtAgo(Date.parse(h.lastEventAt))}` : ''}
        </span>
        <span className="spacer" />
        <span className="tag" title={h.type}>
          {shortType(type ?? h.type)} · {h.mode}
        </span>
        <Button className="btn-sm" icon="refresh" disabled={restarting} onClick={() => void restart()} data-testid="trigger-restart">
          {restarting ? 'Restarting…' : 'Restart'}
        </Button>
      </div>
      {h.lastError && (
        <div className={`err-box${h.state === 'RUNNING' ? ' warn' : ''}`} data-testid="trigger-error">
          <Icon name="alert-triangle" size={14} />
          <span>
            {h.state === 'RUNNING' ? 'Last error (recovered): ' : ''}
            <span className="err-text">{h.lastError}</span>
          </span>
        </div>
      )}
      <div className="counters">
        <Counter label="received" value={fmtCount(h.received)} testId="count-received" />
        <Counter label="admitted" value={fmtCount(h.admitted)} testId="count-admitted" />
        <Counter label="failed" value={fmtCount(h.failed)} tone={h.failed ? 'bad' : undefined} testId="count-failed" title="Events that could not be admitted (bad payload, store error)" />
        <Counter label="duplicates" value={fmtCount(h.duplicates)} title="Redelivered events already admitted: not run twice" />
        <Counter label="in flight" value={fmtCount(h.inFlight)} title="Admitted, not finished (the consumer pauses at the cap)" />
        <Counter label="rate (10 s)" value={fmtRate(h.rate)} />
        <Counter label="lag" value={h.lag === undefined ? '—' : fmtCount(h.lag)} title="Messages waiting at the broker, when it tells" />
        <Counter label="restarts" value={fmtCount(h.restarts)} />
      </div>
    </div>
  );
}
