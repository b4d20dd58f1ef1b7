// A slow commit does not hold up the messages behind it: while the store sits on the first
// message's admission, each pipelined consumer keeps taking (and admitting) the next ones from its
// real broker; once the store lets go, every message runs exactly once.
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker, type BrokerName } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';
import { amqpFamily, kafkaFamily, mqttFamily, natsFamily, postgresFamily, redisFamily } from '../../reliability/families';

const FAMILIES = [redisFamily, amqpFamily, mqttFamily, natsFamily, kafkaFamily, postgresFamily];

let engine: Engine | undefined;
let held: ReturnType<typeof holdAdmissions> | undefined;
afterEach(async () => {
  held?.release(); // a failed test must not leave the engine's close waiting on a held commit
  held = undefined;
  await engine?.close();
  engine = undefined;
});

/** Holds every admission's commit until release() (they then commit in order); counts them meanwhile. */
function holdAdmissions(e: Engine) {
  const writer = e.store.writer;
  const admit = writer.admit.bind(writer);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held = { count: 0, release };
  writer.admit = async (req) => {
    held.count++;
    await released;
    return admit(req);
  };
  return held;
}

for (const family of FAMILIES) {
  describeBroker(family.broker as BrokerName, (broker) => {
    it(`${family.family}: messages keep being admitted while an earlier commit is slow; each runs once`, async () => {
      const b = broker();
      await family.prepare?.(b as never);
      engine = await startEngine([family.flow(b as never)], { maxInFlight: 100 });
      const e = engine;
      const triggerId = /triggers:\n {2}- id: (\S+)/.exec(family.flow(b as never))![1];
      await eventually(() => health(e, 'reliability', 'crash', triggerId)?.state === 'RUNNING', 30_000, 'trigger RUNNING');

      held = holdAdmissions(e);
      await family.publish(b as never, [1]);
      const h = held;
      await eventually(() => h.count === 1, 15_000, 'the first message reaches the store');
      await family.publish(b as never, [2, 3, 4, 5]);
      // Not one commit has finished, yet the consumer took and admitted the four behind it.
      await eventually(() => h.count === 5, 15_000, 'messages 2–5 admitted while 1 is being committed').catch((err: Error) => {
        throw new Error(`${err.message}: ${h.count} admitted`);
      });

      h.release();
      const done = await executionsOf(e, 'crash', 5);
      expect(done.map((x) => family.idOf(x.trigger!.variables as Record<string, unknown>)).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(done.every((x) => x.state.current === 'SUCCESS')).toBe(true);
      // Acknowledged after their commits: nothing comes back (a redelivery would be a sixth execution).
      await new Promise((r) => setTimeout(r, 1500));
      expect(await executionsOf(e, 'crash', 5)).toHaveLength(5);
      await family.close?.();
    });
  });
}
