// Deploy flows to a Kestra server and pull them back, through its REST API. A flow is sent as
// its YAML text, unchanged except for an optional namespace override: secrets stay
// `{{ secret('…') }}` references, and a source holding the value of a local secret is never sent.
import fs from 'node:fs';
import path from 'node:path';
import { FLOW_ID, NAMESPACE } from '../flow';
import { KestraClient, KestraHttpError, validationMessages, type KestraClientOptions } from './client';
import { flowKeyOf, leakedSecret, peekFlowIds, setNamespace, workspaceFlows, type LocalSecret } from './source';

export interface DeployItem {
  /** Where the source came from (a file path, or a label such as "company.team.orders"). */
  label: string;
  source: string;
}

/** `unchanged`: the server already has this exact source (nothing sent, no new revision). */
export type DeployAction = 'created' | 'updated' | 'unchanged' | 'valid' | 'failed';

export interface DeployResult {
  label: string;
  namespace?: string;
  id?: string;
  action: DeployAction;
  /** The revision the server answered with. */
  revision?: number;
  /** Why it failed: Kestra's validation messages, or a local reason (one line each). */
  errors: string[];
  /** Kestra's warnings about the flow (deprecated properties, …). */
  warnings: string[];
}

export interface NamespaceFileUpload { namespace: string; path: string; content: Buffer }

export interface DeployOptions extends KestraClientOptions {
  /** Rewrite each flow's `namespace:` to this one before sending it. */
  namespace?: string;
  /** Ask the server's validation endpoint first (default true): clearer errors, nothing half-saved. */
  validate?: boolean;
  /** Only validate; create or update nothing. */
  dryRun?: boolean;
  /** Local secrets whose values must never be sent. */
  secrets?: readonly LocalSecret[];
  /** Namespace files to upload before the flows (namespaceFiles / read() in the flows use them). */
  namespaceFiles?: NamespaceFileUpload[];
}

export interface DeployReport {
  server: string;
  results: DeployResult[];
  namespaceFiles: { namespace: string; path: string; ok: boolean; error?: string }[];
  created: number;
  updated: number;
  failed: number;
  ok: boolean;
}

const messagesOf = (e: unknown): string[] => (e instanceof KestraHttpError ? e.messages : [e instanceof Error ? e.message : String(e)]);

/** A 404 on the flows API itself means the wrong path generation (or no Kestra there). */
function withPathHint(e: unknown, client: KestraClient, tenant: string | undefined): string[] {
  const lines = messagesOf(e);
  if (e instanceof KestraHttpError && e.status === 404) {
    lines.push(
      tenant
        ? `no Kestra flows API at ${client.base}/flows: check --tenant ${tenant} (older Kestra versions have no tenant in their paths)`
        : `no Kestra flows API at ${client.base}/flows: newer Kestra versions need a tenant (--tenant main)`,
    );
  }
  return lines;
}

