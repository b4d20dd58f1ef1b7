// Node faces and edges of the flow graph: plugin icon, id, type, live state and run count, and the
// validation problems of the task. Edges carry their branch label and a "+" where a task can go.
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, Handle, Position, type Edge, type EdgeProps, type Node, type NodeProps } from '@xyflow/react';
import type { PluginSummary } from '../../../main/api/contract';
import type { FlowError } from '../../../main/flow/errors';
import type { GraphEdge } from '../../../main/flow/graph';
import { Icon } from '../../ui/icons';
import { StateBadge } from '../../ui/controls';
import type { InsertAt } from '../editor/edits';
import { shortType } from '../plugins/store';
import type { LiveStat } from '../live/store';
import type { Direction, LaidNode } from './layout';
import { useGraph } from './store';

export interface NodeData extends Record<string, unknown> {
  laid: LaidNode;
  direction: Direction;
  plugin?: PluginSummary;
  live?: LiveStat;
  errors?: FlowError[];
  dropTarget?: boolean;
}

export interface EdgeData extends Record<string, unknown> {
  edge: GraphEdge;
  insert?: InsertAt;
  dropTarget?: boolean;
  onPlus?: (edgeId: string) => void;
}

export type FlowNode = Node<NodeData>;
export type FlowEdge = Edge<EdgeData>;

const categoryClass = (p: PluginSummary | undefined): string => `cat-${(p?.category ?? 'other').toLowerCase().replace(/[^a-z]+/g, '-')}`;

function Handles({ direction }: { direction: Direction }) {
  return (
    <>
      <Handle type="target" position={direction === 'LR' ? Position.Left : Position.Top} isConnectable={false} />
      <Handle type="source" position={direction === 'LR' ? Position.Right : Position.Bottom} isConnectable={false} />
    </>
  );
}

function Face({ data, kind }: { data: NodeData; kind: 'task' | 'trigger' }) {
  const n = data.laid.node;
  const errs = data.errors ?? [];
  const hasError = errs.some((e) => e.severity === 'error');
  return (
    <>
      <span className={`gnode-icon ${categoryClass(data.plugin)}`}>
        <Icon name={data.plugin?.icon ?? (kind === 'trigger' ? 'zap' : 'box')} size={17} />
      </span>
      <span className="gnode-text">
        <span className="gnode-id" title={n.taskId}>
          {n.taskId}
        </span>
        <span className="gnode-type" title={n.type}>
          {kind === 'trigger' && <Icon name="zap" size={11} />}
          {data.plugin?.title ?? shortType(n.type)}
          {data.plugin?.mode === 'realtime' && <em className="rt">realtime</em>}
        </span>
      </span>
      <span className="gnode-side">
        {data.live && <StateBadge state={data.live.state} count={data.live.count} compact />}
        {errs.length > 0 && (
          <span className={`gnode-problem ${hasError ? 'error' : 'warning'}`} title={errs.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n')} data-testid="node-error">
            <Icon name={hasError ? 'alert-circle' : 'alert-triangle'} size={14} />
          </span>
        )}
      </span>
    </>
  );
}

export const TaskNode = memo(function TaskNode({ data, selected }: NodeProps<FlowNode>) {
  const n = data.laid.node;
  const problem = data.errors?.some((e) => e.severity === 'error');
  return (
    <div
      className={`gnode gnode-task${selected ? ' selected' : ''}${n.disabled ? ' disabled' : ''}${problem ? ' has-error' : ''}${data.dropTarget ? ' drop-target' : ''}`}
      data-node-id={n.id}
      data-path={n.path}
      data-drop="node"
      data-testid="graph-node"
    >
      <Handles direction={data.direction} />
      <Face data={data} kind="task" />
    </div>
  );
});

export const TriggerNode = memo(function TriggerNode({ data, selected }: NodeProps<FlowNode>) {
  const n = data.laid.node;
  const problem = data.errors?.some((e) => e.severity === 'error');
  return (
    <div
      className={`gnode gnode-trigger${selected ? ' selected' : ''}${n.disabled ? ' disabled' : ''}${problem ? ' has-error' : ''}${data.dropTarget ? ' drop-target' : ''}`}
      data-node-id={n.id}
      data-path={n.path}
      data-drop="node"
      data-testid="graph-node"
    >
      <Handles direction={data.direction} />
      <Face data={data} kind="trigger" />
    </div>
  );
});

export const GroupNode = memo(function GroupNode({ data, selected }: NodeProps<FlowNode>) {
  const n = data.laid.node;
  const toggle = useGraph((s) => s.toggleCollapsed);
  const collapsed = !!data.laid.collapsed;
  const problem = data.errors?.some((e) => e.severity === 'error');
  return (
    <div
      className={`gnode gnode-group${collapsed ? ' collapsed' : ''}${selected ? ' selected' : ''}${n.disabled ? ' disabled' : ''}${problem ? ' has-error' : ''}${data.dropTarget ? ' drop-target' : ''}`}
      data-node-id={n.id}
      data-path={n.path}
      data-drop="node"
      data-testid="graph-node"
      style={{ width: data.laid.width, height: data.laid.height }}
    >
      <Handles direction={data.direction} />
      <div className="gnode-group-head">
        <button
          type="button"
          className="gnode-collapse nodrag"
          aria-label={collapsed ? `Expand ${n.taskId}` : `Collapse ${n.taskId}`}
          title={collapsed ? 'Expand' : 'Collapse'}
          onClick={(e) => {
            e.stopPropagation();
            toggle(n.id);
          }}
        >
          <Icon name={collapsed ? 'chevron-right' : 'chevron-down'} size={14} />
        </button>
        <Face data={data} kind="task" />
      </div>
      {collapsed && <div className="gnode-hidden">{data.laid.hidden} task(s) inside</div>}
    </div>
  );
});

export const DotNode = memo(function DotNode({ data }: NodeProps<FlowNode>) {
  const n = data.laid.node;
  const root = !n.parentId;
  return (
    <div className={`gdot gdot-${n.kind}${root ? ' root' : ''}`} title={root ? (n.kind === 'start' ? 'Start' : 'End') : `${n.taskId} ${n.kind}`} data-node-id={n.id} data-drop={root ? 'node' : undefined}>
      <Handles direction={data.direction} />
      {root && <Icon name={n.kind === 'start' ? 'play' : 'circle-stop'} size={10} />}
    </div>
  );
});

export const nodeTypes = { task: TaskNode, trigger: TriggerNode, group: GroupNode, start: DotNode, end: DotNode };

export const FlowEdgeView = memo(function FlowEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd } = props;
  const [path, lx, ly] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10, offset: 18 });
  const kind = data?.edge.kind ?? 'sequence';
  const label = data?.edge.label;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`gedge gedge-${kind}${data?.dropTarget ? ' drop-target' : ''}`} />
      {(label || data?.insert) && (
        <EdgeLabelRenderer>
          <div className="gedge-mid nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}>
            {label && <span className={`gedge-label kind-${kind}`}>{label}</span>}
            {data?.insert && (
              <button
                type="button"
                className={`gedge-plus${data.dropTarget ? ' drop-target' : ''}`}
                data-drop="edge"
                data-edge-id={id}
                aria-label="Insert a task here"
                title="Insert a task here (or drop one from the palette)"
                onClick={() => data.onPlus?.(id)}
              >
                <Icon name="plus" size={11} />
              </button>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const edgeTypes = { flow: FlowEdgeView };
