/**
 * Downloads Earthly in the background from the moment its version is known, so the download
 * overlaps the clone and the other preparations; the build awaits it.
 */
import * as core from '@actions/core';
import { likelyEarthlyPin } from '../core/canvos-source.js';
import { type EarthlyInstallation, type EarthlyInstallRequest, installEarthly } from './install.js';

export interface DownloadPolicy {
  /** The version asked for: `auto` or an exact one. */
  requested: string;
  distribution: EarthlyInstallRequest['distribution'];
  /** The version `auto` means for the fork, known before the clone. */
  forkDefault: string;
  /** A re-run may build nothing: wait for the registry before downloading anything. */
  waitForRegistry: boolean;
  /** The install request for a version. */
  request(version: string): EarthlyInstallRequest;
}

export class EarthlyDownload {
  // Keyed by version: a speculative start on the likely pin must not stand in for another version.
  private readonly pending = new Map<string, Promise<EarthlyInstallation>>();
  // What the background download has to say waits here until "Install Earthly" shows it in its
  // own log group, not inside whichever phase happens to be running.
  private readonly held: string[] = [];
  private live = false;
  private readonly log = (message: string): void => {
    if (this.live) core.info(message);
    else this.held.push(message);
  };
  constructor(private readonly policy: DownloadPolicy) {}

  /** An exact version, or the fork's under `auto`, is known up front: download it during the clone. */
  startKnownVersion(): void {
    const { requested, distribution, waitForRegistry } = this.policy;
    if (requested !== 'auto') this.start(requested);
    else if (distribution === 'earthbuild' && !waitForRegistry) this.start(this.policy.forkDefault);
  }

  /** `auto` upstream: once the tag is known, start on the pin it most likely has, during the clone. */
  startLikelyPin(tag: string): void {
    const { requested, distribution, waitForRegistry } = this.policy;
    if (requested !== 'auto' || distribution !== 'earthly' || waitForRegistry) return;
    const likely = likelyEarthlyPin(tag);
    if (likely) this.start(likely);
  }

  /** Once the plan knows the version: start now unless the registry may make it unneeded. */
  startPlanned(version: string): void {
    if (!this.policy.waitForRegistry) this.start(version);
  }

  async installation(version: string): Promise<EarthlyInstallation> {
    this.start(version);
    this.live = true;
    for (const message of this.held.splice(0)) core.info(message);
    let installation: EarthlyInstallation;
    try {
      installation = await this.pending.get(version)!;
    } finally {
      this.live = false;
    }
    const cached = installation.cacheHit ? ' (cached)' : '';
    core.info(`Earthly ${installation.version} at ${installation.binary}${cached}`);
    return installation;
  }

  private start(version: string): void {
    if (this.pending.has(version)) return;
    const install = installEarthly(this.policy.request(version), this.log);
    install.catch(() => undefined); // awaited later; an early failure must not go unhandled
    this.pending.set(version, install);
  }
}
