import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicTemplateCheck, loadFlow, setTemplateValidator } from '../../../main/flow';
import { check, fixture, withTasks } from './helpers';
import { testRegistry } from './registry';

// The built-in template check: these tests pin positions and messages whatever main/expr says.
beforeAll(() => setTemplateValidator(basicTemplateCheck));

describe('broken flows: line:col, path and message', () => {
  it('unknown type that is a typo of a known one', () => {
    expect(check(fixture('broken/unknown-type.yaml'))).toEqual([
      { at: '5:11', path: 'tasks[0].type', message: 'unknown task type io.kestra.plugin.core.log.Logg: did you mean io.kestra.plugin.core.log.Log?' },
      {
        at: '8:11',
        path: 'tasks[1].type',
        message: 'io.kestra.plugin.slack.SlackIncomingWebhook is a Kestra plugin that Peregrine does not run locally (Peregrine runs 6 task types)',
      },
    ]);
  });

  it('a Kestra plugin Peregrine does not run can be a warning (flow meant for a cluster)', () => {
    const errors = check(fixture('broken/unknown-type.yaml'), { unsupportedPlugins: 'warning' });
    expect(errors[1]).toMatchObject({ at: '8:11', severity: 'warning' });
  });

  it('unknown type that is nothing like a known one', () => {
    expect(check(withTasks('  - id: a\n    type: com.acme.Thing\n'))).toEqual([
      { at: '5:11', path: 'tasks[0].type', message: 'unknown task type com.acme.Thing (Peregrine runs 6 task types; see the palette)' },
    ]);
  });

  it('a bare class name finds its full type', () => {
    expect(check(withTasks('  - id: a\n    type: Log\n    message: hi\n'))).toEqual([
      { at: '5:11', path: 'tasks[0].type', message: 'unknown task type Log: did you mean io.kestra.plugin.core.log.Log?' },
    ]);
  });

  it('a trigger type under tasks', () => {
    expect(check(withTasks('  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n'))).toEqual([
      { at: '5:11', path: 'tasks[0].type', message: 'io.kestra.plugin.core.trigger.Webhook is a trigger, not a task: move it under triggers' },
    ]);
  });

  it('misspelt property names the nearest property of the plugin (and not "missing message" too)', () => {
    expect(check(fixture('broken/misspelt-property.yaml'))).toEqual([
      { at: '6:5', path: 'tasks[0].mesage', message: 'unknown property "mesage" for io.kestra.plugin.core.log.Log: did you mean "message"?' },
    ]);
  });

  it('wrong enum value', () => {
    const src = withTasks(
      '  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n' +
        '  - id: b\n    type: io.kestra.plugin.test.Format\n    format: XML\n',
    );
    expect(check(src)).toEqual([{ at: '9:13', path: 'tasks[1].format', message: 'expected one of STRING, JSON but got XML' }]);
  });

  it('wrong scalar types, inside lists too', () => {
    const src = withTasks(
      '  - id: b\n    type: io.kestra.plugin.test.Format\n    format: JSON\n    count: 1.5\n' +
        '  - id: c\n    type: io.kestra.plugin.core.log.Log\n    message: [ok, {a: 1}]\n    level: 3\n',
    );
    expect(check(src)).toEqual([
      { at: '7:12', path: 'tasks[0].count', message: 'expected an integer but got 1.5' },
      { at: '10:19', path: 'tasks[1].message[1]', message: 'expected a string but got a mapping' },
      { at: '11:12', path: 'tasks[1].level', message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR but got 3' },
    ]);
  });

  it('missing required property points at the task', () => {
    expect(check(withTasks('  - id: a\n    type: io.kestra.plugin.core.log.Log\n'))).toEqual([
      { at: '4:5', path: 'tasks[0]', message: 'missing required property message' },
    ]);
    expect(check(withTasks('  - id: a\n    message: hi\n'))).toEqual([{ at: '4:5', path: 'tasks[0]', message: 'missing required property type' }]);
  });

  it('missing tasks', () => {
    expect(check('id: test\nnamespace: company.team\n')).toEqual([
      { at: '1:1', path: '', message: 'missing required property tasks: a flow needs at least one task' },
    ]);
  });

  it('empty tasks', () => {
    expect(check('id: test\nnamespace: company.team\ntasks: []\n')).toEqual([
      { at: '3:8', path: 'tasks', message: 'tasks is empty: a flow needs at least one task' },
    ]);
    expect(check('id: test\nnamespace: company.team\ntasks:\n')).toEqual([
      { at: '3:1', path: 'tasks', message: 'tasks is empty: a flow needs at least one task' },
    ]);
  });

  it('duplicate task ids in nested branches name the first one', () => {
    expect(check(fixture('broken/duplicate-ids.yaml'))).toEqual([
      { at: '15:13', path: 'tasks[1].else[0].id', message: 'duplicate task id "hello": tasks[0] at line 4 already uses it' },
    ]);
  });

  it('duplicate ids across tasks, errors and finally; triggers have their own ids', () => {
    const src =
      'id: test\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n' +
      'finally:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: y\n' +
      'triggers:\n  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k1\n' +
      '  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k2\n';
    expect(check(src)).toEqual([
      { at: '8:9', path: 'finally[0].id', message: 'duplicate task id "a": tasks[0] at line 4 already uses it' },
      { at: '15:9', path: 'triggers[1].id', message: 'duplicate trigger id "a": triggers[0] at line 12 already uses it' },
    ]);
  });

  it('bad task id and bad flow id / namespace', () => {
    expect(check(withTasks('  - id: my task\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n'))).toEqual([
      { at: '4:9', path: 'tasks[0].id', message: '"my task" is not valid: an id uses letters, digits, "-" and "_" and starts with a letter or digit' },
    ]);
    expect(check('id: -x\nnamespace: Company.Team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n')).toEqual([
      { at: '1:5', path: 'id', message: '-x is not valid: a flow id uses letters, digits, ".", "-" and "_" and starts with a letter or digit' },
      { at: '2:12', path: 'namespace', message: 'Company.Team is not valid: a namespace uses lowercase letters, digits, ".", "-" and "_" (e.g. company.team)' },
    ]);
  });

  it('bad expression syntax inside a property', () => {
    const src = withTasks('  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: "Hello {{ inputs.name "\n');
    expect(check(src)).toEqual([{ at: '6:21', path: 'tasks[0].message', message: 'invalid expression: {{ is never closed: add }}' }]);
  });

  it('bad expression syntax inside a block scalar', () => {
    expect(check(fixture('broken/block-expression.yaml'))).toEqual([
      { at: '9:39', path: 'tasks[0].message', message: 'invalid expression: expected "}}" to close "{{" but found a single "}"' },
    ]);
  });

  it('unknown top-level key names the nearest known key', () => {
    expect(check('id: test\nnamespace: company.team\ntriggerz: []\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n')).toEqual([
      { at: '3:1', path: 'triggerz', message: 'unknown top-level property "triggerz": did you mean "triggers"?' },
    ]);
  });

  it('unknown input type, SELECT without values, ARRAY without itemType', () => {
    const src =
      'id: test\nnamespace: company.team\ninputs:\n' +
      '  - id: a\n    type: STRNG\n' +
      '  - id: b\n    type: SELECT\n' +
      '  - id: c\n    type: ARRAY\n' +
      '  - id: d\n    type: INT\n    defaults: many\n' +
      '  - id: a\n    type: STRING\n    minLenght: 2\n' +
      'tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([
      { at: '5:11', path: 'inputs[0].type', message: 'unknown input type "STRNG": did you mean STRING?' },
      { at: '6:5', path: 'inputs[1]', message: 'missing required property values: a SELECT input needs its list of choices (or an expression)' },
      { at: '8:5', path: 'inputs[2]', message: 'missing required property itemType' },
      { at: '12:15', path: 'inputs[3].defaults', message: 'the default value does not fit the input: expected an integer but got many' },
      { at: '13:9', path: 'inputs[4].id', message: 'duplicate input id "a": inputs[0] at line 4 already uses it' },
      { at: '15:5', path: 'inputs[4].minLenght', message: 'unknown property "minLenght" for a STRING input: did you mean "minLength"?' },
    ]);
  });

  it('top-level structure: concurrency, labels, outputs', () => {
    const src =
      'id: test\nnamespace: company.team\nlabels:\n  team: [a]\nconcurrency:\n  limit: 0\n  behavior: DROP\n' +
      'outputs:\n  - id: out\n    type: STRING\n' +
      'tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([
      { at: '4:9', path: 'labels.team', message: 'expected a string, a number or a boolean but got a list' },
      { at: '6:10', path: 'concurrency.limit', message: 'must be at least 1 but got 0' },
      { at: '7:13', path: 'concurrency.behavior', message: 'expected one of QUEUE, CANCEL, FAIL but got DROP' },
      { at: '9:5', path: 'outputs[0]', message: 'missing required property value' },
    ]);
  });

  it('a property a child task list holds is validated as tasks, Switch cases too', () => {
    const src = withTasks(
      '  - id: s\n    type: io.kestra.plugin.core.flow.Switch\n    value: x\n    cases:\n      A:\n' +
        '        - id: a1\n          type: io.kestra.plugin.core.log.Log\n          level: LOUD\n          message: a\n' +
        '      B: nope\n',
    );
    expect(check(src)).toEqual([
      { at: '11:18', path: 'tasks[0].cases.A[0].level', message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR but got LOUD' },
      { at: '13:10', path: 'tasks[0].cases.B', message: 'expected a list but got nope' },
    ]);
  });
});

