// An execution's task runs as Gantt rows: in tree order (children under their flowable parent),
// each with a waiting segment (created → running) and one segment per attempt. Pure.
import type { Execution, TaskRun } from '../../../main/model/execution';

export interface Segment {
  from: number;
  to: number;
  state: string;
  kind: 'wait' | 'attempt' | 'run';
}

export interface GanttRow {
  run: TaskRun;
  depth: number;
  start: number;
  end?: number;
  segments: Segment[];
}

const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
const t = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

export function segmentsOf(run: TaskRun, now: number): { start: number; end?: number; segments: Segment[] } {
  const created = t(run.state.histories?.[0]?.date) ?? t(run.state.startDate) ?? now;
  const running = t(run.state.histories?.find((h) => h.state === 'RUNNING')?.date);
  const end = TERMINAL.has(run.state.current) ? t(run.state.endDate) ?? now : undefined;
  const segments: Segment[] = [];
  const firstWork = run.attempts?.length ? t(run.attempts[0].state.startDate) ?? running : running;
  if (firstWork !== undefined && firstWork > created) segments.push({ from: created, to: firstWork, state: 'CREATED', kind: 'wait' });
  if (run.attempts?.length) {
    for (const a of run.attempts) {
      const from = t(a.state.startDate) ?? firstWork ?? created;
      const to = t(a.state.endDate) ?? (TERMINAL.has(a.state.current) ? end ?? now : now);
      segments.push({ from, to: Math.max(from, to), state: a.state.current, kind: 'attempt' });
    }
  } else {
    const from = firstWork ?? created;
    segments.push({ from, to: Math.max(from, end ?? now), state: run.state.current, kind: 'run' });
  }
  return { start: created, end, segments };
}

/** Rows in tree order; `start`/`end` span the execution (end = now while it runs). */
export function ganttRows(e: Execution, now = Date.now()): { rows: GanttRow[]; start: number; end: number } {
  const byParent = new Map<string | undefined, TaskRun[]>();
  const ids = new Set(e.taskRunList.map((r) => r.id));
  for (const r of e.taskRunList) {
    const parent = r.parentTaskRunId && ids.has(r.parentTaskRunId) ? r.parentTaskRunId : undefined;
    const list = byParent.get(parent);
    if (list) list.push(r);
    else byParent.set(parent, [r]);
  }
  const rows: GanttRow[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const run of byParent.get(parent) ?? []) {
      rows.push({ run, depth, ...segmentsOf(run, now) });
      walk(run.id, depth + 1);
    }
  };
  walk(undefined, 0);
  const start = Date.parse(e.state.startDate);
  const finished = TERMINAL.has(e.state.current) && e.state.endDate ? Date.parse(e.state.endDate) : now;
  const end = Math.max(finished, ...rows.flatMap((r) => r.segments.map((s) => s.to)), start + 1);
  return { rows, start, end };
}

/** A tick step (ms) giving at most `max` ticks over `span`. */
export function tickStep(span: number, max = 8): number {
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  return steps.find((s) => span / s <= max) ?? Math.ceil(span / max / 3_600_000) * 3_600_000;
}
