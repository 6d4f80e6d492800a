// What only a real run loads (main.ts imports it with import()): the Earthly download starts at
// once for a version known up front, and the shells a real run uses are all there.
import { beforeEach, describe, expect, it } from 'vitest';
import * as execution from '../../src/execution.js';
import { useReleaseServer } from '../harness/suite.js';
import { inputs, toolCacheEnv, useSandbox } from './support.js';

const releases = useReleaseServer();
useSandbox('execution-test-', toolCacheEnv);

beforeEach(() => {
  releases.clearRequests();
});

describe('execution', () => {
  it('starts downloading an exact Earthly version at once, and installs it on request', async () => {
    const requested = inputs(
      { skipExisting: false },
      { version: 'v0.8.15', downloadUrl: releases.urlTemplate('earthly') },
    );
    const download = execution.startEarthlyDownload(requested, 'amd64');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(releases.requests.length).toBeGreaterThan(0); // started before anyone asked
    const installation = await download.installation('v0.8.15');
    expect(installation.version).toBe('v0.8.15');
  });

  it('offers what a real run does after the plan', () => {
    for (const name of [
      'dockerLogin',
      'requireStoredCredentials',
      'checkDisk',
      'prepareBuildkit',
      'runBuild',
      'existingImages',
      'verifyImages',
    ] as const)
      expect(typeof execution[name], name).toBe('function');
  });
});
