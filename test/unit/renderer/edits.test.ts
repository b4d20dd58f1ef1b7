// Every graph edit as a source transformation: the change is where it should be, comments, key
// order and formatting stay, and edit-then-inverse gives back the original text exactly.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyEdit, EditError, linesOf, pathAtOffset, uniqueId, valueAt, type GraphEdit } from '../../../renderer/features/editor/edits';
import { formatPath, parsePath } from '../../../renderer/features/editor/yaml-paths';

const FLOW = `# Orders: one execution per order event.
id: orders
namespace: company.team # the team's namespace

inputs:
  - id: amount
    type: INT
    defaults: 10

tasks:
  # Say hello first
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: 'Hello {{ inputs.amount }}' # single-quoted on purpose

  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.amount > 100 }}"
    then:
      - id: big
        type: io.kestra.plugin.core.log.Log
        message: big order {{ outputs.hello }}
    else: []

  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ outputs.check.evaluationResult }}"
    cases:
      "true":
        - id: yes
          type: io.kestra.plugin.core.debug.Return
          format: "{{ outputs['hello'] }} and {{ outputs.big.value }}"
    defaults:
      - id: other
        type: io.kestra.plugin.core.log.Log
        message: nothing # after

labels: {team: orders, env: dev}
`;

const LOG = { id: 'note', type: 'io.kestra.plugin.core.log.Log', message: 'noted' };

/** Applies the edit, checks the result is YAML, and that its inverse gives the original back. */
function roundTrip(src: string, edit: GraphEdit) {
  const r = applyEdit(src, edit);
  expect(() => parseYaml(r.source)).not.toThrow();
  const back = applyEdit(r.source, r.inverse);
  expect(back.source).toBe(src);
  // The inverse of the inverse is the edit again.
  expect(applyEdit(back.source, back.inverse).source).toBe(r.source);
  return r;
}

