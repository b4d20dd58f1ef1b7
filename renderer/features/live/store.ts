// Live numbers for the open flow's node faces: from the `executions` stream (coalesced batches),
// the last state and run count of each task and trigger, and of the flow itself.
import { create } from 'zustand';
import type { Execution } from '../../../main/model/execution';
import type { StateType } from '../../../main/model/state';
import { bridge } from '../../app/bridge';

export interface LiveStat {
  state: StateType;
  count: number;
}

interface LiveState {
  flowKey?: string;
  executions: Record<string, Execution>;
  tasks: Record<string, LiveStat>;
  triggers: Record<string, LiveStat>;
  flow?: LiveStat & { lastId: string };
  /** Follows one flow (the open one); returns the unsubscribe. */
  follow(namespace: string, flowId: string): () => void;
}

const KEEP = 300;

export function summarize(executions: Execution[]): Pick<LiveState, 'tasks' | 'triggers' | 'flow'> {
  const sorted = [...executions].sort((a, b) => Date.parse(a.state.startDate) - Date.parse(b.state.startDate));
  const tasks: Record<string, LiveStat> = {};
  const triggers: Record<string, LiveStat> = {};
  for (const e of sorted) {
    for (const tr of e.taskRunList ?? []) {
      const s = tasks[tr.taskId];
      tasks[tr.taskId] = { state: tr.state.current, count: (s?.count ?? 0) + 1 };
    }
    if (e.trigger?.id) {
      const s = triggers[e.trigger.id];
      triggers[e.trigger.id] = { state: e.state.current, count: (s?.count ?? 0) + 1 };
    }
  }
  const last = sorted[sorted.length - 1];
  return { tasks, triggers, flow: last ? { state: last.state.current, count: sorted.length, lastId: last.id } : undefined };
}

export const useLive = create<LiveState>((set, get) => ({
  executions: {},
  tasks: {},
  triggers: {},
  follow(namespace, flowId) {
    const key = `${namespace}/${flowId}`;
    set({ flowKey: key, executions: {}, tasks: {}, triggers: {}, flow: undefined });
    let alive = true;
    const apply = (list: Execution[]) => {
      if (!alive || get().flowKey !== key) return;
      const executions = { ...get().executions };
      for (const e of list) executions[e.id] = e;
      const ids = Object.keys(executions);
      if (ids.length > KEEP) {
        const oldest = ids.sort((a, b) => Date.parse(executions[a].state.startDate) - Date.parse(executions[b].state.startDate)).slice(0, ids.length - KEEP);
        for (const id of oldest) delete executions[id];
      }
      set({ executions, ...summarize(Object.values(executions)) });
    };
    const unsub = bridge().subscribe('executions', { namespace, flowId }, (batch) => apply(batch.events));
    void bridge().call('executions.search', { namespace, flowId, size: 100 }).then((r) => {
      if (r.ok) apply(r.value.results);
    });
    return () => {
      alive = false;
      unsub();
    };
  },
}));
