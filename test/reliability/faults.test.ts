// Broker and network faults, for every realtime trigger family: the engine reaches its broker
// through a fault-injecting proxy (test/reliability/proxy.ts); a network cut, a black hole and a
// slow network, then the broker SIGKILLed and started again on its data. Each time the trigger
// goes BACKOFF with the reason (cut, black hole, kill), comes back to RUNNING by itself, and no
// id is lost; where the source gives a message identity, no id has two executions.
//   PEREGRINE_FAULTS_MESSAGES: ids published per step (default 200)
import { afterAll, afterEach, expect, it } from 'vitest';
import { describeBroker, type BrokerName } from '../brokers';
import { FaultRig, faultTable, idRange, type FaultReport } from './fault-rig';
import { FAMILIES } from './families';
import { saveReport } from './harness';

const N = Number(process.env.PEREGRINE_FAULTS_MESSAGES ?? 200);
/** How long a black-holed connection may go unnoticed before the trigger must be in BACKOFF. */
const DETECT_MS = 75_000; // AMQP heartbeat ~30 s, MQTT keepalive 30 s × 1.5, NATS 3 pings × 15 s, SQS 3 × 16 s requests
const RECOVER_MS = 60_000;
/** How long the network stays down after a cut. */
const CUT_MS = 3000;
const reports: FaultReport[] = [];

afterAll(() => {
  if (reports.length) saveReport(`Broker faults (${N} ids per step)`, faultTable(reports));
});

function expectNothingLost(report: FaultReport, identity: boolean): void {
  reports.push(report);
  expect(report.lost, `${report.family} / ${report.fault}: ids without an execution (e.g. ${report.missing.join(', ')})`).toBe(0);
  if (identity) expect(report.duplicates, `${report.family} / ${report.fault}: ids with two executions`).toBe(0);
}

for (const adapter of FAMILIES) {
  describeBroker(adapter.broker as BrokerName, (broker) => {
    let rig: FaultRig<BrokerName> | undefined;
    afterEach(async () => {
      await rig?.close();
      rig = undefined;
    });
    const begin = async (opts: { direct?: boolean } = {}) => {
      rig = new FaultRig(adapter, broker());
      await rig.start(opts);
      return rig;
    };

    it(`${adapter.family}: a network cut mid-stream — BACKOFF with the reason, recovery, nothing lost`, async () => {
      const r = await begin();
      const [before, after] = [idRange(100_001, N), idRange(100_001 + N, N)];
      await r.publish(before);
      await r.received('network cut', before, RECOVER_MS);
      await r.publish(after);
      // Down for a while, not a blip: an HTTP client (SQS) retries a single reset invisibly.
      r.faultBegins();
      r.proxy.mode = 'reject';
      r.proxy.cut();
      await new Promise((res) => setTimeout(res, CUT_MS));
      r.proxy.mode = 'pass';
      const report = await r.received('network cut', [...before, ...after], RECOVER_MS);
      expect(r.backoffReason(), `states: ${r.states.join(' → ')}`).toBeTruthy();
      await r.reaches('RUNNING', RECOVER_MS);
      expectNothingLost(report, adapter.identity);
    });

    it(`${adapter.family}: a black hole — the silent connection is detected, traffic resumes with the network`, async () => {
      const r = await begin();
      const [before, during] = [idRange(200_001, N), idRange(200_001 + N, N)];
      await r.publish(before);
      await r.received('black hole', before, RECOVER_MS); // the consumer is streaming (past any snapshot)
      r.faultBegins();
      r.proxy.mode = 'blackhole';
      await r.publish(during);
      await r.backsOff(DETECT_MS);
      if (adapter.blackHoleReason) expect(r.backoffReason()).toMatch(adapter.blackHoleReason);
      r.proxy.mode = 'pass';
      r.proxy.cut(); // connections opened during the black hole lost bytes: start clean
      const report = await r.received('black hole', [...before, ...during], RECOVER_MS);
      await r.reaches('RUNNING', RECOVER_MS);
      expectNothingLost(report, adapter.identity);
    });

    it(`${adapter.family}: a slow network (200 ms each way) — everything still arrives`, async () => {
      const r = await begin();
      const ids = idRange(300_001, N);
      r.proxy.mode = 'delay';
      r.proxy.delayMs = 200;
      await r.publish(ids);
      expectNothingLost(await r.received('slow network', ids, 120_000), adapter.identity);
      expect(r.health()!.state).toBe('RUNNING');
    });

    it(`${adapter.family}: the broker SIGKILLed mid-stream and started again — BACKOFF, recovery, nothing lost`, async () => {
      const r = await begin({ direct: true });
      // pstest numbers messageIds from 1 again once restarted: a message the engine admitted
      // before the kill would make a new one with the same messageId a duplicate. So a volatile
      // broker gets no messages before the kill.
      const [before, after] = [adapter.volatile ? [] : idRange(400_001, N), idRange(400_001 + N, N)];
      if (before.length) await r.publish(before);
      // Mosquitto keeps acknowledged messages in memory until its next autosave: killed sooner,
      // the broker itself loses them, whatever the consumer does.
      if (adapter.persistEveryMs) await new Promise((res) => setTimeout(res, adapter.persistEveryMs! + 500));
      r.faultBegins();
      await broker().kill();
      await r.backsOff(DETECT_MS);
      await broker().start();
      await adapter.prepare?.(broker()); // Pub/Sub's fake lost its topic: create it again
      await r.reaches('RUNNING', RECOVER_MS);
      await r.publish(after);
      if (adapter.volatile) {
        // pstest is in memory: its topic and subscription died with it (the topic is created
        // again above), so what counts is that the trigger re-subscribed by itself and gets
        // every id published after the restart.
        expectNothingLost(await r.received('broker SIGKILL (after restart)', after, RECOVER_MS), adapter.identity);
      } else {
        expectNothingLost(await r.received('broker SIGKILL', [...before, ...after], RECOVER_MS), adapter.identity);
      }
      expect(r.health()!.state).toBe('RUNNING');
    });

    if (adapter.broker === 'postgres') {
      it(`${adapter.family}: a black hole during the initial snapshot — detected, the snapshot resumes, nothing lost`, async () => {
        // Enough rows that the snapshot is still reading (FETCH by FETCH) when the network goes.
        const rows = idRange(600_001, 20_000);
        await adapter.prepare?.(broker());
        await adapter.publish(broker(), rows);
        const r = await begin();
        r.faultBegins();
        r.proxy.mode = 'blackhole';
        const counted = await r.received('black hole in the snapshot (so far)', rows, 0);
        expect(counted.executions, 'the snapshot had already finished: nothing was tested').toBeLessThan(rows.length);
        const reason = await r.backsOff(DETECT_MS);
        expect(reason).toMatch(/snapshot read|did not answer|sent nothing/);
        r.proxy.mode = 'pass';
        r.proxy.cut();
        const report = await r.received('black hole in the snapshot', rows, RECOVER_MS * 2);
        await r.reaches('RUNNING', RECOVER_MS);
        expectNothingLost(report, adapter.identity);
      });
    }
  }, { title: `${adapter.family} under broker faults` });
}
