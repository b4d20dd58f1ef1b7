import { describe, expect, it } from 'vitest';
import { loadFlow, resolveInputs } from '../../../main/flow';
import type { InputSpec } from '../../../main/model/flow';
import { fixture } from './helpers';
import { testRegistry } from './registry';

const one = (input: Partial<InputSpec> & { type: string }, value?: unknown) =>
  resolveInputs({ inputs: [{ id: 'x', ...input } as InputSpec] }, value === undefined ? {} : { x: value });
const ok = (input: Partial<InputSpec> & { type: string }, value?: unknown) => {
  const r = one(input, value);
  expect(r.errors).toEqual([]);
  return r.values.x;
};
const fails = (input: Partial<InputSpec> & { type: string }, value?: unknown) => {
  const r = one(input, value);
  expect(r.values).not.toHaveProperty('x');
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0].id).toBe('x');
  return r.errors[0].message;
};

describe('resolveInputs: coercion', () => {
  it('INT from a string, FLOAT from a string', () => {
    expect(ok({ type: 'INT' }, '5')).toBe(5);
    expect(ok({ type: 'INT' }, -12)).toBe(-12);
    expect(ok({ type: 'FLOAT' }, '2.5')).toBe(2.5);
    expect(ok({ type: 'FLOAT' }, 3)).toBe(3);
  });
  it('INT refuses fractions, words and values beyond 32 bits', () => {
    expect(fails({ type: 'INT' }, '5.5')).toBe('expected an integer but got 5.5');
    expect(fails({ type: 'INT' }, 'five')).toBe('expected an integer but got five');
    expect(fails({ type: 'INT' }, 2 ** 40)).toMatch(/out of range for INT/);
    expect(fails({ type: 'FLOAT' }, 'abc')).toBe('expected a number but got abc');
  });
  it('BOOLEAN and BOOL from "true"/"false" in any case', () => {
    expect(ok({ type: 'BOOLEAN' }, 'true')).toBe(true);
    expect(ok({ type: 'BOOL' }, 'FALSE')).toBe(false);
    expect(ok({ type: 'BOOLEAN' }, false)).toBe(false);
    expect(fails({ type: 'BOOLEAN' }, 'yes')).toBe('expected true or false but got yes');
  });
  it('STRING keeps text, turns numbers into text, keeps the empty string', () => {
    expect(ok({ type: 'STRING' }, 42)).toBe('42');
    expect(ok({ type: 'STRING' }, '')).toBe('');
    expect(fails({ type: 'STRING' }, { a: 1 })).toBe('expected a string but got a mapping');
  });
  it('JSON from a string, or as given', () => {
    expect(ok({ type: 'JSON' }, '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(ok({ type: 'JSON' }, { a: 1 })).toEqual({ a: 1 });
    expect(fails({ type: 'JSON' }, '{"a":')).toMatch(/^invalid JSON: /);
  });
  it('YAML from a string', () => {
    expect(ok({ type: 'YAML' }, 'a: 1\nb: [x]\n')).toEqual({ a: 1, b: ['x'] });
    expect(fails({ type: 'YAML' }, 'a: [1')).toMatch(/^invalid YAML: /);
  });
  it('DATETIME to an ISO instant; a zone is required', () => {
    expect(ok({ type: 'DATETIME' }, '2024-01-15T12:30:00+02:00')).toBe('2024-01-15T10:30:00Z');
    expect(ok({ type: 'DATETIME' }, '2024-01-15T10:30:00.250Z')).toBe('2024-01-15T10:30:00.250Z');
    expect(ok({ type: 'DATETIME' }, new Date('2024-03-01T00:00:00Z'))).toBe('2024-03-01T00:00:00Z');
    expect(fails({ type: 'DATETIME' }, '2024-01-15 10:30')).toMatch(/^expected a date and time with a zone/);
  });
  it('DATE and TIME', () => {
    expect(ok({ type: 'DATE' }, '2024-02-29')).toBe('2024-02-29');
    expect(fails({ type: 'DATE' }, '2023-02-29')).toBe('expected a date such as 2024-01-15 but got 2023-02-29');
    expect(ok({ type: 'TIME' }, '23:59:30')).toBe('23:59:30');
    expect(fails({ type: 'TIME' }, '24:00')).toMatch(/^expected a time/);
  });
  it('DURATION is validated', () => {
    expect(ok({ type: 'DURATION' }, 'pt5m')).toBe('PT5M');
    expect(ok({ type: 'DURATION' }, 'P1DT2H')).toBe('P1DT2H');
    expect(fails({ type: 'DURATION' }, '5 minutes')).toBe('expected an ISO-8601 duration such as PT30S, PT5M or P1D but got "5 minutes"');
  });
  it('SELECT value must be one of values (unless custom values are allowed)', () => {
    expect(ok({ type: 'SELECT', values: ['A', 'B'] }, 'B')).toBe('B');
    expect(fails({ type: 'SELECT', values: ['A', 'B'] }, 'C')).toBe('expected one of A, B but got C');
    expect(ok({ type: 'SELECT', values: ['A', 'B'], allowCustomValue: true }, 'C')).toBe('C');
    expect(ok({ type: 'SELECT', values: ['1', '2'] }, 2)).toBe('2');
  });
  it('MULTISELECT from a list or a JSON list', () => {
    expect(ok({ type: 'MULTISELECT', values: ['A', 'B', 'C'] }, ['A', 'C'])).toEqual(['A', 'C']);
    expect(ok({ type: 'MULTISELECT', values: ['A', 'B'] }, '["B"]')).toEqual(['B']);
    expect(fails({ type: 'MULTISELECT', values: ['A', 'B'] }, ['A', 'Z'])).toBe('expected values among A, B but got Z');
  });
  it('ARRAY items coerced by itemType', () => {
    expect(ok({ type: 'ARRAY', itemType: 'INT' }, ['1', 2])).toEqual([1, 2]);
    expect(ok({ type: 'ARRAY', itemType: 'BOOLEAN' }, '[true, "false"]')).toEqual([true, false]);
    expect(fails({ type: 'ARRAY', itemType: 'INT' }, ['1', 'x'])).toBe('item 2: expected an integer but got x');
  });
  it('URI, EMAIL and FILE', () => {
    expect(ok({ type: 'URI' }, 'https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(fails({ type: 'URI' }, 'not a uri')).toMatch(/^expected a URI/);
    expect(ok({ type: 'EMAIL' }, 'ada@example.com')).toBe('ada@example.com');
    expect(fails({ type: 'EMAIL' }, 'ada@')).toBe('expected an email address but got ada@');
    expect(ok({ type: 'FILE' }, 'kestra:///company/team/f/executions/e/inputs/x/data.csv')).toMatch(/^kestra:\/\//);
    expect(fails({ type: 'FILE' }, 'data.csv')).toMatch(/^expected a file/);
  });
  it('FILE from the uploaded files', () => {
    const r = resolveInputs({ inputs: [{ id: 'f', type: 'FILE' }] }, {}, { files: { f: 'kestra:///n/f/upload.bin' } });
    expect(r).toEqual({ values: { f: 'kestra:///n/f/upload.bin' }, errors: [] });
  });
});

describe('resolveInputs: defaults, required and validators', () => {
  it('applies defaults, coerced', () => {
    expect(ok({ type: 'INT', defaults: '7' })).toBe(7);
    expect(ok({ type: 'ARRAY', itemType: 'STRING', defaults: ['a'] })).toEqual(['a']);
  });
  it('leaves defaults holding an expression for the engine to render', () => {
    expect(ok({ type: 'DATETIME', defaults: '{{ now() }}' })).toBe('{{ now() }}');
  });
  it('an empty form field falls back to the defaults (but is a value for STRING)', () => {
    expect(ok({ type: 'INT', defaults: 3 }, '')).toBe(3);
    expect(ok({ type: 'STRING', defaults: 'd' }, '')).toBe('');
  });
  it('a missing required input is an error; inputs are required by default', () => {
    expect(fails({ type: 'STRING' })).toBe('a value is required (the input is required and has no defaults)');
    expect(fails({ type: 'INT', required: true }, null)).toMatch(/^a value is required/);
  });
  it('a missing optional input is null', () => {
    expect(one({ type: 'STRING', required: false })).toEqual({ values: { x: null }, errors: [] });
  });
  it('validator is a full-match regular expression', () => {
    expect(ok({ type: 'STRING', validator: '[a-z]+' }, 'abc')).toBe('abc');
    expect(fails({ type: 'STRING', validator: '[a-z]+' }, 'abc1')).toBe('abc1 must match the pattern `[a-z]+`');
    expect(fails({ type: 'SECRET', validator: '\\d{4}' }, '12')).toBe('the value must match the pattern `\\d{4}`');
  });
  it('min / max, minLength / maxLength, after / before', () => {
    expect(fails({ type: 'INT', min: 1, max: 10 }, 0)).toBe('must be at least 1 but got 0');
    expect(fails({ type: 'FLOAT', max: 1 }, '1.5')).toBe('must be at most 1 but got 1.5');
    expect(fails({ type: 'STRING', minLength: 3 }, 'ab')).toBe('must be at least 3 characters long');
    expect(fails({ type: 'STRING', maxLength: 2 }, 'abc')).toBe('must be at most 2 characters long');
    expect(fails({ type: 'DURATION', min: 'PT1M' } as never, 'PT30S')).toBe('must be at least PT1M but got PT30S');
    expect(fails({ type: 'DATE', after: '2024-01-01' }, '2023-12-31')).toBe('must be after 2024-01-01 but got 2023-12-31');
    expect(fails({ type: 'DATETIME', before: '2024-01-01T00:00:00Z' }, '2024-06-01T00:00:00Z')).toMatch(/^must be before/);
  });
  it('keeps unknown provided inputs out and reads older `name` ids', () => {
    const r = resolveInputs({ inputs: [{ name: 'who', type: 'STRING' } as never] }, { who: 'Ada', extra: 1 });
    expect(r).toEqual({ values: { who: 'Ada' }, errors: [] });
  });
  it('reports every failing input, each by id', () => {
    const r = resolveInputs(
      { inputs: [{ id: 'a', type: 'INT' }, { id: 'b', type: 'BOOLEAN' }, { id: 'c', type: 'STRING', defaults: 'c' }] },
      { a: 'x', b: 'maybe' },
    );
    expect(r.values).toEqual({ c: 'c' });
    expect(r.errors.map((e) => e.id)).toEqual(['a', 'b']);
  });
  it('resolves every input of the valid fixture from defaults alone', () => {
    const { flow } = loadFlow(fixture('valid/inputs.yaml'), 'inputs.yaml', testRegistry());
    const r = resolveInputs(flow!, {});
    expect(r.errors).toEqual([]);
    expect(r.values).toMatchObject({ name: 'Ada', count: 5, enabled: true, at: '2024-01-15T10:30:00Z', wait: 'PT5M', payload: { a: 1 }, color: 'RED', ids: [1, 2], computed: '{{ now() }}', ratio: null });
  });
});
