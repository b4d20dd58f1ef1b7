// Crash at any instant: for each realtime trigger family, uniquely numbered messages are published
// while the engine is SIGKILLed at seeded random moments and restarted. Zero lost everywhere;
// no duplicates where the source gives a message identity; the SQLite file intact after every crash.
//   PEREGRINE_RELIABILITY_MESSAGES (default 10000), PEREGRINE_RELIABILITY_KILLS (5), PEREGRINE_RELIABILITY_SEED
import { afterAll, expect, it } from 'vitest';
import { describeBroker } from '../brokers';
import { crashScenario, reportTable, saveReport, type CrashReport } from './harness';
import { FAMILIES } from './families';

const messages = Number(process.env.PEREGRINE_RELIABILITY_MESSAGES ?? 10_000);
const kills = Number(process.env.PEREGRINE_RELIABILITY_KILLS ?? 5);
const seed = Number(process.env.PEREGRINE_RELIABILITY_SEED ?? 20261129);
const reports: CrashReport[] = [];

afterAll(() => {
  if (reports.length) saveReport(`Crash at any instant (${messages} messages, ${kills} SIGKILLs, seed ${seed})`, reportTable(reports));
});

for (const adapter of FAMILIES) {
  describeBroker(adapter.broker, (broker) => {
    it(`${adapter.family}: every message has an execution after ${kills} SIGKILLs`, async () => {
      const report = await crashScenario(adapter, broker(), { messages, kills, seed });
      reports.push(report);
      expect(report.kills).toBe(Math.min(kills, Math.ceil(messages / 100) - 1));
      expect(report.integrity.every((x) => x === 'ok')).toBe(true);
      expect(report.lost).toBe(0);
      if (adapter.identity) expect(report.duplicates).toBe(0);
    }, 600_000);
  }, { title: `${adapter.family} under crashes` });
}
