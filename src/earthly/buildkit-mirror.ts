/** Asks the local Docker, then the mirror's registry, whether CanvOS's BuildKit mirror fits this runner. */
import * as core from '@actions/core';
import {
  type MirrorFinding,
  mirrorVerdict,
  withoutBuildkitMirror,
} from '../core/buildkit-image.js';
import type { EarthlyPlan } from '../core/earthly-plan.js';
import type { Arch } from '../core/inputs/types.js';
import { localImagePlatform } from '../docker/cli.js';
import { errorMessage } from '../errors.js';
import { lookupPlatforms } from '../registry/lookup.js';

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
