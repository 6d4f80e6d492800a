/**
 * What the BuildKit Earthly starts needs on this runner: QEMU for images of another arch, and an
 * image of the runner's own arch (CanvOS's mirror, where it has one). A remote BuildKit needs
 * neither from here: it runs the RUN steps on its own machine, from its own image.
 */
import * as core from '@actions/core';
import {
  type MirrorFinding,
  mirrorVerdict,
  withoutBuildkitMirror,
} from '../core/buildkit-image.js';
import type { EarthlyPlan } from '../core/earthly-plan.js';
import type { Arch } from '../core/inputs/types.js';
import { localImagePlatform } from '../docker/cli.js';
import { checkEmulation } from '../docker/emulation.js';
import { errorMessage } from '../errors.js';
import { lookupPlatforms } from '../registry/lookup.js';

/** The Earthly plan to run, once the runner is known to be able to run its BuildKit. */
export async function prepareBuildkit(
  earthly: EarthlyPlan,
  target: Arch,
  runnerArch: Arch,
  ca: readonly string[],
): Promise<EarthlyPlan> {
  if (earthly.remoteBuildkit) {
    core.info(`BuildKit at ${earthly.buildkitHost}: it runs the ${target} RUN steps itself`);
    return earthly;
  }
  await checkEmulation(target, runnerArch);
  return checkBuildkitMirror(earthly, runnerArch, ca);
}

/**
 * The Earthly plan to run: as planned when CanvOS's mirror has a BuildKit image for the runner's
 * arch (or no mirror was planned), otherwise with Earthly's own default image.
 */
export async function checkBuildkitMirror(
  earthly: EarthlyPlan,
  runnerArch: Arch,
  ca: readonly string[],
): Promise<EarthlyPlan> {
  const mirror = earthly.buildkitMirror;
  if (!mirror) return earthly;
  const verdict = mirrorVerdict(mirror, runnerArch, earthly.version, await find(mirror, ca));
  core[verdict.level](verdict.message);
  return verdict.use ? earthly : withoutBuildkitMirror(earthly);
}

async function find(mirror: string, ca: readonly string[]): Promise<MirrorFinding> {
  // A local image is what Earthly would start, without asking any registry.
  const platform = await localImagePlatform(mirror).catch(() => undefined);
  if (platform) return { where: 'docker', platform };
  try {
    const platforms = await lookupPlatforms(mirror, { ca, retries: 2 });
    return platforms ? { where: 'registry', platforms } : { where: 'registry', missing: true };
  } catch (error) {
    return { where: 'registry', error: errorMessage(error) };
  }
}
