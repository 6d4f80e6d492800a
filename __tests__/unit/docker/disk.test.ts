// The disk preflight against the harness's Docker engine: it measures Docker's own data root.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerRootDir, freeBytes } from '../../../src/docker/cli.js';
import { checkDisk } from '../../../src/docker/disk.js';
import { ActionError } from '../../../src/errors.js';
import { ensureDockerd } from '../../harness/dockerd.js';
import { forThisFile } from '../../harness/suite.js';
import { captureStdout, rejection, useSandbox } from '../support.js';

const engine = forThisFile(
  () => ensureDockerd(),
  (d) => d.stop(),
);
const sandbox = useSandbox('disk-test-', () => ({ DOCKER_HOST: engine.host }));

describe('checkDisk', () => {
  it('reports the free space at Docker’s data root when it is enough', async () => {
    const printed = captureStdout();
    const root = await dockerRootDir();
    const free = (await freeBytes(root!))!;
    await checkDisk('error', 1);
    if (free >= 8 * 1024 ** 3)
      expect(printed).toContain(`Disk: ${(free / 1024 ** 3).toFixed(1)} GiB free at ${root}`);
    else expect(printed).toEqual([]);
  });

  it('warns, or fails in error mode, when the images will not fit', async () => {
    const printed = captureStdout();
    // A million 5 GB images fit on no disk.
    await checkDisk('warn', 1_000_000);
    expect(printed.filter((l) => l.startsWith('::warning::Only '))).toHaveLength(1);
    const error = await rejection(checkDisk('error', 1_000_000));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(
      /^Not enough disk: Only .* free at \/.*1000000 provider image\(s\)/,
    );
  });

  it('checks nothing when off, or when nothing is built', async () => {
    const printed = captureStdout();
    await checkDisk('off', 1_000_000);
    await checkDisk('error', 0);
    // Said in a line, so the "Disk check" log group is never empty.
    expect(printed).toEqual([
      'No disk check: disk-check is off, or the build runs on a remote buildkit-host',
      'No disk check: nothing to build',
    ]);
  });

  it('without an engine, measures Docker’s default data root', async () => {
    const printed = captureStdout();
    process.env.DOCKER_HOST = `unix://${join(sandbox.dir, 'no-daemon.sock')}`;
    await checkDisk('warn', 1);
    expect(printed.join('\n')).toMatch(/\/var\/lib\/docker/);
  });
});