describe('template syntax with the expression engine (main/expr, the default checker)', () => {
  beforeAll(() => setTemplateValidator());
  afterAll(() => setTemplateValidator(basicTemplateCheck));

  it('reports the engine message at the absolute position, in a block scalar too', () => {
    expect(check(fixture('broken/block-expression.yaml'))).toEqual([
      { at: '9:39', path: 'tasks[0].message', message: expect.stringMatching(/^invalid expression: /) },
    ]);
    const src = withTasks('  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: |\n      line one\n      {% if x %} never closed\n');
    expect(check(src)).toEqual([{ at: '8:7', path: 'tasks[0].message', message: expect.stringMatching(/^invalid expression: .*endif/) }]);
  });

  it('accepts what the engine parses', () => {
    expect(check(fixture('valid/hello-webhook.yaml'))).toEqual([]);
    expect(check(fixture('valid/inputs.yaml'))).toEqual([]);
  });
});

describe('valid flows', () => {
  for (const name of ['hello-webhook.yaml', 'flowable.yaml', 'inputs.yaml']) {
    it(`${name} has no error and no warning`, () => {
      expect(check(fixture(`valid/${name}`))).toEqual([]);
    });
  }

  it('errors carry the range of the node for the editor to underline', () => {
    const [unknown] = loadFlow(fixture('broken/misspelt-property.yaml'), 'f.yaml', testRegistry()).errors;
    expect(unknown).toMatchObject({ line: 6, column: 5, endLine: 6, endColumn: 11 }); // "mesage"
    const [missing] = loadFlow(withTasks('  - id: a\n    type: io.kestra.plugin.core.log.Log\n'), 'f.yaml', testRegistry()).errors;
    expect(missing).toMatchObject({ line: 4, column: 5, endLine: 4, endColumn: 10 }); // the task's first line only
  });

  it('older spellings give warnings only', () => {
    const result = loadFlow(fixture('valid/legacy.yaml'), 'legacy.yaml', testRegistry());
    expect(result.valid).toBe(true);
    expect(result.errors.map((e) => [e.line, e.column, e.path, e.severity])).toEqual([
      [5, 5, 'inputs[0].name', 'warning'],
      [8, 1, 'taskDefaults', 'warning'],
    ]);
    // Kestra reads `name` as the id and taskDefaults as pluginDefaults.
    expect(result.flow?.inputs?.[0].id).toBe('who');
    expect(result.flow?.pluginDefaults).toHaveLength(1);
  });

  it('null for an optional property is read as unset (as Jackson does)', () => {
    expect(check('id: test\nnamespace: company.team\ndescription:\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    description:\n')).toEqual([]);
  });

  it('templates are accepted wherever a typed value is expected', () => {
    expect(check(withTasks('  - id: b\n    type: io.kestra.plugin.test.Format\n    format: "{{ inputs.format }}"\n    count: "{{ inputs.n }}"\n'))).toEqual([]);
  });
});
