/** The Earthly part of the plan: which release, how to install it, and its whole command. */
import { join } from 'node:path';
import { earthlyArguments, earthlyConfig } from '../earthly/command.js';
import type { EarthlyInstallRequest } from '../earthly/install.js';
import { redactUrl } from '../earthly/release.js';
import { InputError } from '../errors.js';
import { commandLineArgs } from './build-files.js';
import { readBuildkitMirror, readEarthlyVersion } from './canvos-source.js';
import type { Arch, EarthlyDistribution, Inputs, KeyValue } from './inputs/types.js';

/** The newest EarthBuild release this action knows; `auto` picks it for the fork. */
export const DEFAULT_EARTHBUILD_VERSION = 'v0.8.18';

export interface EarthlyPlan {
  version: string;
  distribution: EarthlyDistribution;
  buildkitImage?: string;
  /** A remote BuildKit: no local disk to check. */
  buildkitHost?: string;
  install: EarthlyInstallRequest;
  configPath: string;
  config: string;
  args: string[];
  /** The same arguments with credentials in proxy URLs redacted, for the log. */
  shownArgs: string[];
  /** Secrets Earthly reads from its environment (`--secret NAME`). */
  secretEnv: KeyValue[];
}

/** The Earthly the workflow asked for, on the runner's arch, once its version is known. */
export function earthlyInstall(
  inputs: Inputs,
  version: string,
  runnerArch: Arch,
): EarthlyInstallRequest {
  return {
    version,
    distribution: inputs.earthly.distribution,
    arch: runnerArch,
    downloadUrlTemplate: inputs.earthly.downloadUrl,
    sha256: inputs.earthly.sha256,
  };
}

/**
 * The Earthly version (`auto`: the fork's newest, or the pin in the tag's earthly.sh), its BuildKit
 * image, and the command that builds the images from the checkout.
 */
export function earthlyPlan(
  inputs: Inputs,
  earthlySh: string | undefined,
  tag: string,
  context: { runnerArch: Arch; tempDir: string },
): EarthlyPlan {
  const { distribution, buildkitHost } = inputs.earthly;
  const pinned = earthlySh ? readEarthlyVersion(earthlySh) : undefined;
  let version = inputs.earthly.version;
  if (version === 'auto') {
    if (distribution === 'earthbuild') version = DEFAULT_EARTHBUILD_VERSION;
    else if (pinned) version = pinned;
    else {
      throw new InputError(
        'earthly-version',
        `auto found no EARTHLY_VERSION in earthly.sh at CanvOS ${tag}: set a version`,
      );
    }
  }
  // CanvOS mirrors only the upstream BuildKit of the version it pins; anything else uses Earthly's default.
  const mirror =
    distribution === 'earthly' && version === pinned && earthlySh
      ? readBuildkitMirror(earthlySh, version)
      : undefined;
  const buildkitImage = buildkitHost ? undefined : (inputs.earthly.buildkitImage ?? mirror);
  const configPath = join(context.tempDir, 'earthly-config.yml');
  const options = {
    push: inputs.push,
    configPath,
    buildkitImage,
    buildkitHost,
    remoteCache: inputs.earthly.remoteCache,
    secretNames: inputs.secrets.map(([key]) => key),
    extraArgs: inputs.earthly.args,
    buildArgs: commandLineArgs(inputs),
  };
  // The command-line build args are proxy URLs with credentials: masked, but not left to masking.
  const shown = options.buildArgs.map(([key, url]) => [key, redactUrl(url)] as const);
  return {
    version,
    distribution,
    buildkitImage,
    buildkitHost,
    install: earthlyInstall(inputs, version, context.runnerArch),
    configPath,
    config: earthlyConfig(inputs.earthly.config),
    args: earthlyArguments(options),
    shownArgs: earthlyArguments({ ...options, buildArgs: shown }),
    secretEnv: inputs.secrets,
  };
}