const flow = (s: string) => parseYaml(s) as any;
const commentsOf = (s: string) => s.split('\n').map((l) => /#.*/.exec(l)?.[0]).filter(Boolean);
const topKeys = (s: string) => Object.keys(flow(s));

describe('paths', () => {
  it('reads and writes the engine notation', () => {
    for (const p of ['tasks[1].cases.REFUND[0]', 'tasks[0].then', 'cases["a b"][2]', 'triggers[0]', 'tasks[2].cases["200"][0]']) {
      expect(formatPath(parsePath(p))).toBe(p);
    }
    expect(parsePath('tasks[1].cases["a.b"][0]')).toEqual(['tasks', 1, 'cases', 'a.b', 0]);
  });
});

describe('insertTask', () => {
  it('inserts after a task, keeping comments, blank lines and key order', () => {
    const r = roundTrip(FLOW, { kind: 'insertTask', at: { after: 'tasks[0]' }, task: LOG });
    expect(r.path).toBe('tasks[1]');
    expect(flow(r.source).tasks.map((t: any) => t.id)).toEqual(['hello', 'note', 'check', 'route']);
    expect(r.source).toContain(
      "    message: 'Hello {{ inputs.amount }}' # single-quoted on purpose\n  - id: note\n    type: io.kestra.plugin.core.log.Log\n    message: noted\n\n  - id: check",
    );
    expect(commentsOf(r.source)).toEqual(commentsOf(FLOW));
    expect(topKeys(r.source)).toEqual(topKeys(FLOW));
  });

  it('inserts before a task: its leading comment stays with it', () => {
    const r = roundTrip(FLOW, { kind: 'insertTask', at: { before: 'tasks[0]' }, task: LOG });
    expect(r.source).toContain('tasks:\n  - id: note\n    type: io.kestra.plugin.core.log.Log\n    message: noted\n  # Say hello first\n  - id: hello');
  });

  it('inserts at the end of the flow', () => {
    const r = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'tasks' }, task: LOG });
    expect(flow(r.source).tasks.at(-1).id).toBe('note');
    expect(r.path).toBe('tasks[3]');
    expect(r.source).toContain('        message: nothing # after\n  - id: note\n');
  });

  it('inserts into a branch (then), first and last', () => {
    const first = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'tasks[1].then', index: 0 }, task: LOG });
    expect(flow(first.source).tasks[1].then.map((t: any) => t.id)).toEqual(['note', 'big']);
    expect(first.source).toContain('    then:\n      - id: note\n        type: io.kestra.plugin.core.log.Log\n        message: noted\n      - id: big');
    const last = roundTrip(FLOW, { kind: 'insertTask', at: { after: 'tasks[1].then[0]' }, task: LOG });
    expect(flow(last.source).tasks[1].then.map((t: any) => t.id)).toEqual(['big', 'note']);
  });

  it('inserts into an empty branch written `else: []`', () => {
    const r = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'tasks[1].else' }, task: LOG });
    expect(flow(r.source).tasks[1].else).toEqual([LOG]);
    expect(r.source).toContain('    else:\n      - id: note\n        type: io.kestra.plugin.core.log.Log\n        message: noted\n\n  - id: route');
  });

  it('inserts into a branch that is not there yet (errors, finally, a new case)', () => {
    const errors = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'tasks[1].errors' }, task: LOG });
    expect(flow(errors.source).tasks[1].errors).toEqual([LOG]);
    expect(errors.source).toContain('    else: []\n    errors:\n      - id: note\n');
    const root = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'finally' }, task: LOG });
    expect(flow(root.source).finally).toEqual([LOG]);
    expect(root.source.endsWith('labels: {team: orders, env: dev}\nfinally:\n  - id: note\n    type: io.kestra.plugin.core.log.Log\n    message: noted\n')).toBe(true);
    const newCase = roundTrip(FLOW, { kind: 'insertTask', at: { into: 'tasks[2].cases.REFUND' }, task: LOG });
    expect(flow(newCase.source).tasks[2].cases.REFUND).toEqual([LOG]);
    expect(newCase.path).toBe('tasks[2].cases.REFUND[0]');
  });

  it('inserts into a branch written `else:` with nothing after it', () => {
    const src = FLOW.replace('    else: []\n', '    else:\n');
    const r = roundTrip(src, { kind: 'insertTask', at: { into: 'tasks[1].else' }, task: LOG });
    expect(flow(r.source).tasks[1].else).toEqual([LOG]);
  });

  it('takes the task as YAML text (a plugin example), comments included', () => {
    const yaml = '# from the docs\nid: hi\ntype: io.kestra.plugin.core.log.Log\nmessage: "Order {{ trigger.value }} received"';
    const r = roundTrip(FLOW, { kind: 'insertTask', at: { after: 'tasks[2]' }, yaml });
    expect(r.source).toContain('  - # from the docs\n    id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: "Order {{ trigger.value }} received"\n');
    expect(flow(r.source).tasks[3].id).toBe('hi');
  });

  it('follows the document: 4-space indentation, unindented lists', () => {
    const four = 'id: a\nnamespace: b\ntasks:\n    -   id: x\n        type: T\n';
    const r = roundTrip(four, { kind: 'insertTask', at: { into: 'tasks' }, task: { id: 'y', type: 'T', values: { a: 1 } } });
    expect(flow(r.source).tasks[1]).toEqual({ id: 'y', type: 'T', values: { a: 1 } });
    const flat = 'id: a\nnamespace: b\ntasks:\n- id: x\n  type: T\n';
    const r2 = roundTrip(flat, { kind: 'insertTask', at: { into: 'tasks[0].then' }, task: LOG });
    expect(r2.source).toBe('id: a\nnamespace: b\ntasks:\n- id: x\n  type: T\n  then:\n  - id: note\n    type: io.kestra.plugin.core.log.Log\n    message: noted\n');
  });

  it('keeps CRLF line endings', () => {
    const crlf = FLOW.replace(/\n/g, '\r\n');
    const r = roundTrip(crlf, { kind: 'insertTask', at: { after: 'tasks[0]' }, task: LOG });
    expect(r.source.includes('\r\n  - id: note\r\n')).toBe(true);
    expect(/[^\r]\n/.test(r.source)).toBe(false);
  });

  it('refuses broken YAML and impossible places', () => {
    expect(() => applyEdit('id: a\ntasks:\n  - id: x\n   type: y\n', { kind: 'insertTask', at: { into: 'tasks' }, task: LOG })).toThrow(EditError);
    expect(() => applyEdit(FLOW, { kind: 'insertTask', at: { after: 'tasks[9]' }, task: LOG })).toThrow(EditError);
    expect(() => applyEdit(FLOW, { kind: 'insertTask', at: { into: 'tasks[0].message' }, task: LOG })).toThrow(EditError);
  });
});

