// Small helpers shared by the broker smoke tests.
import type { BrokerHandle } from '../../brokers';

/** Poll `check` until it returns a value other than undefined (or throw after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message ?? lastError}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** restart() and report how long it took to be ready again. */
export async function timedRestart(broker: BrokerHandle): Promise<void> {
  const t0 = performance.now();
  await broker.restart();
  console.log(`[brokers] ${broker.name} restarted in ${Math.round(performance.now() - t0)} ms (ready ${broker.readyMs} ms after launch)`);
}

/** kill() (SIGKILL) then start() on the same data, reporting the time to be ready again. */
export async function timedKillStart(broker: BrokerHandle): Promise<void> {
  const pid = broker.pid;
  await broker.kill();
  if (broker.running) throw new Error(`${broker.name} still running after kill()`);
  await broker.start();
  if (broker.pid === pid) throw new Error(`${broker.name}: same pid after kill()+start()`);
  console.log(`[brokers] ${broker.name} killed and started again: ready in ${broker.readyMs} ms`);
}
