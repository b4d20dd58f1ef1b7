// The event tap: the latest events (newest first) of one flow or of all, virtualized, redrawn at
// most once per animation frame and only when something arrived. Pausing (or scrolling down)
// freezes a snapshot while events keep arriving; a filter scans only new events each frame.
import { memo, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Button, IconButton } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { fmtBytes, fmtClock, fmtCount, shortId } from '../viz/format';
import { FilteredRing, type Ring } from './ring';
import { useInspector } from './store';
import { rowText, stateCounts, tapHub, type TapRow } from './tap';

export const ROW_HEIGHT = 26;
const OVERSCAN = 8;

const STATE_CLASS: Record<string, string> = {
  SUCCESS: 'success', WARNING: 'warning', FAILED: 'danger', KILLED: 'muted', CANCELLED: 'muted', RUNNING: 'running', CREATED: 'muted', QUEUED: 'muted',
  KILLING: 'warning', RETRYING: 'warning', PAUSED: 'paused',
};

interface RowProps {
  row: TapRow;
  top: number;
  state: string | undefined;
  selected: boolean;
  showFlow: boolean;
}

const TapRowView = memo(function TapRowView({ row, top, state, selected, showFlow }: RowProps) {
  return (
    <div
      className={`tap-row${selected ? ' selected' : ''}${showFlow ? ' with-flow' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => useInspector.getState().select(row)}
      data-testid="tap-row"
      data-seq={row.seq}
      data-execution={row.ev.executionId}
    >
      <span className="mono muted">{fmtClock(row.ev.receivedAt)}</span>
      {showFlow && (
        <span className="tap-flow" title={row.triggerKey}>
          {row.ev.flowId}
          <span className="muted"> · {row.ev.triggerId}</span>
        </span>
      )}
      <span className="tap-label mono" title={row.label}>
        {row.label}
      </span>
      <span className="num muted cell-right">{fmtBytes(row.ev.size)}</span>
      <span className="mono tap-exec">{shortId(row.ev.executionId)}</span>
      <span className={`tap-state tone-${state ? STATE_CLASS[state] ?? 'muted' : 'muted'}`} data-state={state ?? ''}>
        <span className="dot" />
        {state ?? '…'}
      </span>
    </div>
  );
});

export interface TapCounts {
  received: number;
  held: number;
  shown: number;
  known: number;
  terminal: number;
  byState: Record<string, number>;
}

export function TapTable({ flowKey, showFlow = false }: { flowKey?: string; showFlow?: boolean }) {
  const paused = useInspector((s) => s.paused);
  const rawFilter = useInspector((s) => s.filter);
  const filter = rawFilter.trim().toLowerCase();
  const selectedSeq = useInspector((s) => s.selected?.seq);
  const source: Ring<TapRow> = useMemo(() => (flowKey ? tapHub.flowRing(flowKey) : tapHub.all), [flowKey]);
  const filtered = useMemo(() => (filter ? new FilteredRing(source, (r) => rowText(r).includes(filter)) : undefined), [source, filter]);
  const scroller = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((x: number) => x + 1, 0);
  const [scrolledAway, setScrolledAway] = useState(false);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const frozen = paused || scrolledAway;
  const snapshot = useRef<{ rows: TapRow[]; at: number } | null>(null);
  const counts = useRef<TapCounts>({ received: 0, held: 0, shown: 0, known: 0, terminal: 0, byState: {} });
  const frozenRef = useRef(frozen);
  frozenRef.current = frozen;

  // Freezing takes a snapshot of what is shown; following drops it.
  if (frozen && !snapshot.current) snapshot.current = { rows: (filtered?.ring ?? source).toArray(), at: source.seq };
  if (!frozen && snapshot.current) snapshot.current = null;
  useEffect(() => {
    snapshot.current = frozenRef.current ? { rows: (filtered?.ring ?? source).toArray(), at: source.seq } : null;
    redraw();
  }, [filtered, source]);

  // One look per animation frame: redraw only when events or execution states moved.
  useEffect(() => {
    let raf = 0;
    let seenVersion = -1;
    let seenExec = -1;
    let lastCount = 0;
    let countsDirty = true;
    let lastFill = 0;
    const loop = () => {
      raf = requestAnimationFrame(loop);
      const t = performance.now();
      if (t - lastFill > 500) {
        lastFill = t;
        // States of the rows in sight that no stream reported (captured before they were followed).
        const el = scroller.current;
        const rowsNow = snapshot.current?.rows;
        const ring = filtered?.ring ?? source;
        const from = el ? Math.floor(el.scrollTop / ROW_HEIGHT) : 0;
        const to = from + (el ? Math.ceil(el.clientHeight / ROW_HEIGHT) : 30);
        const ids: string[] = [];
        for (let i = from; i < to; i++) {
          const r = rowsNow ? rowsNow[i] : ring.newest(i);
          // Only rows old enough that the stream would have told us already.
          if (r && !tapHub.execs.has(r.ev.executionId) && r.ev.receivedAt < Date.now() - 2000) ids.push(r.ev.executionId);
        }
        if (ids.length) tapHub.fill(ids);
      }
      const v = tapHub.version;
      const ev = tapHub.execVersion;
      const moved = v !== seenVersion || ev !== seenExec;
      if (v !== seenVersion) filtered?.sync();
      seenVersion = v;
      seenExec = ev;
      if (moved) countsDirty = true;
      // The counts walk the whole buffer: at most four times a second, and once more after the last change.
      let counted = false;
      if (countsDirty && t - lastCount > 250) {
        lastCount = t;
        countsDirty = false;
        counted = true;
        const c = stateCounts(source, tapHub.execs);
        counts.current = { received: source.seq, held: source.size, shown: (filtered?.ring ?? source).size, known: c.known, terminal: c.terminal, byState: c.byState };
      }
      if (moved || counted) redraw();
    };
    raf = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(raf);
  }, [filtered, source]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport((v) => ({ ...v, height: el.clientHeight })));
    ro.observe(el);
    setViewport({ top: el.scrollTop, height: el.clientHeight });
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setViewport({ top: el.scrollTop, height: el.clientHeight });
    if (el.scrollTop > ROW_HEIGHT && !scrolledAway) setScrolledAway(true);
    else if (el.scrollTop <= 0 && scrolledAway) setScrolledAway(false);
  };
  const jumpToLatest = () => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrolledAway(false);
    useInspector.getState().setPaused(false);
  };

  const live = filtered?.ring ?? source;
  const snap = frozen ? snapshot.current : null;
  const count = snap ? snap.rows.length : live.size;
  const get = (i: number) => (snap ? snap.rows[i] : live.newest(i));
  const start = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(count, Math.ceil((viewport.top + viewport.height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = start; i < end; i++) {
    const row = get(i);
    if (!row) continue;
    rows.push(<TapRowView key={i} row={row} top={i * ROW_HEIGHT} state={tapHub.execs.get(row.ev.executionId)?.state} selected={row.seq === selectedSeq} showFlow={showFlow} />);
  }
  const c = counts.current;
  const newSince = snap ? source.seq - snapshot.current!.at : 0;
  const success = c.byState.SUCCESS ?? 0;
  const failed = (c.byState.FAILED ?? 0) + (c.byState.KILLED ?? 0);
  const running = c.known - c.terminal;

  return (
    <div className="tap card" data-testid="tap">
      <div className="tap-toolbar">
        <IconButton
          icon={frozen ? 'play' : 'pause'}
          label={frozen ? 'Resume: follow the latest events' : 'Pause the table (events keep arriving)'}
          active={frozen}
          onClick={() => (frozen ? jumpToLatest() : useInspector.getState().setPaused(true))}
          data-testid="tap-pause"
        />
        <div className="search tap-filter">
          <Icon name="filter" size={13} />
          <input
            value={rawFilter}
            onChange={(e) => useInspector.getState().setFilter(e.target.value)}
            placeholder="Filter: key, topic, payload, execution id…"
            aria-label="Filter events"
            data-testid="tap-filter"
          />
        </div>
        <span className="tap-counts small" data-testid="tap-count" data-received={c.received} data-held={c.held} data-shown={c.shown}>
          <strong className="num">{fmtCount(c.received)}</strong> events
          {filter && <> · {fmtCount(c.shown)} match</>}
          {tapHub.dropped > 0 && <span className="warn-text"> · {fmtCount(tapHub.dropped)} skipped by the engine</span>}
        </span>
        <span className="tap-counts small" data-testid="tap-executions" data-known={c.known} data-terminal={c.terminal} data-success={success} data-failed={failed}>
          <strong className="num">{fmtCount(c.known)}</strong> executions
          {c.known > 0 && (
            <>
              {' '}
              (<span className="ok-text">{fmtCount(success)} ok</span>
              {running > 0 && <>, <span className="run-text">{fmtCount(running)} running</span></>}
              {failed > 0 && <>, <span className="bad-text">{fmtCount(failed)} failed</span></>})
            </>
          )}
        </span>
        <IconButton icon="trash" label="Clear the captured events" onClick={() => tapHub.clear(flowKey)} data-testid="tap-clear" />
      </div>
      <div className={`tap-head grid-head${showFlow ? ' with-flow' : ''}`}>
        <span>Time</span>
        {showFlow && <span>Flow · trigger</span>}
        <span>Key / subject / topic</span>
        <span className="cell-right">Size</span>
        <span>Execution</span>
        <span>State</span>
      </div>
      <div className="tap-scroll" ref={scroller} onScroll={onScroll} data-testid="tap-scroll">
        <div className="tap-space" style={{ height: count * ROW_HEIGHT }}>
          {rows}
        </div>
        {count === 0 && (
          <div className="tap-empty muted">
            {filter ? 'No captured event matches the filter.' : 'Waiting for events… Send a test event, or publish to the source.'}
          </div>
        )}
      </div>
      {frozen && (
        <div className="tap-paused">
          <Icon name="pause" size={13} /> Paused{newSince > 0 ? ` — ${fmtCount(newSince)} new event${newSince === 1 ? '' : 's'} since` : ''}
          <Button className="btn-sm" onClick={jumpToLatest} data-testid="tap-resume">
            Jump to latest
          </Button>
        </div>
      )}
    </div>
  );
}
