// The flow an execution ran (its own revision), drawn as in the editor and coloured by the state of
// each task's runs in this execution. Read-only.
import { useEffect, useMemo, useState } from 'react';
import { MarkerType, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { FlowGraph } from '../../../main/flow/graph';
import type { Execution } from '../../../main/model/execution';
import { bridge } from '../../app/bridge';
import { Spinner } from '../../ui/controls';
import { layoutGraph } from '../graph/layout';
import { edgeTypes, nodeTypes, type FlowEdge, type FlowNode } from '../graph/nodes';
import { usePlugins } from '../plugins/store';

/** The state shown for each task id: its latest run's, and how many runs it had. */
export function taskStates(e: Execution): Record<string, { state: string; count: number }> {
  const out: Record<string, { state: string; count: number }> = {};
  for (const r of e.taskRunList) out[r.taskId] = { state: r.state.current, count: (out[r.taskId]?.count ?? 0) + 1 };
  return out;
}

function Canvas({ graph, execution }: { graph: FlowGraph; execution: Execution }) {
  const byType = usePlugins((s) => s.byType);
  const layout = useMemo(() => layoutGraph(graph, 'LR', {}), [graph]);
  const states = taskStates(execution);
  const nodes: FlowNode[] = layout.nodes.map((l) => {
    const n = l.node;
    const st = n.kind === 'trigger' ? (execution.trigger?.id === n.taskId ? { state: 'SUCCESS', count: 1 } : undefined) : n.taskId && (n.kind === 'task' || n.kind === 'group') ? states[n.taskId] : undefined;
    return {
      id: l.id,
      type: l.type,
      position: l.position,
      width: l.width,
      height: l.height,
      ...(l.parentId ? { parentId: l.parentId } : {}),
      draggable: false,
      selectable: false,
      className: st ? `topo-node topo-${st.state}` : n.kind === 'task' ? 'topo-node topo-none' : 'topo-node',
      data: { laid: l, direction: 'LR' as const, plugin: n.type ? byType[n.type] : undefined, ...(st ? { live: { state: st.state as never, count: st.count } } : {}) },
    };
  });
  const edges: FlowEdge[] = layout.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, type: 'flow', markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 }, data: { edge: e.edge } }));
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      fitView
      fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      proOptions={{ hideAttribution: true }}
      minZoom={0.2}
    />
  );
}

export function Topology({ execution }: { execution: Execution }) {
  const [graph, setGraph] = useState<FlowGraph>();
  const [error, setError] = useState<string>();
  const { namespace, flowId, flowRevision } = execution;
  useEffect(() => {
    let alive = true;
    void (async () => {
      const rev = await bridge().call('flows.revision', { namespace, id: flowId, revision: flowRevision });
      const source = rev.ok ? rev.value.source : await bridge().call('flows.get', { namespace, id: flowId }).then((r) => (r.ok ? r.value.source : undefined));
      if (!source) return alive && setError('The flow is not in the workspace any more.');
      const g = await bridge().call('flows.graph', { source });
      if (!alive) return;
      if (g.ok && g.value.graph) setGraph(g.value.graph);
      else setError(g.ok ? g.value.errors[0]?.message ?? 'The flow cannot be drawn.' : g.error.message);
    })();
    return () => {
      alive = false;
    };
  }, [namespace, flowId, flowRevision]);
  if (error) return <div className="pad muted">{error}</div>;
  if (!graph) return <div className="center"><Spinner /> Drawing the flow…</div>;
  return (
    <div className="topology" data-testid="topology">
      <ReactFlowProvider>
        <Canvas graph={graph} execution={execution} />
      </ReactFlowProvider>
    </div>
  );
}