/** Creates or updates each flow on the server; never throws for one flow's failure. */
export async function deployFlows(items: DeployItem[], options: DeployOptions): Promise<DeployReport> {
  const client = new KestraClient(options);
  const secrets = options.secrets ?? [];
  const report: DeployReport = { server: client.server, results: [], namespaceFiles: [], created: 0, updated: 0, failed: 0, ok: true };

  // Flows first checked here: nothing is sent for a source that cannot be a flow or leaks a secret.
  const ready: { result: DeployResult; source: string }[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    const result: DeployResult = { label: item.label, action: 'failed', errors: [], warnings: [] };
    report.results.push(result);
    let source = item.source;
    try {
      if (options.namespace) source = setNamespace(source, options.namespace);
    } catch (e) {
      result.errors.push(`cannot set the namespace: ${(e as Error).message}`);
      continue;
    }
    const ids = peekFlowIds(source);
    if (!ids) {
      result.errors.push('not a flow: the YAML does not parse, or it has no string id and namespace');
      continue;
    }
    Object.assign(result, ids);
    const leaked = leakedSecret(source, secrets);
    if (leaked) {
      result.errors.push(
        `holds the value of the local secret ${leaked.namespace ? `${leaked.namespace}/` : ''}${leaked.name}: not sent. ` +
          `Write {{ secret('${leaked.name}') }} instead and define the secret on the Kestra server.`,
      );
      continue;
    }
    const key = flowKeyOf(ids);
    if (seen.has(key)) {
      result.errors.push(`${key} is also defined by ${seen.get(key)}: not sent twice`);
      continue;
    }
    seen.set(key, item.label);
    ready.push({ result, source });
  }

  for (const f of options.namespaceFiles ?? []) {
    if (leakedSecret(f.content.toString('utf8'), secrets)) {
      report.namespaceFiles.push({ namespace: f.namespace, path: f.path, ok: false, error: 'holds the value of a local secret: not sent' });
      continue;
    }
    if (options.dryRun) continue;
    try {
      await client.uploadNamespaceFile(f.namespace, f.path, f.content);
      report.namespaceFiles.push({ namespace: f.namespace, path: f.path, ok: true });
    } catch (e) {
      report.namespaceFiles.push({ namespace: f.namespace, path: f.path, ok: false, error: messagesOf(e).join('; ') });
    }
  }

  for (const { result, source } of ready) {
    const { namespace, id } = result as Required<Pick<DeployResult, 'namespace' | 'id'>>;
    try {
      if (options.validate !== false || options.dryRun) {
        const [v] = await client.validateFlows([source]);
        const problems = v ? validationMessages(v) : [];
        result.warnings.push(...(v?.warnings ?? []));
        if (problems.length) {
          result.errors.push(...problems);
          continue;
        }
        if (options.dryRun) {
          result.action = 'valid';
          continue;
        }
      }
      const existing = await client.getFlow(namespace, id);
      if (existing?.source === source) {
        result.action = 'unchanged';
        result.revision = typeof existing.revision === 'number' ? existing.revision : undefined;
        continue;
      }
      const updated = existing && (await client.updateFlow(namespace, id, source));
      if (updated) {
        result.action = 'updated';
        result.revision = typeof updated.revision === 'number' ? updated.revision : undefined;
      } else {
        const created = await client.createFlow(source);
        result.action = 'created';
        result.revision = typeof created.revision === 'number' ? created.revision : undefined;
      }
    } catch (e) {
      result.errors.push(...withPathHint(e, client, options.tenant));
    }
  }

  for (const r of report.results) {
    if (r.action === 'failed' && !r.errors.length) r.errors.push('failed');
    if (r.action === 'created') report.created++;
    else if (r.action === 'updated') report.updated++;
    else if (r.action === 'failed') report.failed++;
  }
  report.ok = report.failed === 0 && report.namespaceFiles.every((f) => f.ok);
  return report;
}

/** One line per flow (`label: message` for each error) and a summary, as the CLI prints them. */
export function formatDeployReport(report: DeployReport): string[] {
  const lines: string[] = [];
  for (const f of report.namespaceFiles) {
    lines.push(f.ok ? `namespace file ${f.namespace}:${f.path}: uploaded` : `namespace file ${f.namespace}:${f.path}: ${f.error}`);
  }
  for (const r of report.results) {
    const what = r.namespace ? `${r.namespace}.${r.id}` : '';
    if (r.action === 'failed') for (const e of r.errors) lines.push(`${r.label}: ${e}`);
    else lines.push(`${r.label}: ${r.action}${what ? ` ${what}` : ''}${r.revision !== undefined ? ` (revision ${r.revision})` : ''}`);
    for (const w of r.warnings) lines.push(`${r.label}: warning: ${w}`);
  }
  const valid = report.results.filter((r) => r.action === 'valid').length;
  const unchanged = report.results.filter((r) => r.action === 'unchanged').length;
  const parts = [
    ...(valid ? [`${valid} valid`] : []),
    `${report.created} created`,
    `${report.updated} updated`,
    ...(unchanged ? [`${unchanged} unchanged`] : []),
    `${report.failed} failed`,
  ];
  lines.push(`${report.results.length} flow(s) to ${report.server}: ${parts.join(', ')}`);
  return lines;
}

