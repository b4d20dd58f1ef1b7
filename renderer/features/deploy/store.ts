// "Deploy to Kestra" and "Pull from Kestra": what is sent (one flow, a namespace, everything),
// the connection (server, auth, tenant), the run and its report. The server, the auth mode and the
// tenant are remembered in localStorage; the user, password and token only in memory, for this
// session — never written anywhere.
import { create } from 'zustand';
import type { DeployReport, PullResult } from '../../../main/api/contract';
import { bridge } from '../../app/bridge';
import { useWorkspace } from '../workspace/store';

export type AuthMode = 'none' | 'basic' | 'token';

export type DeployTarget =
  /** One flow; `source` when the editor's text (unsaved changes included) is what goes. */
  | { kind: 'flow'; namespace?: string; id?: string; source?: string }
  | { kind: 'namespace'; namespace: string }
  | { kind: 'all' };

export interface FlowRef { namespace: string; id: string }

interface Remembered { server: string; auth: AuthMode; tenant: string }

const STORAGE_KEY = 'peregrine.kestra.connection';

function loadRemembered(): Remembered {
  const fallback: Remembered = { server: 'http://localhost:8080', auth: 'none', tenant: '' };
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<Remembered> | null;
    if (!v || typeof v !== 'object') return fallback;
    return {
      server: typeof v.server === 'string' ? v.server : fallback.server,
      auth: v.auth === 'basic' || v.auth === 'token' ? v.auth : 'none',
      tenant: typeof v.tenant === 'string' ? v.tenant : '',
    };
  } catch {
    return fallback;
  }
}

function remember(r: Remembered): void {
  try {
    // Only these three fields: credentials stay in memory.
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ server: r.server, auth: r.auth, tenant: r.tenant }));
  } catch {
    // storage full or blocked: nothing to remember, nothing lost
  }
}

export interface DeployState extends Remembered {
  mode?: 'deploy' | 'pull';
  target: DeployTarget;
  user: string;
  password: string;
  token: string;
  /** Deploy: rewrite each flow's namespace to this one. Pull: only this namespace (and below). */
  namespace: string;
  dryRun: boolean;
  running: boolean;
  report?: DeployReport;
  pulled?: PullResult[];
  /** The command itself failed (bad input, server unreachable for a pull, …). */
  error?: string;
  openDeploy(target: DeployTarget): void;
  openPull(namespace?: string): void;
  close(): void;
  set(patch: Partial<Pick<DeployState, 'server' | 'auth' | 'tenant' | 'user' | 'password' | 'token' | 'namespace' | 'dryRun'>>): void;
  /** Checks the form; a message per field that is wrong. */
  problems(): Partial<Record<'server' | 'user' | 'token' | 'tenant' | 'namespace' | 'target', string>>;
  submit(): Promise<void>;
}

/** The workspace flows (runnable, and kept as "not supported locally" or broken but named) in a namespace, or all. */
export function flowsOf(target: DeployTarget): FlowRef[] {
  const { flows, problems } = useWorkspace.getState();
  const all: FlowRef[] = [
    ...flows.map((f) => ({ namespace: f.namespace, id: f.id })),
    ...problems.flatMap((p) => (p.namespace && p.id ? [{ namespace: p.namespace, id: p.id }] : [])),
  ];
  const seen = new Set<string>();
  const unique = all.filter((f) => !seen.has(`${f.namespace}/${f.id}`) && !!seen.add(`${f.namespace}/${f.id}`));
  if (target.kind === 'namespace') return unique.filter((f) => f.namespace === target.namespace);
  if (target.kind === 'all') return unique;
  return target.namespace && target.id ? [{ namespace: target.namespace, id: target.id }] : [];
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

export const useDeploy = create<DeployState>((set, get) => ({
  ...loadRemembered(),
  target: { kind: 'all' },
  user: '',
  password: '',
  token: '',
  namespace: '',
  dryRun: false,
  running: false,

  openDeploy(target) {
    if (get().running) return;
    set({ mode: 'deploy', target, namespace: '', dryRun: false, report: undefined, pulled: undefined, error: undefined });
  },
  openPull(namespace = '') {
    if (get().running) return;
    set({ mode: 'pull', target: { kind: 'all' }, namespace, dryRun: false, report: undefined, pulled: undefined, error: undefined });
  },
  close() {
    // A deploy under way finishes on the engine; its answer is dropped with the dialog.
    set({ mode: undefined, running: false });
  },
  set(patch) {
    set(patch);
  },

  problems() {
    const s = get();
    const out: ReturnType<DeployState['problems']> = {};
    if (!/^https?:\/\/\S+$/.test(s.server.trim())) out.server = 'an http(s) URL such as http://localhost:8080';
    if (s.auth === 'basic' && !s.user.trim()) out.user = 'the user to sign in as';
    if (s.auth === 'token' && !s.token.trim()) out.token = 'the API token';
    if (s.tenant.trim() && !/^[A-Za-z0-9_-]+$/.test(s.tenant.trim())) out.tenant = 'letters, digits, _ and - only';
    if (s.namespace.trim() && !NAME.test(s.namespace.trim())) out.namespace = 'a namespace such as company.team';
    if (s.mode === 'deploy' && s.target.kind !== 'flow' && !flowsOf(s.target).length) out.target = 'no flow to deploy here';
    if (s.mode === 'deploy' && s.target.kind === 'flow' && !s.target.source && !flowsOf(s.target).length) out.target = 'save the flow first';
    return out;
  },

  async submit() {
    const s = get();
    if (s.running || !s.mode || Object.keys(s.problems()).length) return;
    const server = s.server.trim();
    const tenant = s.tenant.trim();
    remember({ server, auth: s.auth, tenant });
    const connection = {
      server,
      ...(tenant ? { tenant } : {}),
      ...(s.auth === 'basic' ? { user: s.user.trim(), password: s.password } : {}),
      ...(s.auth === 'token' ? { token: s.token.trim() } : {}),
    };
    const mode = s.mode;
    set({ running: true, report: undefined, pulled: undefined, error: undefined });
    if (mode === 'deploy') {
      const what = s.target.kind === 'flow' && s.target.source !== undefined ? { sources: [s.target.source] } : { flows: flowsOf(s.target) };
      const r = await bridge().call('kestra.deploy', { ...connection, ...what, ...(s.namespace.trim() ? { namespace: s.namespace.trim() } : {}), dryRun: s.dryRun });
      if (get().mode !== mode || !get().running) return; // closed meanwhile
      set(r.ok ? { running: false, report: r.value } : { running: false, error: r.error.message });
    } else {
      const r = await bridge().call('kestra.pull', { ...connection, ...(s.namespace.trim() ? { namespace: s.namespace.trim() } : {}), dryRun: s.dryRun });
      if (get().mode !== mode || !get().running) return;
      set(r.ok ? { running: false, pulled: r.value.results } : { running: false, error: r.error.message });
    }
  },
}));
