// The documentation tests need no Docker engine: this config runs them without the harness's
// global setup (which starts an isolated dockerd for the end-to-end suite).
// `npm run test:docs` uses it; `vitest run` with the root config runs these tests too.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['__tests__/docs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
