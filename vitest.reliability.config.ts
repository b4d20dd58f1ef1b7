import { defineConfig } from 'vitest/config';

// The reliability suite: long, loud, one family at a time.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
