// The home page when no flow is open: samples to start from and recent flows.
import { flowPath, navigate } from '../../app/router';
import { Icon } from '../../ui/icons';
import { newFlowFromSample } from './actions';
import { SAMPLES } from './samples';
import { useWorkspace } from './store';

export function Welcome() {
  const flows = useWorkspace((s) => s.flows);
  return (
    <div className="welcome" data-testid="welcome">
      <div className="welcome-inner">
        <h1>
          <Icon name="feather" size={26} /> Design a flow
        </h1>
        <p className="muted">Type YAML or draw on the canvas — both stay in sync. Start from a sample:</p>
        <div className="sample-grid">
          {SAMPLES.map((s) => (
            <button key={s.id} type="button" className="sample-card" onClick={() => newFlowFromSample(s)} data-sample={s.id}>
              <span className="sample-icon">
                <Icon name={s.icon} size={20} />
              </span>
              <strong>{s.title}</strong>
              <small>{s.description}</small>
            </button>
          ))}
        </div>
        {flows.length > 0 && (
          <>
            <h2>Flows in the workspace</h2>
            <div className="recent">
              {flows.slice(0, 12).map((f) => (
                <button key={`${f.namespace}/${f.id}`} type="button" className="recent-item" onClick={() => navigate(flowPath(f.namespace, f.id))}>
                  <Icon name={f.triggers.length ? 'zap' : 'file'} size={14} />
                  <span>{f.id}</span>
                  <small>{f.namespace}</small>
                </button>
              ))}
            </div>
          </>
        )}
      </div>
    </div>
  );
}
