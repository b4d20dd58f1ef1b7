// The flow as a graph (React Flow): the engine's graph of the current text, laid out with dagre.
// Drop a plugin from the palette on an edge's "+", a task or a group; drag a task onto another
// place to move it; select to edit its properties. While the YAML does not parse the graph keeps
// its last good shape under a banner.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { Background, BackgroundVariant, Controls, MarkerType, MiniMap, Panel, ReactFlow, ReactFlowProvider, useNodesState, useReactFlow, type OnNodeDrag } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useTheme } from '../../app/theme';
import { Icon } from '../../ui/icons';
import { IconButton, Segmented, Spinner } from '../../ui/controls';
import type { GraphNode } from '../../../main/flow/graph';
import { useEditor } from '../editor/store';
import { useLive } from '../live/store';
import { usePlugins } from '../plugins/store';
import { PLUGIN_MIME, usePalette } from '../palette/store';
import { insertAtNode, insertPlugin, moveTaskTo } from '../palette/insert';
import { errorsByNode, graphKey, layoutGraph, type Direction, type Layout } from './layout';
import { edgeTypes, nodeTypes, type FlowEdge, type FlowNode } from './nodes';
import { useGraph } from './store';

export function GraphPane() {
  return (
    <ReactFlowProvider>
      <GraphCanvas />
    </ReactFlowProvider>
  );
}

type DropTarget = { kind: 'edge'; id: string } | { kind: 'node'; id: string } | { kind: 'pane' } | undefined;

