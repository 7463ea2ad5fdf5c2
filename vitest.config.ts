import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // property tests and small end-to-end runs are slower than unit tests; none should come near this
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CI has 2 cores: one file per core
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
