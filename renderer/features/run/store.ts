// Running the open flow: the inputs dialog (from the flow's `inputs`), `executions.create`, then the
// new execution followed live on the `executions` stream until it ends.
import { create } from 'zustand';
import type { Execution } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';
import { toast } from '../../app/app-store';
import { currentBuffer, isDirty, useEditor } from '../editor/store';
import { initialValue, readInputs, toInputs, type FieldValue, type InputSpec } from './inputs';

const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
export const isTerminalState = (s: string | undefined): boolean => !!s && TERMINAL.has(s);

interface RunState {
  open: boolean;
  specs: InputSpec[];
  values: Record<string, FieldValue>;
  errors: Record<string, string>;
  submitting: boolean;
  execution?: Execution;
  error?: string;
  openDialog(): void;
  close(): void;
  setValue(id: string, v: FieldValue): void;
  submit(): Promise<void>;
}

let stopWatching: (() => void) | undefined;


export const useRun = create<RunState>((set, get) => ({
  open: false,
  specs: [],
  values: {},
  errors: {},
  submitting: false,
  openDialog() {
    const specs = readInputs(useEditor.getState().source);
    const keep = get().values;
    const values = Object.fromEntries(specs.map((s) => [s.id, keep[s.id] ?? initialValue(s)]));
    set({ open: true, specs, values, errors: {}, error: undefined });
  },
  close() {
    set({ open: false });
  },
  setValue(id, v) {
    const { [id]: _gone, ...errors } = get().errors;
    set({ values: { ...get().values, [id]: v }, errors });
  },
  async submit() {
    if (get().submitting) return;
    const { specs, values } = get();
    const { inputs, errors } = toInputs(specs, values);
    if (Object.keys(errors).length) {
      set({ errors });
      return;
    }
    set({ submitting: true, error: undefined, execution: undefined });
    const editor = useEditor.getState();
    const b = currentBuffer(editor);
    if (!b) return set({ submitting: false });
    if (isDirty(b) || !b.namespace) {
      // Runs what is on disk: save first.
      if (!(await editor.save())) {
        set({ submitting: false, error: 'The flow has problems: fix them (see Problems) and run again.' });
        return;
      }
    }
    const saved = currentBuffer(useEditor.getState());
    if (!saved?.namespace || !saved.id) return set({ submitting: false, error: 'Save the flow first.' });
    // Follow the flow's executions from before the create call (the channel is ordered): an
    // execution that ends within milliseconds is not missed. Filtered by id once known.
    stopWatching?.();
    const watch: { id?: string; poll?: ReturnType<typeof setInterval> } = {};
    const early: Execution[] = [];
    const stop = () => {
      unsubscribe();
      clearInterval(watch.poll);
      if (stopWatching === stop) stopWatching = undefined;
    };
    const apply = (e: Execution) => {
      const cur = get().execution;
      if (cur?.id !== e.id) return;
      // Never go backwards (a read may lag the live executor).
      if (isTerminalState(cur.state.current) && !isTerminalState(e.state.current)) return;
      set({ execution: e });
      if (isTerminalState(e.state.current) && !isTerminalState(cur.state.current)) {
        stop();
        toast(e.state.current === 'SUCCESS' ? 'success' : 'error', `Execution ${e.id.slice(0, 8)} ${e.state.current}`);
      }
    };
    const unsubscribe = bridge().subscribe('executions', { namespace: saved.namespace, flowId: saved.id }, (batch) => {
      for (const e of batch.events) {
        if (!watch.id) early.push(e);
        else if (e.id === watch.id) apply(e);
      }
    });
    stopWatching = stop;
    const r = await bridge().call('executions.create', { namespace: saved.namespace, flowId: saved.id, inputs });
    set({ submitting: false });
    if (!r.ok) {
      stop();
      set({ error: r.error.message });
      return;
    }
    const execution = r.value;
    watch.id = execution.id;
    set({ execution });
    toast('info', `Execution ${execution.id.slice(0, 8)} started`);
    if (isTerminalState(execution.state.current)) return stop();
    for (const e of early) if (e.id === watch.id) apply(e);
    // A backstop for a lost event: ask now and then while it runs.
    watch.poll = setInterval(() => {
      void bridge().call('executions.get', { id: execution.id }).then((g) => g.ok && apply(g.value));
    }, 2000);
  },
}));
