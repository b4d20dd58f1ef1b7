// The executions list's filters and live merging, the Gantt's rows and ticks, log filtering, the
// topology's task states, and the shared formatters and JSON tree helpers.
import { describe, expect, it } from 'vitest';
import type { Execution, LogEntry, TaskRun } from '../../../main/model/execution';
import { ganttRows, segmentsOf, tickStep } from '../../../renderer/features/executions/gantt';
import { filterLogs } from '../../../renderer/features/executions/LogsPanel';
import { filtersFromQuery, matches, mergeExecutions, MAX_ROWS, parseLabels, queryOf, type Filters } from '../../../renderer/features/executions/store';
import { taskStates } from '../../../renderer/features/executions/Topology';
import { fmtBytes, fmtDuration, fmtRate, parseIsoDuration, stateDuration } from '../../../renderer/features/viz/format';
import { expressionOf, searchTree } from '../../../renderer/features/viz/JsonTree';

const T0 = Date.parse('2025-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function ex(id: string, state: string, at = 0, extra: Partial<Execution> = {}): Execution {
  return {
    id, namespace: 'company.team', flowId: 'orders', flowRevision: 1, taskRunList: [], inputs: {}, labels: [], originalId: id,
    state: { current: state as never, histories: [{ state: 'CREATED', date: iso(at) }], startDate: iso(at) }, ...extra,
  };
}

function run(id: string, taskId: string, state: string, from: number, to: number | undefined, extra: Partial<TaskRun> = {}): TaskRun {
  return {
    id, executionId: 'x', namespace: 'n', flowId: 'f', taskId,
    attempts: [{ state: { current: state as never, histories: [], startDate: iso(from + 1), ...(to !== undefined ? { endDate: iso(to) } : {}) } }],
    state: { current: state as never, histories: [{ state: 'CREATED', date: iso(from) }, { state: 'RUNNING', date: iso(from + 1) }], startDate: iso(from), ...(to !== undefined ? { endDate: iso(to) } : {}) },
    ...extra,
  };
}

describe('the executions list', () => {
  it('parses labels and carries the filters in the address', () => {
    expect(parseLabels('team=growth, env: dev,broken,=x')).toEqual({ team: 'growth', env: 'dev' });
    const f = filtersFromQuery(new URLSearchParams('namespace=company&flow=orders&state=FAILED,KILLED&range=1h&label=team%3Dgrowth'));
    expect(f).toEqual({ namespace: 'company', flowId: 'orders', states: ['FAILED', 'KILLED'], range: '1h', label: 'team=growth' });
    expect(filtersFromQuery(new URLSearchParams(queryOf(f).slice(1)))).toEqual(f);
    expect(filtersFromQuery(new URLSearchParams('range=nonsense'))).toEqual({ states: [], range: '24h', label: '' });
    expect(queryOf({ states: [], range: '24h', label: '' })).toBe('');
  });

  it('decides whether a new execution belongs under the filters', () => {
    const now = T0 + 1000;
    const base: Filters = { states: [], range: '15m', label: '' };
    const e = ex('a', 'RUNNING', 0, { labels: [{ key: 'team', value: 'growth' }] });
    expect(matches(e, base, now)).toBe(true);
    expect(matches(e, { ...base, namespace: 'company' }, now)).toBe(true);
    expect(matches(e, { ...base, namespace: 'comp' }, now)).toBe(false);
    expect(matches(e, { ...base, flowId: 'other' }, now)).toBe(false);
    expect(matches(e, { ...base, states: ['FAILED'] }, now)).toBe(false);
    expect(matches(e, { ...base, label: 'team=growth' }, now)).toBe(true);
    expect(matches(e, { ...base, label: 'team=ops' }, now)).toBe(false);
    expect(matches(e, base, T0 + 16 * 60_000)).toBe(false);
    expect(matches(e, { ...base, range: 'all' }, T0 + 16 * 60_000)).toBe(true);
  });

  it('merges live updates: known rows replaced in place, new matching ones on top, newest first, bounded', () => {
    const f: Filters = { states: [], range: 'all', label: '' };
    const rows = [ex('b', 'RUNNING', 20), ex('a', 'RUNNING', 10)];
    const { rows: next, added } = mergeExecutions(rows, [ex('a', 'SUCCESS', 10), ex('c', 'RUNNING', 30), ex('d', 'RUNNING', 40), ex('c', 'SUCCESS', 30)], f);
    expect(added).toBe(2);
    expect(next.map((e) => `${e.id}:${e.state.current}`)).toEqual(['d:RUNNING', 'c:SUCCESS', 'b:RUNNING', 'a:SUCCESS']);
    const failedOnly = mergeExecutions(rows, [ex('e', 'RUNNING', 50)], { ...f, states: ['FAILED'] });
    expect(failedOnly.added).toBe(0);
    const many = Array.from({ length: MAX_ROWS + 10 }, (_, i) => ex(`x${i}`, 'RUNNING', i));
    expect(mergeExecutions([], many, f).rows).toHaveLength(MAX_ROWS);
  });
});

