// Which field each plugin property gets, expression marking, and the run dialog's inputs.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PluginSummary } from '../../../main/api/contract';
import { expressionParts, fieldFor, orderedProperties, parseNumberish, type JsonSchema } from '../../../renderer/features/properties/schema';
import { fieldKind, initialValue, readInputs, toInputs } from '../../../renderer/features/run/inputs';
import { fakeEngine } from './fake-engine';

let plugins: Record<string, PluginSummary>;
const prop = (type: string, name: string): JsonSchema => (plugins[type].schema as JsonSchema).properties![name];

beforeAll(async () => {
  const r = await fakeEngine().call('plugins.list', {});
  if (!r.ok) throw new Error(r.error.message);
  plugins = Object.fromEntries(r.value.map((p) => [p.type, p]));
});

describe('fieldFor, on the real plugin schemas', () => {
  it('picks a field for each kind of property', () => {
    const log = 'io.kestra.plugin.core.log.Log';
    expect(fieldFor(prop(log, 'message'), 'message', undefined)).toEqual({ kind: 'string', multiline: false });
    expect(fieldFor(prop(log, 'message'), 'message', ['a', 'b'])).toEqual({ kind: 'list' });
    expect(fieldFor(prop(log, 'level'), 'level', 'INFO')).toEqual({ kind: 'enum', options: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], free: true });
    expect(fieldFor(prop('io.kestra.plugin.core.flow.Sleep', 'duration'), 'duration', 'PT5S')).toEqual({ kind: 'duration' });
    const http = 'io.kestra.plugin.core.http.Request';
    expect(fieldFor(prop(http, 'headers'), 'headers', undefined)).toEqual({ kind: 'map' });
    expect(fieldFor(prop(http, 'options'), 'options', undefined).kind).toBe('object');
    expect(fieldFor(prop(http, 'body'), 'body', undefined)).toEqual({ kind: 'string', multiline: true });
    expect(fieldFor(prop('io.kestra.plugin.core.flow.If', 'then'), 'then', undefined)).toEqual({ kind: 'tasks' });
    expect(fieldFor(prop('io.kestra.plugin.core.flow.Switch', 'cases'), 'cases', undefined)).toEqual({ kind: 'tasks' });
    expect(fieldFor(prop('io.kestra.plugin.core.flow.ForEach', 'concurrencyLimit'), 'concurrencyLimit', 2)).toEqual({ kind: 'number', integer: true });
    expect(fieldFor({ type: ['boolean', 'string'] }, 'allowFailure', undefined)).toEqual({ kind: 'boolean' });
    expect(fieldFor({ type: 'object', additionalProperties: {} }, 'x', { a: { deep: 1 } })).toEqual({ kind: 'yaml' });
  });

  it('every property of every plugin gets a field', () => {
    for (const p of Object.values(plugins)) {
      for (const { name, schema } of orderedProperties(p.schema as JsonSchema)) {
        expect(fieldFor(schema, name, undefined).kind, `${p.type}.${name}`).toMatch(/string|duration|number|boolean|enum|map|list|object|tasks|yaml/);
      }
    }
  });

  it('orders required properties first and leaves child-task lists out', () => {
    const names = orderedProperties(plugins['io.kestra.plugin.core.flow.If'].schema as JsonSchema).map((p) => p.name);
    expect(names).toEqual(['condition']);
    expect(orderedProperties(plugins['io.kestra.plugin.core.log.Log'].schema as JsonSchema).map((p) => [p.name, p.required])).toEqual([['message', true], ['level', false]]);
  });
});

describe('expressions and numbers', () => {
  it('marks {{ }} and {% %} parts, even unfinished ones', () => {
    expect(expressionParts('Hi {{ inputs.name }}!')).toEqual([{ text: 'Hi ', expr: false }, { text: '{{ inputs.name }}', expr: true }, { text: '!', expr: false }]);
    expect(expressionParts('{% if x %}a{% endif %}').filter((p) => p.expr).length).toBe(2);
    expect(expressionParts('open {{ inputs')).toEqual([{ text: 'open ', expr: false }, { text: '{{ inputs', expr: true }]);
    expect(expressionParts('plain')).toEqual([{ text: 'plain', expr: false }]);
  });

  it('reads numbers, keeps expressions as text', () => {
    expect(parseNumberish('42', true)).toBe(42);
    expect(parseNumberish('4.5', false)).toBe(4.5);
    expect(parseNumberish('4.5', true)).toBe('4.5');
    expect(parseNumberish('{{ inputs.n }}', true)).toBe('{{ inputs.n }}');
    expect(parseNumberish('  ', true)).toBeUndefined();
  });
});

describe('the run dialog inputs', () => {
  const INPUTS = fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/flows/valid/inputs.yaml'), 'utf8');
  const specs = readInputs(INPUTS);

  it('reads every input of the flow, with its type, default and choices', () => {
    expect(specs.map((s) => s.id)).toEqual(['name', 'count', 'ratio', 'enabled', 'at', 'day', 'slot', 'wait', 'payload', 'link', 'color', 'colors', 'ids', 'upload', 'token', 'config', 'mail', 'computed']);
    expect(specs.find((s) => s.id === 'color')).toMatchObject({ type: 'SELECT', values: ['RED', 'GREEN', 'BLUE'], required: false, defaults: 'RED' });
    expect(specs.find((s) => s.id === 'ratio')).toMatchObject({ required: false });
    expect(readInputs('inputs:\n  - name: who\n    type: STRING\n')).toEqual([{ id: 'who', type: 'STRING', required: true }]);
    expect(fieldKind('BOOL')).toBe('boolean');
    expect(fieldKind('ENUM')).toBe('select');
  });

  it('starts from the defaults (templated ones are left to the engine)', () => {
    const first = Object.fromEntries(specs.map((s) => [s.id, initialValue(s)]));
    expect(first).toMatchObject({ name: 'Ada', count: '5', enabled: true, color: 'RED', payload: '{"a": 1}', computed: '', wait: 'PT5M' });
    expect(first.ids).toBe('[\n  1,\n  2\n]');
  });

  it('sends typed values and says what is wrong', () => {
    const values = Object.fromEntries(specs.map((s) => [s.id, initialValue(s)]));
    const ok = toInputs(specs, { ...values, count: '7', ratio: '0.5', colors: ['RED', 'BLUE'], at: '2024-01-15T10:30' });
    expect(ok.errors).toEqual({});
    expect(ok.inputs).toMatchObject({ name: 'Ada', count: 7, ratio: 0.5, enabled: true, color: 'RED', colors: ['RED', 'BLUE'], ids: [1, 2], payload: '{"a": 1}', wait: 'PT5M' });
    expect(typeof ok.inputs.at).toBe('string');
    expect(ok.inputs).not.toHaveProperty('computed');
    const bad = toInputs(specs, { ...values, count: 'many', payload: '{nope', wait: '5 minutes' });
    expect(Object.keys(bad.errors).sort()).toEqual(['count', 'payload', 'wait']);
    const req = toInputs([{ id: 'x', type: 'INT', required: true }], {});
    expect(req.errors).toEqual({ x: 'required' });
  });
});
