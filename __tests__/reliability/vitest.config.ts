// The reliability and security suite (`npm run test:reliability`): bad input, injection, secrets,
// faults, concurrency, the post step and the hardening attacks, all against dist/ and the
// end-to-end harness.
// The reporter prints, per category, how many cases were tried and how many passed.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['__tests__/reliability/**/*.test.ts'],
    globalSetup: ['__tests__/harness/global-setup.ts'],
    // Each case starts node (and often git, docker and the stand-in earthly): four at a time keeps
    // a 2-core machine busy without starving the servers the cases talk to.
    maxConcurrency: 4,
    // Files overlap too: the fault cases spend most of their time in tool-cache's retry waits.
    maxWorkers: 3,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ['dot', './__tests__/reliability/reporter.ts'],
  },
});
