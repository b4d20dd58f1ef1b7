import { describe, expect, it } from 'vitest';
import { applyPluginDefaults, loadFlow } from '../../../main/flow';
import type { Flow } from '../../../main/model/flow';
import { check } from './helpers';
import { testRegistry } from './registry';

const head = 'id: t\nnamespace: company.team\n';

describe('pluginDefaults are applied before validating properties', () => {
  it('a required property supplied by a default makes the task valid', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    values:\n      message: from defaults\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n';
    expect(check(src)).toEqual([]);
  });

  it('a prefix matches every type under it', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.plugin.core.log\n    values:\n      message: hi\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n';
    expect(check(src)).toEqual([]);
  });

  it('a default written with an alias applies to the current type name (and back)', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.core.tasks.log.Log\n    values:\n      message: hi\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n';
    expect(check(src)).toEqual([]);
  });

  it('a bad value from a default is reported where the default is, naming the task it broke', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    values:\n      level: LOUD\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([
      { at: '6:14', path: 'pluginDefaults[0].values.level', message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR but got LOUD (applied to tasks[0].level)' },
    ]);
  });

  it('a non-forced default does not override the task; a forced one does', () => {
    const base = 'pluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    FORCED\n    values:\n      level: LOUD\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    level: INFO\n';
    expect(check(head + base.replace('FORCED', 'forced: false'))).toEqual([]);
    expect(check(head + base.replace('FORCED', 'forced: true'))).toEqual([
      { at: '7:14', path: 'pluginDefaults[0].values.level', message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR but got LOUD (applied to tasks[0].level)' },
    ]);
  });

  it('an unknown property in a default of a known type is an error at its key (as Kestra checks)', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    values:\n      levle: WARN\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([
      { at: '6:7', path: 'pluginDefaults[0].values.levle', message: 'unknown property "levle" for io.kestra.plugin.core.log.Log: did you mean "level"?' },
    ]);
  });

  it('a default matching no known plugin is a warning with a suggestion', () => {
    const src = head + 'pluginDefaults:\n  - type: io.kestra.plugin.core.log.Logg\n    values: {}\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([
      { at: '4:11', path: 'pluginDefaults[0].type', message: 'io.kestra.plugin.core.log.Logg matches no plugin Peregrine knows: did you mean io.kestra.plugin.core.log.Log?', severity: 'warning' },
    ]);
  });

  it('defaults reach nested tasks and triggers; a prefix brings only the properties each plugin has', () => {
    const src =
      head +
      'pluginDefaults:\n  - type: io.kestra.plugin.core\n    values:\n      message: nested\n      key: k\n' +
      'tasks:\n  - id: i\n    type: io.kestra.plugin.core.flow.If\n    condition: true\n    then:\n      - id: a\n        type: io.kestra.plugin.core.log.Log\n' +
      'triggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n';
    expect(check(src)).toEqual([]);
    const { flow } = loadFlow(src, 'f.yaml', testRegistry());
    const out = applyPluginDefaults(flow!, testRegistry());
    expect(out.tasks[0]).not.toHaveProperty('message');
    expect((out.tasks[0].then as unknown[])[0]).toMatchObject({ message: 'nested' });
    expect(out.triggers?.[0]).toEqual({ id: 'w', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'k' });
  });
});

describe('applyPluginDefaults: the flow as the engine runs it', () => {
  const flow = loadFlow(
    head +
      'pluginDefaults:\n' +
      '  - type: io.kestra.plugin.core.log.Log\n    values:\n      level: DEBUG\n      message: default\n' +
      '  - type: io.kestra.plugin.core.log\n    forced: true\n    values:\n      level: WARN\n' +
      '  - type: io.kestra.plugin.core.log.Log\n    values:\n      level: TRACE\n' +
      'tasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: own\n' +
      '  - id: i\n    type: io.kestra.plugin.core.flow.If\n    condition: true\n    then:\n      - id: b\n        type: io.kestra.plugin.core.log.Log\n',
    'f.yaml',
    testRegistry(),
  ).flow as Flow;

  it('fills missing values, keeps the task own values, forced values win', () => {
    const out = applyPluginDefaults(flow, testRegistry());
    expect(out.tasks[0]).toEqual({ id: 'a', type: 'io.kestra.plugin.core.log.Log', message: 'own', level: 'WARN' });
    expect((out.tasks[1].then as unknown[])[0]).toEqual({ id: 'b', type: 'io.kestra.plugin.core.log.Log', message: 'default', level: 'WARN' });
  });

  it('does not touch the flow it was given, nor the pluginDefaults', () => {
    applyPluginDefaults(flow);
    expect(flow.tasks[0]).toEqual({ id: 'a', type: 'io.kestra.plugin.core.log.Log', message: 'own' });
    expect(applyPluginDefaults(flow).pluginDefaults).toBe(flow.pluginDefaults);
  });

  it('merges maps, the task winning', () => {
    const f = {
      id: 't', namespace: 'n',
      pluginDefaults: [{ type: 'x.Y', values: { headers: { a: '1', b: '1' } } }],
      tasks: [{ id: 'a', type: 'x.Y', headers: { b: '2' } }],
    } as unknown as Flow;
    expect(applyPluginDefaults(f).tasks[0]).toEqual({ id: 'a', type: 'x.Y', headers: { a: '1', b: '2' } });
  });
});
