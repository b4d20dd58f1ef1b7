// Flow trigger: starts this flow when another flow's execution ends, filtered by states,
// preconditions (upstream flows, all of which must have ended) and Kestra's older conditions.
import { z } from 'zod';
import { renderValue } from '../../expr';
import type { Execution } from '../../model/execution';
import type { LoadedFlow, TriggerSpec } from '../../model/flow';
import type { StateType } from '../../model/state';
import type { TriggerDefinition, TriggerEvent } from '../types';

const TERMINAL: StateType[] = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED'];

const upstream = z.object({ namespace: z.string(), flowId: z.string(), states: z.array(z.string()).optional() });
const condition = z.looseObject({ type: z.string() });

export const flowTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'flow',
  type: 'io.kestra.plugin.core.trigger.Flow',
  aliases: ['io.kestra.core.models.triggers.types.Flow'],
  title: 'Flow',
  description: "Starts an execution when another flow's execution ends.",
  category: 'Triggers',
  icon: 'git-branch',
  props: z.object({
    inputs: z.record(z.string(), z.any()).optional(),
    states: z.array(z.string()).optional().describe('End states that fire the trigger (all terminal states by default).'),
    preconditions: z
      .object({ id: z.string().optional(), flows: z.array(upstream).optional(), where: z.array(z.any()).optional(), timeWindow: z.any().optional() })
      .optional(),
    conditions: z.array(condition).optional(),
  }),
  outputs: {
    executionId: 'The upstream execution id',
    namespace: 'The upstream namespace',
    flowId: 'The upstream flow id',
    flowRevision: 'The upstream flow revision',
    state: 'The upstream end state',
    outputs: 'The upstream execution outputs',
  },
};

/** Upstream flows already seen for multi-flow preconditions, per trigger (kept in memory). */
const satisfied = new Map<string, Set<string>>();

/** The events a finished execution produces for `loaded`'s Flow triggers. */
export function flowTriggerEvents(loaded: LoadedFlow, execution: Execution): { spec: TriggerSpec; event: TriggerEvent }[] {
  const { flow } = loaded;
  if (execution.namespace === flow.namespace && execution.flowId === flow.id) return [];
  const out: { spec: TriggerSpec; event: TriggerEvent }[] = [];
  for (const spec of flow.triggers ?? []) {
    if (spec.disabled || (spec.type !== flowTrigger.type && !flowTrigger.aliases!.includes(spec.type))) continue;
    const states = (spec.states as string[] | undefined) ?? TERMINAL;
    if (!states.includes(execution.state.current)) continue;
    if (!conditionsHold(spec.conditions as any[] | undefined, execution)) continue;
    const flows = (spec.preconditions as { flows?: z.infer<typeof upstream>[] } | undefined)?.flows;
    if (flows?.length) {
      const match = flows.findIndex(
        (f) => f.namespace === execution.namespace && f.flowId === execution.flowId && (!f.states || f.states.includes(execution.state.current)),
      );
      if (match < 0) continue;
      const key = `${flow.namespace}/${flow.id}/${spec.id}`;
      const seen = satisfied.get(key) ?? new Set<string>();
      seen.add(String(match));
      if (seen.size < flows.length) {
        satisfied.set(key, seen);
        continue;
      }
      satisfied.delete(key);
    }
    const variables = {
      executionId: execution.id,
      namespace: execution.namespace,
      flowId: execution.flowId,
      flowRevision: execution.flowRevision,
      state: execution.state.current,
      outputs: execution.outputs ?? {},
      labels: execution.labels,
    };
    const inputs = spec.inputs
      ? renderValue(spec.inputs as Record<string, unknown>, { trigger: variables, flow: { id: flow.id, namespace: flow.namespace } })
      : undefined;
    out.push({ spec, event: { variables, dedupKey: execution.id, ...(inputs ? { inputs } : {}) } });
  }
  return out;
}

/** Kestra's older `conditions`: ExecutionFlow, ExecutionNamespace, ExecutionStatus. */
function conditionsHold(conditions: any[] | undefined, e: Execution): boolean {
  for (const c of conditions ?? []) {
    const type = String(c.type).split('.').pop();
    if (type === 'ExecutionFlowCondition' || type === 'ExecutionFlow') {
      if (c.namespace !== e.namespace || c.flowId !== e.flowId) return false;
    } else if (type === 'ExecutionNamespaceCondition' || type === 'ExecutionNamespace') {
      const cmp = c.comparison ?? (c.prefix ? 'PREFIX' : 'EQUALS');
      const ok = cmp === 'PREFIX' ? e.namespace.startsWith(c.namespace) : cmp === 'SUFFIX' ? e.namespace.endsWith(c.namespace) : e.namespace === c.namespace;
      if (!ok) return false;
    } else if (type === 'ExecutionStatusCondition' || type === 'ExecutionStatus') {
      if (c.in && !c.in.includes(e.state.current)) return false;
      if (c.notIn && c.notIn.includes(e.state.current)) return false;
    }
  }
  return true;
}
