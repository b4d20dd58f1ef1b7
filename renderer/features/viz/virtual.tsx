// Virtualized rows of a fixed height: only the rows in view (plus a few) are in the DOM, whatever
// the count. `useVirtual` gives the visible range of a scroll container; `VirtualList` is the
// ready-made list.
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

export interface VirtualRange {
  start: number;
  end: number;
  scrollTop: number;
  height: number;
}

/** Visible rows [start, end) of `count` rows of `rowHeight` px in the scroll container `ref`. */
export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number, overscan = 6): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { start, end: Math.max(start, end) };
}

export function useVirtual(ref: RefObject<HTMLElement | null>, rowHeight: number, count: number, overscan = 6): VirtualRange & { onScroll(): void } {
  const [view, setView] = useState({ scrollTop: 0, height: 400 });
  const read = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    setView((v) => (v.scrollTop === el.scrollTop && v.height === el.clientHeight ? v : { scrollTop: el.scrollTop, height: el.clientHeight }));
  }, [ref]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, read]);
  const { start, end } = visibleRange(view.scrollTop, view.height, rowHeight, count, overscan);
  return { start, end, scrollTop: view.scrollTop, height: view.height, onScroll: read };
}

export function VirtualList({
  count, rowHeight, renderRow, className, testId, header, empty, stickToBottom,
}: {
  count: number;
  rowHeight: number;
  renderRow(i: number): ReactNode;
  className?: string;
  testId?: string;
  header?: ReactNode;
  empty?: ReactNode;
  /** Keeps the view at the bottom while it is there (a log tail). */
  stickToBottom?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const v = useVirtual(ref, rowHeight, count);
  useEffect(() => {
    const el = ref.current;
    if (stickToBottom && el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [count, stickToBottom]);
  const onScroll = () => {
    const el = ref.current;
    if (el) atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    v.onScroll();
  };
  const rows: ReactNode[] = [];
  for (let i = v.start; i < v.end; i++) rows.push(renderRow(i));
  return (
    <div className={`vlist-wrap${className ? ` ${className}` : ''}`} data-testid={testId} data-count={count}>
      {header}
      <div className="vlist" ref={ref} onScroll={onScroll}>
        {count === 0 && empty}
        <div className="vlist-space" style={{ height: count * rowHeight }}>
          <div className="vlist-rows" style={{ transform: `translateY(${v.start * rowHeight}px)` }}>
            {rows}
          </div>
        </div>
      </div>
    </div>
  );
}
