import { describe, expect, it } from 'vitest';
import { AdmissionPipe } from '../../../main/plugins/common/admission-pipe';
import type { AdmitResult, TriggerEvent } from '../../../main/plugins/types';

/** A trigger context whose commits the test settles by hand, in any order. */
function harness(maxInFlight = 10) {
  const commits: { events: TriggerEvent[]; resolve(): void; reject(e: Error): void }[] = [];
  const failures: unknown[] = [];
  let inFlight = 0;
  const ctx = {
    maxInFlight,
    inFlight: () => inFlight,
    waitForCapacity: () => Promise.resolve(),
    fail: (e: unknown) => failures.push(e),
    signal: new AbortController().signal,
    admitMany: (events: TriggerEvent[]) =>
      new Promise<AdmitResult[]>((resolve, reject) => {
        commits.push({ events, resolve: () => resolve(events.map(() => ({ duplicate: false }) as AdmitResult)), reject });
      }),
  };
  return { pipe: new AdmissionPipe(ctx), commits, failures, setInFlight: (n: number) => (inFlight = n) };
}

const events = (...names: string[]): TriggerEvent[] => names.map((n) => ({ variables: { n } }));
const turn = () => new Promise((r) => setImmediate(r));

describe('AdmissionPipe', () => {
  it('admits each batch at once, without waiting for the previous commit', () => {
    const { pipe, commits } = harness();
    pipe.push(events('a'), { ack() {} });
    pipe.push(events('b', 'c'), { ack() {} });
    expect(commits.map((c) => c.events.length)).toEqual([1, 2]);
  });

  it('acknowledges in arrival order, each batch only after its own commit', async () => {
    const { pipe, commits } = harness();
    const acked: string[] = [];
    pipe.push(events('a'), { ack: () => void acked.push('a') });
    pipe.push(events('b'), { ack: () => void acked.push('b') });
    commits[1].resolve();
    await turn();
    expect(acked).toEqual([]); // b is committed, but a is not: b waits
    commits[0].resolve();
    await pipe.drained();
    expect(acked).toEqual(['a', 'b']);
  });

  it('counts events being committed against the in-flight cap', async () => {
    const { pipe, commits, setInFlight } = harness(5);
    setInFlight(2);
    expect(pipe.room()).toBe(3);
    pipe.push(events('a', 'b'), { ack() {} });
    expect(pipe.room()).toBe(1);
    expect(pipe.room(1)).toBe(1);
    pipe.push(events('c'), { ack() {} });
    expect(pipe.room()).toBe(0);
    let roomAgain = false;
    const waiting = pipe.waitForRoom().then(() => (roomAgain = true));
    await turn();
    expect(roomAgain).toBe(false);
    commits[0].resolve(); // a and b are committed (and now counted by inFlight, still 2 here)
    await waiting;
    expect(pipe.room()).toBe(2);
  });

  it('a failed commit hands its batch back, fails the trigger, and nothing after it is acknowledged', async () => {
    const { pipe, commits, failures } = harness();
    const log: string[] = [];
    const settlement = (n: string) => ({ ack: () => void log.push(`ack ${n}`), nack: () => void log.push(`nack ${n}`) });
    pipe.push(events('a'), settlement('a'));
    pipe.push(events('b'), settlement('b'));
    pipe.push(events('c'), settlement('c'));
    commits[0].resolve();
    commits[1].reject(new Error('disk full'));
    commits[2].resolve();
    await pipe.drained();
    expect(log).toEqual(['ack a', 'nack b', 'nack c']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['disk full']);
  });

  it('an acknowledgement that throws fails the trigger instead of being lost', async () => {
    const { pipe, commits, failures } = harness();
    pipe.push(events('a'), { ack: () => Promise.reject(new Error('connection closed')) });
    commits[0].resolve();
    await pipe.drained();
    expect(failures.map((e) => (e as Error).message)).toEqual(['connection closed']);
  });
});
