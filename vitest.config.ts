import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each worker holds its own database (an embedded instance is ~740 MB): two fit these machines.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
