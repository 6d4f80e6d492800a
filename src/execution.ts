/**
 * What a real run needs beyond a dry run: Earthly's download and build, the registry, the docker
 * CLI. main.ts loads this module only for a real run, so a dry run (a matrix's plan job) neither
 * reads nor compiles that code: ncc emits it as a separate chunk.
 */
import { type DownloadPolicy, EarthlyDownload } from './earthly/download.js';

export { dockerLogin } from './docker/cli.js';
export { requireStoredCredentials } from './docker/config.js';
export { checkDisk } from './docker/disk.js';
export { checkEmulation } from './docker/emulation.js';
export { runBuild } from './earthly/run.js';
export { existingImages, verifyImages } from './registry/check.js';

/** Starts what is known up front (an exact version) at once, to overlap the clone. */
export function startEarthlyDownload(policy: DownloadPolicy): EarthlyDownload {
  const download = new EarthlyDownload(policy);
  download.startKnownVersion();
  return download;
}