describe('addTrigger', () => {
  it('adds a triggers list at the end when there is none', () => {
    const r = roundTrip(FLOW, { kind: 'addTrigger', trigger: { id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'abc' } });
    expect(flow(r.source).triggers).toEqual([{ id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'abc' }]);
    expect(r.path).toBe('triggers[0]');
    expect(r.source.startsWith(FLOW)).toBe(true);
  });

  it('appends to an existing triggers list', () => {
    const src = `${FLOW}triggers:\n  - id: hook # the webhook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: abc\n`;
    const r = roundTrip(src, { kind: 'addTrigger', trigger: { id: 'every', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '*/5 * * * *' } });
    expect(flow(r.source).triggers.map((t: any) => t.id)).toEqual(['hook', 'every']);
    expect(r.source).toContain("    key: abc\n  - id: every\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"*/5 * * * *\"\n");
  });
});

describe('deleteTask', () => {
  it('removes a task with its leading comment and blank line', () => {
    const r = roundTrip(FLOW, { kind: 'deleteTask', path: 'tasks[0]' });
    expect(flow(r.source).tasks.map((t: any) => t.id)).toEqual(['check', 'route']);
    expect(r.source).not.toContain('Say hello first');
    expect(r.source).toContain('tasks:\n\n  - id: check');
  });

  it('removes a nested task and a flowable task with all its branches', () => {
    const nested = roundTrip(FLOW, { kind: 'deleteTask', path: 'tasks[2].cases["true"][0]' });
    expect(flow(nested.source).tasks[2].cases).toEqual({ true: [] });
    const group = roundTrip(FLOW, { kind: 'deleteTask', path: 'tasks[2]' });
    expect(flow(group.source).tasks.map((t: any) => t.id)).toEqual(['hello', 'check']);
    expect(group.source).toContain("    else: []\n\nlabels: {team: orders, env: dev}\n");
  });

  it('leaves `key: []` when the last task of a branch goes (a comment on the key line stays)', () => {
    const src = FLOW.replace('    then:\n', '    then: # when big\n');
    const r = roundTrip(src, { kind: 'deleteTask', path: 'tasks[1].then[0]' });
    expect(r.source).toContain('    then: [] # when big\n    else: []\n');
  });

  it('deletes a trigger', () => {
    const src = `${FLOW}triggers:\n  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n  - id: b\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: l\n`;
    const r = roundTrip(src, { kind: 'deleteTask', path: 'triggers[0]' });
    expect(flow(r.source).triggers.map((t: any) => t.id)).toEqual(['b']);
  });
});

