// Public API: caching, renderValue identity, typed evaluate, env hooks, properties (fast-check) and a
// printed (never asserted) render micro-benchmark.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CACHE_SIZE, compileTemplate, evaluate, ExpressionError, hasExpression, javaNumber, registerFilter, render, renderValue,
  templateCacheSize, validateExpression, validateTemplate,
} from '../../../main/expr/index';
import { vars } from './fixtures';

describe('compiled templates are cached', () => {
  it('returns the same closure for the same source', () => {
    const a = compileTemplate('{{ trigger.value }}');
    const b = compileTemplate('{{ trigger.value }}');
    const c = compileTemplate('{{ trigger.data }}');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a({ trigger: { value: 'v' } })).toBe('v');
  });

  it('keeps the cache bounded', () => {
    for (let i = 0; i < CACHE_SIZE + 50; i++) compileTemplate(`{{ n + ${i} }}`);
    expect(templateCacheSize()).toBeLessThanOrEqual(CACHE_SIZE);
    expect(compileTemplate('{{ n + 1 }}')({ n: 1 })).toBe('2');
  });

  it('keeps a frequently used template across evictions (second chance)', () => {
    const hot = compileTemplate('{{ hot.template }}');
    for (let i = 0; i < CACHE_SIZE + 10; i++) {
      compileTemplate(`{{ cold + ${i} }}`);
      if (i % 100 === 0) compileTemplate('{{ hot.template }}');
    }
    expect(compileTemplate('{{ hot.template }}')).toBe(hot);
  });
});

describe('hasExpression and render of plain strings', () => {
  it.each([
    ['plain', false], ['{{ x }}', true], ['a {% if x %}', true], ['{ {x} }', false], ['{#c#}', false],
  ] as const)('%s -> %s', (s, has) => {
    expect(hasExpression(s)).toBe(has);
  });

  it('returns a string without expressions unchanged', () => {
    expect(render('no expression here', {})).toBe('no expression here');
  });
});

describe('renderValue', () => {
  it('renders strings inside maps and lists, keys included', () => {
    const input = { a: '{{ flow.id }}', list: ['x', '{{ flow.revision }}'], '{{ labels.env }}_key': 1, n: 5 };
    expect(renderValue(input, vars())).toEqual({ a: 'myflow', list: ['x', '3'], dev_key: 1, n: 5 });
  });

  it('returns the same object when nothing changes', () => {
    const input = { a: 'plain', list: ['x', { y: 1 }], n: null };
    expect(renderValue(input, vars())).toBe(input);
  });

  it('keeps untouched subtrees and copies changed containers', () => {
    const untouched = { k: ['v'] };
    const input = { changed: ['{{ flow.id }}'], untouched };
    const out = renderValue(input, vars());
    expect(out).not.toBe(input);
    expect(out.untouched).toBe(untouched);
    expect(out.changed).toEqual(['myflow']);
    expect(input.changed).toEqual(['{{ flow.id }}']);
  });
});

describe('evaluate returns typed values', () => {
  it.each([
    ['trigger.data.amount > 100', true],
    ['trigger.data.amount', 120.5],
    ['trigger.data.items | length', 2],
    ["trigger.data.status == 'PAID' and flow.revision >= 3", true],
    ['[1, 2]', [1, 2]],
    ["{'a': flow.id}", { a: 'myflow' }],
    ['inputs.optional_input', null],
    ['{{ flow.revision + 1 }}', 4],
    ["trigger.data.items | jq('.[].qty') | first", 2],
    ["'x' ~ 1", 'x1'],
  ] as const)('%s', (expr, expected) => {
    expect(evaluate(expr, vars())).toEqual(expected);
  });

  it('validates lone expressions', () => {
    expect(validateExpression('a and (b or c)')).toBeUndefined();
    expect(validateExpression('a and (b or')).toBeInstanceOf(ExpressionError);
  });
});

