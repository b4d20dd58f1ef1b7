// The graph layout: every node placed, groups hold their children, siblings do not overlap,
// folding hides a group's inside, and edges know where a dropped task goes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPluginDefaults, flowToGraph, loadFlow } from '../../../main/flow';
import type { FlowError } from '../../../main/flow/errors';
import { errorsByNode, graphKey, insertPoint, layoutGraph, type LaidNode } from '../../../renderer/features/graph/layout';
import { bigFlow } from '../../e2e/helpers/flows';
import { registry } from './fake-engine';

const FLOWABLE = fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/flows/valid/flowable.yaml'), 'utf8');
const graphOf = (src: string) => {
  const { flow } = loadFlow(src, undefined, registry);
  return flowToGraph(applyPluginDefaults(flow!, registry), registry);
};

const abs = (n: LaidNode, all: Map<string, LaidNode>): { x: number; y: number } => {
  const p = n.parentId ? abs(all.get(n.parentId)!, all) : { x: 0, y: 0 };
  return { x: p.x + n.position.x, y: p.y + n.position.y };
};
const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('layoutGraph', () => {
  const graph = graphOf(FLOWABLE);

  for (const dir of ['LR', 'TB'] as const) {
    it(`places every node, parents before children, children inside their group (${dir})`, () => {
      const l = layoutGraph(graph, dir);
      expect(l.nodes.map((n) => n.id).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
      const seen = new Set<string>();
      const byId = new Map(l.nodes.map((n) => [n.id, n]));
      for (const n of l.nodes) {
        if (n.parentId) {
          expect(seen.has(n.parentId)).toBe(true);
          const g = byId.get(n.parentId)!;
          expect(n.position.x).toBeGreaterThanOrEqual(0);
          expect(n.position.y).toBeGreaterThanOrEqual(0);
          expect(n.position.x + n.width).toBeLessThanOrEqual(g.width + 0.5);
          expect(n.position.y + n.height).toBeLessThanOrEqual(g.height + 0.5);
        }
        seen.add(n.id);
      }
      // Siblings never overlap.
      const levels = new Map<string | undefined, LaidNode[]>();
      for (const n of l.nodes) levels.set(n.parentId, [...(levels.get(n.parentId) ?? []), n]);
      for (const sibs of levels.values()) {
        for (let i = 0; i < sibs.length; i++) for (let j = i + 1; j < sibs.length; j++) {
          const a = sibs[i];
          const b = sibs[j];
          expect(overlap({ ...abs(a, byId), w: a.width, h: a.height }, { ...abs(b, byId), w: b.width, h: b.height }), `${a.id} / ${b.id}`).toBe(false);
        }
      }
      expect(l.edges.length).toBe(graph.edges.length);
    });
  }

  it('flows left to right, or top down', () => {
    const byId = (dir: 'LR' | 'TB') => new Map(layoutGraph(graph, dir).nodes.map((n) => [n.id, n]));
    const lr = byId('LR');
    const tb = byId('TB');
    expect(lr.get('route')!.position.x).toBeGreaterThan(lr.get('check')!.position.x);
    expect(tb.get('route')!.position.y).toBeGreaterThan(tb.get('check')!.position.y);
  });

  it('folds a group: its inside and its edges are gone, and it says how many tasks it hides', () => {
    const l = layoutGraph(graph, 'TB', { route: true });
    const ids = l.nodes.map((n) => n.id);
    expect(ids).toContain('route');
    for (const hidden of ['order', 'refund', 'refund-done', 'other', 'route:start']) expect(ids).not.toContain(hidden);
    expect(l.nodes.find((n) => n.id === 'route')).toMatchObject({ collapsed: true, hidden: 4 });
    expect(l.edges.every((e) => ids.includes(e.source) && ids.includes(e.target))).toBe(true);
  });

  it('knows where a task dropped on an edge goes', () => {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const edge = (id: string) => graph.edges.find((e) => e.id === id)!;
    expect(insertPoint(edge('check->route'), byId)).toEqual({ after: 'tasks[0]' });
    expect(insertPoint(edge('check:start->big:then'), byId)).toEqual({ before: 'tasks[0].then[0]' });
    expect(insertPoint(edge('refund->refund-done'), byId)).toEqual({ after: 'tasks[1].cases.REFUND[0]' });
    expect(insertPoint(edge('flow:start->alert:errors'), byId)).toEqual({ before: 'errors[0]' });
    expect(insertPoint(edge('cleanup->flow:end'), byId)).toEqual({ after: 'finally[0]' });
    const empty = graphOf('id: e\nnamespace: n\ntasks: []\n');
    expect(insertPoint(empty.edges[0], new Map(empty.nodes.map((n) => [n.id, n])))).toEqual({ into: 'tasks' });
  });

  it('hangs each error on the deepest node holding its path', () => {
    const err = (p: string): FlowError => ({ line: 1, column: 1, path: p, message: p, severity: 'error' });
    const m = errorsByNode(graph, [err('tasks[0].then[0].type'), err('tasks[0].condition'), err('namespace')]);
    expect(m.get('big')?.map((e) => e.path)).toEqual(['tasks[0].then[0].type']);
    expect(m.get('check')?.map((e) => e.path)).toEqual(['tasks[0].condition']);
    expect([...m.keys()].sort()).toEqual(['big', 'check']);
  });

  it('only lays out again when the structure changes', () => {
    expect(graphKey(graph)).toBe(graphKey(graphOf(FLOWABLE.replace('message: big order', 'message: huge order'))));
    expect(graphKey(graph)).not.toBe(graphKey(graphOf(FLOWABLE.replace('id: big\n', 'id: bigger\n'))));
  });

  it('lays out 300 tasks quickly (time printed)', () => {
    const big = graphOf(bigFlow('big', 30));
    const t0 = performance.now();
    const l = layoutGraph(big, 'TB');
    const ms = performance.now() - t0;
    console.log(`layout of ${big.nodes.length} nodes / ${big.edges.length} edges: ${ms.toFixed(0)} ms`);
    expect(l.nodes.length).toBe(big.nodes.length);
  });
});