describe('moveTask', () => {
  it('reorders within a list (down and up)', () => {
    const down = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[0]', to: { after: 'tasks[2]' } });
    expect(flow(down.source).tasks.map((t: any) => t.id)).toEqual(['check', 'route', 'hello']);
    expect(down.path).toBe('tasks[2]');
    const up = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[2]', to: { before: 'tasks[0]' } });
    expect(flow(up.source).tasks.map((t: any) => t.id)).toEqual(['route', 'hello', 'check']);
    expect(up.path).toBe('tasks[0]');
    const middle = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[2]', to: { into: 'tasks', index: 1 } });
    expect(flow(middle.source).tasks.map((t: any) => t.id)).toEqual(['hello', 'route', 'check']);
  });

  it('moves into a branch and out of one, re-indenting the block', () => {
    const into = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[0]', to: { into: 'tasks[1].then', index: 1 } });
    expect(into.path).toBe('tasks[0].then[1]');
    expect(flow(into.source).tasks[0].then.map((t: any) => t.id)).toEqual(['big', 'hello']);
    expect(into.source).toContain("      # Say hello first\n      - id: hello\n        type: io.kestra.plugin.core.log.Log\n        message: 'Hello {{ inputs.amount }}' # single-quoted on purpose\n");
    const out = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[1].then[0]', to: { before: 'tasks[0]' } });
    expect(flow(out.source).tasks.map((t: any) => t.id)).toEqual(['big', 'hello', 'check', 'route']);
    expect(flow(out.source).tasks[2].then).toEqual([]);
  });

  it('moves into an empty or missing branch, and back exactly', () => {
    const empty = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[0]', to: { into: 'tasks[1].else' } });
    expect(flow(empty.source).tasks[0].else.map((t: any) => t.id)).toEqual(['hello']);
    const missing = roundTrip(FLOW, { kind: 'moveTask', path: 'tasks[1].then[0]', to: { into: 'tasks[2].cases.NEW' } });
    expect(flow(missing.source).tasks[2].cases.NEW.map((t: any) => t.id)).toEqual(['big']);
  });

  it('refuses to move a task inside itself', () => {
    expect(() => applyEdit(FLOW, { kind: 'moveTask', path: 'tasks[1]', to: { into: 'tasks[1].then' } })).toThrow(/inside itself/);
  });
});

describe('renameId', () => {
  it('renames the id and every reference to its outputs, in both spellings', () => {
    const r = roundTrip(FLOW, { kind: 'renameId', path: 'tasks[0]', newId: 'greet' });
    expect(flow(r.source).tasks[0].id).toBe('greet');
    expect(r.source).toContain('message: big order {{ outputs.greet }}');
    expect(r.source).toContain(`format: "{{ outputs['greet'] }} and {{ outputs.big.value }}"`);
    expect(r.source).not.toMatch(/outputs\.hello|outputs\['hello'\]/);
    // Nothing else moved.
    expect(r.source.replace(/greet/g, 'hello')).toBe(FLOW);
  });

  it('renames a nested task and leaves look-alike ids alone', () => {
    const src = FLOW.replace('{{ outputs.big.value }}', '{{ outputs.big.value }} {{ outputs.bigger }} {{ outputs.big-two }}');
    const r = roundTrip(src, { kind: 'renameId', path: 'tasks[1].then[0]', newId: 'large' });
    expect(r.source).toContain('{{ outputs.large.value }} {{ outputs.bigger }} {{ outputs.big-two }}');
  });

  it('uses brackets when the new id has a dash', () => {
    const r = applyEdit(FLOW, { kind: 'renameId', path: 'tasks[0]', newId: 'say-hello' });
    expect(r.source).toContain("{{ outputs['say-hello'] }}");
    expect(flow(r.source).tasks[0].id).toBe('say-hello');
  });

  it('renames a trigger (no output references) and refuses duplicates and bad ids', () => {
    const src = `${FLOW}triggers:\n  - id: hook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n`;
    const r = roundTrip(src, { kind: 'renameId', path: 'triggers[0]', newId: 'orders' });
    expect(flow(r.source).triggers[0].id).toBe('orders');
    expect(() => applyEdit(FLOW, { kind: 'renameId', path: 'tasks[0]', newId: 'check' })).toThrow(/already used/);
    expect(() => applyEdit(FLOW, { kind: 'renameId', path: 'tasks[0]', newId: 'has space' })).toThrow(/not a valid id/);
  });
});

