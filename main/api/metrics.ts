// Engine health for benchmarks and the overview: event-loop lag, memory, CPU, group-commit sizes.
// `?reset=true` starts a new measurement window.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Engine } from '../runtime/engine';
import { Router } from './router';

export function metricsRoutes(engine: Engine): Router {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpu = process.cpuUsage();
  let since = performance.now();
  let writes = { commits: engine.store.writer.stats.commits, rows: engine.store.writer.stats.rows };
  return new Router().add('GET', '/api/v1/peregrine/metrics', (req) => {
    const elapsedMs = performance.now() - since;
    const used = process.cpuUsage(cpu);
    const stats = engine.store.writer.stats;
    const commits = stats.commits - writes.commits;
    const body = {
      windowMs: Math.round(elapsedMs),
      eventLoopLagMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
      cpuPercent: Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10,
      writer: { commits, rowsPerCommit: commits ? Math.round(((stats.rows - writes.rows) / commits) * 10) / 10 : 0, maxBatch: stats.maxBatch },
      executionsRunning: engine.executor.running,
    };
    if (req.query.get('reset') === 'true') {
      loop.reset();
      cpu = process.cpuUsage();
      since = performance.now();
      writes = { commits: stats.commits, rows: stats.rows };
    }
    return { status: 200, body };
  });
}
