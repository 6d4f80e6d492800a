// Vitest globalSetup: one isolated Docker engine for the test run, shared by every test file
// (and by concurrent runs: ensureDockerd() leases it, the last run out stops it).
// Test files read it with `inject('dockerHost')` ('' when there is none: startHarness() then
// starts or reuses one itself). Forked workers also inherit DOCKER_HOST / HARNESS_DOCKER_HOST.
//   HARNESS_DOCKER_HOST=<host>  use an existing engine
//   HARNESS_KEEP_DOCKERD=1      leave the engine running after the run (faster next run)
//   HARNESS_DOCKER=0            never start one here
import type { TestProject } from 'vitest/node';
import { ensureDockerd } from './dockerd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

// Unit-only runs (`vitest run __tests__/unit`) must not pay for, or depend on, a Docker engine.
function wantsDocker(project: TestProject): boolean {
  if (process.env.HARNESS_DOCKER === '0') return false;
  // Internal to vitest (set before global setup runs); absent means "all test files".
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  return !filters || filters.some((f) => /e2e|harness/.test(f));
}

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  project.provide('dockerHost', '');
  if (!wantsDocker(project)) return undefined;
  let dockerd;
  try {
    dockerd = await ensureDockerd({ keep: process.env.HARNESS_KEEP_DOCKERD === '1' });
  } catch (e) {
    // Do not fail unit tests for want of Docker; e2e tests will report it themselves.
    console.warn(`[harness] no Docker engine for e2e tests: ${(e as Error).message}`);
    return undefined;
  }
  process.env.DOCKER_HOST = dockerd.host;
  process.env.HARNESS_DOCKER_HOST = dockerd.host;
  project.provide('dockerHost', dockerd.host);
  // Gives back this run's lease; the daemon stops only when no other live run still uses it.
  return () => dockerd.stop();
}
