import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TaskSpec } from '../../../main/model/flow';
import type { PluginRegistry } from '../../../main/plugins/registry';
import type { EngineServices, TaskDefinition } from '../../../main/plugins/types';
import { TaskRenderer, type ExpressionScope } from '../../../main/runtime/rendering';

// renderProps only reaches the services for secret()/kv()/read(), which these templates do not use.
const renderer = new TaskRenderer({} as PluginRegistry, {} as EngineServices, {});
const def: TaskDefinition = {
  kind: 'task', type: 'test.Parse', title: 't', description: 'd', category: 'c',
  props: z.object({ from: z.any(), label: z.any().optional() }),
  valueProps: ['from'],
  run: async () => ({}),
};
const order = { order_id: 'A1', items: [{ quantity: 2, price: 1.5 }], note: 'x'.repeat(10) };
const vars = { flow: { id: 'f', namespace: 'n' }, trigger: { value: order, text: '{"a":1}', n: 3 } } as unknown as ExpressionScope;
const spec = (from: unknown, label?: unknown): TaskSpec => ({ id: 't', type: def.type, from, ...(label !== undefined ? { label } : {}) }) as TaskSpec;

describe('task properties: valueProps', () => {
  it('pass the map or list one {{ expression }} yields as the value itself, not its JSON text', () => {
    const props = renderer.renderProps(def, spec('{{ trigger.value }}'), vars);
    expect(props.from).toBe(order); // the same object: nothing serialised, nothing parsed
    expect(renderer.renderProps(def, spec(' {{ trigger.value.items }} '), vars).from).toBe(order.items);
  });

  it('render everything else as text, as Kestra does', () => {
    expect(renderer.renderProps(def, spec('{{ trigger.text }}'), vars).from).toBe('{"a":1}');
    expect(renderer.renderProps(def, spec('{{ trigger.n }}'), vars).from).toBe('3');
    expect(renderer.renderProps(def, spec('x {{ trigger.n }}'), vars).from).toBe('x 3');
    expect(typeof renderer.renderProps(def, spec('{{ trigger.value }}{{ trigger.n }}'), vars).from).toBe('string');
    // Only the properties the task declares: another one still gets the JSON text.
    expect(JSON.parse(renderer.renderProps(def, spec('{}', '{{ trigger.value }}'), vars).label as string)).toEqual(order);
  });
});
