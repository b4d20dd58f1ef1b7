// The "Deploy to Kestra" / "Pull from Kestra" dialog: the connection, what goes, progress, then
// the report — per flow: created / updated / valid / failed, with Kestra's validation errors as
// path + message — or one plain sentence when the server cannot be reached or refuses the login.
import { useEffect, useRef, type ReactNode } from 'react';
import type { DeployReport, DeployResult, PullResult } from '../../../main/api/contract';
import { navigate, flowPath } from '../../app/router';
import { Button, IconButton, Segmented, Spinner } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { ACTION_TONE, connectionProblem, inAppWording, reportConnectionProblem, splitErrorLine, summaryParts, type ConnectionProblem } from './report';
import { flowsOf, useDeploy, type AuthMode, type DeployTarget } from './store';
import './deploy.css';

function targetLabel(target: DeployTarget): string {
  if (target.kind === 'flow') {
    const name = target.namespace && target.id ? `${target.namespace}.${target.id}` : 'the flow in the editor';
    return target.source !== undefined ? `${name} (the editor’s text, unsaved changes included)` : name;
  }
  const n = flowsOf(target).length;
  if (target.kind === 'namespace') return `${n} flow${n === 1 ? '' : 's'} in ${target.namespace}`;
  return `all ${n} flow${n === 1 ? '' : 's'} of the workspace`;
}

export function DeployDialog() {
  const mode = useDeploy((s) => s.mode);
  const s = useDeploy();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!mode) return;
    setTimeout(() => form.current?.querySelector<HTMLElement>('input')?.focus(), 0);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && useDeploy.getState().close();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mode]);
  if (!mode) return null;
  const deploying = mode === 'deploy';
  const problems = s.problems();
  const title = deploying ? 'Deploy to Kestra' : 'Pull from Kestra';
  const done = !!(s.report || s.pulled || s.error);
  return (
    <div className="overlay" onMouseDown={s.close}>
      <div className="dialog deploy-dialog" role="dialog" aria-label={title} data-testid="deploy-dialog" data-mode={mode} onMouseDown={(e) => e.stopPropagation()}>
        <header className="dialog-head">
          <Icon name={deploying ? 'rocket' : 'download'} size={16} />
          <h3>{title}</h3>
          <IconButton icon="x" label="Close" onClick={s.close} />
        </header>
        <form
          ref={form}
          className="dialog-body"
          onSubmit={(e) => {
            e.preventDefault();
            void s.submit();
          }}
        >
          {deploying && (
            <p className={`deploy-target${problems.target ? ' bad' : ''}`} data-testid="deploy-target">
              <Icon name="layers" size={13} />
              <span>
                {targetLabel(s.target)}
                {problems.target && <span className="field-error"> — {problems.target}</span>}
              </span>
            </p>
          )}
          <fieldset className="deploy-fields" disabled={s.running}>
            <Field id="kestra-server" label="Server URL" error={problems.server}>
              <input id="kestra-server" className="input" value={s.server} onChange={(e) => s.set({ server: e.target.value })} placeholder="http://localhost:8080" autoComplete="url" spellCheck={false} />
            </Field>
            <div className="field">
              <div className="field-label">
                <span className="deploy-label">Authentication</span>
              </div>
              <Segmented<AuthMode>
                label="Authentication"
                value={s.auth}
                onChange={(auth) => s.set({ auth })}
                options={[
                  { value: 'none', label: 'None' },
                  { value: 'basic', label: 'Basic', title: 'User and password (Kestra OSS basic auth)' },
                  { value: 'token', label: 'Token', title: 'An API token (Kestra Enterprise / Cloud)' },
                ]}
              />
            </div>
            {s.auth === 'basic' && (
              <div className="deploy-row">
                <Field id="kestra-user" label="User" error={problems.user}>
                  <input id="kestra-user" className="input" value={s.user} onChange={(e) => s.set({ user: e.target.value })} autoComplete="username" spellCheck={false} />
                </Field>
                <Field id="kestra-password" label="Password">
                  <input id="kestra-password" className="input" type="password" value={s.password} onChange={(e) => s.set({ password: e.target.value })} autoComplete="current-password" />
                </Field>
              </div>
            )}
            {s.auth === 'token' && (
              <Field id="kestra-token" label="API token" error={problems.token}>
                <input id="kestra-token" className="input mono" type="password" value={s.token} onChange={(e) => s.set({ token: e.target.value })} autoComplete="off" spellCheck={false} />
              </Field>
            )}
            <div className="deploy-row">
              <Field id="kestra-tenant" label="Tenant" optional error={problems.tenant} help="Newer Kestra versions: main">
                <input id="kestra-tenant" className="input" value={s.tenant} onChange={(e) => s.set({ tenant: e.target.value })} placeholder="none" spellCheck={false} />
              </Field>
              <Field
                id="kestra-namespace"
                label={deploying ? 'Target namespace' : 'Namespace'}
                optional
                error={problems.namespace}
                help={deploying ? 'Replaces each flow’s namespace' : 'And those below it; empty: all flows'}
              >
                <input id="kestra-namespace" className="input" value={s.namespace} onChange={(e) => s.set({ namespace: e.target.value })} placeholder={deploying ? 'keep each flow’s' : 'all'} spellCheck={false} />
              </Field>
            </div>
            <label className="check deploy-dry">
              <input type="checkbox" checked={s.dryRun} onChange={(e) => s.set({ dryRun: e.target.checked })} data-testid="deploy-dry-run" />
              <span>{deploying ? 'Validate only (dry run): Kestra checks the flows, nothing is saved' : 'Dry run: show what would change, write nothing'}</span>
            </label>
            <p className="note">
              <Icon name="key" size={13} /> The password and token stay in memory for this session{deploying ? <>; secrets stay {'{{ secret(…) }}'} references</> : ''}.
            </p>
          </fieldset>

          {s.running && (
            <div className="deploy-progress" role="status" data-testid="deploy-progress">
              <Spinner /> {deploying ? `${s.dryRun ? 'Validating' : 'Deploying'} ${targetLabel(s.target)} on ${s.server.trim()}…` : `Pulling from ${s.server.trim()}…`}
            </div>
          )}
          {s.error && <ErrorBanner problem={connectionProblem(s.error, s.server.trim())} fallback={s.error} />}
          {s.report && <DeployReportView report={s.report} />}
          {s.pulled && <PullResultsView results={s.pulled} dryRun={s.dryRun} />}

          <footer className="dialog-foot">
            <Button onClick={s.close}>Close</Button>
            <Button variant="primary" icon={deploying ? 'rocket' : 'download'} type="submit" disabled={s.running || Object.keys(problems).length > 0} data-testid="deploy-submit">
              {s.running ? (deploying ? 'Deploying…' : 'Pulling…') : `${done ? 'Again: ' : ''}${deploying ? (s.dryRun ? 'Validate' : 'Deploy') : s.dryRun ? 'Check' : 'Pull'}`}
            </Button>
          </footer>
        </form>
      </div>
    </div>
  );
}

