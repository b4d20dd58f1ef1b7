// The Gantt of an execution's task runs, live: one bar per attempt, the wait before it lighter,
// coloured by state; click a row for its attempts, outputs and logs.
import { memo } from 'react';
import type { Execution } from '../../../main/model/execution';
import { stateTone } from '../../ui/controls';
import { fmtDuration } from '../viz/format';
import { ganttRows, tickStep } from './gantt';

export const Gantt = memo(function Gantt({ execution, now, selected, onSelect }: { execution: Execution; now: number; selected?: string; onSelect(id: string): void }) {
  const { rows, start, end } = ganttRows(execution, now);
  const span = Math.max(1, end - start);
  const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  const w = (a: number, b: number) => `${Math.max(0.25, ((b - a) / span) * 100).toFixed(3)}%`;
  const step = tickStep(span);
  const ticks: number[] = [];
  for (let x = 0; x <= span; x += step) ticks.push(x);
  return (
    <div className="gantt" data-testid="gantt" data-rows={rows.length}>
      <div className="gantt-head">
        <span className="gantt-label-col">Task</span>
        <div className="gantt-axis">
          {ticks.map((x) => (
            <span key={x} className="gantt-tick" style={{ left: `${(x / span) * 100}%` }}>
              {fmtDuration(x)}
            </span>
          ))}
        </div>
        <span className="gantt-dur-col">Duration</span>
      </div>
      {rows.map((r) => {
        const dur = (r.end ?? now) - (r.segments[0]?.kind === 'wait' ? r.segments[1]?.from ?? r.start : r.start);
        return (
          <div
            key={r.run.id}
            className={`gantt-row${selected === r.run.id ? ' selected' : ''}`}
            onClick={() => onSelect(r.run.id)}
            data-testid="gantt-row"
            data-task={r.run.taskId}
            data-state={r.run.state.current}
          >
            <span className="gantt-label-col" style={{ paddingLeft: 8 + r.depth * 14 }} title={r.run.taskId}>
              <span className={`gantt-dot fill-${stateTone(r.run.state.current)}`} />
              <span className="mono">{r.run.taskId}</span>
              {r.run.value !== undefined && <span className="muted small"> [{r.run.value}]</span>}
              {r.run.attempts?.length > 1 && <span className="tag">{r.run.attempts.length} attempts</span>}
            </span>
            <div className="gantt-track">
              {ticks.map((x) => (
                <span key={x} className="gantt-grid" style={{ left: `${(x / span) * 100}%` }} />
              ))}
              {r.segments.map((s, i) => (
                <span
                  key={i}
                  className={`gantt-bar ${s.kind} fill-${stateTone(s.state)}${s.state === 'RUNNING' ? ' live' : ''}`}
                  style={{ left: pct(s.from), width: w(s.from, s.to) }}
                  title={`${s.kind === 'wait' ? 'waiting' : s.kind === 'attempt' ? `attempt ${i + (r.segments[0].kind === 'wait' ? 0 : 1)}` : 'run'}: ${s.state}, ${fmtDuration(s.to - s.from)}`}
                />
              ))}
            </div>
            <span className="gantt-dur-col num small">{fmtDuration(dur)}</span>
          </div>
        );
      })}
      {!rows.length && <div className="pad muted">{execution.error ? 'No task ran.' : 'No task run yet.'}</div>}
    </div>
  );
});
