// One set-up for every test file that needs the harness: started before the file's tests, stopped
// after them. Kept apart from index.ts because it registers vitest hooks, and scripts/ import the
// harness outside vitest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Dockerd, ensureDockerd } from './dockerd.js';
import {
  type CanvosGit,
  type Harness,
  type HarnessOptions,
  HARNESS_GITHUB_TOKEN,
  startCanvosGit,
  startHarness,
} from './index.js';
import { type Registry, type RegistryOptions, startRegistry } from './registry.js';
import { type ReleaseServer, startReleaseServer } from './release-server.js';

/**
 * Starts `start()` in this file's beforeAll and `stop()`s it in its afterAll. Returns a stand-in
 * that reads through to the started value, so tests write `h.registry`, not `h().registry`.
 */
export function forThisFile<T extends object>(
  start: () => Promise<T>,
  stop: (value: T) => Promise<void>,
): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    if (value) await stop(value);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!value) throw new Error('the harness is used before beforeAll started it');
      return Reflect.get(value, key, value) as unknown;
    },
  });
}

/** The whole harness for this file, on the run's shared Docker engine when there is one. */
export function useHarness(opts: HarnessOptions = {}): Harness {
  return forThisFile(
    () => startHarness({ dockerHost: inject('dockerHost') || undefined, ...opts }),
    (h) => h.stop(),
  );
}

/** Only the git server with the CanvOS fixture (no Docker, registry or releases), for this file. */
export function useCanvosGit(token = HARNESS_GITHUB_TOKEN): CanvosGit & { workDir: string } {
  return forThisFile(
    async () => {
      const workDir = mkdtempSync(join(tmpdir(), 'canvos-git-'));
      return { workDir, ...(await startCanvosGit(workDir, token)) };
    },
    async ({ git, workDir }) => {
      await git.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  );
}

/** The run's shared Docker engine and a registry of this file's own. */
export function useDockerAndRegistry(opts: RegistryOptions = {}): {
  engine: Dockerd;
  registry: Registry;
} {
  return forThisFile(
    async () => ({ engine: await ensureDockerd(), registry: await startRegistry(opts) }),
    async ({ engine, registry }) => {
      await registry.stop();
      await engine.stop();
    },
  );
}

/** The Earthly release server alone, for this file. */
export function useReleaseServer(): ReleaseServer {
  return forThisFile(
    () => startReleaseServer(),
    (r) => r.stop(),
  );
}
