/**
 * The functional core: inputs plus what the CanvOS checkout says become a plan — the tag,
 * PE_VERSION, the Earthly to use, the image refs — and the files that make CanvOS build exactly that.
 */
import { ActionError, InputError } from './errors.js';
import type { Inputs, KeyValue } from './inputs.js';
import {
  type CanvosFiles,
  certsLayout,
  parseK8sVersionJson,
  readBuildkitMirror,
  readEarthlyVersion,
  readEdgeCustomConfig,
  readPeVersion,
} from './canvos-source.js';
import { newestPatches, selectK8sVersions } from './k8s.js';

/** The newest EarthBuild release this action knows; `auto` picks it for the fork. */
export const DEFAULT_EARTHBUILD_VERSION = 'v0.8.18';
const MAX_TAG_LENGTH = 128;

export interface CanvosCheckout {
  tag: string; // the tag checked out, or a description of a workflow's own checkout
  commit: string;
  path: string;
  files: CanvosFiles;
}

export interface ImagePlan {
  ref: string;
  registry: string; // host[:port]
  repository: string; // path under the host
  tag: string;
  k8sDistribution: string;
  k8sVersion: string;
  os: string;
  osVersion: string;
  arch: string;
  canvosVersion: string;
  peVersion: string;
}

export interface Plan {
  canvosVersion: string;
  canvosCommit: string;
  canvosPath: string;
  peVersion: string;
  earthly: {
    version: string;
    distribution: Inputs['earthly']['distribution'];
    buildkitImage?: string;
  };
  availableK8sVersions: string[];
  newestK8sPatches: string[];
  k8sVersions: string[];
  images: ImagePlan[];
}

/** A file to write into the checkout, relative to its root. */
export interface CheckoutFile {
  path: string;
  content: string;
}

export interface BuildFiles {
  files: CheckoutFile[];
  /** Build args that must not be written to disk (proxy URLs with credentials). */
  commandLineArgs: KeyValue[];
}

function buildArg(inputs: Inputs, key: string): string | undefined {
  return inputs.buildArgs.find(([k]) => k === key)?.[1];
}

export function makePlan(inputs: Inputs, checkout: CanvosCheckout): Plan {
  const { files, tag } = checkout;
  const peVersion = buildArg(inputs, 'PE_VERSION') ?? readPeVersion(files.earthfile);
  if (!peVersion) {
    throw new ActionError(
      `The Earthfile at CanvOS ${tag} has no ARG PE_VERSION default; set PE_VERSION in build-args`,
    );
  }
  if (!files.k8sVersionJson) throw new ActionError(`CanvOS ${tag} has no k8s_version.json`);
  let versionLists: Record<string, string[]>;
  try {
    versionLists = parseK8sVersionJson(files.k8sVersionJson);
  } catch (error) {
    throw new ActionError(
      `k8s_version.json at CanvOS ${tag} is not valid: ${(error as Error).message}`,
    );
  }
  const available = versionLists[inputs.k8sDistribution] ?? [];
  const k8sVersions = selectK8sVersions(inputs.k8sVersion, available, {
    distribution: inputs.k8sDistribution,
    tag,
  });
  const earthly = chooseEarthly(inputs, files.earthlySh, tag);
  const images = k8sVersions.map((version) => imagePlan(inputs, checkout.tag, peVersion, version));
  return {
    canvosVersion: tag,
    canvosCommit: checkout.commit,
    canvosPath: checkout.path,
    peVersion,
    earthly,
    availableK8sVersions: [...available],
    newestK8sPatches: newestPatches(available),
    k8sVersions,
    images,
  };
}

function chooseEarthly(
  inputs: Inputs,
  earthlySh: string | undefined,
  tag: string,
): Plan['earthly'] {
  const { distribution } = inputs.earthly;
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
  const buildkitImage = inputs.earthly.buildkitHost
    ? undefined
    : (inputs.earthly.buildkitImage ?? mirror);
  return { version, distribution, buildkitImage };
}

function imagePlan(
  inputs: Inputs,
  canvosVersion: string,
  peVersion: string,
  k8sVersion: string,
): ImagePlan {
  const [host, ...path] = inputs.imageRegistry.split('/');
  const repo = inputs.imageRepo ?? inputs.osDistribution;
  const imageTag = inputs.customTag ? `${peVersion}-${inputs.customTag}` : peVersion;
  const tag = `${inputs.k8sDistribution}-${k8sVersion}-${imageTag}`;
  if (tag.length > MAX_TAG_LENGTH) {
    throw new InputError(
      'custom-tag',
      `makes the image tag ${tag.length} characters long; Docker allows ${MAX_TAG_LENGTH}`,
    );
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(tag)) {
    throw new InputError(
      'build-args',
      `PE_VERSION ${JSON.stringify(peVersion)} makes an invalid Docker tag ${JSON.stringify(tag)}`,
    );
  }
  const repository = [...path, repo].join('/');
  return {
    ref: `${host}/${repository}:${tag}`,
    registry: host,
    repository,
    tag,
    k8sDistribution: inputs.k8sDistribution,
    k8sVersion,
    os: inputs.osDistribution,
    osVersion: inputs.osVersion,
    arch: inputs.arch,
    canvosVersion,
    peVersion,
  };
}

