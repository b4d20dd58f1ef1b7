// Vitest helpers: run a suite against a real broker, or skip it (saying what is missing and how
// to install it) when the broker is not installed. With PEREGRINE_REQUIRE_BROKERS=1 (CI) a
// missing broker fails instead.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BrokerMissingError, brokerMissing, startBroker } from './broker';
import type { BrokerHandle, BrokerName, StartOptions } from './types';

export function brokersRequired(): boolean {
  return process.env.PEREGRINE_REQUIRE_BROKERS === '1';
}

function skipMessage(name: BrokerName, missing: string): string {
  return new BrokerMissingError(name, missing).message + ' (set PEREGRINE_REQUIRE_BROKERS=1 to fail instead)';
}

interface SkipContext {
  skip(note?: string): void;
}

/**
 * Start `name` for a test, or skip it when the broker is not installed (fail when required).
 * Pass the test context (`it('…', async (ctx) => …)`) to mark the test skipped; without it,
 * resolves to undefined when skipping.
 */
export async function brokerOrSkip<N extends BrokerName>(
  name: N, ctx?: SkipContext, options?: StartOptions,
): Promise<BrokerHandle<N> | undefined> {
  const missing = brokerMissing(name);
  if (missing) {
    if (brokersRequired()) throw new BrokerMissingError(name, missing);
    console.warn(`[brokers] skipping: ${skipMessage(name, missing)}`);
    ctx?.skip(skipMessage(name, missing));
    return undefined;
  }
  return startBroker(name, options);
}

/**
 * `describe` against one real broker, started before the suite and stopped after it. `fn`
 * receives a getter for the handle. Skipped (or failed, when required) if the broker is missing.
 */
export function describeBroker<N extends BrokerName>(
  name: N,
  fn: (broker: () => BrokerHandle<N>) => void,
  options: StartOptions & { title?: string } = {},
): void {
  const title = options.title ?? `${name} broker`;
  const missing = brokerMissing(name);
  if (missing) {
    if (brokersRequired()) {
      describe(title, () => {
        it('has its broker installed (PEREGRINE_REQUIRE_BROKERS=1)', () => {
          throw new BrokerMissingError(name, missing);
        });
      });
    } else {
      console.warn(`[brokers] skipping "${title}": ${skipMessage(name, missing)}`);
      describe.skip(title, () => fn(() => {
        throw new BrokerMissingError(name, missing);
      }));
    }
    return;
  }
  describe(title, () => {
    let handle: BrokerHandle<N> | undefined;
    beforeAll(async () => {
      handle = await startBroker(name, options);
      console.log(`[brokers] ${name} ready in ${handle.readyMs} ms at ${handle.url}`);
    });
    afterAll(async () => {
      await handle?.stop();
    });
    fn(() => {
      if (!handle) throw new Error(`${name} broker did not start`);
      return handle;
    });
  });
}
