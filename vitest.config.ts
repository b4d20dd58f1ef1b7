import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/e2e/**', 'test/reliability/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Broker suites start real servers: keep files from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