describe('setProperty / unsetProperty', () => {
  it('changes a one-line scalar in place, keeping its quotes and its comment', () => {
    const r = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: 'message', value: 'Bye {{ inputs.amount }}' });
    expect(r.source).toContain("    message: 'Bye {{ inputs.amount }}' # single-quoted on purpose\n");
    expect(r.source.split('\n').length).toBe(FLOW.split('\n').length);
    const n = roundTrip(FLOW, { kind: 'setProperty', path: 'inputs[0]', key: 'defaults', value: 42 });
    expect(n.source).toContain('    defaults: 42\n');
    const plain = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[2].defaults[0]', key: 'message', value: '{{ outputs.check }}' });
    expect(plain.source).toContain('        message: "{{ outputs.check }}" # after\n');
  });

  it('adds a new property before the task\'s child lists', () => {
    const r = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[1]', key: 'description', value: 'Is it big?' });
    expect(r.source).toContain('    condition: "{{ inputs.amount > 100 }}"\n    description: Is it big?\n    then:\n');
    const last = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: 'level', value: 'WARN' });
    expect(last.source).toContain("# single-quoted on purpose\n    level: WARN\n\n  - id: check");
    expect(Object.keys(flow(last.source).tasks[0])).toEqual(['id', 'type', 'message', 'level']);
  });

  it('adds a flow property in Kestra\'s usual place', () => {
    const r = roundTrip(FLOW, { kind: 'setProperty', path: '', key: 'description', value: 'Order events' });
    expect(r.source).toContain('namespace: company.team # the team\'s namespace\ndescription: Order events\n\ninputs:');
    const dis = roundTrip(FLOW, { kind: 'setProperty', path: '', key: 'disabled', value: true });
    expect(topKeys(dis.source)).toEqual(['id', 'namespace', 'disabled', 'inputs', 'tasks', 'labels']);
  });

  it('writes multi-line strings as a block, and back', () => {
    const r = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: 'message', value: 'line one\nline two' });
    expect(r.source).toContain('    message: |-\n      line one\n      line two\n\n  - id: check');
    expect(flow(r.source).tasks[0].message).toBe('line one\nline two');
    const again = roundTrip(r.source, { kind: 'setProperty', path: 'tasks[0]', key: 'message', value: 'short' });
    expect(again.source).toContain('    message: short\n\n');
  });

  it('sets lists, maps and nested keys (creating the maps on the way)', () => {
    const list = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: 'message', value: ['a', 'b'] });
    expect(flow(list.source).tasks[0].message).toEqual(['a', 'b']);
    expect(list.source).toContain('    message:\n      - a\n      - b\n');
    const nested = roundTrip(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: ['options', 'auth', 'type'], value: 'BEARER' });
    expect(flow(nested.source).tasks[0].options).toEqual({ auth: { type: 'BEARER' } });
    const deeper = roundTrip(nested.source, { kind: 'setProperty', path: 'tasks[0]', key: ['options', 'auth', 'token'], value: "{{ secret('API') }}" });
    expect(flow(deeper.source).tasks[0].options).toEqual({ auth: { type: 'BEARER', token: "{{ secret('API') }}" } });
    expect(deeper.source).toContain("      auth:\n        type: BEARER\n        token: \"{{ secret('API') }}\"\n");
  });

  it('edits inside an inline map by rewriting it as a block', () => {
    const r = roundTrip(FLOW, { kind: 'setProperty', path: '', key: ['labels', 'env'], value: 'prod' });
    expect(flow(r.source).labels).toEqual({ team: 'orders', env: 'prod' });
  });

  it('sets a key that has no value yet (`else:`)', () => {
    const src = FLOW.replace('    else: []\n', '    else:\n');
    const r = roundTrip(src, { kind: 'setProperty', path: 'tasks[1]', key: 'else', value: 'x' });
    expect(flow(r.source).tasks[1].else).toBe('x');
  });

  it('removes a property with its comments, and empty maps above it', () => {
    const r = roundTrip(FLOW, { kind: 'unsetProperty', path: 'tasks[0]', key: 'message' });
    expect(flow(r.source).tasks[0]).toEqual({ id: 'hello', type: 'io.kestra.plugin.core.log.Log' });
    const nested = applyEdit(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: ['options', 'auth', 'type'], value: 'BEARER' }).source;
    const un = roundTrip(nested, { kind: 'unsetProperty', path: 'tasks[0]', key: ['options', 'auth', 'type'] });
    expect(un.source).toBe(FLOW);
    const root = roundTrip(FLOW, { kind: 'unsetProperty', path: '', key: 'inputs' });
    expect(topKeys(root.source)).toEqual(['id', 'namespace', 'tasks', 'labels']);
  });

  it('removes the first key of an item (the next one takes the dash)', () => {
    const r = roundTrip(FLOW, { kind: 'unsetProperty', path: 'inputs[0]', key: 'id' });
    expect(r.source).toContain('inputs:\n  - type: INT\n    defaults: 10\n');
    const add = roundTrip(FLOW, { kind: 'setProperty', path: 'inputs[0]', key: 'name', value: 'x', index: 0 });
    expect(add.source).toContain('inputs:\n  - name: x\n    id: amount\n');
  });

  it('unsetting what is not there changes nothing', () => {
    expect(applyEdit(FLOW, { kind: 'unsetProperty', path: 'tasks[0]', key: 'nope' }).source).toBe(FLOW);
    expect(applyEdit(FLOW, { kind: 'setProperty', path: 'tasks[0]', key: 'nope', value: undefined }).source).toBe(FLOW);
  });
});

