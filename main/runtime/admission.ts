// Admission: an event becomes an execution row, committed, before anyone acknowledges it.
import type { Execution, Label } from '../model/execution';
import type { LoadedFlow, TriggerSpec } from '../model/flow';
import { newState, transition } from '../model/state';
import type { TriggerEvent } from '../plugins/types';
import { newId } from './ids';

export interface NewExecution {
  loaded: LoadedFlow;
  inputs: Record<string, unknown>;
  labels?: Record<string, string> | Label[];
  trigger?: { spec: TriggerSpec; event: TriggerEvent };
  parentId?: string;
}

/** Builds the execution document of a new execution (CREATED, or FAILED for an unreadable payload). */
export function buildExecution(req: NewExecution): Execution {
  const { loaded, trigger } = req;
  const id = newId();
  const execution: Execution = {
    id,
    namespace: loaded.flow.namespace,
    flowId: loaded.flow.id,
    flowRevision: loaded.revision,
    taskRunList: [],
    inputs: req.inputs,
    labels: mergeLabels(loaded.flow.labels, trigger?.spec.labels as Record<string, string> | Label[] | undefined, trigger?.event.labels, req.labels),
    state: newState(),
    originalId: id,
    ...(req.parentId ? { parentId: req.parentId } : {}),
    ...(trigger ? { trigger: { id: trigger.spec.id, type: trigger.spec.type, variables: trigger.event.variables } } : {}),
  };
  const failure = trigger?.event.failure;
  if (failure) {
    execution.error = failure.reason;
    execution.trigger!.variables = { ...trigger!.event.variables, raw: failure.raw };
    transition(execution.state, 'FAILED');
  }
  return execution;
}

function mergeLabels(...sources: (Record<string, string> | Label[] | undefined)[]): Label[] {
  const out = new Map<string, string>();
  for (const src of sources) {
    if (!src) continue;
    const pairs = Array.isArray(src) ? src.map((l) => [l.key, l.value] as const) : Object.entries(src);
    for (const [k, v] of pairs) out.set(k, String(v));
  }
  return [...out].map(([key, value]) => ({ key, value }));
}
