// The flow editor's state. The YAML text is the one source of truth: graph edits, form edits and
// typing all produce a new text, pushed on a history of texts (undo/redo span every view). The
// engine validates the text and draws its graph after a short pause; while the text does not
// parse, the graph keeps its last good shape and says why.
import { create } from 'zustand';
import type { FlowSummary } from '../../../main/api/contract';
import type { FlowError } from '../../../main/flow/errors';
import type { FlowGraph } from '../../../main/flow/graph';
import { bridge } from '../../app/bridge';
import { toast } from '../../app/app-store';
import { flowPath, navigate } from '../../app/router';
import { applyEdit, EditError, linesOf, type GraphEdit } from './edits';
import { formatSource } from './format';

export type ViewMode = 'yaml' | 'graph' | 'split';

export interface Buffer {
  key: string;
  namespace?: string;
  id?: string;
  file?: string;
  /** The text as saved (drafts: ''). */
  saved: string;
  history: string[];
  index: number;
  group?: { name: string; at: number };
  disabled?: boolean;
  revision?: number;
  /**
   * A workspace file that does not load, opened from its text (flows.list problems): "kept" uses
   * Kestra plugins not run locally (saved and deployable, never run here); "broken" has errors.
   */
  problem?: 'kept' | 'broken';
}

export interface EditorState {
  buffers: Record<string, Buffer>;
  current?: string;
  source: string;
  loading: boolean;
  loadError?: string;
  view: ViewMode;
  /** The engine's validation of `source` (once analysed). */
  errors: FlowError[];
  analyzing: boolean;
  analyzedSource?: string;
  /** The last graph the engine could draw. */
  graph?: FlowGraph;
  /** The latest text does not parse: the graph shows its last good shape. */
  graphBroken?: FlowError;
  saveErrors: FlowError[];
  saving: boolean;
  /** The selected task or trigger (`tasks[1].then[0]`), or undefined for the flow. */
  selected?: string;
  /** A request to the YAML editor to show a place (n changes on each request). */
  reveal?: { line: number; column: number; endLine?: number; n: number };
  formatOnSave: boolean;

