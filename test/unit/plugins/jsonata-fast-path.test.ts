// The fast path must give jsonata's answer or step aside: random expressions of its subset on
// random documents (nested arrays, missing fields, mixed types) are evaluated both ways.
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileJsonata, evaluateJsonata, hasFastPath, toPlainJson } from '../../../main/plugins/transform/jsonata/compile';
import { compileFastPath, Fallback } from '../../../main/plugins/transform/jsonata/fast-path';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const NAMES = ['a', 'b', 'c', 'items', 'qty', 'price'];

function randomValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.3) return [1, 2.5, -3, 0, 7, 'x', 'hello', true, false, null, 1e20, 0.1][Math.floor(r() * 12)];
  if (k < 0.65) return randomObject(r, depth + 1);
  return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
}

function randomObject(r: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const n of NAMES) if (r() < 0.5) o[n] = randomValue(r, depth);
  return o;
}

function randomPath(r: () => number): string {
  const steps = Array.from({ length: 1 + Math.floor(r() * 3) }, () => NAMES[Math.floor(r() * NAMES.length)]);
  return steps.join('.');
}

function randomExpression(r: () => number, depth = 0): string {
  const k = r();
  if (depth > 2 || k < 0.3) return randomPath(r);
  if (k < 0.4) return `${randomPath(r)} & ' ' & ${randomExpression(r, depth + 1)}`;
  if (k < 0.5) return `${randomExpression(r, depth + 1)} ${['+', '-', '*', '/', '%'][Math.floor(r() * 5)]} ${r() < 0.5 ? randomPath(r) : String(Math.floor(r() * 10))}`;
  if (k < 0.65) return `$${['sum', 'count', 'max', 'min', 'average'][Math.floor(r() * 5)]}(${randomPath(r)}${r() < 0.5 ? `.(${randomExpression(r, depth + 1)})` : ''})`;
  if (k < 0.8) return `${r() < 0.5 ? '$.' : ''}{ "x": ${randomExpression(r, depth + 1)}, "y": ${randomExpression(r, depth + 1)} }`;
  if (k < 0.9) return `${randomPath(r)}.(${randomExpression(r, depth + 1)})`;
  return `(${randomExpression(r, depth + 1)})`;
}

async function jsonataAnswer(source: string, input: unknown): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: toPlainJson(await jsonata(source).evaluate(input)) };
  } catch (e) {
    return { error: String((e as { code?: string }).code ?? e) };
  }
}

describe('JSONata fast path', () => {
  it("gives jsonata's answer on 4,000 random expression × document pairs, or steps aside", async () => {
    const r = rng(7);
    let fast = 0;
    let aside = 0;
    for (let i = 0; i < 4000; i++) {
      const source = randomExpression(r);
      const input = randomObject(r, 0);
      const evaluator = compileFastPath(jsonata(source).ast());
      expect(evaluator, `compiles to the fast path: ${source}`).toBeDefined();
      let got: unknown;
      try {
        got = toPlainJson(evaluator!(input));
      } catch (e) {
        if (e instanceof Fallback) {
          aside++;
          continue;
        }
        throw e;
      }
      fast++;
      const want = await jsonataAnswer(source, input);
      expect({ source, input, value: got }).toEqual({ source, input, value: want.value });
      expect(want.error, `${source} on ${JSON.stringify(input)}: jsonata failed where the fast path answered`).toBeUndefined();
    }
    // Most pairs are answered by the fast path itself: the comparison covers it.
    expect(fast).toBeGreaterThan(2 * aside);
  });

  it("answers Kestra's benchmark04 expression on an order as jsonata does", async () => {
    const source = `$.{
      "order_id": order_id,
      "customer_name": first_name & ' ' & last_name,
      "address": address.city & ', ' & address.country,
      "total_price": $sum(items.(quantity * price_per_unit))
    }`;
    const order = {
      order_id: 'ORD-1', first_name: 'John', last_name: 'Doe', address: { city: 'Paris', country: 'France' },
      items: Array.from({ length: 500 }, (_, i) => ({ quantity: 1 + (i % 9), price_per_unit: [9.99, 0.3, 1899.99][i % 3] })),
    };
    const expression = compileJsonata(source, { maxDepth: 100, timeoutMs: 1000 });
    expect(hasFastPath(expression)).toBe(true);
    expect(await evaluateJsonata(expression, order)).toEqual(await jsonata(source).evaluate(order));
  });

  it('leaves to jsonata what is outside the subset, and jsonata reports the errors', async () => {
    for (const source of ['items[qty > 1]', '$map(items, function($i) { $i.qty })', '$x := 1', 'a ? b : c', '$string(a)', '{ "k": 1, "k": 2 }', 'a{b: c}']) {
      expect(compileFastPath(jsonata(source).ast()), source).toBeUndefined();
    }
    const expression = compileJsonata('qty * 2', { maxDepth: 100, timeoutMs: 1000 });
    expect(hasFastPath(expression)).toBe(true);
    await expect(evaluateJsonata(expression, { qty: 'three' })).rejects.toMatchObject({ code: 'T2001' });
    // A top-level array goes to jsonata (its outer-sequence rules).
    const sum = compileJsonata('$sum(qty)', { maxDepth: 100, timeoutMs: 1000 });
    expect(await evaluateJsonata(sum, [{ qty: 1 }, { qty: 2 }])).toBe(3);
  });
});
