/** Cross-arch builds: BuildKit runs the other arch's RUN steps through the kernel's QEMU handler. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { Arch } from '../core/inputs/types.js';
import { ActionError } from '../errors.js';

/** The binfmt_misc handlers QEMU registers (tonistiigi/binfmt, which docker/setup-qemu-action runs). */
const QEMU_HANDLERS: Record<Arch, string> = { arm64: 'qemu-aarch64', amd64: 'qemu-x86_64' };

/**
 * Fails before the build when images for another arch cannot run their RUN steps: the kernel
 * needs an enabled QEMU handler for that arch, shared by Docker and BuildKit's containers.
 */
export async function checkEmulation(
  target: Arch,
  runner: Arch,
  binfmtDir = '/proc/sys/fs/binfmt_misc',
): Promise<void> {
  if (target === runner)
    return core.info(`No emulation needed: ${target} images on an ${runner} runner`);
  const handler = join(binfmtDir, QEMU_HANDLERS[target]);
  const state = await readFile(handler, 'utf8').catch(() => '');
  if (/^enabled$/m.test(state))
    return core.info(`${target} RUN steps run through QEMU (${handler})`);
  throw new ActionError(
    `arch: ${target} on an ${runner} runner needs QEMU, and ${handler} is not an enabled handler: add "- uses: docker/setup-qemu-action@v3" before this step`,
  );
}
