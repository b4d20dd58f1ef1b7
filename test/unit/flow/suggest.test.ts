import { describe, expect, it } from 'vitest';
import { closest, editDistance, suggestType } from '../../../main/flow';
import { isKestraPluginType } from '../../../main/flow/suggest';

const TYPES = [
  'io.kestra.plugin.core.log.Log',
  'io.kestra.core.tasks.log.Log',
  'io.kestra.plugin.core.debug.Return',
  'io.kestra.plugin.core.flow.If',
  'io.kestra.plugin.core.flow.Parallel',
  'io.kestra.plugin.kafka.RealtimeTrigger',
  'io.kestra.plugin.kafka.Trigger',
];

describe('suggestions', () => {
  it('edit distance counts adjacent swaps as one edit', () => {
    expect(editDistance('message', 'mesage')).toBe(1);
    expect(editDistance('level', 'levle')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('closest property or key', () => {
    expect(closest('taks', ['tasks', 'triggers'])).toBe('tasks');
    expect(closest('namespce', ['id', 'namespace'])).toBe('namespace');
    expect(closest('Tasks', ['tasks'])).toBe('tasks');
    expect(closest('zzz', ['tasks', 'id'])).toBeUndefined();
  });

  it('types: typo in the class name, in the package, a bare class name, a different case', () => {
    expect(suggestType('io.kestra.plugin.core.log.Logg', TYPES)).toBe('io.kestra.plugin.core.log.Log');
    expect(suggestType('io.kestra.plugin.core.logs.Log', TYPES)).toBe('io.kestra.plugin.core.log.Log');
    expect(suggestType('Retrun', TYPES)).toBe('io.kestra.plugin.core.debug.Return');
    expect(suggestType('Log', TYPES)).toBe('io.kestra.plugin.core.log.Log');
    expect(suggestType('io.kestra.plugin.core.flow.parallel', TYPES)).toBe('io.kestra.plugin.core.flow.Parallel');
    expect(suggestType('io.kestra.plugin.kafka.RealTimeTrigger', TYPES)).toBe('io.kestra.plugin.kafka.RealtimeTrigger');
  });

  it('no suggestion for a different plugin of the same package', () => {
    expect(suggestType('io.kestra.plugin.core.flow.Dag', TYPES)).toBeUndefined();
    expect(suggestType('io.kestra.plugin.slack.SlackIncomingWebhook', TYPES)).toBeUndefined();
    expect(suggestType('Trigger', TYPES)).toBe('io.kestra.plugin.kafka.Trigger');
  });

  it('recognises Kestra plugin class names', () => {
    expect(isKestraPluginType('io.kestra.plugin.slack.SlackIncomingWebhook')).toBe(true);
    expect(isKestraPluginType('io.kestra.plugin.gcp.pubsub.RealtimeTrigger')).toBe(true);
    expect(isKestraPluginType('io.kestra.plugin.slack')).toBe(false);
    expect(isKestraPluginType('com.acme.Task')).toBe(false);
  });
});