describe('the Gantt', () => {
  it('puts task runs in tree order with a waiting segment and one segment per attempt', () => {
    const e = ex('x', 'SUCCESS', 0, {
      state: { current: 'SUCCESS', histories: [], startDate: iso(0), endDate: iso(100) },
      taskRunList: [
        run('1', 'fetch', 'SUCCESS', 0, 40),
        run('2', 'each', 'SUCCESS', 40, 90),
        run('3', 'work', 'SUCCESS', 45, 80, { parentTaskRunId: '2', value: 'eu' }),
        run('4', 'after', 'SUCCESS', 90, 100),
        run('5', 'work', 'SUCCESS', 46, 85, { parentTaskRunId: '2', value: 'us' }),
      ],
    });
    const { rows, start, end } = ganttRows(e, T0 + 1000);
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.run.taskId}${r.run.value ? `[${r.run.value}]` : ''}`)).toEqual(['fetch', 'each', '  work[eu]', '  work[us]', 'after']);
    expect(start).toBe(T0);
    expect(end).toBe(T0 + 100);
    expect(rows[0].segments).toEqual([
      { from: T0, to: T0 + 1, state: 'CREATED', kind: 'wait' },
      { from: T0 + 1, to: T0 + 40, state: 'SUCCESS', kind: 'attempt' },
    ]);
  });

  it('draws a running task up to now, and retries as several attempts', () => {
    const live = run('1', 'call', 'RUNNING', 0, undefined);
    expect(segmentsOf(live, T0 + 500).segments.at(-1)).toEqual({ from: T0 + 1, to: T0 + 500, state: 'RUNNING', kind: 'attempt' });
    const retried = run('2', 'call', 'SUCCESS', 0, 300);
    retried.attempts = [
      { state: { current: 'FAILED', histories: [], startDate: iso(1), endDate: iso(100) } },
      { state: { current: 'SUCCESS', histories: [], startDate: iso(200), endDate: iso(300) } },
    ];
    expect(segmentsOf(retried, T0).segments.map((s) => `${s.kind}:${s.state}:${s.to - s.from}`)).toEqual(['wait:CREATED:1', 'attempt:FAILED:99', 'attempt:SUCCESS:100']);
    const flowable: TaskRun = { ...run('3', 'group', 'SUCCESS', 0, 50), attempts: [] };
    expect(segmentsOf(flowable, T0).segments.map((s) => s.kind)).toEqual(['wait', 'run']);
  });

  it('picks tick steps that give at most 8 ticks', () => {
    expect(tickStep(7)).toBe(1);
    expect(tickStep(721)).toBe(100);
    expect(tickStep(65_000)).toBe(10_000);
    expect(65_000 / tickStep(65_000)).toBeLessThanOrEqual(8);
  });
});

describe('logs and topology', () => {
  const log = (level: string, message: string, taskRunId?: string): LogEntry => ({ namespace: 'n', flowId: 'f', timestamp: iso(0), level: level as never, message, ...(taskRunId ? { taskRunId, taskId: 'report' } : {}) });
  it('filters logs by minimum level, text and task run', () => {
    const logs = [log('DEBUG', 'start'), log('INFO', 'report written', 'tr1'), log('WARN', 'slow'), log('ERROR', 'boom', 'tr2')];
    expect(filterLogs(logs, 'WARN', '').map((l) => l.message)).toEqual(['slow', 'boom']);
    expect(filterLogs(logs, 'TRACE', 'WRITTEN').map((l) => l.message)).toEqual(['report written']);
    expect(filterLogs(logs, 'TRACE', 'report').map((l) => l.message)).toEqual(['report written', 'boom']); // the task id matches too
    expect(filterLogs(logs, 'TRACE', '', 'tr2').map((l) => l.message)).toEqual(['boom']);
  });

  it("colours each task by its latest run's state and counts its runs", () => {
    const e = ex('x', 'FAILED', 0, { taskRunList: [run('1', 'work', 'SUCCESS', 0, 1), run('2', 'work', 'FAILED', 1, 2), run('3', 'log', 'SUCCESS', 0, 1)] });
    expect(taskStates(e)).toEqual({ work: { state: 'FAILED', count: 2 }, log: { state: 'SUCCESS', count: 1 } });
  });
});

describe('formatting and the JSON tree', () => {
  it('formats durations, sizes and rates', () => {
    expect(fmtDuration(0)).toBe('0 ms');
    expect(fmtDuration(0.42)).toBe('0.42 ms');
    expect(fmtDuration(12.4)).toBe('12 ms');
    expect(fmtDuration(1250)).toBe('1.25 s');
    expect(fmtDuration(125_000)).toBe('2 min 5 s');
    expect(fmtDuration(undefined)).toBe('—');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(2048)).toBe('2.0 KB');
    expect(fmtRate(10_000)).toBe('10k/s');
    expect(fmtRate(0.4)).toBe('0.4/s');
    expect(parseIsoDuration('PT0.123S')).toBeCloseTo(123);
    expect(parseIsoDuration('PT1M2.5S')).toBe(62_500);
    expect(parseIsoDuration('P1DT1H')).toBe(90_000_000);
    expect(stateDuration({ startDate: iso(0), endDate: iso(250) })).toBe(250);
  });

  it('writes the Pebble expression of a value, and finds what a search matches', () => {
    expect(expressionOf('trigger', ['value', 'items', 0, 'order-id'])).toBe("trigger.value.items[0]['order-id']");
    expect(expressionOf('', ['a', 'b'])).toBe('a.b');
    const { hits, open } = searchTree({ order: { customer: 'Ada', lines: [{ sku: 'x' }] }, other: 1 }, 'ada');
    expect([...hits]).toEqual([JSON.stringify(['order', 'customer'])]);
    expect(open.has(JSON.stringify(['order']))).toBe(true);
    expect(open.has(JSON.stringify([]))).toBe(true);
    expect(searchTree({ sku: 1 }, 'SKU').hits.size).toBe(1);
    expect(searchTree({ a: 1 }, '').hits.size).toBe(0);
  });
});
