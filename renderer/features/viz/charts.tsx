// Tiny SVG charts (no charting library): a sparkline, a histogram and stacked bars. They redraw
// from plain arrays; callers throttle their updates (at most a few per second).
import { memo, useState } from 'react';
import { stateTone } from '../../ui/controls';

export interface SparklineProps {
  /** Points, oldest first; null leaves a gap (no data there). */
  values: (number | null)[];
  width?: number;
  height?: number;
  /** CSS class of the line colour: tone-running, tone-success … (see viz.css). */
  tone?: string;
  /** The y range starts at 0 and is at least this high. */
  minMax?: number;
  label?: string;
  format?(v: number): string;
  testId?: string;
}

export const Sparkline = memo(function Sparkline({ values, width = 220, height = 44, tone = 'accent', minMax = 1, label, format = String, testId }: SparklineProps) {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(minMax, ...nums);
  const n = values.length;
  const step = n > 1 ? width / (n - 1) : width;
  const y = (v: number) => height - 2 - (Math.max(0, v) / max) * (height - 4);
  // One run of consecutive points per stretch of data.
  const runs: string[][] = [];
  let run: string[] | undefined;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      run = undefined;
      return;
    }
    if (!run) runs.push((run = []));
    run.push(`${(i * step).toFixed(1)},${y(v).toFixed(1)}`);
  });
  const gaps = runs.length > 1 || nums.length !== n;
  let lastIndex = n - 1;
  while (lastIndex >= 0 && (values[lastIndex] === null || !Number.isFinite(values[lastIndex] as number))) lastIndex--;
  const last = lastIndex >= 0 ? (values[lastIndex] as number) : undefined;
  return (
    <svg className={`sparkline spark-${tone}`} width="100%" height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} data-testid={testId}>
      <title>{label ? `${label}: ${last === undefined ? '—' : format(last)} (max ${format(max)})` : undefined}</title>
      {!gaps && n > 1 && <polygon className="spark-area" points={`0,${height} ${runs[0].join(' ')} ${((n - 1) * step).toFixed(1)},${height}`} />}
      {runs.map((r, i) => (r.length > 1 ? <polyline key={i} className="spark-line" points={r.join(' ')} vectorEffect="non-scaling-stroke" /> : null))}
      {runs.map((r, i) => (r.length === 1 ? <circle key={`d${i}`} className="spark-dot" cx={r[0].split(',')[0]} cy={r[0].split(',')[1]} r={1.6} /> : null))}
      {last !== undefined && <circle className="spark-dot" cx={lastIndex * step} cy={y(last)} r={2.2} />}
    </svg>
  );
});

export interface HistogramBin {
  label: string;
  count: number;
  /** Marked (e.g. the bin holding p95). */
  mark?: string;
}

export const Histogram = memo(function Histogram({ bins, height = 96, testId }: { bins: HistogramBin[]; height?: number; testId?: string }) {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = 100 / Math.max(1, bins.length);
  return (
    <div className="histogram" data-testid={testId}>
      <svg width="100%" height={height} viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" role="img" aria-label="Latency histogram">
        {bins.map((b, i) => {
          const h = b.count ? Math.max(1.5, (b.count / max) * (height - 4)) : 0;
          return (
            <rect key={i} className={`hist-bar${b.mark ? ' marked' : ''}`} x={i * w + w * 0.12} width={w * 0.76} y={height - h} height={h}>
              <title>{`${b.label}: ${b.count}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="hist-axis">
        {bins.map((b, i) => (
          <span key={i} style={{ width: `${w}%` }} className={b.mark ? 'marked' : undefined}>
            {bins.length <= 8 || i % 3 === 0 ? b.label : ''}
          </span>
        ))}
      </div>
    </div>
  );
});

/** The order states stack in (bottom first) and each one's tone. */
export const STACK_ORDER = ['SUCCESS', 'WARNING', 'RUNNING', 'CREATED', 'QUEUED', 'PAUSED', 'RETRYING', 'KILLING', 'FAILED', 'KILLED', 'CANCELLED', 'RESTARTED', 'RETRIED', 'SKIPPED'];

export interface StackedBucket {
  t: number;
  counts: Record<string, number>;
}

export const StackedBars = memo(function StackedBars({ buckets, height = 160, label, testId }: { buckets: StackedBucket[]; height?: number; label(t: number): string; testId?: string }) {
  const [hover, setHover] = useState<number>();
  const totals = buckets.map((b) => Object.values(b.counts).reduce((a, c) => a + c, 0));
  const max = Math.max(1, ...totals);
  const w = 100 / Math.max(1, buckets.length);
  const h = height - 18;
  const tick = Math.max(1, Math.ceil(buckets.length / 8));
  const hovered = hover !== undefined ? buckets[hover] : undefined;
  return (
    <div className="stacked" data-testid={testId} onMouseLeave={() => setHover(undefined)}>
      <div className="stacked-max small muted">{max}</div>
      <svg width="100%" height={h} viewBox={`0 0 100 ${h}`} preserveAspectRatio="none" role="img" aria-label="Executions per bucket by state">
        {buckets.map((b, i) => {
          let y = h;
          return (
            <g key={b.t} onMouseEnter={() => setHover(i)}>
              <rect className="stack-hit" x={i * w} width={w} y={0} height={h} />
              {STACK_ORDER.filter((s) => b.counts[s]).map((s) => {
                const bh = (b.counts[s] / max) * (h - 2);
                y -= bh;
                return <rect key={s} className={`stack-bar fill-${stateTone(s)}`} x={i * w + w * 0.1} width={w * 0.8} y={y} height={bh} data-state={s} />;
              })}
            </g>
          );
        })}
      </svg>
      <div className="stacked-axis">
        {buckets.map((b, i) => (
          <span key={b.t} style={{ width: `${w}%` }}>
            {i % tick === 0 ? label(b.t) : ''}
          </span>
        ))}
      </div>
      {hovered && (
        <div className="stacked-tip small" style={{ left: `${Math.min(80, (hover! + 0.5) * w)}%` }}>
          <strong>{label(hovered.t)}</strong>
          {STACK_ORDER.filter((s) => hovered.counts[s]).map((s) => (
            <div key={s}>
              <span className={`dot-inline fill-${stateTone(s)}`} /> {s} {hovered.counts[s]}
            </div>
          ))}
          {!Object.keys(hovered.counts).length && <div className="muted">none</div>}
        </div>
      )}
    </div>
  );
});
