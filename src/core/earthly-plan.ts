/** The Earthly part of the plan: which release, how to install it, and its whole command. */
import { join } from 'node:path';
import {
  buildkitProxyArgs,
  earthlyArguments,
  earthlyConfig,
  isLocalBuildkit,
} from '../earthly/command.js';
import { knownConfigKeys } from '../earthly/config-keys.js';
import type { EarthlyInstallRequest } from '../earthly/install.js';
import { InputError } from '../errors.js';
import { commandLineArgs } from './build-files.js';
import {
  type CanvosFiles,
  certsLayout,
  readBuildkitMirror,
  readEarthlyVersion,
  secretIsBuildArg,
} from './canvos-source.js';
import { unknownKey } from './inputs/earthly.js';
import type { Arch, EarthlyDistribution, Inputs, KeyValue } from './inputs/types.js';

/** The newest EarthBuild release this action knows; `auto` picks it for the fork. */
export const DEFAULT_EARTHBUILD_VERSION = 'v0.8.18';

export interface EarthlyPlan {
  version: string;
  distribution: EarthlyDistribution;
  buildkitImage?: string;
  /** Set when buildkitImage is CanvOS's mirror: used only if it has the runner's arch. */
  buildkitMirror?: string;
  /** The `buildkit-host` Earthly is pointed at, local or remote. */
  buildkitHost?: string;
  /** A BuildKit Earthly does not start itself: no image to choose, no local disk to check. */
  remoteBuildkit: boolean;
  install: EarthlyInstallRequest;
  configPath: string;
  config: string;
  /** Earthly's whole argv: no secret in it (a local user can read /proc/<pid>/cmdline). */
  args: string[];
  /** Secrets Earthly reads from its environment (`--secret NAME`, `--build-arg NAME`). */
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
  files: CanvosFiles,
  tag: string,
  context: { runnerArch: Arch; tempDir: string; checkoutPath: string },
): EarthlyPlan {
  const { distribution, buildkitHost } = inputs.earthly;
  const { earthlySh } = files;
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
  // A loopback tcp:// or container address is a BuildKit Earthly still starts: it needs its image.
  const remoteBuildkit = buildkitHost !== undefined && !isLocalBuildkit(buildkitHost);
  const buildkitMirror = remoteBuildkit || inputs.earthly.buildkitImage ? undefined : mirror;
  const buildkitImage = remoteBuildkit ? undefined : (inputs.earthly.buildkitImage ?? mirror);
  const known = knownConfigKeys(version);
  for (const [key] of inputs.earthly.config) {
    if (!known.includes(key))
      throw new InputError('earthly-config', unknownKey(key, known, version));
  }
  // An Earthly secret never fills an ARG: a secret the Earthfile reads as `ARG NAME` (UBUNTU_PRO_KEY
  // up to CanvOS v4.9.x) goes as a build arg, like the proxy URLs with credentials.
  const asArg = (name: string) => secretIsBuildArg(files.earthfile, name);
  const envBuildArgs = [
    ...commandLineArgs(inputs),
    ...inputs.secrets.filter(([key]) => asArg(key)),
  ];
  // The proxies and CAs in .arg and certs/ reach RUN steps only; BuildKit's own image pulls need
  // them too (CanvOS's earthly.sh starts its BuildKit with both). A remote BuildKit is its own.
  const proxyEnv = remoteBuildkit ? [] : buildkitProxyEnv(inputs);
  const scCrt = certsLayout(files.earthfile) === 'sc-crt';
  const ca =
    !remoteBuildkit && inputs.proxyCaCerts.length
      ? { path: join(context.checkoutPath, scCrt ? 'sc.crt' : 'certs'), isFile: scCrt }
      : undefined;
  const proxyNames = proxyEnv.map(([key]) => key).filter((key) => key === key.toUpperCase());
  const buildkitArgs = buildkitProxyArgs(proxyNames, ca);
  const configPath = join(context.tempDir, 'earthly-config.yml');
  const args = earthlyArguments({
    push: inputs.push,
    configPath,
    buildkitImage,
    buildkitHost,
    remoteCache: inputs.earthly.remoteCache,
    secretNames: inputs.secrets.map(([key]) => key).filter((key) => !asArg(key)),
    envBuildArgs: envBuildArgs.map(([key]) => key),
    extraArgs: inputs.earthly.args,
  });
  return {
    version,
    distribution,
    buildkitImage,
    buildkitMirror,
    buildkitHost,
    remoteBuildkit,
    install: earthlyInstall(inputs, version, context.runnerArch),
    configPath,
    config: earthlyConfig(version, inputs.earthly.config, buildkitArgs),
    args,
    secretEnv: dedupe([...inputs.secrets, ...commandLineArgs(inputs), ...proxyEnv]),
  };
}

/** The proxy inputs as Earthly's environment, in both cases, for `docker run -e NAME`. */
function buildkitProxyEnv(inputs: Inputs): KeyValue[] {
  const values: [string, string | undefined][] = [
    ['HTTP_PROXY', inputs.httpProxy],
    ['HTTPS_PROXY', inputs.httpsProxy],
    ['NO_PROXY', inputs.noProxy],
  ];
  return values.flatMap(([key, value]) =>
    value ? [[key, value] as const, [key.toLowerCase(), value] as const] : [],
  );
}

function dedupe(entries: KeyValue[]): KeyValue[] {
  return [...new Map(entries.map(([key, value]) => [key, value])).entries()];
}
