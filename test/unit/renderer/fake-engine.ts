// A mock bridge answered by the engine's real code where it needs no running engine: the plugin
// catalogue, the flow JSON Schema, validation and the graph (main/flow with the real registry).
import { createCommands } from '../../../main/api/commands';
import { loadFlow } from '../../../main/flow';
import { createRegistry } from '../../../main/plugins';
import type { FlowDetail } from '../../../main/api/contract';
import { createMockBridge, type MockBridge } from '../../../renderer/bridge/mock-bridge';

export const registry = createRegistry();
const engineCommands = createCommands({ registry } as never, () => ({ maxInFlight: 1, retentionDays: 0, durability: 'NORMAL', embeddedMqtt: false }));

async function value<T>(p: Promise<{ ok: boolean; value?: T; error?: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error!.message);
  return r.value as T;
}

export interface FakeEngine extends MockBridge {
  files: Map<string, string>;
}

export function fakeEngine(extra: Parameters<typeof createMockBridge>[0] = {}): FakeEngine {
  const files = new Map<string, string>();
  const bridge = createMockBridge({
    'plugins.list': () => value(engineCommands('plugins.list', {})),
    'plugins.flowSchema': () => value(engineCommands('plugins.flowSchema', {})),
    'flows.graph': ({ source }) => value(engineCommands('flows.graph', { source })),
    'flows.validate': ({ source }) => ({ errors: loadFlow(source, undefined, registry).errors }),
    'flows.get': ({ namespace, id }): FlowDetail => {
      const source = files.get(`${namespace}/${id}`);
      if (source === undefined) throw new Error(`flow ${namespace}.${id} not found`);
      return { namespace, id, revision: 1, disabled: false, triggers: [], taskCount: 0, source, file: `/flows/${namespace}/${id}.yml` };
    },
    'flows.save': ({ source, file }) => {
      const { flow, errors } = loadFlow(source, undefined, registry);
      if (!flow || errors.some((e) => e.severity === 'error')) return { ok: false, errors };
      files.set(`${flow.namespace}/${flow.id}`, source);
      return { ok: true, errors, flow: { namespace: flow.namespace, id: flow.id, revision: 2, disabled: !!flow.disabled, triggers: [], taskCount: flow.tasks.length, file: file ?? `/flows/${flow.namespace}/${flow.id}.yml` } };
    },
    ...extra,
  });
  return Object.assign(bridge, { files });
}
