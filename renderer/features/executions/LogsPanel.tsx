// An execution's logs: minimum level, a search, and the live tail (follows the end while you are
// there). Long logs are virtualized, one line per entry.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogEntry, LogLevel } from '../../../main/model/execution';
import { Segmented, Switch } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { fmtClock } from '../viz/format';
import { VirtualList } from '../viz/virtual';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const VIRTUAL_ABOVE = 1500;

export function filterLogs(logs: LogEntry[], minLevel: LogLevel, q: string, taskRunId?: string): LogEntry[] {
  const min = LEVELS.indexOf(minLevel);
  const needle = q.trim().toLowerCase();
  return logs.filter(
    (l) => LEVELS.indexOf(l.level) >= min && (!taskRunId || l.taskRunId === taskRunId) && (!needle || l.message.toLowerCase().includes(needle) || (l.taskId ?? '').toLowerCase().includes(needle)),
  );
}

function Line({ l, wrap }: { l: LogEntry; wrap: boolean }) {
  return (
    <div className={`log log-${l.level.toLowerCase()}${wrap ? '' : ' one-line'}`} data-testid="log-line" data-level={l.level}>
      <span className="log-time">{fmtClock(Date.parse(l.timestamp))}</span>
      <span className="log-level">{l.level}</span>
      {l.taskId && <span className="log-task">{l.taskId}</span>}
      <span className="log-msg" title={wrap ? undefined : l.message}>
        {l.message}
      </span>
    </div>
  );
}

export function LogsPanel({ logs, taskRunId, compact }: { logs: LogEntry[]; taskRunId?: string; compact?: boolean }) {
  const [level, setLevel] = useState<LogLevel>('TRACE');
  const [q, setQ] = useState('');
  const [tail, setTail] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => filterLogs(logs, level, q, taskRunId), [logs, level, q, taskRunId]);
  const virtual = shown.length > VIRTUAL_ABOVE;
  useEffect(() => {
    if (tail && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, tail]);
  return (
    <div className={`logs-panel${compact ? ' compact' : ''}`} data-testid="logs-panel">
      <div className="logs-bar">
        <Segmented<LogLevel> label="Minimum level" value={level} onChange={setLevel} options={LEVELS.map((l) => ({ value: l, label: l }))} />
        <div className="search logs-search">
          <Icon name="search" size={13} />
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search the logs" aria-label="Search the logs" data-testid="logs-search" />
        </div>
        <span className="small muted" data-testid="logs-count" data-count={shown.length}>
          {shown.length} of {logs.length}
        </span>
        <Switch checked={tail} onChange={setTail} label="Follow" />
      </div>
      {virtual ? (
        <div className="logs-virtual">
          <VirtualList count={shown.length} rowHeight={20} stickToBottom={tail} renderRow={(i) => <Line key={i} l={shown[i]} wrap={false} />} />
        </div>
      ) : (
        <div
          className="logs mono"
          ref={box}
          onScroll={(e) => {
            const el = e.currentTarget;
            const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
            if (!atEnd && tail) setTail(false);
          }}
        >
          {shown.map((l, i) => (
            <Line key={i} l={l} wrap />
          ))}
          {!shown.length && (
            <div className="muted">
              <Icon name="info" size={13} /> {logs.length ? 'No log line matches.' : 'No logs yet.'}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