// ── pull ──────────────────────────────────────────────────────────────────────

export interface PullResult {
  namespace: string;
  id: string;
  file?: string;
  action: 'created' | 'updated' | 'unchanged' | 'failed';
  error?: string;
}

export interface PullOptions extends KestraClientOptions {
  /** Only this namespace and the ones below it (all flows without it). */
  namespace?: string;
  /** The workspace folder the flows are written to, as <namespace>/<id>.yml. */
  flowsDir: string;
  /** Writes nothing; tells what would change. */
  dryRun?: boolean;
}

export interface RemoteFlow { namespace: string; id: string; source?: string; error?: string }

/** The server's flows (in `namespace` and below it, or all) with their sources. */
export async function fetchFlows(options: KestraClientOptions & { namespace?: string }): Promise<RemoteFlow[]> {
  const client = new KestraClient(options);
  const listed = (await client.searchFlows(options.namespace)).filter((f) => !f.deleted);
  const out: RemoteFlow[] = [];
  for (const summary of listed) {
    const remote: RemoteFlow = { namespace: String(summary.namespace), id: String(summary.id) };
    out.push(remote);
    // Both become path components of the file: only valid names are accepted.
    if (!NAMESPACE.test(remote.namespace) || !FLOW_ID.test(remote.id)) {
      remote.error = 'the server returned a flow whose namespace or id is not a valid name: not written';
      continue;
    }
    try {
      const flow = typeof summary.source === 'string' ? summary : await client.getFlow(remote.namespace, remote.id);
      if (typeof flow?.source === 'string') remote.source = flow.source; // exactly as the server returns it
      else remote.error = 'the server returned no source for this flow';
    } catch (e) {
      remote.error = messagesOf(e).join('; ');
    }
  }
  return out;
}

/** Where a pulled flow goes: over the workspace's own file for it (whatever its name), else <namespace>/<id>.yml. */
export function pullTarget(flowsDir: string, existing: Map<string, string>, remote: { namespace: string; id: string }): string {
  return existing.get(flowKeyOf(remote)) ?? path.join(flowsDir, remote.namespace, `${remote.id}.yml`);
}

/** Fetches flows from the server into the workspace folder, as the source Kestra returns. */
export async function pullFlows(options: PullOptions): Promise<PullResult[]> {
  const existing = new Map<string, string>();
  for (const f of workspaceFlows(options.flowsDir)) if (f.ids) existing.set(flowKeyOf(f.ids), f.file);
  const results: PullResult[] = [];
  for (const remote of await fetchFlows(options)) {
    const result: PullResult = { namespace: remote.namespace, id: remote.id, action: 'failed' };
    results.push(result);
    if (remote.source === undefined) {
      result.error = remote.error;
      continue;
    }
    const file = pullTarget(options.flowsDir, existing, remote);
    result.file = file;
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    result.action = before === undefined ? 'created' : before === remote.source ? 'unchanged' : 'updated';
    if (!options.dryRun && result.action !== 'unchanged') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, remote.source);
    }
  }
  return results;
}

/** `namespace.id: action (file)` lines and a summary, as the CLI prints them. */
export function formatPullResults(results: PullResult[], server: string): string[] {
  const lines = results.map((r) => `${r.namespace}.${r.id}: ${r.action}${r.error ? `: ${r.error}` : r.file ? ` (${r.file})` : ''}`);
  const n = (a: PullResult['action']) => results.filter((r) => r.action === a).length;
  lines.push(`${results.length} flow(s) from ${server}: ${n('created')} created, ${n('updated')} updated, ${n('unchanged')} unchanged, ${n('failed')} failed`);
  return lines;
}