  open(namespace: string, id: string): Promise<void>;
  /** An unsaved flow; with `file`, a workspace file that does not load (saved back to it). */
  openDraft(source: string, file?: string): string;
  close(key: string): void;
  setSource(text: string, opts?: { group?: string }): void;
  edit(edit: GraphEdit, opts?: { group?: string; select?: boolean }): boolean;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  save(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
  select(path: string | undefined, opts?: { reveal?: boolean }): void;
  revealLine(line: number, column?: number, endLine?: number): void;
  setView(view: ViewMode): void;
  toggleView(): void;
  setFormatOnSave(on: boolean): void;
  /** Re-reads the open flow from the engine when the file changed and nothing is unsaved. */
  refreshFromEngine(): Promise<void>;
  analyzeNow(): Promise<void>;
}

const HISTORY_LIMIT = 300;
const GROUP_MS = 1200;
const ANALYZE_MS = 300;
const VIEW_KEY = 'peregrine.editor.view';
let draftCounter = 0;
let analyzeTimer: ReturnType<typeof setTimeout> | undefined;

export const flowKey = (namespace: string, id: string): string => `${namespace}/${id}`;
export const isDirty = (b: Buffer | undefined): boolean => !!b && b.history[b.index] !== b.saved;

const storedView = (): ViewMode => {
  try {
    const v = localStorage.getItem(VIEW_KEY);
    return v === 'yaml' || v === 'graph' || v === 'split' ? v : 'split';
  } catch {
    return 'split';
  }
};

const errorAt = (message: string): FlowError => ({ line: 1, column: 1, path: '', message, severity: 'error' });

export const useEditor = create<EditorState>((set, get) => {
  const cur = (): Buffer | undefined => {
    const { current, buffers } = get();
    return current ? buffers[current] : undefined;
  };

  const putBuffer = (b: Buffer, extra: Partial<EditorState> = {}) => {
    set((s) => ({ buffers: { ...s.buffers, [b.key]: b }, ...(s.current === b.key ? { source: b.history[b.index] } : {}), ...extra }));
  };

  const schedule = () => {
    clearTimeout(analyzeTimer);
    set({ analyzing: true });
    analyzeTimer = setTimeout(() => void get().analyzeNow(), ANALYZE_MS);
  };

  const activate = (b: Buffer) => {
    set((s) => ({
      buffers: { ...s.buffers, [b.key]: b },
      current: b.key,
      source: b.history[b.index],
      loading: false,
      loadError: undefined,
      errors: [],
      saveErrors: [],
      graph: undefined,
      graphBroken: undefined,
      analyzedSource: undefined,
      selected: undefined,
    }));
    clearTimeout(analyzeTimer);
    void get().analyzeNow();
  };

  const fromSummary = (b: Buffer, f: FlowSummary, saved: string): Buffer => ({
    ...b, key: flowKey(f.namespace, f.id), namespace: f.namespace, id: f.id, file: f.file ?? b.file, saved, disabled: f.disabled, revision: f.revision, problem: undefined,
  });

  /** The buffer saved under its (maybe new) key; a saved draft or renamed flow moves to its own address. */
  const settleSaved = (before: Buffer, saved: Buffer) => {
    set((s) => {
      const { [before.key]: _old, ...rest } = s.buffers;
      return { buffers: { ...rest, [saved.key]: saved }, current: s.current === before.key ? saved.key : s.current, saveErrors: [] };
    });
    if (saved.key !== before.key && get().current === saved.key && saved.namespace && saved.id) navigate(flowPath(saved.namespace, saved.id), { replace: true });
  };

  /** A flow the engine lists as a problem (kept as "not supported locally", or broken but named). */
  const problemFlow = async (namespace: string, id: string) => {
    const r = await bridge().call('flows.list', {});
    return r.ok ? r.value.problems.find((p) => p.namespace === namespace && p.id === id) : undefined;
  };

  return {
    buffers: {},
    source: '',
    loading: false,
    view: storedView(),
    errors: [],
    analyzing: false,
    saveErrors: [],
    saving: false,
    formatOnSave: true,

    async open(namespace, id) {
      const key = flowKey(namespace, id);
      const existing = get().buffers[key];
      if (existing) {
        if (get().current !== key) activate(existing);
        return;
      }
      set({ loading: true, loadError: undefined, current: key, source: '' });
      const r = await bridge().call('flows.get', { namespace, id });
      if (get().current !== key) return;
      if (!r.ok) {
        // Not runnable here: it may be a file kept as "not supported locally" (or broken) — open its text.
        const p = r.error.code === 'NOT_FOUND' ? await problemFlow(namespace, id) : undefined;
        if (get().current !== key) return;
        if (p) activate({ key, namespace, id, file: p.file, saved: p.source, history: [p.source], index: 0, problem: p.notSupportedLocally ? 'kept' : 'broken' });
        else set({ loading: false, loadError: r.error.message });
        return;
      }
      const f = r.value;
      activate({ key, namespace, id, file: f.file, saved: f.source, history: [f.source], index: 0, disabled: f.disabled, revision: f.revision });
    },

    openDraft(source, file) {
      const key = `draft:${++draftCounter}`;
      activate({ key, saved: file ? source : '', history: [source], index: 0, ...(file ? { file, problem: 'broken' as const } : {}) });
      return key;
    },

    close(key) {
      const { [key]: _gone, ...rest } = get().buffers;
      set({ buffers: rest, ...(get().current === key ? { current: undefined, source: '', graph: undefined, errors: [] } : {}) });
    },

    setSource(text, opts = {}) {
      const b = cur();
      if (!b || text === b.history[b.index]) return;
      const now = Date.now();
      const history = b.history.slice(0, b.index + 1);
      const coalesce = opts.group && b.group?.name === opts.group && now - b.group.at < GROUP_MS && b.index > 0;
      if (coalesce) history[history.length - 1] = text;
      else history.push(text);
      const drop = Math.max(0, history.length - HISTORY_LIMIT);
      const next: Buffer = { ...b, history: history.slice(drop), index: history.length - 1 - drop, group: opts.group ? { name: opts.group, at: now } : undefined };
      putBuffer(next, { saveErrors: [] });
      schedule();
    },

    edit(edit, opts = {}) {
      const src = get().source;
      try {
        const r = applyEdit(src, edit);
        if (r.source === src) return true;
        get().setSource(r.source, { group: opts.group });
        if (opts.select !== false && r.path !== undefined && (edit.kind === 'insertTask' || edit.kind === 'addTrigger' || edit.kind === 'moveTask')) get().select(r.path);
        if (edit.kind === 'deleteTask') get().select(undefined);
        return true;
      } catch (e) {
        if (e instanceof EditError) {
          toast('error', e.message);
          return false;
        }
        throw e;
      }
    },

    undo() {
      const b = cur();
      if (!b || b.index === 0) return;
      putBuffer({ ...b, index: b.index - 1, group: undefined });
      schedule();
    },

    redo() {
      const b = cur();
      if (!b || b.index >= b.history.length - 1) return;
      putBuffer({ ...b, index: b.index + 1, group: undefined });
      schedule();
    },

    canUndo: () => (cur()?.index ?? 0) > 0,
    canRedo: () => {
      const b = cur();
      return !!b && b.index < b.history.length - 1;
    },

    async save() {
      const b = cur();
      if (!b || get().saving) return false;
      let src = get().source;
      if (get().formatOnSave) {
        const formatted = formatSource(src);
        if (formatted !== src) {
          get().setSource(formatted);
          src = formatted;
        }
      }
      set({ saving: true });
      const r = await bridge().call('flows.save', { source: src, ...(b.file ? { file: b.file } : {}) });
      set({ saving: false });
      if (!r.ok) {
        set({ saveErrors: [errorAt(r.error.message)] });
        toast('error', `Not saved: ${r.error.message}`);
        return false;
      }
      const kept = r.value.kept;
      if (kept) {
        // Written to its file and deployable, but not run here: saved all the same.
        const latest = cur() ?? b;
        settleSaved(b, { ...latest, key: flowKey(kept.namespace, kept.id), namespace: kept.namespace, id: kept.id, file: kept.file, saved: src, revision: undefined, problem: 'kept' });
        toast('success', `Saved ${kept.namespace}.${kept.id} to ${kept.file.split(/[\\/]/).pop()} — kept: it uses Kestra plugins not run locally (deployable, never run here)`);
        return true;
      }
      if (!r.value.ok || !r.value.flow) {
        const errors = r.value.errors.length ? r.value.errors : [errorAt('the engine refused the flow')];
        set({ saveErrors: errors });
        toast('error', `Not saved: ${errors.filter((e) => e.severity === 'error').length || errors.length} problem(s) — see Problems`);
        return false;
      }
      const latest = cur() ?? b;
      settleSaved(b, fromSummary({ ...latest }, r.value.flow, src));
      toast('success', `Saved ${r.value.flow.namespace}.${r.value.flow.id}${r.value.flow.file ? ` to ${r.value.flow.file.split(/[\\/]/).pop()}` : ''}`);
      return true;
    },

    async setEnabled(enabled) {
      const b = cur();
      if (!b?.namespace || !b.id || b.problem) {
        // Not saved yet, or not loaded by the engine: the toggle edits the text.
        get().edit(enabled ? { kind: 'unsetProperty', path: '', key: 'disabled' } : { kind: 'setProperty', path: '', key: 'disabled', value: true });
        return;
      }
      const r = await bridge().call('flows.setEnabled', { namespace: b.namespace, id: b.id, enabled });
      if (!r.ok || !r.value.ok) {
        toast('error', `Could not ${enabled ? 'enable' : 'disable'} the flow: ${r.ok ? r.value.errors[0]?.message ?? 'refused' : r.error.message}`);
        return;
      }
      const got = await bridge().call('flows.get', { namespace: b.namespace, id: b.id });
      if (!got.ok) return;
      const latest = cur();
      if (!latest || latest.key !== b.key) return;
      if (!isDirty(latest)) {
        // Same text as on disk before: take the engine's new text as a new history entry.
        const history = [...latest.history.slice(0, latest.index + 1), got.value.source];
        putBuffer({ ...latest, saved: got.value.source, history, index: history.length - 1, disabled: got.value.disabled, revision: got.value.revision });
        schedule();
      } else {
        // Unsaved changes: make the same change to them; the file already has it.
        putBuffer({ ...latest, disabled: got.value.disabled });
        get().edit(enabled ? { kind: 'unsetProperty', path: '', key: 'disabled' } : { kind: 'setProperty', path: '', key: 'disabled', value: true });
      }
      toast('success', `${b.namespace}.${b.id} ${enabled ? 'enabled' : 'disabled'}`);
    },

    select(path, opts = {}) {
      set({ selected: path });
      if (path && opts.reveal !== false) {
        const lines = linesOf(get().source, path);
        if (lines) get().revealLine(lines.start, 1, lines.end);
      }
    },

    revealLine(line, column = 1, endLine) {
      set((s) => ({ reveal: { line, column, endLine, n: (s.reveal?.n ?? 0) + 1 } }));
    },

    setView(view) {
      try {
        localStorage.setItem(VIEW_KEY, view);
      } catch {
        // ignore
      }
      set({ view });
    },

    toggleView() {
      const order: ViewMode[] = ['yaml', 'split', 'graph'];
      get().setView(order[(order.indexOf(get().view) + 1) % order.length]);
    },

    setFormatOnSave(formatOnSave) {
      set({ formatOnSave });
    },

    async refreshFromEngine() {
      const b = cur();
      if (!b?.namespace || !b.id || isDirty(b)) return;
      const r = await bridge().call('flows.get', { namespace: b.namespace, id: b.id });
      const latest = cur();
      if (!r.ok || !latest || latest.key !== b.key || isDirty(latest) || r.value.source === latest.saved) return;
      const history = [...latest.history.slice(0, latest.index + 1), r.value.source];
      putBuffer({ ...latest, saved: r.value.source, history, index: history.length - 1, disabled: r.value.disabled, revision: r.value.revision });
      schedule();
    },

    async analyzeNow() {
      clearTimeout(analyzeTimer);
      const src = get().source;
      const key = get().current;
      if (!key) return;
      set({ analyzing: true });
      const [v, g] = await Promise.all([bridge().call('flows.validate', { source: src }), bridge().call('flows.graph', { source: src })]);
      if (get().source !== src || get().current !== key) return; // a newer text is on its way
      const errors = v.ok ? v.value.errors : [errorAt(`validation failed: ${v.error.message}`)];
      if (g.ok && g.value.graph) set({ errors, graph: g.value.graph, graphBroken: undefined, analyzing: false, analyzedSource: src });
      else {
        const why = g.ok ? g.value.errors.find((e) => e.severity === 'error') ?? g.value.errors[0] ?? errorAt('the YAML does not parse') : errorAt(g.error.message);
        set({ errors, graphBroken: why, analyzing: false, analyzedSource: src });
      }
    },
  };
});

export const currentBuffer = (s: EditorState): Buffer | undefined => (s.current ? s.buffers[s.current] : undefined);
