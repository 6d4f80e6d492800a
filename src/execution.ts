/**
 * What a real run needs beyond a dry run: Earthly's download and build, the registry, the docker
 * CLI. main.ts loads this module only for a real run, so a dry run (a matrix's plan job) neither
 * reads nor compiles that code: ncc emits it as a separate chunk.
 */
import { DEFAULT_EARTHBUILD_VERSION, earthlyInstall } from './core/earthly-plan.js';
import type { Arch, Inputs } from './core/inputs/types.js';
import { EarthlyDownload } from './earthly/download.js';

export { dockerLogin } from './docker/cli.js';
export { requireStoredCredentials } from './docker/config.js';
export { checkDisk } from './docker/disk.js';
export { prepareBuildkit } from './earthly/buildkit.js';
export { runBuild } from './earthly/run.js';
export { existingImages, verifyImages } from './registry/check.js';

/**
 * The Earthly the workflow asked for, on the runner's arch. What is known up front (an exact
 * version) starts downloading at once, to overlap the clone.
 */
export function startEarthlyDownload(inputs: Inputs, runnerArch: Arch): EarthlyDownload {
  const download = new EarthlyDownload({
    requested: inputs.earthly.version,
    distribution: inputs.earthly.distribution,
    forkDefault: DEFAULT_EARTHBUILD_VERSION,
    waitForRegistry: inputs.skipExisting && inputs.push,
    request: (version) => earthlyInstall(inputs, version, runnerArch),
  });
  download.startKnownVersion();
  return download;
}
