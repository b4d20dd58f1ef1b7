// End-to-end tests: the built UI in real Chromium (Debian's `chromium` + playwright-core) against a
// real `peregrine server`, each file with its own port and data folder. `npm run test:e2e`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    testTimeout: 120_000,
    // CI runs these on 2 busy cores: give the UI time to settle before a poll gives up.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    hookTimeout: 180_000,
    // One browser at a time: the files share 2 cores with the server processes.
    fileParallelism: false,
    pool: 'forks',
  },
});
