// A flow as nodes and edges for the node-graph editor. Pure data, no layout: triggers feed the
// flow's start; tasks run in sequence; a flowable task is a group holding its own start and end
// and its branches (If then/else, Switch cases/defaults, Parallel children, Sequential/ForEach
// lists, errors/finally). The flow's errors hang off its start, finally runs before the end.
import type { Flow } from '../model/flow';
import type { PluginRegistry } from '../plugins/registry';
import { guessChildProps } from './children';
import { formatPath, type PathSeg } from './positions';

export type GraphNodeKind = 'trigger' | 'task' | 'group' | 'start' | 'end';
export type GraphEdgeKind = 'sequence' | 'branch' | 'error' | 'finally';

export interface GraphNode {
  /** Unique: the task id, `trigger:<id>`, `flow:start` / `flow:end`, `<group>:start` / `<group>:end`. */
  id: string;
  kind: GraphNodeKind;
  /** The task or trigger id (for a group's start/end: the group's). */
  taskId?: string;
  type?: string;
  /** The group node holding this one. */
  parentId?: string;
  /** Which list of the parent it is in: then, else, cases.A, defaults, tasks, errors, finally … */
  branch?: string;
  /** Where it is in the YAML (tasks[1].then[0]) — graph edits map back to the source with it. */
  path?: string;
  disabled?: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  kind: GraphEdgeKind;
}

export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const HANDLERS = new Set(['errors', 'finally']);

interface Chain {
  first: string;
  last: string;
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly nodeIds = new Set<string>();
  private readonly edgeIds = new Set<string>();

  constructor(private readonly registry?: PluginRegistry) {}

  addNode(node: GraphNode): string {
    let id = node.id;
    for (let n = 2; this.nodeIds.has(id); n++) id = `${node.id}~${n}`; // duplicate ids in an invalid flow
    this.nodeIds.add(id);
    this.nodes.push({ ...node, id });
    return id;
  }

  edge(source: string, target: string, kind: GraphEdgeKind, label?: string): void {
    const base = `${source}->${target}${label ? `:${label}` : ''}`;
    let id = base;
    for (let n = 2; this.edgeIds.has(id); n++) id = `${base}~${n}`;
    this.edgeIds.add(id);
    this.edges.push(label ? { id, source, target, label, kind } : { id, source, target, kind });
  }

  chain(list: unknown, parentId: string | undefined, branch: string, path: PathSeg[]): Chain | undefined {
    if (!Array.isArray(list)) return undefined;
    let first: string | undefined;
    let prev: string | undefined;
    list.forEach((t, i) => {
      const id = this.task(t, parentId, branch, [...path, i]);
      if (!id) return;
      if (prev) this.edge(prev, id, 'sequence');
      else first = id;
      prev = id;
    });
    return first && prev ? { first, last: prev } : undefined;
  }

  task(t: unknown, parentId: string | undefined, branch: string, path: PathSeg[]): string | undefined {
    if (!isPlainObject(t)) return undefined;
    const type = typeof t.type === 'string' ? t.type : undefined;
    const def = type ? this.registry?.task(type) : undefined;
    const childProps = def ? (def.childTaskProps ?? []) : guessChildProps(t);
    const isGroup = childProps.length > 0;
    const taskId = typeof t.id === 'string' ? t.id : formatPath(path);
    const node: GraphNode = { id: taskId, kind: isGroup ? 'group' : 'task', taskId, type, branch, path: formatPath(path) };
    if (parentId) node.parentId = parentId;
    if (t.disabled === true) node.disabled = true;
    const id = this.addNode(node);
    if (isGroup) this.group(id, t, childProps, type, path);
    return id;
  }

  private group(gid: string, t: Record<string, unknown>, childProps: string[], type: string | undefined, path: PathSeg[]): void {
    const start = this.addNode({ id: `${gid}:start`, kind: 'start', taskId: gid, parentId: gid });
    const end = this.addNode({ id: `${gid}:end`, kind: 'end', taskId: gid, parentId: gid });
    const parallel = !!type && /Parallel$/.test(type.slice(type.lastIndexOf('.') + 1));
    const ends: string[] = [];
    for (const prop of childProps.filter((p) => !HANDLERS.has(p))) {
      const value = t[prop];
      if (Array.isArray(value) && parallel && prop === 'tasks') {
        // Every child of a Parallel is its own branch.
        value.forEach((child, i) => {
          const id = this.task(child, gid, prop, [...path, prop, i]);
          if (!id) return;
          this.edge(start, id, 'branch');
          ends.push(id);
        });
      } else if (Array.isArray(value)) {
        const c = this.chain(value, gid, prop, [...path, prop]);
        if (!c) continue;
        if (prop === 'tasks') this.edge(start, c.first, 'sequence');
        else this.edge(start, c.first, 'branch', prop);
        ends.push(c.last);
      } else if (isPlainObject(value)) {
        // A map of task lists (Switch's cases): one branch per key.
        for (const [key, list] of Object.entries(value)) {
          const c = this.chain(list, gid, formatPath([prop, key]), [...path, prop, key]);
          if (!c) continue;
          this.edge(start, c.first, 'branch', key);
          ends.push(c.last);
        }
      }
    }
    this.tail(start, end, ends, this.chain(t.errors, gid, 'errors', [...path, 'errors']), this.chain(t.finally, gid, 'finally', [...path, 'finally']));
  }

  /** Main branches → finally → end; errors start at `start` and join finally (or the end). */
  tail(start: string, end: string, ends: string[], errors: Chain | undefined, fin: Chain | undefined, after?: Chain): void {
    const afterFinally = after?.first ?? end;
    const target = fin?.first ?? afterFinally;
    const kind: GraphEdgeKind = fin ? 'finally' : 'sequence';
    for (const e of ends.length ? ends : [start]) this.edge(e, target, kind, fin ? 'finally' : undefined);
    if (errors) {
      this.edge(start, errors.first, 'error', 'errors');
      this.edge(errors.last, target, kind, fin ? 'finally' : undefined);
    }
    if (fin) this.edge(fin.last, afterFinally, 'sequence');
    if (after) this.edge(after.last, end, 'sequence');
  }
}

export function flowToGraph(flow: Flow, registry?: PluginRegistry): FlowGraph {
  const g = new GraphBuilder(registry);
  const start = g.addNode({ id: 'flow:start', kind: 'start' });
  const end = g.addNode({ id: 'flow:end', kind: 'end' });
  (Array.isArray(flow.triggers) ? flow.triggers : []).forEach((t, i) => {
    if (!isPlainObject(t)) return;
    const tid = typeof t.id === 'string' ? t.id : `triggers[${i}]`;
    const node: GraphNode = { id: `trigger:${tid}`, kind: 'trigger', taskId: tid, type: typeof t.type === 'string' ? t.type : undefined, path: `triggers[${i}]` };
    if (t.disabled === true) node.disabled = true;
    g.edge(g.addNode(node), start, 'sequence');
  });
  const main = g.chain(flow.tasks, undefined, 'tasks', ['tasks']);
  if (main) g.edge(start, main.first, 'sequence');
  const errors = g.chain(flow.errors, undefined, 'errors', ['errors']);
  const fin = g.chain(flow.finally, undefined, 'finally', ['finally']);
  const after = g.chain(flow.afterExecution, undefined, 'afterExecution', ['afterExecution']);
  g.tail(start, end, main ? [main.last] : [], errors, fin, after);
  return { nodes: g.nodes, edges: g.edges };
}