function GraphCanvas() {
  const graph = useEditor((s) => s.graph);
  const broken = useEditor((s) => s.graphBroken);
  const errors = useEditor((s) => s.errors);
  const selected = useEditor((s) => s.selected);
  const current = useEditor((s) => s.current);
  const select = useEditor((s) => s.select);
  const direction = useGraph((s) => s.direction);
  const collapsed = useGraph((s) => s.collapsed);
  const fitRequest = useGraph((s) => s.fitRequest);
  const view = useEditor((s) => s.view);
  // The minimap would cover the graph in split view.
  const minimap = useGraph((s) => s.minimap) && view === 'graph';
  const byType = usePlugins((s) => s.byType);
  const liveTasks = useLive((s) => s.tasks);
  const liveTriggers = useLive((s) => s.triggers);
  const theme = useTheme((s) => s.theme);
  const rf = useReactFlow();
  const [drop, setDrop] = useState<DropTarget>();
  const wrapper = useRef<HTMLDivElement>(null);

  const key = graphKey(graph);
  // Layout only when the structure (or direction, or folding) changes.
  const layout: Layout | undefined = useMemo(() => (graph ? layoutGraph(graph, direction, collapsed) : undefined), [key, direction, collapsed]);
  const nodeById = useMemo(() => new Map<string, GraphNode>((graph?.nodes ?? []).map((n) => [n.id, n])), [graph]);
  const problems = useMemo(() => errorsByNode(graph, errors), [graph, errors]);

  const built = useMemo<FlowNode[]>(() => {
    if (!layout) return [];
    return layout.nodes.map((l) => {
      const n = l.node;
      const live = n.kind === 'trigger' ? liveTriggers[n.taskId ?? ''] : n.kind === 'task' || n.kind === 'group' ? liveTasks[n.taskId ?? ''] : undefined;
      return {
        id: l.id,
        type: l.type,
        position: l.position,
        width: l.width,
        height: l.height,
        ...(l.parentId ? { parentId: l.parentId } : {}),
        draggable: (l.type === 'task' || l.type === 'group') && !!n.path,
        selectable: l.type !== 'start' && l.type !== 'end',
        selected: !!n.path && n.path === selected,
        data: {
          laid: l,
          direction,
          plugin: n.type ? byType[n.type] : undefined,
          ...(live ? { live } : {}),
          ...(problems.get(n.id) ? { errors: problems.get(n.id) } : {}),
          ...(drop?.kind === 'node' && drop.id === l.id ? { dropTarget: true } : {}),
        },
      };
    });
  }, [layout, direction, byType, liveTasks, liveTriggers, problems, selected, drop]);

  const [nodes, setNodes, onNodesChange] = useNodesState<FlowNode>(built);
  useEffect(() => setNodes(built), [built, setNodes]);

  const onPlus = useCallback((edgeId: string) => {
    const e = layout?.edges.find((x) => x.id === edgeId);
    if (!e?.insert) return;
    const s = nodeById.get(e.source);
    const t = nodeById.get(e.target);
    usePalette.getState().setTarget({ at: e.insert, label: `between ${s?.taskId ?? s?.id ?? ''} and ${t?.taskId ?? t?.id ?? ''}` });
  }, [layout, nodeById]);

  const edges = useMemo<FlowEdge[]>(() => (layout?.edges ?? []).map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    type: 'flow',
    markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
    data: { edge: e.edge, ...(e.insert ? { insert: e.insert } : {}), onPlus, ...(drop?.kind === 'edge' && drop.id === e.id ? { dropTarget: true } : {}) },
  })), [layout, onPlus, drop]);

  // The pane changed size a lot (shown again, split ↔ graph, a side panel folded): fit again,
  // once React Flow has measured it.
  useEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    let last = { w: el.clientWidth, h: el.clientHeight };
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      const h = el.clientHeight;
      const big = (a: number, b: number) => (a === 0) !== (b === 0) || Math.abs(a - b) > Math.max(40, 0.15 * Math.max(a, b));
      if (w && h && (big(w, last.w) || big(h, last.h))) requestAnimationFrame(() => requestAnimationFrame(() => void rf.fitView({ padding: 0.12, duration: 0, maxZoom: 1.1 })));
      last = { w, h };
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [rf]);

  // Zoom to fit: on opening a flow, on request, on a new direction.
  const fitted = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!layout) return;
    const want = `${current}:${fitRequest}`;
    if (fitted.current === want) return;
    fitted.current = want;
    requestAnimationFrame(() => void rf.fitView({ padding: 0.12, duration: 0, maxZoom: 1.1 }));
  }, [layout, current, fitRequest, rf]);

  // — Dropping plugins from the palette —
  const targetOf = (el: Element | null): DropTarget => {
    const t = el?.closest('[data-drop]');
    if (!t) return { kind: 'pane' };
    if (t.getAttribute('data-drop') === 'edge') return { kind: 'edge', id: t.getAttribute('data-edge-id')! };
    const id = t.getAttribute('data-node-id');
    return id ? { kind: 'node', id } : { kind: 'pane' };
  };
  const sameTarget = (a: DropTarget, b: DropTarget) => a?.kind === b?.kind && (a as { id?: string })?.id === (b as { id?: string })?.id;

  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes(PLUGIN_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    const t = targetOf(e.target as Element);
    if (!sameTarget(t, drop)) setDrop(t);
  };
  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(PLUGIN_MIME);
    setDrop(undefined);
    if (!type) return;
    e.preventDefault();
    const plugin = usePlugins.getState().byType[type];
    if (!plugin) return;
    const t = targetOf(e.target as Element);
    if (plugin.kind === 'trigger') return void insertPlugin(plugin);
    if (t?.kind === 'edge') {
      const edge = layout?.edges.find((x) => x.id === t.id);
      return void insertPlugin(plugin, edge?.insert ?? { into: 'tasks' });
    }
    if (t?.kind === 'node') {
      const n = nodeById.get(t.id);
      return void insertPlugin(plugin, (n && insertAtNode(n)) ?? { into: 'tasks' });
    }
    insertPlugin(plugin, { into: 'tasks' });
  };

  // — Moving a task by dragging its node onto an edge's "+", a task or a group —
  const dragTarget = useRef<DropTarget>(undefined);
  const hitTest = (x: number, y: number, self: string): DropTarget => {
    for (const el of document.elementsFromPoint(x, y)) {
      const t = targetOf(el);
      if (t?.kind === 'node') {
        const own = el.closest('.react-flow__node');
        if (own?.getAttribute('data-id') === self || isInside(nodeById, t.id, self)) continue;
        return t;
      }
      if (t?.kind === 'edge') return t;
    }
    return undefined;
  };
  const onNodeDrag: OnNodeDrag<FlowNode> = (ev, node) => {
    const t = hitTest((ev as MouseEvent).clientX, (ev as MouseEvent).clientY, node.id);
    dragTarget.current = t;
    if (!sameTarget(t, drop)) setDrop(t);
  };
  const onNodeDragStop: OnNodeDrag<FlowNode> = (_ev, node) => {
    const t = dragTarget.current;
    dragTarget.current = undefined;
    setDrop(undefined);
    const path = node.data.laid.node.path;
    let moved = false;
    if (path && t?.kind === 'edge') {
      const edge = layout?.edges.find((x) => x.id === t.id);
      if (edge?.insert) moved = moveTaskTo(path, edge.insert);
    } else if (path && t?.kind === 'node') {
      const target = nodeById.get(t.id);
      const at = target && insertAtNode(target);
      if (at) moved = moveTaskTo(path, at);
    }
    if (!moved) setNodes(built); // back where the layout puts it
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if ((e.key === 'Delete' || e.key === 'Backspace') && selected && !(e.target as HTMLElement).closest('input,textarea')) {
      e.preventDefault();
      useEditor.getState().edit({ kind: 'deleteTask', path: selected });
    }
  };

  const groups = (graph?.nodes ?? []).filter((n) => n.kind === 'group').map((n) => n.id);
  const onlyEnds = !!graph && graph.nodes.every((n) => n.kind === 'start' || n.kind === 'end' || n.kind === 'trigger');

  return (
    <div
      className={`graph-pane${broken ? ' stale' : ''}`}
      ref={wrapper}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!wrapper.current?.contains(e.relatedTarget as Node | null)) setDrop(undefined);
      }}
      onDrop={onDrop}
      onKeyDown={onKeyDown}
      data-testid="graph"
      tabIndex={-1}
    >
      {!graph && (
        <div className="graph-loading">
          <Spinner /> Drawing the graph…
        </div>
      )}
      {graph && (
        <ReactFlow<FlowNode, FlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onNodeClick={(_e, n) => n.data.laid.node.path && select(n.data.laid.node.path)}
          onPaneClick={() => {
            select(undefined);
            usePalette.getState().setTarget(undefined);
          }}
          onNodeDrag={onNodeDrag}
          onNodeDragStop={onNodeDragStop}
          nodesConnectable={false}
          edgesFocusable={false}
          deleteKeyCode={null}
          selectNodesOnDrag={false}
          colorMode={theme}
          minZoom={0.08}
          maxZoom={2}
          fitView
          fitViewOptions={{ padding: 0.12, maxZoom: 1.1 }}
          onlyRenderVisibleElements={nodes.length > 400}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={18} size={1} />
          {minimap && (
            <MiniMap
              pannable
              zoomable
              className="minimap"
              style={{ width: 150, height: 100 }}
              nodeStrokeWidth={2}
              nodeBorderRadius={6}
              bgColor={theme === 'dark' ? '#171a21' : '#ffffff'}
              maskColor={theme === 'dark' ? 'rgba(8, 10, 14, 0.62)' : 'rgba(236, 238, 243, 0.7)'}
              nodeColor={(n) => (n.type === 'group' ? 'transparent' : theme === 'dark' ? '#3a4052' : '#cfd4e0')}
              nodeStrokeColor={(n) => (n.type === 'group' ? (theme === 'dark' ? '#444a72' : '#c4c9e6') : 'transparent')}
            />
          )}
          <Controls showInteractive={false} position="bottom-left" />
          <Panel position="top-right" className="graph-toolbar">
            <Segmented<Direction>
              label="Layout direction"
              value={direction}
              onChange={(d) => useGraph.getState().setDirection(d)}
              options={[
                { value: 'LR', label: 'Left → right', icon: 'arrow-right', title: 'Lay out left to right' },
                { value: 'TB', label: 'Top ↓ down', icon: 'arrow-down', title: 'Lay out top to bottom' },
              ]}
            />
            {groups.length > 0 && (
              <>
                <IconButton icon="chevron-right" label="Collapse all groups" onClick={() => useGraph.getState().setAllCollapsed(groups, true)} />
                <IconButton icon="chevron-down" label="Expand all groups" onClick={() => useGraph.getState().setAllCollapsed(groups, false)} />
              </>
            )}
            <IconButton icon="maximize" label="Zoom to fit" onClick={() => useGraph.getState().fit()} data-testid="fit-view" />
            <IconButton icon="layers" label="Toggle minimap" active={minimap} onClick={() => useGraph.getState().toggleMinimap()} />
          </Panel>
          {broken && (
            <Panel position="top-left" className="graph-banner" data-testid="graph-error">
              <Icon name="alert-circle" size={15} />
              <span>
                The YAML has an error at <strong>{broken.line}:{broken.column}</strong> — {broken.message}. The graph shows the last valid version.
              </span>
            </Panel>
          )}
          {onlyEnds && !broken && (
            <Panel position="bottom-center" className="graph-hint">
              Drag a task from the palette onto the graph to start.
            </Panel>
          )}
        </ReactFlow>
      )}
    </div>
  );
}

function isInside(byId: Map<string, GraphNode>, id: string, ancestor: string): boolean {
  for (let n = byId.get(id); n?.parentId; n = byId.get(n.parentId)) if (n.parentId === ancestor) return true;
  return false;
}

