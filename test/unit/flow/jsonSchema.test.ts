import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { flowJsonSchema } from '../../../main/flow';
import { fixture } from './helpers';
import { validateJson } from './miniJsonSchema';
import { testRegistry } from './registry';

const schema = flowJsonSchema(testRegistry());
const doc = (yaml: string) => YAML.parse(yaml);

describe('flowJsonSchema', () => {
  it('is a draft 2020-12 object schema of the flow document', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['id', 'namespace', 'tasks']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['id', 'namespace', 'labels', 'inputs', 'variables', 'tasks', 'errors', 'finally', 'afterExecution', 'triggers', 'pluginDefaults', 'concurrency', 'outputs', 'retry', 'sla', 'disabled']),
    );
    expect(schema.properties.tasks).toMatchObject({ type: 'array', minItems: 1, items: { $ref: '#/$defs/task' } });
    expect(schema.properties.triggers.items).toEqual({ $ref: '#/$defs/trigger' });
    expect(schema.properties.namespace.pattern).toBe('^[a-z0-9][a-z0-9._-]*$');
  });

  it('tasks are an anyOf over every task plugin, told apart by a type const (aliases in an enum)', () => {
    const refs = schema.$defs.task.anyOf.map((r: { $ref: string }) => r.$ref);
    expect(refs).toEqual(expect.arrayContaining(['#/$defs/io.kestra.plugin.core.log.Log', '#/$defs/io.kestra.plugin.core.flow.Switch']));
    expect(refs).not.toContain('#/$defs/io.kestra.plugin.core.trigger.Webhook');
    expect(schema.$defs.trigger.anyOf).toEqual([{ $ref: '#/$defs/io.kestra.plugin.core.trigger.Webhook' }]);
    expect(schema.$defs['io.kestra.plugin.core.flow.If'].properties.type).toMatchObject({ const: 'io.kestra.plugin.core.flow.If' });
    expect(schema.$defs['io.kestra.plugin.core.log.Log'].properties.type).toMatchObject({
      enum: ['io.kestra.plugin.core.log.Log', 'io.kestra.core.tasks.log.Log'],
    });
  });

  it("a known task's properties appear, with titles and descriptions from its definition", () => {
    const logSchema = schema.$defs['io.kestra.plugin.core.log.Log'];
    expect(logSchema).toMatchObject({ title: 'Log', description: 'Logs a message.', type: 'object', additionalProperties: false });
    expect(logSchema.required).toEqual(expect.arrayContaining(['id', 'type', 'message']));
    expect(logSchema.properties.message.description).toBe('One message, or a list of messages.');
    expect(logSchema.properties.level).toMatchObject({ description: 'The log level.', default: 'INFO' });
    expect(logSchema.properties.level.anyOf[0].enum).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);
    // common task properties
    expect(Object.keys(logSchema.properties)).toEqual(expect.arrayContaining(['retry', 'timeout', 'allowFailure', 'disabled']));
    expect(logSchema.markdownDescription).toMatch(/\*\*Log\*\*/);
  });

  it('child task lists point back at the task definition, maps of lists too', () => {
    const ifSchema = schema.$defs['io.kestra.plugin.core.flow.If'];
    expect(ifSchema.properties.then).toMatchObject({ type: 'array', items: { $ref: '#/$defs/task' }, description: 'Tasks when true.' });
    const sw = schema.$defs['io.kestra.plugin.core.flow.Switch'];
    expect(sw.properties.cases.additionalProperties).toEqual({ type: 'array', items: { $ref: '#/$defs/task' } });
    expect(sw.properties.defaults.items).toEqual({ $ref: '#/$defs/task' });
  });

  it('inputs are an anyOf over input types', () => {
    const names = schema.$defs.input.anyOf.map((r: { $ref: string }) => r.$ref);
    expect(names).toContain('#/$defs/input.SELECT');
    expect(schema.$defs['input.SELECT'].properties.type).toEqual({ type: 'string', const: 'SELECT' });
    expect(schema.$defs['input.ARRAY'].required).toEqual(expect.arrayContaining(['type', 'itemType']));
  });

  it('every $ref resolves and the schema is plain JSON', () => {
    const text = JSON.stringify(schema);
    for (const [, name] of text.matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)) expect(schema.$defs).toHaveProperty([name]);
    expect(JSON.parse(text)).toEqual(schema);
  });

  it('accepts the valid fixtures (a small JSON Schema checker compiles them)', () => {
    for (const name of ['hello-webhook.yaml', 'flowable.yaml', 'inputs.yaml', 'legacy.yaml']) {
      expect(validateJson(schema, doc(fixture(`valid/${name}`))), name).toEqual([]);
    }
  });

  it('rejects what the validator rejects', () => {
    const bad = (yaml: string) => validateJson(schema, doc(yaml)).length > 0;
    expect(bad('id: a\nnamespace: b\ntasks: []\n')).toBe(true);
    expect(bad('id: a\nnamespace: B\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Log, message: m}\n')).toBe(true);
    expect(bad('id: a\nnamespace: b\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Log, mesage: m}\n')).toBe(true);
    expect(bad('id: a\nnamespace: b\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Logg, message: m}\n')).toBe(true);
    expect(bad('id: a\nnamespace: b\ntasks:\n  - {id: i, type: io.kestra.plugin.core.flow.If, condition: x, then: [{id: y, type: nope}]}\n')).toBe(true);
    expect(bad('id: a\nnamespace: b\ntaks: []\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Log, message: m}\n')).toBe(true);
    expect(bad('id: a\nnamespace: b\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Log, message: m}\n')).toBe(false);
  });
});
