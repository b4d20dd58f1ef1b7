import { afterAll, describe, expect, it } from 'vitest';
import { transformValue } from '../../../main/plugins/transform/jsonata/transform-value';
import { compileJsonata, jsonataCompileCount, toPlainJson } from '../../../main/plugins/transform/jsonata/compile';
import { cleanupTestContexts, runTask } from './context';

afterAll(cleanupTestContexts);

const order = {
  order_id: 'ABC123',
  first_name: 'John',
  last_name: 'Doe',
  address: { city: 'Paris', country: 'France' },
  items: [
    { product_id: '001', name: 'Apple', quantity: 5, price_per_unit: 0.5 },
    { product_id: '002', name: 'Banana', quantity: 3, price_per_unit: 0.3 },
    { product_id: '003', name: 'Orange', quantity: 2, price_per_unit: 0.4 },
  ],
};

const expression = `{
  "order_id": order_id,
  "customer_name": first_name & ' ' & last_name,
  "address": address.city & ', ' & address.country,
  "total_price": $sum(items.(quantity * price_per_unit))
}`;

describe('JSONata TransformValue', () => {
  it('transforms JSON text (the Kestra documentation example)', async () => {
    const { outputs } = await runTask(transformValue, { from: JSON.stringify(order, null, 2), expression });
    expect(outputs).toEqual({
      value: { order_id: 'ABC123', customer_name: 'John Doe', address: 'Paris, France', total_price: 4.2 },
    });
  });

  it('reads `from` rendered from an expression, or a YAML value', async () => {
    const a = await runTask(transformValue, { from: '{{ trigger.value }}', expression: 'items[quantity > 2].name' }, { variables: { trigger: { value: JSON.stringify(order) } } });
    expect(a.outputs).toEqual({ value: ['Apple', 'Banana'] });
    const b = await runTask(transformValue, { from: order, expression: '$count(items)' });
    expect(b.outputs).toEqual({ value: 3 });
  });

  it('returns plain JSON: sequences become arrays, nothing becomes null', async () => {
    const seq = await runTask(transformValue, { from: order, expression: 'items.name' });
    const value = seq.outputs!.value as unknown[];
    expect(Array.isArray(value)).toBe(true);
    expect(Object.keys(value)).toEqual(['0', '1', '2']);
    expect((await runTask(transformValue, { from: order, expression: 'nothing.here' })).outputs).toEqual({ value: null });
    expect(toPlainJson({ a: undefined, b: [1, undefined], c: () => 1 })).toEqual({ b: [1, null] });
  });

  it('explains bad input and bad expressions', async () => {
    await expect(runTask(transformValue, { from: '{not json', expression: 'a' })).rejects.toThrow(/Failed to parse the JSON value passed through the `from` property/);
    await expect(runTask(transformValue, { from: '{}', expression: 'items[' })).rejects.toThrow(/Invalid JSONata expression/);
    await expect(runTask(transformValue, { from: '{}', expression: '$number("x")' })).rejects.toThrow(/Failed to evaluate the JSONata expression/);
  });

  it('stops runaway recursion at maxDepth', async () => {
    const recursive = '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(500))';
    await expect(runTask(transformValue, { from: '{}', expression: recursive, maxDepth: 50 })).rejects.toThrow(/maxDepth \(50\)/);
    expect((await runTask(transformValue, { from: '{}', expression: '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(20))' })).outputs).toEqual({ value: 20 });
  });

  it('compiles each expression once', async () => {
    const source = `$sum(items.quantity) + ${Math.random()}`;
    const before = jsonataCompileCount();
    for (let i = 0; i < 50; i++) await runTask(transformValue, { from: order, expression: source });
    expect(jsonataCompileCount() - before).toBe(1);
    // Same source, same bounds → the very same compiled expression; other bounds → a new one.
    expect(compileJsonata(source, { maxDepth: 1000, timeoutMs: 30_000 })).toBe(compileJsonata(source, { maxDepth: 1000, timeoutMs: 30_000 }));
    expect(compileJsonata(source, { maxDepth: 10, timeoutMs: 30_000 })).not.toBe(compileJsonata(source, { maxDepth: 1000, timeoutMs: 30_000 }));
  });

  it('evaluates the same compiled expression concurrently without mixing inputs', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => runTask(transformValue, { from: { n: i }, expression: 'n * 2' })));
    expect(runs.map((r) => r.outputs!.value)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
