import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // The reliability suite has its own config and per-category report: npm run test:reliability.
    exclude: [...configDefaults.exclude, '__tests__/reliability/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['__tests__/harness/global-setup.ts'],
  },
});
