// Events per second and end-to-end latency (event → execution start → execution end) as live
// sparklines, and the latency histogram with its percentiles. Recomputed twice a second.
import { useEffect, useState } from 'react';
import { Histogram, Sparkline, type HistogramBin } from '../viz/charts';
import { fmtDuration, fmtRate } from '../viz/format';
import type { LatencySummary } from './latency';
import { SERIES_POINTS } from './health';
import { tapHub } from './tap';

interface Snapshot {
  summary: LatencySummary;
  bins: HistogramBin[];
  series: (number | null)[];
}

/** A fixed-width window: missing points on the left are gaps, so the line grows from the right. */
export function padLeft(values: number[], n: number): (number | null)[] {
  const tail = values.slice(-n);
  return [...new Array<null>(Math.max(0, n - tail.length)).fill(null), ...tail];
}

function read(key: string): Snapshot {
  const s = tapHub.latencyOf(key);
  return { summary: s.summary(), bins: s.histogram(), series: s.series(Date.now(), 60) };
}

export function LiveCharts({ latencyKey, rates, rateNow }: { latencyKey: string; rates: number[]; /** The engine's 10 s average (the headline). */ rateNow?: number }) {
  const [snap, setSnap] = useState(() => read(latencyKey));
  useEffect(() => {
    setSnap(read(latencyKey));
    let seen = tapHub.execVersion;
    let ticks = 0;
    const t = setInterval(() => {
      // New executions, or every 2 s so that the last minute slides.
      if (tapHub.execVersion === seen && ++ticks % 4 !== 0) return;
      seen = tapHub.execVersion;
      setSnap(read(latencyKey));
    }, 500);
    return () => clearInterval(t);
  }, [latencyKey]);
  const { summary, bins, series } = snap;
  const current = rateNow ?? (rates.length ? rates[rates.length - 1] : undefined);
  return (
    <div className="live-charts">
      <div className="card chart-card" data-testid="chart-rate">
        <div className="card-head">
          <span className="card-title">Events / s</span>
          <span className="card-value num" data-testid="rate-now" title="average over the last 10 s">{fmtRate(current)}</span>
        </div>
        <div className="card-body">
          <Sparkline values={padLeft(rates, SERIES_POINTS)} tone="running" label="Events per second, last minute" format={fmtRate} height={46} />
          <div className="card-sub">last minute · peak {fmtRate(Math.max(0, ...rates))}</div>
        </div>
      </div>
      <div className="card chart-card" data-testid="chart-latency">
        <div className="card-head">
          <span className="card-title" title="event time → execution start → execution end">Latency</span>
          <span className="card-value num" data-testid="latency-p50">{fmtDuration(summary.p50)}</span>
          <span className="card-sub">p50</span>
        </div>
        <div className="card-body">
          <Sparkline values={series} tone="warning" label="Mean latency per second, last minute" format={(v) => fmtDuration(v)} height={46} />
          <div className="card-sub" title="p50 of: event time (or admission) → execution start, and execution start → end">
            to start <strong>{fmtDuration(summary.queueP50)}</strong> · run <strong>{fmtDuration(summary.runP50)}</strong>
          </div>
        </div>
      </div>
      <div className="card chart-card chart-hist" data-testid="chart-histogram">
        <div className="card-head">
          <span className="card-title">Distribution</span>
          <span className="card-sub num">
            {summary.n ? (
              <>
                p95 <strong>{fmtDuration(summary.p95)}</strong> · p99 <strong>{fmtDuration(summary.p99)}</strong> · {summary.n} runs
              </>
            ) : (
              'no finished execution yet'
            )}
          </span>
        </div>
        <div className="card-body">
          <Histogram bins={bins} height={52} />
        </div>
      </div>
    </div>
  );
}
