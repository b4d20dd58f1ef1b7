// HDR histograms in microseconds, summarised in milliseconds.
import hdr from 'hdr-histogram-js';

export type Histogram = ReturnType<typeof hdr.build>;
export interface Summary { count: number; p50: number; p90: number; p99: number; max: number; mean: number }

export const histogram = (): Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

/** Records a latency given in ms (fractions allowed); negative values (clock quantisation) count as 0. */
export const recordMs = (h: Histogram, ms: number): void => h.recordValue(Math.max(1, Math.round(ms * 1000)));

export function summary(h: Histogram): Summary {
  const n = h.totalCount;
  const ms = (v: number) => Math.round(v) / 1000;
  return n ? { count: n, p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue), mean: Math.round(h.mean) / 1000 } : { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
}

export function summarise(values: number[]): Summary {
  const h = histogram();
  for (const v of values) recordMs(h, v);
  return summary(h);
}
