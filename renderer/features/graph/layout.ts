// The engine's graph (main/flow/graph.ts) laid out for React Flow with dagre: each group (a
// flowable task) is laid out on its own, inside out, then placed as one box in its parent's layout.
// Pure: no React, no DOM (tested in Node).
import dagre from '@dagrejs/dagre';
import type { FlowError } from '../../../main/flow/errors';
import type { FlowGraph, GraphEdge, GraphNode } from '../../../main/flow/graph';
import type { InsertAt } from '../editor/edits';

export type Direction = 'LR' | 'TB';

export const TASK_W = 236;
export const TASK_H = 62;
export const DOT = 18;
export const GROUP_HEADER = 42;
export const GROUP_PAD = 16;
const GROUP_MIN_W = TASK_W + 2 * GROUP_PAD;

export interface LaidNode {
  id: string;
  type: 'task' | 'trigger' | 'group' | 'start' | 'end';
  position: { x: number; y: number };
  width: number;
  height: number;
  parentId?: string;
  node: GraphNode;
  collapsed?: boolean;
  /** How many tasks a collapsed group hides. */
  hidden?: number;
}

export interface LaidEdge {
  id: string;
  source: string;
  target: string;
  edge: GraphEdge;
  /** Where a task dropped on this edge goes. */
  insert?: InsertAt;
}

export interface Layout {
  nodes: LaidNode[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

const sizeOf = (n: GraphNode): { w: number; h: number } => (n.kind === 'start' || n.kind === 'end' ? { w: DOT, h: DOT } : { w: TASK_W, h: TASK_H });

export function layoutGraph(graph: FlowGraph, direction: Direction, collapsed: Record<string, boolean> = {}): Layout {
  const byParent = new Map<string | undefined, GraphNode[]>();
  const byId = new Map<string, GraphNode>();
  for (const n of graph.nodes) {
    byId.set(n.id, n);
    const list = byParent.get(n.parentId);
    if (list) list.push(n);
    else byParent.set(n.parentId, [n]);
  }
  const edgesByLevel = new Map<string | undefined, GraphEdge[]>();
  for (const e of graph.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t || s.parentId !== t.parentId) continue;
    const list = edgesByLevel.get(s.parentId);
    if (list) list.push(e);
    else edgesByLevel.set(s.parentId, [e]);
  }

  const local = new Map<string, { x: number; y: number }>();
  const size = new Map<string, { w: number; h: number }>();
  const offset = new Map<string, { x: number; y: number }>(); // a group's content origin

  const countTasks = (gid: string): number => (byParent.get(gid) ?? []).reduce((n, c) => n + (c.kind === 'task' ? 1 : c.kind === 'group' ? 1 + countTasks(c.id) : 0), 0);

  const layoutLevel = (parent: string | undefined): { w: number; h: number } => {
    const members = byParent.get(parent) ?? [];
    for (const m of members) {
      if (m.kind === 'group' && !collapsed[m.id]) {
        const inner = layoutLevel(m.id);
        const w = Math.max(GROUP_MIN_W, inner.w + 2 * GROUP_PAD);
        size.set(m.id, { w, h: inner.h + GROUP_HEADER + GROUP_PAD });
        offset.set(m.id, { x: (w - inner.w) / 2, y: GROUP_HEADER });
      } else size.set(m.id, sizeOf(m));
    }
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: direction, nodesep: direction === 'LR' ? 24 : 28, ranksep: direction === 'LR' ? 56 : 40, edgesep: 12, marginx: 0, marginy: 0 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const m of members) {
      const s = size.get(m.id)!;
      g.setNode(m.id, { width: s.w, height: s.h });
    }
    for (const e of edgesByLevel.get(parent) ?? []) {
      // Room for the label (then / else / a case value / errors …).
      const label = e.label ? { width: Math.min(120, e.label.length * 7 + 14), height: 18, labelpos: 'c' } : {};
      g.setEdge(e.source, e.target, { ...label, minlen: 1 }, e.id);
    }
    dagre.layout(g);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const m of members) {
      const p = g.node(m.id) as { x: number; y: number };
      const s = size.get(m.id)!;
      const x = p.x - s.w / 2;
      const y = p.y - s.h / 2;
      local.set(m.id, { x, y });
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x + s.w);
      maxY = Math.max(maxY, y + s.h);
    }
    if (!members.length) return { w: 0, h: 0 };
    for (const m of members) {
      const p = local.get(m.id)!;
      local.set(m.id, { x: p.x - minX, y: p.y - minY });
    }
    return { w: maxX - minX, h: maxY - minY };
  };

  const total = layoutLevel(undefined);

  const nodes: LaidNode[] = [];
  const visible = new Set<string>();
  const emit = (parent: string | undefined) => {
    for (const m of byParent.get(parent) ?? []) {
      const p = local.get(m.id)!;
      const s = size.get(m.id)!;
      const o = parent ? offset.get(parent)! : { x: 0, y: 0 };
      const isGroup = m.kind === 'group';
      const isCollapsed = isGroup && !!collapsed[m.id];
      nodes.push({
        id: m.id,
        type: isGroup ? 'group' : m.kind,
        position: { x: p.x + o.x, y: p.y + o.y },
        width: s.w,
        height: s.h,
        ...(parent ? { parentId: parent } : {}),
        node: m,
        ...(isCollapsed ? { collapsed: true, hidden: countTasks(m.id) } : {}),
      });
      visible.add(m.id);
      if (isGroup && !isCollapsed) emit(m.id);
    }
  };
  emit(undefined);

  const edges: LaidEdge[] = [];
  for (const [level, list] of edgesByLevel) {
    if (level !== undefined && !visible.has(level)) continue;
    if (level !== undefined && collapsed[level]) continue;
    for (const e of list) {
      if (!visible.has(e.source) || !visible.has(e.target)) continue;
      const insert = insertPoint(e, byId);
      edges.push({ id: e.id, source: e.source, target: e.target, edge: e, ...(insert ? { insert } : {}) });
    }
  }
  return { nodes, edges, width: total.w, height: total.h };
}