describe('engine hooks and runtime functions', () => {
  it('uses the timezone of the environment by default', () => {
    const t = '{{ "2024-01-15T10:00:00Z" | date("HH:mm") }}';
    expect(render(t, {}, { timezone: 'Asia/Tokyo' })).toBe('19:00');
    expect(render(t, {}, { timezone: 'UTC' })).toBe('10:00');
  });

  it('now() prints an ISO date-time with offset, in the requested zone', () => {
    const utc = render('{{ now() }}', {}, { timezone: 'UTC' });
    expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Math.abs(Date.parse(utc) - Date.now())).toBeLessThan(5000);
    expect(render('{{ now(timeZone="Asia/Kolkata") }}', {})).toMatch(/\+05:30$/);
    expect(render("{{ now() | date('yyyy') }}", {}, { timezone: 'UTC' })).toBe(String(new Date().getUTCFullYear()));
    const ts = Number(render("{{ now() | timestamp(timeZone='Europe/Paris') }}", {}));
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
  });

  it('uuid() and randomInt()', () => {
    const a = render('{{ uuid() }}', {});
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(render('{{ uuid() }}', {})).not.toBe(a);
    for (let i = 0; i < 50; i++) {
      const n = Number(render('{{ randomInt(1, 10) }}', {}));
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThan(10);
    }
  });

  it('printContext() prints the variables as JSON', () => {
    const ctx = JSON.parse(render('{% set extra = 1 %}{{ printContext() }}', { flow: { id: 'f' } }));
    expect(ctx).toEqual({ flow: { id: 'f' }, extra: 1 });
  });

  it('kv() passes namespace and errorOnMissing to the hook', () => {
    const calls: unknown[][] = [];
    render("{{ kv('k', 'ns', false) }}{{ kv('k2') }}", {}, { kv: (...args) => { calls.push(args); return 'x'; } });
    expect(calls).toEqual([['k', 'ns', false], ['k2', undefined, true]]);
  });

  it('registerFilter adds engine-specific filters', () => {
    registerFilter('shout', { nullIn: 'null', args: ['suffix'], fn: (v, [suffix]) => `${String(v).toUpperCase()}${suffix ?? '!'}` });
    expect(render("{{ 'hey' | shout }}{{ 'yo' | shout(suffix='?') }}", {})).toBe('HEY!YO?');
  });

  it('render() refuses runaway recursion', () => {
    expect(() => render('{{ render(vars.loop) }}', { vars: { loop: '{{ render(vars.loop) }}' } })).toThrow(/nested more than/);
  });
});

describe('properties', () => {
  it('text without delimiters renders unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('{')), (s) => render(s, {}) === s));
  });

  it('{{ x }} prints any string as is and ~ concatenates', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      return render('{{ a }}', { a }) === a && render('{{ a ~ b }}', { a, b }) === a + b && render('{{ a | length }}', { a }) === String(a.length);
    }));
  });

  it('toJson round-trips JSON values', () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(fc.property(json, (v) => {
      expect(JSON.parse(render('{{ v | toJson }}', { v }))).toEqual(v);
    }));
  });

  it('integer division and remainder follow Java', () => {
    const int = fc.integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(fc.property(int, int.filter((b) => b !== 0), (a, b) => {
      expect(evaluate('a / b', { a, b })).toBe(Math.trunc(a / b) + 0);
      expect(evaluate('a % b', { a, b })).toBe((a % b) + 0);
    }));
  });

  it('Java number printing reads back as the same double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const s = javaNumber(x);
      expect(Number(s)).toBe(x === 0 ? 0 : x);
      if (!Number.isInteger(x)) expect(s).toMatch(/^-?\d+\.\d+(E-?\d+)?$/);
    }));
  });

  // (from 1950: before that, zones had second offsets that a `XXX` offset drops, in Java too)
  it('iso formatting and timestampMilli round-trip any instant', () => {
    fc.assert(fc.property(fc.integer({ min: -631_152_000_000, max: 4_000_000_000_000 }), (ms) => {
      const iso = render('{{ d | date("iso", timeZone="America/Sao_Paulo") }}', { d: new Date(ms) });
      expect(Number(render('{{ d | timestampMilli }}', { d: iso }))).toBe(ms);
    }), { numRuns: 200 });
  });

  it('validateTemplate never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('{', '}', '%', '#', '-', ' ', 'a', "'", '"', '(', ')', '|', '[', ']', '.', '1') }), (s) => {
      const r = validateTemplate(s);
      return r === undefined || r instanceof ExpressionError;
    }), { numRuns: 500 });
  });
});

describe('micro-benchmark (printed, not asserted)', () => {
  it('render throughput', () => {
    const v = vars();
    // best of 5 rounds: other test files share the cores
    const measure = (name: string, fn: () => unknown, n = 100_000): void => {
      for (let i = 0; i < 20_000; i++) fn();
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) fn();
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
      }
      console.log(`[expr bench] ${name}: ${best.toFixed(0)} ns/render, ${(1e9 / best / 1e6).toFixed(2)} M renders/s`);
    };
    const simple = compileTemplate('{{ trigger.value }}');
    measure('compiled {{ trigger.value }}', () => simple(v));
    measure('render("{{ trigger.value }}") with cache lookup', () => render('{{ trigger.value }}', v));
    const mixed = compileTemplate('Order {{ trigger.data.id }} of {{ trigger.data.status | lower }}: {{ trigger.data.amount * 2 }} ({{ inputs.missing ?? "none" }})');
    measure('compiled mixed template', () => mixed(v));
    const loop = compileTemplate('{% for i in trigger.data.items %}{{ i.sku }}={{ i.qty * i.price }};{% endfor %}');
    measure('compiled for loop', () => loop(v));
    expect(simple(v)).toBe(v.trigger && (v.trigger as { value: string }).value);
  });
});