function Field({ id, label, optional, error, help, children }: { id: string; label: string; optional?: boolean; error?: string; help?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <div className="field-label">
        <label htmlFor={id} className="deploy-label">
          {label}
        </label>
        {optional && <span className="tag">optional</span>}
      </div>
      {children}
      {error ? <div className="field-error">{error}</div> : help && <div className="field-help">{help}</div>}
    </div>
  );
}

function ErrorBanner({ problem, fallback }: { problem?: ConnectionProblem; fallback: string }) {
  return (
    <div className="deploy-error" role="alert" data-testid="deploy-error" data-kind={problem?.kind ?? 'other'}>
      <Icon name="alert-circle" size={16} />
      <div>
        <div className="deploy-error-title">{problem?.title ?? inAppWording(fallback)}</div>
        {problem && <div className="deploy-error-detail mono">{problem.detail}</div>}
      </div>
    </div>
  );
}

function DeployReportView({ report }: { report: DeployReport }) {
  const connection = reportConnectionProblem(report);
  return (
    <section className="deploy-report" data-testid="deploy-report" data-ok={report.ok}>
      {connection && <ErrorBanner problem={connection} fallback="" />}
      <div className="deploy-summary" data-testid="deploy-summary">
        {summaryParts(report).map((p) => (
          <span key={p.action} className={`state-badge tone-${ACTION_TONE[p.action]}`} data-action={p.action}>
            <span className="dot" />
            {p.count} {p.action}
          </span>
        ))}
        <span className="muted deploy-server">on {report.server}</span>
      </div>
      <ul className="deploy-results" data-testid="deploy-results">
        {report.results.map((r, i) => (
          <DeployResultRow key={`${r.label}-${i}`} result={r} repeat={!!connection} />
        ))}
        {report.namespaceFiles.map((f) => (
          <li key={`${f.namespace}:${f.path}`} className="deploy-result" data-action={f.ok ? 'uploaded' : 'failed'}>
            <div className="deploy-result-head">
              <span className={`state-badge tone-${f.ok ? 'success' : 'danger'}`}>
                <span className="dot" />
                {f.ok ? 'uploaded' : 'failed'}
              </span>
              <span className="deploy-flow mono">
                {f.namespace}:{f.path}
              </span>
              <span className="deploy-label-file muted">namespace file</span>
            </div>
            {f.error && <ul className="deploy-errors"><li className="deploy-error-line">{inAppWording(f.error)}</li></ul>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DeployResultRow({ result: r, repeat }: { result: DeployResult; repeat: boolean }) {
  const name = r.namespace && r.id ? `${r.namespace}.${r.id}` : r.label;
  return (
    <li className="deploy-result" data-action={r.action} data-flow={r.namespace && r.id ? `${r.namespace}/${r.id}` : undefined}>
      <div className="deploy-result-head">
        <span className={`state-badge tone-${ACTION_TONE[r.action]}`}>
          <span className="dot" />
          {r.action}
        </span>
        <span className="deploy-flow mono" title={name}>
          {name}
        </span>
        {r.revision !== undefined && <span className="tag">rev {r.revision}</span>}
        <span className="deploy-label-file muted" title={r.label}>
          {r.label}
        </span>
      </div>
      {/* Every flow failing for the same connection reason: the banner above says it once. */}
      {r.errors.length > 0 && !repeat && (
        <ul className="deploy-errors">
          {r.errors.map((e, i) => {
            const line = splitErrorLine(inAppWording(e));
            return (
              <li key={i} className="deploy-error-line">
                {line.path && <code className="deploy-error-path">{line.path}</code>}
                <span>{line.message}</span>
              </li>
            );
          })}
        </ul>
      )}
      {r.warnings.length > 0 && (
        <ul className="deploy-errors warnings">
          {r.warnings.map((w, i) => (
            <li key={i} className="deploy-error-line">
              <Icon name="alert-triangle" size={12} /> <span>{w}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function PullResultsView({ results, dryRun }: { results: PullResult[]; dryRun: boolean }) {
  const count = (a: PullResult['action']) => results.filter((r) => r.action === a).length;
  const tone: Record<PullResult['action'], string> = { created: 'success', updated: 'running', unchanged: 'muted', failed: 'danger' };
  return (
    <section className="deploy-report" data-testid="pull-report">
      <div className="deploy-summary" data-testid="deploy-summary">
        {results.length === 0 && <span className="muted">The server has no flow here.</span>}
        {(['created', 'updated', 'unchanged', 'failed'] as const).filter((a) => count(a) > 0).map((a) => (
          <span key={a} className={`state-badge tone-${tone[a]}`} data-action={a}>
            <span className="dot" />
            {count(a)} {a}
          </span>
        ))}
        {dryRun && results.length > 0 && <span className="muted deploy-server">(dry run: nothing written)</span>}
      </div>
      <ul className="deploy-results" data-testid="deploy-results">
        {results.map((r) => (
          <li key={`${r.namespace}/${r.id}`} className="deploy-result" data-action={r.action} data-flow={`${r.namespace}/${r.id}`}>
            <div className="deploy-result-head">
              <span className={`state-badge tone-${tone[r.action]}`}>
                <span className="dot" />
                {r.action}
              </span>
              {r.action !== 'failed' && !dryRun ? (
                <a
                  className="deploy-flow mono"
                  href={`#${flowPath(r.namespace, r.id)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    useDeploy.getState().close();
                    navigate(flowPath(r.namespace, r.id));
                  }}
                >
                  {r.namespace}.{r.id}
                </a>
              ) : (
                <span className="deploy-flow mono">
                  {r.namespace}.{r.id}
                </span>
              )}
              {r.file && (
                <span className="deploy-label-file muted" title={r.file}>
                  {r.file.split(/[\\/]/).slice(-2).join('/')}
                </span>
              )}
            </div>
            {r.error && (
              <ul className="deploy-errors">
                <li className="deploy-error-line">{inAppWording(r.error)}</li>
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
