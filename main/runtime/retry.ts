// Kestra's retry policies: how long to wait before the next attempt, or undefined to stop.
import type { RetrySpec } from '../model/flow';
import { parseDuration } from '../plugins/schema';

export function nextRetryDelay(retry: RetrySpec | undefined, attemptsDone: number, firstAttemptAt: number, now = Date.now()): number | undefined {
  if (!retry) return undefined;
  const maxAttempt = retry.maxAttempts ?? retry.maxAttempt ?? (retry.maxDuration ? Number.POSITIVE_INFINITY : 1);
  if (attemptsDone >= maxAttempt) return undefined;
  const ms = (d: string | undefined, fallback: number) => (d ? parseDuration(d) ?? fallback : fallback);
  let delay: number;
  switch (retry.type) {
    case 'exponential': {
      const base = ms(retry.interval, 1000);
      const factor = retry.delayFactor ?? 2;
      delay = Math.min(base * factor ** (attemptsDone - 1), ms(retry.maxInterval, Number.POSITIVE_INFINITY));
      break;
    }
    case 'random': {
      const min = ms(retry.minInterval, 0);
      const max = ms(retry.maxInterval, min + 1000);
      delay = min + Math.random() * Math.max(0, max - min);
      break;
    }
    default:
      delay = ms(retry.interval, 1000);
  }
  if (retry.maxDuration && now + delay - firstAttemptAt > ms(retry.maxDuration, Number.POSITIVE_INFINITY)) return undefined;
  return delay;
}
