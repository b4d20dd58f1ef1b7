import { describe, expect, it } from 'vitest';
import { flowToGraph, loadFlow, type FlowGraph } from '../../../main/flow';
import type { Flow } from '../../../main/model/flow';
import { fixture } from './helpers';
import { testRegistry } from './registry';

const flowOf = (src: string): Flow => loadFlow(src, 'f.yaml', testRegistry()).flow!;
const edges = (g: FlowGraph) => g.edges.map((e) => `${e.source} -> ${e.target} ${e.kind}${e.label ? ` ${e.label}` : ''}`);
const node = (g: FlowGraph, id: string) => g.nodes.find((n) => n.id === id);

const flowable = fixture('valid/flowable.yaml') + 'triggers:\n  - id: hook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n';

describe('flowToGraph', () => {
  const g = flowToGraph(flowOf(flowable), testRegistry());

  it('has unique node ids and edges between existing nodes only', () => {
    const ids = g.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of g.edges) {
      expect(ids).toContain(e.source);
      expect(ids).toContain(e.target);
    }
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
  });

  it('triggers feed the start; top-level tasks run in sequence to the end through finally', () => {
    expect(node(g, 'trigger:hook')).toMatchObject({ kind: 'trigger', taskId: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', path: 'triggers[0]' });
    expect(edges(g)).toEqual(
      expect.arrayContaining([
        'trigger:hook -> flow:start sequence',
        'flow:start -> check sequence',
        'check -> route sequence',
        'route -> fanout sequence',
        'fanout -> cleanup finally finally',
        'cleanup -> flow:end sequence',
      ]),
    );
  });

  it('errors hang off the start and join finally', () => {
    expect(node(g, 'alert')).toMatchObject({ kind: 'task', branch: 'errors', path: 'errors[0]' });
    expect(edges(g)).toEqual(expect.arrayContaining(['flow:start -> alert error errors', 'alert -> cleanup finally finally']));
  });

  it('If is a group with then / else branches', () => {
    expect(node(g, 'check')).toMatchObject({ kind: 'group', type: 'io.kestra.plugin.core.flow.If', path: 'tasks[0]' });
    expect(node(g, 'big')).toMatchObject({ kind: 'task', parentId: 'check', branch: 'then', path: 'tasks[0].then[0]' });
    expect(node(g, 'small')).toMatchObject({ parentId: 'check', branch: 'else' });
    expect(node(g, 'check:start')).toMatchObject({ kind: 'start', parentId: 'check' });
    expect(edges(g)).toEqual(
      expect.arrayContaining(['check:start -> big branch then', 'check:start -> small branch else', 'big -> check:end sequence', 'small -> check:end sequence']),
    );
  });

  it('Switch has one branch per case plus defaults, each a sequence', () => {
    expect(node(g, 'refund-done')).toMatchObject({ parentId: 'route', branch: 'cases.REFUND', path: 'tasks[1].cases.REFUND[1]' });
    expect(edges(g)).toEqual(
      expect.arrayContaining([
        'route:start -> order branch ORDER',
        'route:start -> refund branch REFUND',
        'refund -> refund-done sequence',
        'refund-done -> route:end sequence',
        'route:start -> other branch defaults',
      ]),
    );
  });

  it('Parallel children are branches of their own', () => {
    expect(edges(g)).toEqual(
      expect.arrayContaining(['fanout:start -> left branch', 'fanout:start -> right branch', 'left -> fanout:end sequence', 'right -> fanout:end sequence']),
    );
    expect(edges(g)).not.toContain('left -> right sequence');
  });

  it('flowable errors / finally live inside the group', () => {
    const src =
      'id: t\nnamespace: n\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n' +
      '      - {id: a, type: io.kestra.plugin.core.log.Log, message: a}\n' +
      '    errors:\n      - {id: e, type: io.kestra.plugin.core.log.Log, message: e}\n' +
      '    finally:\n      - {id: f, type: io.kestra.plugin.core.log.Log, message: f, disabled: true}\n';
    const pg = flowToGraph(flowOf(src), testRegistry());
    expect(node(pg, 'e')).toMatchObject({ parentId: 'p', branch: 'errors' });
    expect(node(pg, 'f')).toMatchObject({ parentId: 'p', branch: 'finally', disabled: true });
    expect(edges(pg)).toEqual(
      expect.arrayContaining(['p:start -> a branch', 'a -> f finally finally', 'p:start -> e error errors', 'e -> f finally finally', 'f -> p:end sequence', 'p -> flow:end sequence']),
    );
  });

  it('without a registry, child lists are found by their shape', () => {
    const bare = flowToGraph(flowOf(flowable));
    expect(bare.nodes.map((n) => [n.id, n.kind, n.parentId, n.branch])).toEqual(g.nodes.map((n) => [n.id, n.kind, n.parentId, n.branch]));
  });

  it('keeps ids unique in a flow with duplicate task ids', () => {
    const dup = flowToGraph(flowOf(fixture('broken/duplicate-ids.yaml')), testRegistry());
    expect(dup.nodes.filter((n) => n.taskId === 'hello').map((n) => n.id)).toEqual(['hello', 'hello~2']);
  });

  it('a flow with only tasks is start → tasks → end', () => {
    const simple = flowToGraph(flowOf('id: t\nnamespace: n\ntasks:\n  - {id: a, type: io.kestra.plugin.core.log.Log, message: a}\n'));
    expect(simple.nodes.map((n) => n.id)).toEqual(['flow:start', 'flow:end', 'a']);
    expect(edges(simple)).toEqual(['flow:start -> a sequence', 'a -> flow:end sequence']);
  });
});
