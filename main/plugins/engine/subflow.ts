// Subflow: starts another flow's execution and (by default) waits for its end.
import { z } from 'zod';
import { p } from '../schema';
import type { TaskDefinition } from '../types';

export const subflowTask: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.core.flow.Subflow',
  aliases: ['io.kestra.core.tasks.flows.Subflow', 'io.kestra.core.tasks.flows.Flow'],
  title: 'Subflow',
  description: "Starts another flow's execution; waits for it and passes its outputs on.",
  category: 'Flow',
  icon: 'workflow',
  props: z.object({
    namespace: z.string(),
    flowId: z.string(),
    inputs: p.map().optional(),
    labels: z.union([z.record(z.string(), z.string()), z.array(z.object({ key: z.string(), value: z.string() }))]).optional(),
    wait: p.bool('Wait for the subflow execution to end.').default(true),
    transmitFailed: p.bool('Fail this task when the subflow execution fails.').default(true),
    inheritLabels: p.bool().default(false),
    revision: p.int().optional(),
    scheduleDate: z.string().optional(),
  }),
  outputs: { executionId: 'The subflow execution id', state: 'Its end state (with wait)', outputs: 'Its outputs (with wait)' },
  async run(ctx, props) {
    const start = ctx.services.startSubflow;
    if (!start) throw new Error('subflows are not available in this engine');
    const labels: Record<string, string> = {};
    if (props.inheritLabels) for (const l of ctx.execution.labels) labels[l.key] = l.value;
    const own = props.labels ?? {};
    for (const [k, v] of Array.isArray(own) ? own.map((l: { key: string; value: string }) => [l.key, l.value]) : Object.entries(own)) labels[k] = String(v);
    const { execution, done } = await start({
      namespace: props.namespace, flowId: props.flowId, inputs: props.inputs ?? {}, labels,
      parent: ctx.execution, parentTaskRun: ctx.taskRun, revision: props.revision,
    });
    ctx.logger.info(`Started subflow execution ${execution.id} of ${props.namespace}.${props.flowId}`);
    if (!props.wait) return { executionId: execution.id };
    const end = await new Promise<Awaited<typeof done>>((resolve, reject) => {
      done.then(resolve, reject);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    const failed = end.state.current === 'FAILED' || end.state.current === 'KILLED';
    if (failed && props.transmitFailed) throw new Error(`subflow execution ${end.id} ended ${end.state.current}`);
    return { executionId: end.id, state: end.state.current, outputs: end.outputs ?? {} };
  },
};