function hasCredentials(url: string | undefined): boolean {
  if (!url) return false;
  const parsed = new URL(url);
  return parsed.username !== '' || parsed.password !== '';
}

/**
 * The files that make CanvOS build exactly `versions`: `.arg` (inputs first, then build-args),
 * proxy CA certificates, the signed-content config, and for several versions a trimmed
 * `k8s_version.json` with K8S_VERSION left out, so one Earthly run builds them all.
 */
export function buildFiles(
  inputs: Inputs,
  checkout: CanvosCheckout,
  versions: string[],
): BuildFiles {
  const files: CheckoutFile[] = [];
  const commandLineArgs: KeyValue[] = [];
  const args: KeyValue[] = [
    ['CUSTOM_TAG', inputs.customTag],
    ['IMAGE_REGISTRY', inputs.imageRegistry],
    ['OS_DISTRIBUTION', inputs.osDistribution],
    ['IMAGE_REPO', inputs.imageRepo ?? inputs.osDistribution],
    ['OS_VERSION', inputs.osVersion],
    ['K8S_DISTRIBUTION', inputs.k8sDistribution],
    ['ARCH', inputs.arch],
    ['UPDATE_KERNEL', String(inputs.updateKernel)],
    ['TWO_NODE', String(inputs.twoNode)],
  ];
  if (versions.length === 1) args.push(['K8S_VERSION', versions[0]]);
  else
    files.push({
      path: 'k8s_version.json',
      content: trimmedK8sVersions(checkout, inputs.k8sDistribution, versions),
    });

  for (const [key, url] of [
    ['HTTP_PROXY', inputs.httpProxy],
    ['HTTPS_PROXY', inputs.httpsProxy],
  ] as const) {
    if (!url) continue;
    (hasCredentials(url) ? commandLineArgs : args).push([key, url]);
  }
  if (inputs.noProxy) args.push(['NO_PROXY', inputs.noProxy]);

  if (inputs.proxyCaCerts.length) {
    if (certsLayout(checkout.files.earthfile) === 'sc-crt') {
      files.push({ path: 'sc.crt', content: `${inputs.proxyCaCerts.join('\n')}\n` });
      args.push(['PROXY_CERT_PATH', 'sc.crt']);
    } else {
      inputs.proxyCaCerts.forEach((cert, i) =>
        files.push({ path: `certs/proxy-ca-${i + 1}.crt`, content: `${cert}\n` }),
      );
    }
  }

  if (inputs.signingPublicKey) {
    const configured = buildArg(inputs, 'EDGE_CUSTOM_CONFIG');
    const name = configured ?? readEdgeCustomConfig(checkout.files.earthfile);
    if (name.startsWith('/') || name.split('/').includes('..')) {
      throw new InputError(
        'build-args',
        'EDGE_CUSTOM_CONFIG must be a relative path inside the CanvOS checkout',
      );
    }
    files.push({ path: name, content: signingConfig(inputs.signingPublicKey) });
    if (!configured) args.push(['EDGE_CUSTOM_CONFIG', name]);
  }

  files.unshift({ path: '.arg', content: renderArgFile([...args, ...inputs.buildArgs]) });
  return { files, commandLineArgs };
}

function trimmedK8sVersions(
  checkout: CanvosCheckout,
  distribution: string,
  versions: string[],
): string {
  const lists = parseK8sVersionJson(checkout.files.k8sVersionJson ?? '{}');
  return `${JSON.stringify({ ...lists, [distribution]: versions }, null, 2)}\n`;
}

/** The YAML CanvOS copies into the image for signed content. */
export function signingConfig(publicKeyPem: string): string {
  const encoded = Buffer.from(`${publicKeyPem}\n`).toString('base64');
  return [
    'content:',
    '  signing:',
    '    publicKey:',
    `      base64EncodedValue: ${encoded}`,
    '',
  ].join('\n');
}

/**
 * `.arg` is read by Earthly (godotenv) and sourced by bash in CanvOS's wrapper: plain values stay
 * bare, anything else is single-quoted, which both read literally (no `$` or backtick expansion).
 */
export function renderArgFile(entries: readonly KeyValue[]): string {
  const lines = ['# Written by the CanvOS provider images action: inputs first, then build-args.'];
  for (const [key, value] of entries) {
    if (value.includes("'") || /[\r\n]/.test(value) || value.endsWith('\\')) {
      throw new Error(`unsafe .arg value for ${key}`);
    }
    lines.push(/^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? `${key}=${value}` : `${key}='${value}'`);
  }
  return `${lines.join('\n')}\n`;
}