describe('a whole editing session', () => {
  it('undoes a series of edits back to the first text', () => {
    const edits: GraphEdit[] = [
      { kind: 'insertTask', at: { after: 'tasks[0]' }, task: LOG },
      { kind: 'setProperty', path: 'tasks[1]', key: 'message', value: 'changed {{ outputs.hello }}' },
      { kind: 'renameId', path: 'tasks[0]', newId: 'greet' },
      { kind: 'moveTask', path: 'tasks[1]', to: { into: 'tasks[2].else' } },
      { kind: 'addTrigger', trigger: { id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'k' } },
      { kind: 'deleteTask', path: 'tasks[2].defaults[0]' },
      { kind: 'unsetProperty', path: '', key: 'labels' },
    ];
    const history = [FLOW];
    const inverses: GraphEdit[] = [];
    for (const e of edits) {
      const r = applyEdit(history.at(-1)!, e);
      history.push(r.source);
      inverses.push(r.inverse);
    }
    const end = flow(history.at(-1)!);
    expect(end.tasks.map((t: any) => t.id)).toEqual(['greet', 'check', 'route']);
    expect(end.tasks[1].else[0].message).toBe('changed {{ outputs.greet }}');
    let s = history.at(-1)!;
    for (let i = inverses.length - 1; i >= 0; i--) {
      s = applyEdit(s, inverses[i]).source;
      expect(s).toBe(history[i]);
    }
  });
});

describe('reading helpers', () => {
  it('valueAt, uniqueId, linesOf, pathAtOffset', () => {
    expect(valueAt(FLOW, 'tasks[1].then[0]')).toMatchObject({ id: 'big' });
    expect(valueAt(FLOW, '')).toMatchObject({ id: 'orders' });
    expect(valueAt(FLOW, 'tasks[9]')).toBeUndefined();
    expect(uniqueId(FLOW, 'hello')).toBe('hello_2');
    expect(uniqueId(FLOW, 'log')).toBe('log');
    expect(linesOf(FLOW, 'tasks[1].then[0]')).toEqual({ start: 20, end: 22 });
    expect(pathAtOffset(FLOW, FLOW.indexOf('big order'))).toBe('tasks[1].then[0]');
    expect(pathAtOffset(FLOW, FLOW.indexOf('condition'))).toBe('tasks[1]');
    expect(pathAtOffset(FLOW, FLOW.indexOf('defaults: 10'))).toBeUndefined();
    expect(pathAtOffset(FLOW, 0)).toBeUndefined();
  });
});
