import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no database (test/unit must not touch one) so it starts none;
// `database` (integration, end-to-end and fuzz tests) migrates a template database once per run.
// `npx vitest run --project unit` runs the first alone in about a second.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each worker holds its own database (an embedded instance is ~740 MB): two fit these machines.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'database',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
