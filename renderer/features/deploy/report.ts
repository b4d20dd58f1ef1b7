// Reading a deploy report and Kestra's messages for people: a connection problem shared by every
// flow (server unreachable, credentials refused, wrong API path) becomes one plain sentence, and
// a validation line `tasks[0].type: Invalid type: …` splits into its path and its message.
import type { DeployReport, DeployResult } from '../../../main/api/contract';

export type ConnectionProblemKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'no-api';

export interface ConnectionProblem {
  kind: ConnectionProblemKind;
  /** One sentence saying what is wrong and what to check. */
  title: string;
  /** The server's (or the network's) own words. */
  detail: string;
}

/** The main/kestra client's wording speaks of CLI flags; the dialog has fields instead. */
export function inAppWording(line: string): string {
  return line
    .replace(/\(--user\/--password or --token\)/g, '(choose Basic or Token)')
    .replace(/--tenant ([A-Za-z0-9_-]+)/g, 'tenant “$1”');
}

/** What a connection-level message means, or undefined when it is about one flow. */
export function connectionProblem(message: string, server?: string): ConnectionProblem | undefined {
  const detail = inAppWording(message);
  const unreachable = /^cannot reach (\S+): (.+)$/.exec(message);
  if (unreachable) {
    return { kind: 'unreachable', title: `Cannot reach ${unreachable[1]}: is Kestra running there, and is the URL right?`, detail: unreachable[2] };
  }
  if (/^401 Unauthorized: the server refused/.test(message)) {
    return { kind: 'unauthorized', title: 'The server refused these credentials (401): check the user and password, or the token.', detail };
  }
  if (/^401 Unauthorized/.test(message)) {
    return { kind: 'unauthorized', title: 'The server needs credentials (401): choose Basic or Token and sign in.', detail };
  }
  if (/^403 Forbidden/.test(message)) {
    return { kind: 'forbidden', title: 'These credentials may not change flows on this server (403).', detail };
  }
  if (/^no Kestra flows API at /.test(message)) {
    return { kind: 'no-api', title: `No Kestra flows API at ${server ?? 'this address'}: check the tenant (newer Kestra versions use “main”, older ones none).`, detail };
  }
  return undefined;
}

/** The connection problem that made every flow fail, if one did (then the per-flow lines only repeat it). */
export function reportConnectionProblem(report: DeployReport): ConnectionProblem | undefined {
  const failed = report.results.filter((r) => r.action === 'failed');
  if (!failed.length || failed.length !== report.results.length) return undefined;
  const problems = failed.map((r) => r.errors.map((e) => connectionProblem(e, report.server)).find(Boolean));
  const first = problems[0];
  return first && problems.every((p) => p?.kind === first.kind) ? first : undefined;
}

export interface ErrorLine {
  /** Where in the flow (`tasks[0].type`, `flow.id`), when the line names a place. */
  path?: string;
  message: string;
}

/** `tasks[0].cases.a[1]: Invalid type: x` → path + message; a sentence stays whole. */
export function splitErrorLine(line: string): ErrorLine {
  const m = /^([A-Za-z_][\w-]*(?:\[\d+\]|\.[\w-]+)*): (.+)$/s.exec(line);
  // A single plain word before a colon is usually prose ("Illegal argument: …"), not a path.
  if (m && (/[.[]/.test(m[1]) || /^(id|namespace|tasks|triggers|inputs|errors|finally|labels|variables)$/.test(m[1]))) return { path: m[1], message: m[2] };
  return { message: line };
}

export type DisplayAction = DeployResult['action'];

/** "2 created · 1 updated · 1 failed" — only the counts that are not zero (dry runs: valid). */
export function summaryParts(report: DeployReport): { action: DisplayAction; count: number }[] {
  const count = (a: DisplayAction) => report.results.filter((r) => r.action === a).length;
  return (['created', 'updated', 'unchanged', 'valid', 'failed'] as const).map((action) => ({ action, count: count(action) })).filter((p) => p.count > 0);
}

export const ACTION_TONE: Record<DisplayAction, string> = {
  created: 'success', updated: 'running', valid: 'success', unchanged: 'muted', failed: 'danger',
};
