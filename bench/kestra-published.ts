// Kestra's published benchmark figures (Kestra docs, "Benchmarks" page, Kestra 1.2.0; a 4 vCPU VM
// for Kestra plus separate database / Kafka VMs). Rates in executions per minute, latency in seconds.
export interface PublishedRow { perMinute: number; latencyS: number }

export const KESTRA_1_2: Record<string, { oss: PublishedRow[]; ee: PublishedRow[]; note?: string }> = {
  benchmark01: {
    oss: [[250, 0.17], [500, 0.17], [1000, 0.19], [1500, 0.26], [2000, 2.5]].map(([perMinute, latencyS]) => ({ perMinute, latencyS })),
    ee: [[250, 0.24], [500, 0.25], [1000, 0.26], [1500, 0.29], [2000, 0.28], [2500, 0.29], [3000, 0.32], [3500, 1.17], [4000, 1.3], [4500, 1.9]].map(([perMinute, latencyS]) => ({ perMinute, latencyS })),
  },
  benchmark02: {
    oss: [[100, 0.7], [200, 0.7], [300, 0.8], [400, 1.5], [500, 15]].map(([perMinute, latencyS]) => ({ perMinute, latencyS })),
    ee: [[100, 1.3], [200, 1.4], [300, 1.4], [400, 1.5], [500, 1.7], [600, 1.8], [700, 2.3], [800, 5.3]].map(([perMinute, latencyS]) => ({ perMinute, latencyS })),
  },
  benchmark03: { oss: [{ perMinute: 0, latencyS: 5 }], ee: [{ perMinute: 0, latencyS: 8 }], note: 'one execution of a 100-iteration ForEach' },
  // benchmark04 (Kafka RealtimeTrigger → JSONata TransformValue → OutputValues), one table per
  // message size; Kestra's load came from kafka-producer-perf-test.sh, latency = avg(state_duration).
  'benchmark04-1.6KB': {
    oss: rows([[500, 0.19], [1000, 0.2], [1500, 0.31], [2000, 5.3]]),
    ee: rows([[500, 0.26], [1000, 0.28], [1500, 0.3], [2000, 0.29], [2500, 0.31], [3000, 0.36], [3500, 0.48], [4000, 0.48]]),
    note: 'EE was not pushed past 4000/min',
  },
  'benchmark04-16KB': {
    oss: rows([[500, 0.21], [750, 0.23], [1000, 0.27], [1250, 0.36], [1500, 4.6]]),
    ee: rows([[500, 0.26], [750, 0.28], [1000, 0.3], [1250, 0.31], [1500, 0.31], [1750, 0.36], [2000, 0.36], [2250, 0.38], [2500, 0.61]]),
    note: 'EE was not pushed past 2500/min',
  },
  'benchmark04-160KB': {
    oss: rows([[250, 0.48], [375, 0.77], [500, 15], [625, 25]]),
    ee: rows([[250, 0.28], [375, 0.36], [500, 0.29], [625, 0.33], [750, 0.97]]),
    note: 'EE was not pushed past 750/min',
  },
};

function rows(pairs: number[][]): PublishedRow[] {
  return pairs.map(([perMinute, latencyS]) => ({ perMinute, latencyS }));
}

/** The highest published rate with latency under 1 s. */
export function sustained(rows: PublishedRow[]): number {
  return Math.max(0, ...rows.filter((r) => r.latencyS < 1).map((r) => r.perMinute));
}
