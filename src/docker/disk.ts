/** The free-disk preflight: a local BuildKit keeps its cache and the images in Docker's data root. */
import * as core from '@actions/core';
import { diskAdvice } from '../core/disk.js';
import type { DiskCheck } from '../core/inputs/types.js';
import { ActionError } from '../errors.js';
import { dockerRootDir, freeBytes } from './cli.js';

/** `exported`: the images are also exported into the local Docker (push: false, `--output`). */
export async function checkDisk(
  mode: DiskCheck,
  imageCount: number,
  exported = false,
): Promise<void> {
  if (mode === 'off')
    return core.info(
      'No disk check: disk-check is off, or the build runs on a remote buildkit-host',
    );
  if (imageCount === 0) return core.info('No disk check: nothing to build');
  const root = (await dockerRootDir()) ?? '/var/lib/docker';
  const free = await freeBytes(root);
  if (free === undefined)
    return core.info(`Could not measure free disk at ${root}; skipping the disk check`);
  const advice = diskAdvice(root, free, imageCount, exported);
  if (!advice) return core.info(`Disk: ${(free / 1024 ** 3).toFixed(1)} GiB free at ${root}`);
  if (mode === 'error') throw new ActionError(`Not enough disk: ${advice}`);
  core.warning(advice);
}