const isTask = (n: GraphNode | undefined): n is GraphNode & { path: string } => !!n && (n.kind === 'task' || n.kind === 'group') && !!n.path;

/** Where a task dropped on an edge goes: after its source task, else before its target task. */
export function insertPoint(e: GraphEdge, byId: Map<string, GraphNode>): InsertAt | undefined {
  const s = byId.get(e.source);
  const t = byId.get(e.target);
  if (!s || !t || s.kind === 'trigger') return undefined;
  if (isTask(s) && e.kind !== 'error') return { after: s.path };
  if (isTask(t)) return { before: t.path };
  if (s.kind === 'start' && t.kind === 'end' && !s.parentId) return { into: 'tasks' };
  return undefined;
}

/** Errors by graph node id: each error goes to the deepest node whose path holds it. */
export function errorsByNode(graph: FlowGraph | undefined, errors: FlowError[]): Map<string, FlowError[]> {
  const out = new Map<string, FlowError[]>();
  if (!graph) return out;
  const withPath = graph.nodes.filter((n) => n.path).sort((a, b) => b.path!.length - a.path!.length);
  for (const e of errors) {
    const n = withPath.find((x) => e.path === x.path || e.path.startsWith(`${x.path}.`) || e.path.startsWith(`${x.path}[`));
    if (n) out.set(n.id, [...(out.get(n.id) ?? []), e]);
  }
  return out;
}

/** A structural key: the layout only needs recomputing when this changes. */
export function graphKey(graph: FlowGraph | undefined): string {
  if (!graph) return '';
  return `${graph.nodes.map((n) => `${n.id}|${n.kind}|${n.type ?? ''}|${n.parentId ?? ''}|${n.path ?? ''}|${n.disabled ? 1 : 0}`).join(';')}#${graph.edges.map((e) => e.id).join(';')}`;
}
